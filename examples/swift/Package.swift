// swift-tools-version: 6.1
// An example forecast plugin in Swift, as its own package outside the forecast package:
// it depends on forecast's PluginKit (here by path; from elsewhere, by the repository's
// URL) and builds one dynamic library, libHourlyProfile.so.
import PackageDescription

let package = Package(
    name: "HourlyProfile",
    products: [
        .library(name: "HourlyProfile", type: .dynamic, targets: ["HourlyProfile"]),
    ],
    dependencies: [
        .package(name: "forecast", path: "../.."),
    ],
    targets: [
        .target(name: "HourlyProfile", dependencies: [.product(name: "PluginKit", package: "forecast")]),
    ]
)

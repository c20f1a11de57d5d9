// swift-tools-version: 6.1
// The benchmark's reference: a bare Hummingbird route returning a prebuilt buffer
// (the framework's ceiling). Built by bench/server/run.sh; not part of the main package.
import PackageDescription

let package = Package(
    name: "bare-server",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        .executableTarget(
            name: "BareServer",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "Sources/BareServer"
        ),
    ]
)

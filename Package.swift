// swift-tools-version: 6.1
// The forecast host: one package holding the plugin contract (PluginABI), the host
// executable `forecast`, and the model plugins as dynamic libraries.
import PackageDescription

let package = Package(
    name: "forecast",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "forecast", targets: ["Host"]),
        // Model plugins: shared libraries loaded by the host with dlopen.
        .library(name: "ARIMA", type: .dynamic, targets: ["ARIMA"]),
        .library(name: "AutoReg", type: .dynamic, targets: ["AutoReg"]),
        .library(name: "SeasonalNaive", type: .dynamic, targets: ["SeasonalNaive"]),
        // The Swift helper for third-party plugin authors.
        .library(name: "PluginKit", targets: ["PluginKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // MARK: The contract
        .target(name: "PluginABI", path: "Sources/PluginABI"),

        // MARK: Shared by both sides: the one lock type (a pthread mutex ThreadSanitizer sees)
        .target(name: "Locking", path: "Sources/Locking"),

        // MARK: Plugin side (linked statically into each plugin library, never into the host)
        .target(name: "PluginKit", dependencies: ["PluginABI", "Locking"], path: "Sources/PluginKit"),
        .target(name: "ForecastMath", path: "Sources/ForecastMath"),
        .target(name: "ForecastVocabulary", path: "Sources/ForecastVocabulary"),
        .target(name: "ARIMA", dependencies: ["PluginKit", "ForecastMath"], path: "Plugins/ARIMA"),
        .target(name: "AutoReg", dependencies: ["PluginKit", "ForecastMath"], path: "Plugins/AutoReg"),
        .target(name: "SeasonalNaive", dependencies: ["PluginABI"], path: "Plugins/SeasonalNaive", publicHeadersPath: "."),

        // MARK: System libraries
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),

        // MARK: Host side
        // The ABI binding: loading a plugin library, calling it, checking it (conformance).
        .target(
            name: "PluginBinding",
            dependencies: ["PluginABI", "Locking", .product(name: "Logging", package: "swift-log")],
            path: "Sources/PluginBinding"
        ),
        // Model files: the envelope codec, the model file and its manifest, the repository.
        .target(
            name: "ModelFiles",
            dependencies: ["ForecastVocabulary", .product(name: "Crypto", package: "swift-crypto")],
            path: "Sources/ModelFiles"
        ),
        // Plugins in child processes: training and checking children, serving workers.
        .target(
            name: "PluginProcesses",
            dependencies: [
                "PluginABI", "PluginBinding", "ModelFiles", "Locking",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/PluginProcesses"
        ),
        // plugins.json: routes, upstreams, per-plugin options and isolation, the default city.
        .target(name: "ForecastConfiguration", dependencies: ["ForecastVocabulary"], path: "Sources/ForecastConfiguration"),
        .target(
            name: "ForecastStore",
            dependencies: [
                "CSQLite", "CLibPQ", "ForecastVocabulary", "Locking",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/ForecastStore"
        ),
        .target(
            name: "ForecastServer",
            dependencies: [
                "PluginBinding", "PluginProcesses", "ModelFiles", "ForecastConfiguration", "ForecastStore", "ForecastVocabulary",
                "Locking",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/ForecastServer"
        ),
        .target(
            name: "ForecastPipeline",
            dependencies: [
                "ForecastStore", "PluginBinding", "PluginProcesses", "ModelFiles", "ForecastConfiguration", "ForecastVocabulary",
                "Locking",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/ForecastPipeline"
        ),
        .executableTarget(
            name: "Host",
            dependencies: [
                "PluginBinding", "PluginProcesses", "ModelFiles", "ForecastConfiguration", "ForecastStore", "ForecastPipeline",
                "ForecastServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Host"
        ),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["PluginBinding", "PluginProcesses", "ForecastStore", "CSQLite", "CLibPQ", "Locking"], path: "Tests/TestSupport"),
        .testTarget(
            name: "PipelineTests",
            dependencies: [
                "ForecastPipeline", "ForecastStore", "PluginBinding", "PluginProcesses", "ModelFiles", "ForecastConfiguration",
                "TestSupport", "Locking",
            ],
            path: "Tests/PipelineTests"
        ),
        .testTarget(
            name: "StoreTests",
            dependencies: ["ForecastStore", "TestSupport", "Locking"],
            path: "Tests/StoreTests"
        ),
        .testTarget(name: "ForecastMathTests", dependencies: ["ForecastMath"], path: "Tests/ForecastMathTests"),
        .testTarget(name: "ForecastVocabularyTests", dependencies: ["ForecastVocabulary"], path: "Tests/ForecastVocabularyTests"),
        .testTarget(name: "AutoRegTests", dependencies: ["PluginBinding", "TestSupport", "Locking"], path: "Tests/AutoRegTests"),
        .testTarget(name: "ARIMATests", dependencies: ["PluginBinding", "TestSupport", "PluginABI"], path: "Tests/ARIMATests"),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "ForecastServer", "PluginBinding", "PluginProcesses", "ModelFiles", "ForecastConfiguration", "ForecastStore",
                "ForecastVocabulary", "TestSupport", "Locking",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/ServerTests"
        ),
        .testTarget(name: "PluginBindingTests", dependencies: ["PluginABI", "PluginBinding", "TestSupport"], path: "Tests/PluginBindingTests"),
        .testTarget(name: "ModelFilesTests", dependencies: ["ModelFiles", "ForecastVocabulary"], path: "Tests/ModelFilesTests"),
        .testTarget(
            name: "PluginProcessesTests",
            dependencies: ["PluginABI", "PluginBinding", "PluginProcesses", "TestSupport"],
            path: "Tests/PluginProcessesTests"
        ),
        .testTarget(
            name: "ForecastConfigurationTests",
            dependencies: ["ForecastConfiguration", "ForecastVocabulary"],
            path: "Tests/ForecastConfigurationTests"
        ),
        // The `forecast` command itself, run as a child (the executable `swift build` put in place).
        .testTarget(name: "HostTests", dependencies: ["TestSupport"], path: "Tests/HostTests"),
        // The examples under examples/, built as their authors build them, checked and served.
        .testTarget(name: "ExampleTests", dependencies: ["TestSupport"], path: "Tests/ExampleTests"),
        .testTarget(
            name: "ReliabilityTests",
            dependencies: [
                "PluginABI", "PluginBinding", "PluginProcesses", "ModelFiles", "ForecastStore", "ForecastVocabulary",
                "TestSupport",
            ],
            path: "Tests/ReliabilityTests"
        ),
    ]
)

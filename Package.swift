// swift-tools-version:6.2
import Foundation
import PackageDescription

/// The simulation's hot modules are optimised in debug builds too: the tests drive the
/// `pumpsim` binary through whole scenarios, and -Onone makes the engine ten times slower.
/// (`#if DEBUG` still holds; `assert` is off in these modules, `precondition` stays.)
let optimisedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "PumpSim",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pumpsim", targets: ["pumpsim"]),
        .library(name: "SimCore", targets: ["SimCore"]),
        .library(name: "Curves", targets: ["Curves"]),
        .library(name: "Ledger", targets: ["Ledger"]),
        .library(name: "Rewards", targets: ["Rewards"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "Scenario", targets: ["Scenario"]),
        .library(name: "Trace", targets: ["Trace"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "Fanout", targets: ["Fanout"]),
        .library(name: "Merkle", targets: ["Merkle"]),
        .library(name: "Reports", targets: ["Reports"]),
        .library(name: "Sessions", targets: ["Sessions"]),
        .library(name: "LiveServer", targets: ["LiveServer"]),
        .library(name: "LoadGen", targets: ["LoadGen"]),
        .library(name: "Voice", targets: ["Voice"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
    ],
    targets: [
        // The hardware's 128-by-64-bit divide (header-only C: Swift's 128-bit division calls compiler-rt).
        .target(name: "CWide"),
        .target(name: "SimCore", dependencies: ["CWide", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: optimisedInDebug),
        .target(name: "Curves", dependencies: ["SimCore"], swiftSettings: optimisedInDebug),
        // A prefetch hint for the engine's random reads (header-only C: Swift has no such builtin).
        .target(name: "CPrefetch"),
        .target(name: "Ledger", dependencies: ["SimCore", "Curves", "Merkle", "CPrefetch"], swiftSettings: optimisedInDebug),
        .target(name: "Rewards", dependencies: ["SimCore", "CPrefetch"], swiftSettings: optimisedInDebug),
        .target(name: "Engine", dependencies: [
            "SimCore", "Curves", "Merkle", "Ledger", "Rewards", "CPrefetch",
            .product(name: "HeapModule", package: "swift-collections"),
        ], swiftSettings: optimisedInDebug),
        // Spoken commands: a transcript into a command, by a deterministic parser (no model).
        .target(name: "Voice", dependencies: ["SimCore"]),
        .target(name: "Scenario", dependencies: ["SimCore", "Curves", "Engine", "Fanout", "Voice", "Yams"]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "Trace", dependencies: ["SimCore", "Curves", "Ledger", "Rewards", "Engine", "CZstd"], swiftSettings: optimisedInDebug),
        .target(name: "Store", dependencies: ["SimCore", "CSQLite"]),
        .target(name: "Merkle", dependencies: ["SimCore", "CWide", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: optimisedInDebug),
        .target(name: "Fanout", dependencies: ["SimCore", .product(name: "Histogram", package: "hdrhistogram-swift")], swiftSettings: optimisedInDebug),
        .target(name: "Reports", dependencies: ["SimCore", "Engine", "Store", "Trace"]),
        // The application layer: the flows every front end shares (DESIGN.md).
        .target(name: "Sessions", dependencies: [
            "SimCore", "Curves", "Ledger", "Rewards", "Engine", "Scenario", "Trace", "Store", "Fanout", "Merkle", "Reports", "Voice",
        ]),
        // The REST API's types and server stubs, generated from openapi.yaml (committed; regenerate with
        // PUMPSIM_OPENAPI_GEN=1 swift package --allow-writing-to-package-directory generate-code-from-openapi --target API).
        .target(name: "API", dependencies: [.product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")],
                exclude: ProcessInfo.processInfo.environment["PUMPSIM_OPENAPI_GEN"] == nil ? ["openapi.yaml", "openapi-generator-config.yaml"] : []),
        // `pumpsim serve`: the simulation behind real sockets (DESIGN.md, "Real sockets").
        .target(name: "LiveServer", dependencies: [
            "SimCore", "Engine", "Scenario", "Fanout", "Sessions", "API",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "HummingbirdWSCompression", package: "hummingbird-websocket"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "DequeModule", package: "swift-collections"),
        ]),
        .target(name: "LoadGen", dependencies: [
            "SimCore", "Fanout",
            .product(name: "Histogram", package: "hdrhistogram-swift"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ], swiftSettings: optimisedInDebug),
        .executableTarget(name: "pumpsim", dependencies: [
            "SimCore", "Curves", "Engine", "Scenario", "Trace", "Store", "Fanout", "Merkle", "Sessions", "LiveServer", "LoadGen", "Voice",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Test support: the per-process scratch directory the tests write in (removed at exit).
        .target(name: "TestScratch", path: "Tests/Scratch"),
        .testTarget(name: "SimCoreTests", dependencies: ["SimCore"], exclude: ["Vectors"]),
        .testTarget(name: "CurvesTests", dependencies: ["Curves"], resources: [.copy("Vectors")]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "Merkle"]),
        .testTarget(name: "RewardsTests", dependencies: ["Rewards"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Scenario", "Merkle", .product(name: "HeapModule", package: "swift-collections")], exclude: ["Vectors"]),
        .testTarget(name: "ScenarioTests", dependencies: ["Scenario", "Ledger"]),
        .testTarget(name: "TraceTests", dependencies: ["Trace", "Engine", "Scenario", "TestScratch"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "TestScratch"]),
        .testTarget(name: "FanoutTests", dependencies: ["Fanout"]),
        .testTarget(name: "MerkleTests", dependencies: ["Merkle"], resources: [.copy("Vectors")]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Engine", "Scenario", "Store", "Sessions"]),
        .testTarget(name: "SessionsTests", dependencies: ["Sessions", "Engine", "Scenario", "Trace", "Store", "Reports", "TestScratch"]),
        .testTarget(name: "CLITests", dependencies: [
            "pumpsim", "TestScratch",
            .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            .product(name: "Logging", package: "swift-log"),
        ], exclude: ["Clients"]),
        .testTarget(name: "VoiceTests", dependencies: ["Voice", "Sessions"]),
        .testTarget(name: "LiveServerTests", dependencies: ["LiveServer", "Sessions", "SimCore", "Fanout"]),
    ],
    swiftLanguageModes: [.v6]
)

// Benchmarks (package-benchmark) are built only when asked for, so `swift test` never builds them:
//   PUMPSIM_BENCHMARKS=1 swift package --disable-sandbox benchmark
if ProcessInfo.processInfo.environment["PUMPSIM_BENCHMARKS"] != nil {
    package.dependencies.append(.package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]))
    package.targets.append(.executableTarget(
        name: "PumpSimBenchmarks",
        dependencies: [
            "SimCore", "Curves", "Ledger", "Engine", "Scenario", "Trace", "Fanout", "Merkle", "Sessions",
            .product(name: "Benchmark", package: "benchmark"),
        ],
        path: "Benchmarks/PumpSimBenchmarks",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ))
}

// The OpenAPI generator is needed only to regenerate Sources/API/GeneratedSources (its output is
// committed, so the normal build never builds the generator).
if ProcessInfo.processInfo.environment["PUMPSIM_OPENAPI_GEN"] != nil {
    package.dependencies.append(.package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.3"))
}

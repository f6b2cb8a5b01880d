// swift-tools-version:6.1
import PackageDescription

/// Leadflow: lead-pipeline automation over a NATS-style protocol on ZeroMQ, with PostgreSQL as the store.
///
/// The target graph reads like the architecture: C system libraries (`C*`) → thin Swift wrappers
/// (`ZeroMQ`, `Postgres`, `Curl`) → the bus protocol (`LeadflowBus`) and the wire contract (`LeadflowProto`) →
/// the store (`LeadflowStore`) → services → the `leadflow` executable.
let package = Package(
    name: "leadflow",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "leadflow", targets: ["LeadflowCLI"]),
        .executable(name: "leadflow-fuzz", targets: ["LeadflowFuzz"]),
        .library(name: "LeadflowBus", targets: ["LeadflowBus"]),
        .library(name: "LeadflowProto", targets: ["LeadflowProto"]),
        .library(name: "LeadflowClient", targets: ["LeadflowClient"]),
        .library(name: "ZeroMQ", targets: ["ZeroMQ"]),
        .library(name: "Postgres", targets: ["Postgres"]),
        .library(name: "Curl", targets: ["Curl"]),
        .library(name: "LeadflowHandlers", targets: ["LeadflowHandlers"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        // The admin HTTP API (docs/decisions.md, 2026-12-07): Hummingbird 2 serves the code swift-openapi-generator
        // made from openapi/admin.yaml (committed; scripts/generate-openapi.sh). swift-configuration support is
        // left out: settings come from LeadflowConfig.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        // The web console's server-rendered pages (docs/console.md).
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
    ],
    targets: [
        // MARK: C system libraries
        .systemLibrary(
            name: "CZeroMQ", pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(
            name: "CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),

        // MARK: Thin Swift wrappers, one per C library
        .target(
            name: "ZeroMQ",
            dependencies: [
                "CZeroMQ", "LeadflowSecrets",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(name: "Postgres", dependencies: ["CLibPQ", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "Curl", dependencies: ["CCurl", .product(name: "DequeModule", package: "swift-collections")]),
        // A private PostgreSQL cluster in a local folder (initdb/pg_ctl), for `leadflow dev` and the tests.
        .target(name: "PostgresServer", dependencies: [.product(name: "Logging", package: "swift-log")]),

        // MARK: Protocol and domain
        .target(name: "LeadflowProto", dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .target(
            name: "LeadflowBus",
            dependencies: [
                "ZeroMQ",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(name: "LeadflowDomain"),
        // Secrets that never print, URLs redacted for logs, and the signed one-click unsubscribe token and its keys.
        .target(name: "LeadflowSecrets", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // YAML syntax errors located by line and column, without quoting the document.
        .target(name: "LeadflowYAML", dependencies: [.product(name: "Yams", package: "Yams")]),
        // CURVE on the bus: key files, the allow-list of client keys and its reloading, the ZAP handler's policy,
        // which options bound and connected sockets get.
        .target(
            name: "LeadflowCurve",
            dependencies: ["ZeroMQ", "LeadflowSecrets", .product(name: "Logging", package: "swift-log")]),
        // Pipeline definitions: the YAML format, decoded to the wire contract and validated with line numbers.
        .target(
            name: "LeadflowPipeline",
            dependencies: [
                "LeadflowDomain", "LeadflowProto", "LeadflowYAML",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Yams", package: "Yams"),
            ]),

        // MARK: Observability
        // Instrumentation every service emits: swift-metrics and swift-distributed-tracing backends that publish
        // `metrics.<component>.<operation>` measurements on the bus without ever blocking the caller.
        .target(
            name: "LeadflowTelemetry",
            dependencies: [
                "LeadflowBus", "LeadflowProto", "Postgres", "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        // The collector: percentiles, counters and gauges from `metrics.>`, alert rules with hysteresis, JSON breach
        // logs, Alertmanager webhooks, `alert.>` on the bus, and the HTTP endpoint (`/metrics`, `/healthz`, `/alerts`).
        .target(
            name: "LeadflowCollector",
            dependencies: [
                "Curl", "LeadflowBus", "LeadflowDomain", "LeadflowProto", "LeadflowSecrets", "LeadflowYAML", "ZeroMQ",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Yams", package: "Yams"),
            ]),

        // MARK: Services
        // What every engine service shares: lead event publishing, graceful receive loops.
        .target(
            name: "LeadflowServiceKit",
            dependencies: [
                "LeadflowBus", "LeadflowDomain", "LeadflowProto",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "LeadflowIngest",
            dependencies: [
                "LeadflowBus", "LeadflowCurve", "LeadflowDomain", "LeadflowPipeline", "LeadflowProto", "LeadflowServiceKit", "LeadflowStore",
                "LeadflowTelemetry", "Postgres", "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        .target(
            name: "LeadflowScheduler",
            dependencies: [
                "LeadflowBus", "LeadflowDomain", "LeadflowPipeline", "LeadflowProto", "LeadflowServiceKit",
                "LeadflowStore", "LeadflowTelemetry", "Postgres", "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        // Settings of every service from flags, environment and a YAML file.
        .target(
            name: "LeadflowConfig",
            dependencies: [
                "LeadflowAdmin", "LeadflowCollector", "LeadflowCurve", "LeadflowDomain", "LeadflowHandlers", "LeadflowIngest",
                "LeadflowPipeline", "LeadflowScheduler", "LeadflowSecrets", "LeadflowTelemetry", "LeadflowYAML",
                .product(name: "Yams", package: "Yams"),
            ]),

        // Handler services: pull action dispatches, deliver through libcurl (SMTP, HTTP APIs, webhooks), push results.
        .target(
            name: "LeadflowHandlers",
            dependencies: [
                "Curl", "LeadflowBus", "LeadflowDomain", "LeadflowPipeline", "LeadflowProto", "LeadflowSecrets",
                "LeadflowTelemetry", "ZeroMQ",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        // Every service in one process: `leadflow dev`, the demo, the end-to-end benchmark.
        .target(
            name: "LeadflowEngine",
            dependencies: [
                "Curl", "LeadflowBus", "LeadflowConfig", "LeadflowCurve", "LeadflowDomain", "LeadflowHandlers",
                "LeadflowIngest", "LeadflowScheduler", "LeadflowSecrets", "LeadflowTelemetry", "Postgres", "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // The library other Swift services link to publish to ingest: retries until +OK, many outstanding.
        .target(
            name: "LeadflowClient",
            dependencies: [
                "LeadflowBus", "LeadflowCurve", "LeadflowDomain", "LeadflowProto", "ZeroMQ",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // MARK: Admin HTTP API
        // The contract: types and the server protocol generated from openapi/admin.yaml, committed.
        .target(
            name: "LeadflowAdminAPI",
            dependencies: [.product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")]),
        // `leadflow admin`: tokens, roles and organization scope, problem+json errors, the audit log, over the store;
        // and the web console, server-rendered pages over the same handlers.
        .target(
            name: "LeadflowAdmin",
            dependencies: [
                "LeadflowAdminAPI", "LeadflowDomain", "LeadflowProto", "LeadflowSecrets", "LeadflowStore", "Postgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),

        // MARK: Store
        .target(
            name: "LeadflowStore",
            dependencies: [
                "LeadflowDomain", "LeadflowPipeline", "LeadflowProto", "Postgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),

        // MARK: Benchmarks
        .target(
            name: "LeadflowBenchmarks",
            dependencies: [
                "CZeroMQ", "ZeroMQ", "LeadflowBus", "LeadflowClient", "LeadflowDomain", "LeadflowEngine", "LeadflowPipeline",
                "LeadflowProto", "LeadflowStore", "LeadflowTelemetry", "Postgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),

        // MARK: Executable
        .executableTarget(
            name: "LeadflowCLI",
            dependencies: [
                "Curl", "LeadflowAdmin", "LeadflowBenchmarks", "LeadflowBus", "LeadflowCollector", "LeadflowClient",
                "LeadflowConfig", "LeadflowCurve", "LeadflowDomain", "LeadflowEngine", "LeadflowIngest", "LeadflowPipeline", "LeadflowProto",
                "LeadflowScheduler", "LeadflowSecrets", "LeadflowStore", "LeadflowTelemetry", "Postgres", "PostgresServer",
                "ZeroMQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),

        // Every decoder behind one entry point: a corpus replayer when built normally, libFuzzer targets when built
        // with `-sanitize=fuzzer,address -DLEADFLOW_FUZZING` (scripts/fuzz.sh, docs/fuzzing.md).
        .executableTarget(
            name: "LeadflowFuzz",
            dependencies: [
                "Curl", "LeadflowBus", "LeadflowCollector", "LeadflowHandlers", "LeadflowIngest", "LeadflowPipeline",
                "LeadflowProto",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),

        // MARK: Tests
        .target(
            name: "LeadflowTestKit",
            dependencies: [
                "Curl", "LeadflowPipeline", "LeadflowProto", "LeadflowStore", "Postgres", "PostgresServer",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ", "LeadflowTestKit"]),
        .testTarget(name: "LeadflowBusTests", dependencies: ["LeadflowBus", "LeadflowProto", "LeadflowTestKit"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "PostgresServer", "LeadflowTestKit"]),
        .testTarget(name: "CurlTests", dependencies: ["Curl", "LeadflowTestKit"]),
        .testTarget(name: "LeadflowDomainTests", dependencies: ["LeadflowDomain"]),
        .testTarget(
            name: "LeadflowCurveTests",
            dependencies: ["LeadflowCurve", "LeadflowTestKit", "ZeroMQ", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "LeadflowTelemetryTests",
            dependencies: [
                "LeadflowTelemetry", "LeadflowBus", "LeadflowProto", "LeadflowTestKit", "Postgres", "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]),
        .testTarget(
            name: "LeadflowConfigTests",
            dependencies: ["LeadflowConfig", "LeadflowCurve", "LeadflowDomain", "LeadflowTestKit", "ZeroMQ"]),
        // Runs the built `leadflow` executable (a dependency, so `swift test` builds it first).
        .testTarget(
            name: "LeadflowCLITests",
            dependencies: [
                "Curl", "LeadflowBus", "LeadflowCLI", "LeadflowClient", "LeadflowCurve", "LeadflowIngest", "LeadflowProto",
                "LeadflowPipeline", "LeadflowStore", "LeadflowTestKit", "Postgres", "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        // Fault injection against real `leadflow` processes: SIGKILL, SIGTERM, a PostgreSQL restart.
        .testTarget(
            name: "LeadflowFaultTests",
            dependencies: [
                "LeadflowCLI", "LeadflowClient", "LeadflowPipeline", "LeadflowProto", "LeadflowStore", "LeadflowTestKit",
                "Postgres", "PostgresServer",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "LeadflowEngineTests",
            dependencies: [
                "Curl", "LeadflowBenchmarks", "LeadflowCollector", "LeadflowBus", "LeadflowClient", "LeadflowConfig", "LeadflowCurve", "LeadflowDomain", "LeadflowEngine",
                "LeadflowHandlers", "LeadflowIngest", "LeadflowPipeline", "LeadflowProto", "LeadflowScheduler",
                "LeadflowStore", "LeadflowTelemetry", "LeadflowTestKit", "Postgres", "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        .testTarget(
            name: "LeadflowSecretsTests", dependencies: ["LeadflowSecrets", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(
            name: "LeadflowHandlersTests",
            dependencies: [
                "LeadflowHandlers", "Curl", "LeadflowBus", "LeadflowDomain", "LeadflowPipeline", "LeadflowProto",
                "LeadflowSecrets", "LeadflowTelemetry", "LeadflowTestKit", "ZeroMQ",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        .testTarget(
            name: "LeadflowIngestTests", dependencies: ["LeadflowIngest", "LeadflowBus", "LeadflowDomain", "LeadflowProto"]),
        .testTarget(
            name: "LeadflowClientTests",
            dependencies: [
                "LeadflowClient", "LeadflowBus", "LeadflowDomain", "LeadflowProto", "LeadflowTestKit", "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "LeadflowPipelineTests",
            dependencies: [
                "LeadflowPipeline", "LeadflowProto", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        .testTarget(
            name: "LeadflowCollectorTests",
            dependencies: [
                "Curl", "LeadflowBus", "LeadflowCollector", "LeadflowCurve", "LeadflowDomain", "LeadflowProto",
                "LeadflowTelemetry", "LeadflowTestKit", "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        // Replays Fuzz/corpus and Fuzz/regressions through the built `leadflow-fuzz` (a dependency, so it is built).
        .testTarget(name: "LeadflowFuzzTests", dependencies: ["LeadflowFuzz", "LeadflowTestKit"]),
        .testTarget(
            name: "LeadflowAdminTests",
            dependencies: [
                "Curl", "LeadflowAdmin", "LeadflowDomain", "LeadflowHandlers", "LeadflowPipeline", "LeadflowProto",
                "LeadflowSecrets", "LeadflowStore", "LeadflowTestKit", "Postgres",
                .product(name: "Yams", package: "Yams"),
            ]),
        .testTarget(
            name: "LeadflowStoreTests", dependencies: ["LeadflowStore", "LeadflowDomain", "Postgres", "LeadflowTestKit"]),
    ],
    swiftLanguageModes: [.v6]
)

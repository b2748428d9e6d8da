// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "netloom",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "netloom", targets: ["netloom"]),
        .library(name: "NetloomModel", targets: ["NetloomModel"]),
        .library(name: "NetloomSpec", targets: ["NetloomSpec"]),
        .library(name: "NetloomPlanning", targets: ["NetloomPlanning"]),
        .library(name: "AWSSigV4", targets: ["AWSSigV4"]),
        .library(name: "AWSClient", targets: ["AWSClient"]),
        .library(name: "NetloomAnalysis", targets: ["NetloomAnalysis"]),
        .library(name: "NetloomReport", targets: ["NetloomReport"]),
        .library(name: "NetloomExport", targets: ["NetloomExport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/drmohundro/SWXMLHash.git", from: "8.1.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        // Value types shared by everything: CIDRs, ports, protocols, resources, diagnostics.
        .target(name: "NetloomModel"),
        // YAML -> Spec with source locations, and validation.
        .target(name: "NetloomSpec", dependencies: [
            "NetloomModel",
            .product(name: "Yams", package: "Yams"),
        ]),
        // Blueprints (expansion into AWS resources) and address planning.
        .target(name: "NetloomPlanning", dependencies: ["NetloomSpec", "NetloomModel"]),
        // AWS Signature Version 4: header signing and presigned URLs. Knows no service.
        .target(name: "AWSSigV4", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Transport, credentials, endpoints, retry, protocol codecs and the service clients.
        .target(name: "AWSClient", dependencies: [
            "AWSSigV4",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "SWXMLHash", package: "SWXMLHash"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Terraform and CloudFormation equivalents of an expanded stack. Knows no AWS API.
        .target(name: "NetloomExport", dependencies: ["NetloomPlanning", "NetloomModel"]),
        // Reachability (with its reference evaluator), compliance rules and cost.
        .target(name: "NetloomAnalysis", dependencies: ["NetloomPlanning", "NetloomSpec", "NetloomModel"]),
        // What people look at: the topology model and its SVG, Mermaid and Graphviz renderings,
        // and the self-contained HTML report. Knows no AWS API.
        .target(name: "NetloomReport", dependencies: ["NetloomAnalysis", "NetloomPlanning", "NetloomSpec", "NetloomModel"]),
        // Resource providers, the graph executor, state in SQLite and drift.
        .target(name: "NetloomEngine", dependencies: [
            "NetloomPlanning", "NetloomModel", "AWSClient",
            .product(name: "GRDB", package: "GRDB.swift"),
            // MD5, to compare an object's content with the ETag S3 lists for it.
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The command line: one file per command, rendering of text and JSON.
        .target(name: "NetloomCLI", dependencies: [
            "NetloomModel", "NetloomSpec", "NetloomPlanning", "NetloomAnalysis", "NetloomReport", "NetloomEngine", "NetloomExport", "AWSClient",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "netloom", dependencies: ["NetloomCLI"]),
        .executableTarget(
            name: "netloom-bench",
            dependencies: ["NetloomModel", "NetloomSpec", "NetloomPlanning", "NetloomReport", "NetloomCLI", "NetloomTestSupport"],
            path: "Benchmarks/netloom-bench"
        ),
        // Test support: a seeded random generator, the random and benchmark stacks built with it,
        // and the example specs, for property tests and benchmarks.
        .target(name: "NetloomTestSupport", dependencies: ["NetloomModel", "NetloomSpec", "NetloomAnalysis"], path: "Tests/NetloomTestSupport"),
        // Test support: starts, resets and stops a local moto_server on 127.0.0.1.
        .target(name: "MotoHarness", dependencies: [
            "NetloomTestSupport", "NetloomModel",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ], path: "Tests/MotoHarness"),
        .executableTarget(
            name: "deploy-bench",
            dependencies: ["NetloomModel", "NetloomSpec", "NetloomPlanning", "NetloomExport", "NetloomTestSupport", "MotoHarness"],
            path: "Benchmarks/deploy-bench"
        ),
        .executableTarget(
            name: "reach-bench",
            dependencies: ["NetloomModel", "NetloomSpec", "NetloomPlanning", "NetloomAnalysis", "NetloomTestSupport"],
            path: "Benchmarks/reach-bench"
        ),

        .testTarget(name: "NetloomModelTests", dependencies: [
            "NetloomModel", "NetloomTestSupport",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "NetloomSpecTests", dependencies: [
            "NetloomTestSupport",
            "NetloomSpec", "NetloomModel", "NetloomPlanning",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ], exclude: ["Malformed"]),
        .testTarget(name: "NetloomPlanningTests", dependencies: [
            "NetloomTestSupport",
            "NetloomPlanning", "NetloomSpec", "NetloomModel",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "NetloomAnalysisTests", dependencies: [
            "NetloomTestSupport",
            "NetloomAnalysis", "NetloomPlanning", "NetloomSpec", "NetloomModel",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "NetloomCLITests", dependencies: [
            "NetloomTestSupport",
            "NetloomCLI", "NetloomEngine", "NetloomPlanning", "NetloomSpec", "NetloomModel",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ], exclude: ["Expected"]),
        .testTarget(name: "NetloomReportTests", dependencies: [
            "NetloomTestSupport",
            "NetloomReport", "NetloomCLI", "NetloomEngine", "NetloomAnalysis", "NetloomPlanning", "NetloomSpec", "NetloomModel",
        ]),
        .testTarget(name: "AWSSigV4Tests", dependencies: ["AWSSigV4"]),
        .testTarget(name: "NetloomEngineTests", dependencies: [
            "NetloomEngine", "NetloomPlanning", "NetloomSpec", "NetloomModel", "AWSClient",
        ]),
        .testTarget(name: "NetloomExportTests", dependencies: [
            "NetloomExport", "NetloomPlanning", "NetloomSpec", "NetloomModel", "NetloomTestSupport", "MotoHarness",
        ]),
        .testTarget(name: "EndToEndTests", dependencies: [
            "NetloomExport", "NetloomEngine", "NetloomPlanning", "NetloomSpec", "NetloomModel", "MotoHarness", "NetloomTestSupport", "AWSClient", "AWSSigV4",
        ]),
        .testTarget(name: "AWSClientTests", dependencies: [
            "AWSClient", "AWSSigV4", "MotoHarness",
            .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)

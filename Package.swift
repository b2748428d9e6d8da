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
        .library(name: "NetloomAnalysis", targets: ["NetloomAnalysis"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
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
        // Reachability (with its reference evaluator), compliance rules and cost.
        .target(name: "NetloomAnalysis", dependencies: ["NetloomPlanning", "NetloomSpec", "NetloomModel"]),
        // The command line: one file per command, rendering of text and JSON.
        .target(name: "NetloomCLI", dependencies: [
            "NetloomModel", "NetloomSpec", "NetloomPlanning", "NetloomAnalysis",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "netloom", dependencies: ["NetloomCLI"]),
        .executableTarget(
            name: "netloom-bench",
            dependencies: ["NetloomModel", "NetloomSpec", "NetloomPlanning", "NetloomCLI"],
            path: "Benchmarks/netloom-bench"
        ),
        .executableTarget(
            name: "reach-bench",
            dependencies: ["NetloomModel", "NetloomSpec", "NetloomPlanning", "NetloomAnalysis"],
            path: "Benchmarks/reach-bench"
        ),

        .testTarget(name: "NetloomModelTests", dependencies: [
            "NetloomModel",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "NetloomSpecTests", dependencies: [
            "NetloomSpec", "NetloomModel",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ], resources: [.copy("Malformed")]),
        .testTarget(name: "NetloomPlanningTests", dependencies: [
            "NetloomPlanning", "NetloomSpec", "NetloomModel",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "NetloomAnalysisTests", dependencies: [
            "NetloomAnalysis", "NetloomPlanning", "NetloomSpec", "NetloomModel",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "NetloomCLITests", dependencies: [
            "NetloomCLI", "NetloomPlanning", "NetloomSpec", "NetloomModel",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)

// swift-tools-version:6.1
import PackageDescription

// Branch `aws`: only NetloomModel plus the AWS targets are declared here. When merging into
// main, keep main's targets and add the block marked "AWS targets" below (and its dependencies).
let package = Package(
    name: "netloom",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "NetloomModel", targets: ["NetloomModel"]),
        // --- AWS products ---
        .library(name: "AWSSigV4", targets: ["AWSSigV4"]),
        .library(name: "AWSClient", targets: ["AWSClient"]),
    ],
    dependencies: [
        // --- AWS dependencies ---
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/drmohundro/SWXMLHash.git", from: "8.1.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // Value types shared by everything: CIDRs, ports, protocols, resources, diagnostics.
        .target(name: "NetloomModel"),

        // --- AWS targets (begin) ---
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
        // Test support: starts, resets and stops a local moto_server on 127.0.0.1.
        .target(name: "MotoHarness", path: "Tests/MotoHarness"),
        .testTarget(name: "AWSSigV4Tests", dependencies: ["AWSSigV4"]),
        .testTarget(name: "AWSClientTests", dependencies: [
            "AWSClient", "AWSSigV4", "MotoHarness",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // --- AWS targets (end) ---
    ],
    swiftLanguageModes: [.v6]
)

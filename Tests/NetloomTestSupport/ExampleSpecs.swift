import Foundation

/// The example specs every suite reads: the project's own `examples/`, which grow with the spec
/// language (`hyperpod:`, `zones:`, ...). The first contract's copies beside the checkout
/// (`../shared/examples`) are only read to prove that what once loaded still does.
public enum ExampleSpecs {
    /// The package root: this file is `Tests/NetloomTestSupport/ExampleSpecs.swift`.
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The project's own copies.
    public static let ownDirectory = packageRoot.appendingPathComponent("examples")

    public static let names = ["hyperpod-eks.yaml", "hyperpod-slurm-dev.yaml", "inference.yaml", "ml-workstation.yaml"]

    /// The path of example `name`, such as `inference.yaml`.
    public static func path(_ name: String) -> String {
        ownDirectory.appendingPathComponent(name).path
    }

    /// The first contract's copy of example `name`, when it is beside the checkout.
    public static func firstContractPath(_ name: String) -> String? {
        let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/examples/\(name)").path
        return FileManager.default.fileExists(atPath: shared) ? shared : nil
    }

    /// The text of example `name` and the path it was read from.
    public static func text(_ name: String) throws -> (text: String, path: String) {
        let path = path(name)
        return (try String(contentsOfFile: path, encoding: .utf8), path)
    }
}

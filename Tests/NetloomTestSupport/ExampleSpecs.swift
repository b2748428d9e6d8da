import Foundation

/// The example specs every suite reads: the shared copies beside the checkout
/// (`../shared/examples`, kept current for all worktrees) when they exist, else the project's
/// own `examples/`.
public enum ExampleSpecs {
    /// The package root: this file is `Tests/NetloomTestSupport/ExampleSpecs.swift`.
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The project's own copies.
    public static let ownDirectory = packageRoot.appendingPathComponent("examples")

    public static let names = ["hyperpod-eks.yaml", "hyperpod-slurm-dev.yaml", "inference.yaml", "ml-workstation.yaml"]

    /// The path of example `name`, such as `inference.yaml`.
    public static func path(_ name: String) -> String {
        let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/examples/\(name)").path
        return FileManager.default.fileExists(atPath: shared) ? shared : ownDirectory.appendingPathComponent(name).path
    }

    /// The text of example `name` and the path it was read from.
    public static func text(_ name: String) throws -> (text: String, path: String) {
        let path = path(name)
        return (try String(contentsOfFile: path, encoding: .utf8), path)
    }
}

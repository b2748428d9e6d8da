import Foundation
import Testing
import NetloomExport
import NetloomPlanning
import NetloomSpec
import NetloomTestSupport

/// Specs as the export tests read them: the examples, and variants of them written to a
/// temporary file.
enum ExportFixtures {
    /// The example as the export reads it: the network, without the HyperPod cluster that
    /// `netloom apply` creates and the export does not translate (see `withoutHyperPod`).
    static func source(example name: String) throws -> ExportSource {
        try source(example: name, editing: { $0 })
    }

    /// The example with `edit` applied to its text, loaded from a file of its own.
    static func source(example name: String, editing edit: (String) -> String) throws -> ExportSource {
        let path = NSTemporaryDirectory() + "netloom-export-\(UUID().uuidString)-\(name)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try edit(withoutHyperPod(try ExampleSpecs.text(name).text)).write(toFile: path, atomically: true, encoding: .utf8)
        return ExportSource(try StackExpander.expand(try SpecLoader.load(contentsOf: path)))
    }

    /// The complete example of docs/spec.md (HTTPS listener, KMS, a prefix-list peer, a
    /// placement group, alarms per instance copy), with `edit` applied.
    static func completeExample(editing edit: (String) -> String = { $0 }) throws -> ExportSource {
        let doc = try String(contentsOf: ExampleSpecs.packageRoot.appendingPathComponent("docs/spec.md"), encoding: .utf8)
        let section = try #require(doc.range(of: "## Complete example"))
        let start = try #require(doc.range(of: "```yaml\n", range: section.upperBound..<doc.endIndex))
        let end = try #require(doc.range(of: "```", range: start.upperBound..<doc.endIndex))
        let path = NSTemporaryDirectory() + "netloom-export-\(UUID().uuidString)-vision.yaml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try edit(String(doc[start.upperBound..<end.lowerBound])).write(toFile: path, atomically: true, encoding: .utf8)
        return ExportSource(try StackExpander.expand(try SpecLoader.load(contentsOf: path)))
    }

    /// The complete example without what CloudFormation cannot make: its folders, and the
    /// default endpoint group without egress (the endpoints get the `api` group instead).
    static func completeExampleForCloudFormation(_ text: String) -> String {
        workstationWithoutFolders(text).replacingOccurrences(of: "    subnet: private\nsubnets:", with: "    subnet: private\n    security_group: api\nsubnets:")
    }

    /// A fresh working directory for one test's files.
    static func directory(_ label: String) throws -> String {
        let path = NSTemporaryDirectory() + "netloom-export-\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The first executable `name` on PATH.
    static func locate(_ name: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// ml-workstation without its folder markers, which CloudFormation cannot make: the rest of
    /// it (buckets with their settings, IAM, flow logs, alarms) can be linted.
    static func workstationWithoutFolders(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("folders:") }.joined(separator: "\n")
    }

    /// hyperpod-eks with an outbound rule on its endpoint group, which CloudFormation cannot
    /// leave without any.
    static func endpointsWithEgress(_ text: String) -> String {
        text.replacingOccurrences(of: "    egress: []", with: "    egress:\n      - { to: vpc, protocol: tcp, ports: 443 }")
    }

    /// A spec without its clusters' `hyperpod:` and `eks:` blocks: the HyperPod cluster, its
    /// file system and EKS control plane are made by `netloom apply`, which the export does not
    /// translate; the network around them is what the export tests check.
    static func withoutHyperPod(_ text: String) -> String {
        var kept: [Substring] = []
        var skipping = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "    hyperpod:" || line == "    eks:" || line.hasPrefix("    eks: {") {
                skipping = true
                continue
            }
            if skipping, line.hasPrefix("      ") { continue }
            skipping = false
            kept.append(line)
        }
        return kept.joined(separator: "\n")
    }
}

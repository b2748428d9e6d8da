import Foundation
import NetloomExport
import NetloomPlanning
import NetloomSpec
import NetloomTestSupport

/// Specs as the export tests read them: the examples, and variants of them written to a
/// temporary file.
enum ExportFixtures {
    static func source(example name: String) throws -> ExportSource {
        ExportSource(try StackExpander.expand(try SpecLoader.load(contentsOf: ExampleSpecs.path(name))))
    }

    /// The example with `edit` applied to its text, loaded from a file of its own.
    static func source(example name: String, editing edit: (String) -> String) throws -> ExportSource {
        let path = NSTemporaryDirectory() + "netloom-export-\(UUID().uuidString)-\(name)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try edit(try ExampleSpecs.text(name).text).write(toFile: path, atomically: true, encoding: .utf8)
        return ExportSource(try StackExpander.expand(try SpecLoader.load(contentsOf: path)))
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
}

import NetloomAnalysis
import NetloomModel
import NetloomPlanning
import NetloomSpec

/// Loads a spec through the real loader and expander, as the command line does.
func expandSpec(_ yaml: String, file: String = "test.yaml") throws -> ExpandedStack {
    let spec = try SpecLoader.parse(yaml, file: file)
    return try StackExpander.expand(spec)
}

func findings(_ yaml: String, skipping: Set<String> = []) throws -> ComplianceReport {
    ComplianceChecker().check(try expandSpec(yaml), skipping: skipping)
}

/// The shared examples beside the project (`/work/shared/examples` or the worktree's copies).
func exampleText(_ name: String) throws -> (text: String, path: String) {
    let here = URL(fileURLWithPath: #filePath)
    let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    for path in [root.appendingPathComponent("../shared/examples/\(name)").path, root.appendingPathComponent("examples/\(name)").path] {
        if let text = try? String(contentsOfFile: path, encoding: .utf8) { return (text, path) }
    }
    throw ExampleMissing(name: name)
}

struct ExampleMissing: Error { var name: String }

func example(_ name: String) throws -> ExpandedStack {
    let (text, path) = try exampleText(name)
    return try expandSpec(text, file: path)
}

import Foundation

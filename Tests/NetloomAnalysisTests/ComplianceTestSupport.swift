import NetloomAnalysis
import NetloomModel
import NetloomPlanning
import NetloomSpec
import NetloomTestSupport

/// Loads a spec through the real loader and expander, as the command line does.
func expandSpec(_ yaml: String, file: String = "test.yaml") throws -> ExpandedStack {
    let spec = try SpecLoader.parse(yaml, file: file)
    return try StackExpander.expand(spec)
}

func findings(_ yaml: String, skipping: Set<String> = []) throws -> ComplianceReport {
    ComplianceChecker().check(try expandSpec(yaml), skipping: skipping)
}

/// The project's own examples (`examples/`).
func exampleText(_ name: String) throws -> (text: String, path: String) { try ExampleSpecs.text(name) }

func example(_ name: String) throws -> ExpandedStack {
    let (text, path) = try exampleText(name)
    return try expandSpec(text, file: path)
}

import Foundation

import NetloomAnalysis
import NetloomModel
import NetloomPlanning
import NetloomSpec
import Testing

@Suite("the shared examples' assertions")
struct ExampleAssertionTests {
    @Test("every assertion written in an example holds", arguments: [
        "hyperpod-eks.yaml", "hyperpod-slurm-dev.yaml", "inference.yaml", "ml-workstation.yaml",
    ])
    func assertionsHold(file: String) throws {
        let expanded = try TestStacks.example(file)
        let analyzer = ReachabilityAnalyzer(expanded)
        for assertion in expanded.spec.assertions {
            let (passed, verdict) = analyzer.evaluate(assertion)
            #expect(passed, "\(file): '\(assertion.name)' expected \(assertion.expect): path \(verdict.path) explanations \(verdict.explanations)")
            // A verdict always says why: a path when reachable, reasons when not.
            #expect(verdict.reachable ? !verdict.path.isEmpty : !verdict.explanations.isEmpty)
        }
    }
}

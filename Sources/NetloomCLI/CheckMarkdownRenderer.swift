import NetloomAnalysis
import NetloomModel

/// `check --format markdown`: a pull-request comment. The verdict and counts by severity,
/// then one collapsed section per severity (open when it fails the check), the skipped
/// findings and the assertions, cut to stay under the comment limit.
struct CheckMarkdownRenderer {
    var limit = MarkdownDocument.defaultLimit

    func render(_ report: ComplianceReport, assertions: [AssertionOutcome], stack: String, failOn: Severity) -> String {
        let severities = Severity.allCases.sorted(by: >)
        let failingAssertions = assertions.filter { !$0.passed }.count
        let fails = report.hasFinding(atOrAbove: failOn) || failingAssertions > 0
        var head = "### netloom check: \(MarkdownDocument.escape(stack))\n\n"
        head += "**\(fails ? "Fails" : "Passes")** with `--fail-on \(failOn.rawValue)`: "
        head += report.findings.isEmpty ? "no findings" : severities.map { "\(report.count($0)) \($0.rawValue)" }.joined(separator: ", ")
        head += "; \(report.skipped.count) skipped"
        if !assertions.isEmpty { head += "; \(assertions.count - failingAssertions) of \(assertions.count) assertions hold" }
        head += ".\n\n"
        head += "| severity | findings |\n|:--|--:|\n"
        for severity in severities { head += MarkdownDocument.row([severity.rawValue, "\(report.count(severity))"]) + "\n" }
        head += MarkdownDocument.row(["skipped", "\(report.skipped.count)"]) + "\n"
        if !assertions.isEmpty { head += MarkdownDocument.row(["failed assertions", "\(failingAssertions)"]) + "\n" }
        head += "\n"

        var sections: [MarkdownDocument.Section] = []
        // Failed assertions first: the spec's own promises come before the rules.
        if !assertions.isEmpty { sections.append(assertionSection(assertions)) }
        for severity in severities {
            let findings = report.findings.filter { $0.severity == severity }
            guard !findings.isEmpty else { continue }
            sections.append(MarkdownDocument.Section(
                summary: "\(severity.rawValue) (\(findings.count))",
                header: ["| rule | address | where | finding |", "|:--|:--|:--|:--|"],
                rows: findings.map { finding in
                    MarkdownDocument.row([MarkdownDocument.escape(finding.ruleID), MarkdownDocument.escape(finding.address),
                                          MarkdownDocument.escape(finding.location.description), MarkdownDocument.escape(finding.message)])
                },
                noun: "\(severity.rawValue) findings", open: severity >= failOn))
        }
        if !report.skipped.isEmpty {
            sections.append(MarkdownDocument.Section(
                summary: "skipped (\(report.skipped.count))", header: ["| rule | address | how | reason |", "|:--|:--|:--|:--|"],
                rows: report.skipped.map { skipped in
                    MarkdownDocument.row([MarkdownDocument.escape(skipped.finding.ruleID), MarkdownDocument.escape(skipped.finding.address),
                                          skipped.source.rawValue, MarkdownDocument.escape(skipped.reason)])
                },
                noun: "skipped findings"))
        }
        let document = MarkdownDocument(limit: limit, fullListHint: "`netloom check --format json` lists them all.")
        return document.render(head: head, sections: sections)
    }

    /// Failed ones first, each with every reason its verdict gave.
    func assertionSection(_ assertions: [AssertionOutcome]) -> MarkdownDocument.Section {
        let ordered = assertions.filter { !$0.passed } + assertions.filter(\.passed)
        let failed = assertions.count { !$0.passed }
        return MarkdownDocument.Section(
            summary: "assertions (\(assertions.count), \(failed) failed)",
            header: ["| assertion | line | result | expected | verdict | why |", "|:--|--:|:--|:--|:--|:--|"],
            rows: ordered.map { outcome in
                MarkdownDocument.row([
                    MarkdownDocument.escape(outcome.name), "\(outcome.line)", outcome.passed ? "pass" : "**FAIL**", MarkdownDocument.escape(outcome.expect),
                    outcome.reachable ? "reachable" : "unreachable",
                    outcome.passed ? "" : outcome.explanations.map { MarkdownDocument.escape(PlanMarkdownRenderer.shortened($0, to: 200)) }.joined(separator: "<br>"),
                ])
            },
            noun: "assertions", open: failed > 0)
    }
}

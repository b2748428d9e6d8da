import ArgumentParser
import Foundation
import NetloomAnalysis
import NetloomModel
import NetloomPlanning
import NetloomSpec

enum CheckFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
    case sarif
    case markdown
}

extension Severity: ExpressibleByArgument {}

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run the compliance rules (and the spec's assertions) over a spec.",
        discussion: """
        Every rule has a stable id (NL-SG-001, NL-ML-001, ...), a severity and,
        where one exists, the Checkov and Trivy ids that check the same thing on
        Terraform (shown in SARIF rule properties).

        Skip a rule for one resource with a comment on the line of its name, or on
        the comment lines right above it; the reason is required and reported:

          security_groups:
            bastion:  # netloom:skip=NL-SG-001 office VPN has no fixed range yet

        Skip a rule everywhere with --skip. A skip naming an unknown rule is an
        error (exit 65 for a comment, 64 for the option).

        Exit status: 3 when a finding is at or above --fail-on (default high) or
        an assertion fails; 0 otherwise; 65 invalid spec; 64 wrong option.

        Examples:
          netloom check examples/hyperpod-eks.yaml
          netloom check examples/ml-workstation.yaml --fail-on medium
          netloom check spec.yaml --skip NL-EC2-003 --skip NL-SG-010
          netloom check spec.yaml --format sarif > netloom.sarif
          netloom check spec.yaml --format json | jq '.findings[].id'
          netloom check spec.yaml --format markdown > comment.md

        --format markdown writes the verdict, a table of counts by severity and
        collapsible sections (kept under 60,000 characters for a pull-request comment);
        the exit status is the same as with the other formats.

        Rules:
        \(CheckCommand.ruleList)
        """
    )

    static var ruleList: String {
        RuleCatalog.all.map { "  \($0.id.padding(toLength: 12)) \($0.severity.rawValue.padding(toLength: 9)) \($0.title)" }.joined(separator: "\n")
    }

    @OptionGroup var spec: SpecOptions

    @Option(name: .long, help: "Output format: text, json, sarif or markdown.")
    var format: CheckFormat = .text

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Exit 3 when a finding is at or above this severity: critical, high, medium or low.", valueName: "severity"))
    var failOn: Severity = .high

    @Option(name: .long, help: ArgumentHelp("Skip a rule everywhere (repeatable).", valueName: "rule-id"))
    var skip: [String] = []

    func validate() throws {
        for id in skip where RuleCatalog.rule(id) == nil {
            throw ValidationError("--skip \(id): no such rule\(DidYouMean.hint(for: id, among: RuleCatalog.ids)); `netloom check --help` lists the rules")
        }
    }

    func run() async throws {
        let console = Console.current(environment: ProcessInfo.processInfo.environment)
        let expanded = try SpecInput.expand(spec, console: console)
        do {
            try ComplianceChecker.validateSkipComments(expanded.spec)
        } catch {
            console.report(error)
            throw ExitStatus.invalidSpec
        }
        let report = ComplianceChecker().check(expanded, skipping: Set(skip))
        let assertions = assertionOutcomes(expanded)

        switch format {
        case .json: console.write(JSONOutput.encode(CheckDocument(report: report, assertions: assertions)))
        case .sarif: console.write(JSONOutput.encode(SARIFLog(report: report, toolVersion: NetloomCommand.configuration.version)))
        case .markdown:
            console.write(CheckMarkdownRenderer().render(report, assertions: assertions, stack: expanded.spec.stack, failOn: failOn))
        case .text:
            let text = CheckRenderer(console: console).render(report, assertions: assertions, stack: expanded.spec.stack, failOn: failOn)
            console.write(text)
        }
        if report.hasFinding(atOrAbove: failOn) || assertions.contains(where: { !$0.passed }) {
            throw ExitStatus.checkFailed
        }
    }
}

extension CheckCommand {
    /// The spec's reachability assertions, each decided by the reachability engine on the same
    /// expanded stack the rules read.
    func assertionOutcomes(_ expanded: ExpandedStack) -> [AssertionOutcome] {
        guard !expanded.spec.assertions.isEmpty else { return [] }
        let analyzer = ReachabilityAnalyzer(expanded)
        return expanded.spec.assertions.map { assertion in
            let (passed, verdict) = analyzer.evaluate(assertion)
            return AssertionOutcome(
                name: assertion.name, passed: passed, reachable: verdict.reachable, expect: assertion.expect.rawValue,
                line: assertion.location.line,
                explanations: verdict.explanations.map { "\($0.code) \($0.address): \($0.detail)" })
        }
    }
}

/// The result of one spec assertion, as SPEC.md section 4 shapes it (with the expectation and,
/// when it is unreachable, why).
struct AssertionOutcome: Encodable {
    var name: String
    var passed: Bool
    var reachable: Bool
    var expect: String
    var line: Int
    var explanations: [String]
}

/// `netloom check --format json`: SPEC.md section 4. Fields may be added, never renamed.
struct CheckDocument: Encodable {
    struct Location: Encodable {
        var file: String
        var line: Int
        var column: Int
    }

    struct FindingEntry: Encodable {
        var id: String
        var severity: String
        var address: String
        var message: String
        var location: Location
    }

    struct SkippedEntry: Encodable {
        var id: String
        var address: String
        var reason: String
        var source: String
    }

    var findings: [FindingEntry]
    var assertions: [AssertionOutcome]
    var skipped: [SkippedEntry]
    var summary: [String: Int]

    init(report: ComplianceReport, assertions: [AssertionOutcome]) {
        findings = report.findings.map { finding in
            FindingEntry(id: finding.ruleID, severity: finding.severity.rawValue, address: finding.address, message: finding.message,
                         location: Location(file: finding.location.file, line: finding.location.line, column: finding.location.column))
        }
        self.assertions = assertions
        skipped = report.skipped.map { SkippedEntry(id: $0.finding.ruleID, address: $0.finding.address, reason: $0.reason, source: $0.source.rawValue) }
        summary = Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0.rawValue, report.count($0)) })
        summary["skipped"] = report.skipped.count
    }
}

/// Findings grouped by severity, most severe first, each with where to fix it.
struct CheckRenderer {
    let console: Console

    func render(_ report: ComplianceReport, assertions: [AssertionOutcome], stack: String, failOn: Severity) -> String {
        var lines: [String] = []
        for severity in Severity.allCases.sorted(by: >) {
            let findings = report.findings.filter { $0.severity == severity }
            guard !findings.isEmpty else { continue }
            lines.append(console.style("\(severity.rawValue.uppercased()) (\(findings.count))", [.bold, colour(severity)]))
            for finding in findings {
                lines.append("  \(console.style(finding.ruleID, colour(severity)))  \(finding.address)  \(console.style(finding.location.description, .dim))")
                lines.append("      \(finding.message)")
                if let rule = RuleCatalog.rule(finding.ruleID) { lines.append(console.style("      fix: \(rule.fix)", .dim)) }
            }
            lines.append("")
        }
        if !report.skipped.isEmpty {
            lines.append(console.style("SKIPPED (\(report.skipped.count))", .bold))
            for skipped in report.skipped {
                lines.append("  \(skipped.finding.ruleID)  \(skipped.finding.address)  \(console.style("(\(skipped.source.rawValue)) \(skipped.reason)", .dim))")
            }
            lines.append("")
        }
        if !assertions.isEmpty { lines.append(console.style("ASSERTIONS (\(assertions.count))", .bold)) }
        for outcome in assertions {
            let verdict = "expected \(outcome.expect), \(outcome.reachable ? "reachable" : "unreachable")"
            lines.append("  \(outcome.passed ? console.style("pass", .green) : console.style("FAIL", .red))  \(outcome.name)  \(console.style("(line \(outcome.line): \(verdict))", .dim))")
            if !outcome.passed {
                for explanation in outcome.explanations { lines.append("        \(explanation)") }
            }
        }
        if !assertions.isEmpty { lines.append("") }
        let counts = Severity.allCases.sorted(by: >).map { "\(report.count($0)) \($0.rawValue)" }.joined(separator: ", ")
        let failing = report.hasFinding(atOrAbove: failOn)
        let verdict = report.findings.isEmpty ? "no findings" : counts
        lines.append(console.style("\(stack): \(verdict); \(report.skipped.count) skipped; \(failing ? "fails" : "passes") --fail-on \(failOn.rawValue)", .bold))
        return lines.joined(separator: "\n")
    }

    func colour(_ severity: Severity) -> Style {
        switch severity {
        case .critical, .high: .red
        case .medium: .yellow
        case .low: .blue
        }
    }
}

extension Console {
    func style(_ text: String, _ styles: [Style]) -> String {
        colour ? styles.reduce(text) { $1.wrap($0) } : text
    }
}

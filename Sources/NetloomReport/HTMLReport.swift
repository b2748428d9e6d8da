import NetloomAnalysis
import NetloomModel
import NetloomPlanning
import NetloomSpec

/// `netloom report`: one self-contained HTML page about a stack: the topology drawn, the
/// findings of `check` and the assertions, a reachability matrix, the cost and, given a state,
/// the plan. Styles and the one small script are inline; nothing is fetched, so the file opens
/// from disk, offline, and prints.
///
/// The page is a function of its inputs only (no clock, no environment), so the same spec
/// gives the same file.
public struct HTMLReport: Sendable {
    /// Rows shown per finding rule and in the plan before the rest are counted: the page of a
    /// 10,000-resource stack stays a few megabytes and opens quickly.
    public var maximumRowsPerGroup = 200
    public var maximumPlanRows = 1_000
    public var topology = TopologySVGRenderer()

    public init() {}

    /// Everything the page shows, worked out by the analyses the commands use.
    public struct Inputs: Sendable {
        public var expanded: ExpandedStack
        public var compliance: ComplianceReport
        public var assertions: [(assertion: AssertionSpec, passed: Bool, verdict: ReachabilityVerdict)]
        public var reachability: ReachabilityGrid
        public var cost: CostEstimate
        /// The offline plan against a state, when one was given.
        public var plan: Plan?
        public var statePath: String?

        /// Skip comments in the spec apply as they do for `check`; the page lists what they skipped.
        public init(expanded: ExpandedStack, plan: Plan? = nil, statePath: String? = nil) {
            self.expanded = expanded
            compliance = ComplianceChecker().check(expanded)
            let analyzer = ReachabilityAnalyzer(expanded)
            assertions = expanded.spec.assertions.map { assertion -> (assertion: AssertionSpec, passed: Bool, verdict: ReachabilityVerdict) in
                let (passed, verdict) = analyzer.evaluate(assertion)
                return (assertion, passed, verdict)
            }
            reachability = ReachabilityGrid(expanded, analyzer: analyzer)
            cost = CostEstimator().estimate(expanded)
            self.plan = plan
            self.statePath = statePath
        }
    }

    public func render(_ inputs: Inputs) -> String {
        let spec = inputs.expanded.spec
        let diagram = TopologyDiagram(inputs.expanded)
        var html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        html += "<meta name=\"color-scheme\" content=\"light dark\">"
        // Nothing may load from anywhere: not even an image, a font or a form target.
        html += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
        html += "<title>\(e("netloom report: \(spec.stack)"))</title><style>\(Self.styleSheet)</style></head><body>"
        html += "<header><h1>\(e(spec.stack))</h1><p class=\"muted\">\(e(spec.region)) · VPC \(e(spec.network.cidr.description)) · \(spec.network.azs.count) AZ\(spec.network.azs.count == 1 ? "" : "s") · \(inputs.expanded.graph.count) resources · spec \(e(spec.file))</p>"
        html += summaryCards(inputs) + "</header>"
        html += "<nav aria-label=\"Sections\"><a href=\"#topology\">Topology</a><a href=\"#findings\">Findings</a><a href=\"#assertions\">Assertions</a><a href=\"#reachability\">Reachability</a><a href=\"#cost\">Cost</a>\(inputs.plan == nil ? "" : "<a href=\"#plan\">Plan</a>")</nav><main>"
        html += "<section id=\"topology\"><h2>Topology</h2><p class=\"muted\">Hover or focus (Tab) an element for its address and properties. Arrows: routes to the internet gateway (blue), NAT gateways (orange), gateway endpoints (green).</p>"
        html += "<div class=\"diagram\" tabindex=\"-1\">\(topology.render(diagram))</div><div id=\"inspector\" aria-live=\"polite\" class=\"inspector muted\">Nothing selected.</div></section>"
        html += findings(inputs.compliance)
        html += assertions(inputs.assertions)
        html += reachability(inputs.reachability)
        html += cost(inputs.cost)
        if let plan = inputs.plan { html += planSection(plan, statePath: inputs.statePath) }
        html += "</main><footer class=\"muted\">Made by netloom report from \(e(spec.file)). Offline: every figure comes from the spec, the analyses of check, reach and cost, and the state file.</footer>"
        html += "<script>\(Self.script)</script></body></html>\n"
        return html
    }

    // MARK: sections

    func summaryCards(_ inputs: Inputs) -> String {
        let failed = inputs.assertions.count { !$0.passed }
        var cards = "<div class=\"cards\">"
        for severity in Severity.allCases.sorted(by: >) {
            cards += "<div class=\"card sev-\(severity.rawValue)\"><span class=\"big\">\(inputs.compliance.count(severity))</span> \(severity.rawValue)</div>"
        }
        cards += "<div class=\"card \(failed > 0 ? "sev-critical" : "ok")\"><span class=\"big\">\(inputs.assertions.count - failed)/\(inputs.assertions.count)</span> assertions pass</div>"
        cards += "<div class=\"card\"><span class=\"big\" id=\"cost-total\">$\(HTMLText.money(inputs.cost.monthlyUSD))</span> per month</div>"
        if let plan = inputs.plan {
            cards += "<div class=\"card\"><span class=\"big\">\(plan.changes.count)</span> planned changes</div>"
        }
        return cards + "</div>"
    }

    func findings(_ report: ComplianceReport) -> String {
        var html = "<section id=\"findings\"><h2>Findings</h2>"
        if report.findings.isEmpty { html += "<p class=\"ok\">No findings.</p>" }
        for severity in Severity.allCases.sorted(by: >) {
            let ofSeverity = report.findings.filter { $0.severity == severity }
            guard !ofSeverity.isEmpty else { continue }
            html += "<h3 class=\"sev-text-\(severity.rawValue)\">\(severity.rawValue.capitalized) (\(ofSeverity.count))</h3>"
            html += "<table class=\"findings\"><thead><tr><th scope=\"col\">Rule</th><th scope=\"col\">Address</th><th scope=\"col\">Finding</th><th scope=\"col\">Fix</th><th scope=\"col\">Spec</th></tr></thead><tbody>"
            var seenRules: [String] = []
            for finding in ofSeverity where !seenRules.contains(finding.ruleID) { seenRules.append(finding.ruleID) }
            for ruleID in seenRules {
                let ofRule = ofSeverity.filter { $0.ruleID == ruleID }
                let fix = RuleCatalog.rule(ruleID)?.fix ?? ""
                for finding in ofRule.prefix(maximumRowsPerGroup) {
                    html += "<tr data-finding=\"\(e(finding.ruleID))\"><td><span class=\"badge sev-\(severity.rawValue)\">\(e(finding.ruleID))</span></td><td><code>\(e(finding.address))</code></td><td>\(e(finding.message))</td><td>\(e(fix))</td><td><code>\(e(finding.location.description))</code></td></tr>"
                }
                if ofRule.count > maximumRowsPerGroup {
                    html += "<tr><td>\(e(ruleID))</td><td colspan=\"4\" class=\"muted\">+\(ofRule.count - maximumRowsPerGroup) more \(e(ruleID)) findings (netloom check --format json lists them all)</td></tr>"
                }
            }
            html += "</tbody></table>"
        }
        if !report.skipped.isEmpty {
            html += "<h3>Skipped (\(report.skipped.count))</h3><ul>"
            for skipped in report.skipped.prefix(maximumRowsPerGroup) {
                html += "<li><code>\(e(skipped.finding.ruleID))</code> <code>\(e(skipped.finding.address))</code> (\(e(skipped.source.rawValue))): \(e(skipped.reason))</li>"
            }
            html += "</ul>"
        }
        return html + "</section>"
    }

    func assertions(_ outcomes: [(assertion: AssertionSpec, passed: Bool, verdict: ReachabilityVerdict)]) -> String {
        var html = "<section id=\"assertions\"><h2>Assertions</h2>"
        guard !outcomes.isEmpty else { return html + "<p class=\"muted\">The spec has no assertions.</p></section>" }
        html += "<table><thead><tr><th scope=\"col\">Result</th><th scope=\"col\">Assertion</th><th scope=\"col\">Question</th><th scope=\"col\">Expected</th><th scope=\"col\">Line</th></tr></thead><tbody>"
        for outcome in outcomes {
            let assertion = outcome.assertion
            let question = "\(assertion.from) → \(assertion.to) \(assertion.ipProtocol)\(assertion.port.map { " \($0)" } ?? "")"
            html += "<tr><td><span class=\"badge \(outcome.passed ? "pass" : "fail")\">\(outcome.passed ? "pass" : "FAIL")</span></td><td>\(e(assertion.name))"
            html += "<details><summary>\(outcome.verdict.reachable ? "path" : "why blocked")</summary>\(verdictDetail(outcome.verdict))</details></td>"
            html += "<td><code>\(e(question))</code></td><td>\(e(assertion.expect.rawValue))</td><td>\(assertion.location.line)</td></tr>"
        }
        return html + "</tbody></table></section>"
    }

    func verdictDetail(_ verdict: ReachabilityVerdict) -> String {
        if verdict.reachable {
            return "<ol class=\"hops\">" + verdict.path.map { "<li><b>\(e($0.component))</b> <code>\(e($0.address))</code><br><span class=\"muted\">\(e($0.detail))</span></li>" }.joined() + "</ol>"
        }
        return "<ul class=\"reasons\">" + verdict.explanations.map { "<li><code class=\"code\">\(e($0.code))</code> <code>\(e($0.address))</code><br><span class=\"muted\">\(e($0.detail))</span></li>" }.joined() + "</ul>"
    }

    func reachability(_ grid: ReachabilityGrid) -> String {
        var html = "<section id=\"reachability\"><h2>Reachability</h2>"
        html += "<p class=\"muted\">Rows start the connection, columns receive it. Each cell asks about the ports the destination's security groups, listeners and target groups use (HTTPS for AWS services); open a cell for the path, or for every reason it is blocked with its Reachability Analyzer code. The same engine answers <code>netloom reach</code>.</p>"
        html += "<div class=\"scroll\"><table class=\"matrix\"><thead><tr><th scope=\"col\">from \\ to</th>"
        for destination in grid.destinations { html += "<th scope=\"col\"><code>\(e(destination.description))</code></th>" }
        html += "</tr></thead><tbody>"
        for (rowIndex, source) in grid.sources.enumerated() {
            html += "<tr><th scope=\"row\"><code>\(e(source.description))</code></th>"
            for cell in grid.cells[rowIndex] {
                guard let cell else { html += "<td class=\"na\">—</td>"; continue }
                let state = cell.reachableCount == 0 ? "blocked" : (cell.reachableCount == cell.results.count ? "open" : "partial")
                let summary = cell.results.map { "\($0.verdict.reachable ? "✓" : "✗") \($0.probe)" }.joined(separator: " ")
                html += "<td class=\"cell \(state)\"><details><summary aria-label=\"\(e("\(cell.from) to \(cell.to): \(summary)"))\">\(e(summary))</summary>"
                for result in cell.results {
                    html += "<div class=\"probe\"><b>\(e(result.probe.description))</b>: \(result.verdict.reachable ? "reachable" : "unreachable")\(verdictDetail(result.verdict))</div>"
                }
                html += "</details></td>"
            }
            html += "</tr>"
        }
        html += "</tbody></table></div>"
        if !grid.omittedWorkloads.isEmpty {
            let names = grid.omittedWorkloads.prefix(50).map(\.description).joined(separator: ", ")
            html += "<p class=\"muted\">\(grid.omittedWorkloads.count) more workloads are not in the matrix (\(e(names))\(grid.omittedWorkloads.count > 50 ? ", …" : "")); ask about them with <code>netloom reach</code>.</p>"
        }
        return html + "</section>"
    }

    func cost(_ estimate: CostEstimate) -> String {
        var html = "<section id=\"cost\"><h2>Cost</h2>"
        html += "<p><span class=\"big\">$\(HTMLText.money(estimate.monthlyUSD))</span> per month (\(e(estimate.prices.region)) on-demand prices); without public IPv4 $\(HTMLText.money(estimate.monthlyUSDWithoutPublicIPv4)).</p>"
        if !estimate.unpriced.isEmpty {
            html += "<p class=\"warn\">Price unknown for \(e(estimate.unpriced.map(\.address).joined(separator: ", "))): the total is a lower bound.</p>"
        }
        // The bar chart: one bar per component, widths relative to the largest.
        var byComponent: [(component: String, usd: Double)] = []
        for item in estimate.items {
            guard let usd = item.monthlyUSD else { continue }
            if let index = byComponent.firstIndex(where: { $0.component == item.component }) { byComponent[index].usd += usd } else { byComponent.append((item.component, usd)) }
        }
        byComponent.sort { $0.usd > $1.usd }
        let largest = byComponent.first?.usd ?? 0
        html += "<div class=\"bars\" role=\"list\" aria-label=\"Monthly cost by component\">"
        for entry in byComponent.prefix(20) {
            let percent = largest > 0 ? entry.usd / largest * 100 : 0
            html += "<div class=\"bar-row\" role=\"listitem\"><span class=\"bar-label\">\(e(entry.component))</span><span class=\"bar-outer\"><span class=\"bar\" style=\"width:\(String(format: "%.1f", percent))%\"></span></span><span class=\"bar-value\">$\(HTMLText.money(entry.usd))</span></div>"
        }
        if byComponent.count > 20 { html += "<p class=\"muted\">+\(byComponent.count - 20) smaller components in the table.</p>" }
        html += "</div><details><summary>Line items (\(estimate.items.count))</summary><div class=\"scroll\"><table><thead><tr><th scope=\"col\">Address</th><th scope=\"col\">Component</th><th scope=\"col\" class=\"num\">Quantity</th><th scope=\"col\">Unit</th><th scope=\"col\" class=\"num\">USD/unit</th><th scope=\"col\" class=\"num\">USD/month</th></tr></thead><tbody>"
        for item in estimate.items.prefix(maximumPlanRows) {
            let monthly = item.monthlyUSD.map { "$" + HTMLText.money($0) } ?? (item.billedBy == "sagemaker" ? "billed by SageMaker" : "unknown")
            let unit = item.unitUSD.map { String(format: "%.4f", $0) } ?? "—"
            let quantity = item.quantity == item.quantity.rounded() && abs(item.quantity) < 1e15 ? String(Int(item.quantity)) : String(format: "%.2f", item.quantity)
            html += "<tr><td><code>\(e(item.address))</code></td><td>\(e(item.component))</td><td class=\"num\">\(quantity)</td><td>\(e(item.unit))</td><td class=\"num\">\(unit)</td><td class=\"num\">\(e(monthly))</td></tr>"
        }
        if estimate.items.count > maximumPlanRows { html += "<tr><td colspan=\"6\" class=\"muted\">+\(estimate.items.count - maximumPlanRows) more (netloom cost lists them all)</td></tr>" }
        html += "</tbody></table></div></details>"
        html += "<h3>Assumptions</h3><p class=\"muted\">" + estimate.assumptions.map { "\(e($0.key))=\(e(String($0.value)))" }.joined(separator: " · ") + "</p>"
        if !estimate.advice.isEmpty {
            html += "<h3>Advice</h3><ul>"
            for advice in estimate.advice {
                html += "<li>Save up to <b>$\(HTMLText.money(advice.monthlySavingsUSD))</b>/month at <code>\(e(advice.address))</code>: \(e(advice.message))</li>"
            }
            html += "</ul>"
        }
        return html + "</section>"
    }

    func planSection(_ plan: Plan, statePath: String?) -> String {
        var html = "<section id=\"plan\"><h2>Plan</h2><p>Against the state \(statePath.map { "<code>\(e($0))</code>" } ?? ""), offline: "
        html += PlannedChange.Action.allCases.map { "\(plan.count($0)) to \($0.rawValue)" }.joined(separator: ", ") + ".</p>"
        guard plan.hasChanges else { return html + "<p class=\"ok\">No changes: the state matches the spec.</p></section>" }
        html += "<div class=\"scroll\"><table><thead><tr><th scope=\"col\">Action</th><th scope=\"col\">Address</th><th scope=\"col\">Reason</th></tr></thead><tbody>"
        for change in plan.changes.prefix(maximumPlanRows) {
            html += "<tr><td><span class=\"badge action-\(change.action.rawValue)\">\(e(change.action.symbol)) \(e(change.action.rawValue))</span></td><td><code>\(e(change.address))</code></td><td>\(e(change.reason))</td></tr>"
        }
        if plan.changes.count > maximumPlanRows {
            html += "<tr><td colspan=\"3\" class=\"muted\">+\(plan.changes.count - maximumPlanRows) more changes (netloom plan --offline lists them all)</td></tr>"
        }
        return html + "</tbody></table></div></section>"
    }

    func e(_ text: String) -> String { HTMLText.escape(text) }
}

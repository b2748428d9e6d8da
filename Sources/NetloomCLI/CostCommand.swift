import ArgumentParser
import Foundation
import NetloomAnalysis
import NetloomPlanning
import NetloomSpec

struct CostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost",
        abstract: "Estimate the stack's monthly AWS cost, line by line.",
        discussion: """
        Prices are us-east-1 on-demand list prices, each dated in the price table,
        and are applied to every region. Traffic comes from the spec's `usage`
        section (nat_gb, endpoint_gb, s3_gb, logs_gb, internet_egress_gb, lb_lcu,
        hours), printed with the estimate.

        Public IPv4 addresses (NAT Elastic IPs, instances with public IPs,
        internet-facing load-balancer nodes) are billed since February 2024; the
        total is shown with and without them. ml.* cluster capacity is listed in
        node-hours but billed by SageMaker, outside the total. An instance type
        missing from the price table is shown as "price unknown", never as zero.

        Examples:
          netloom cost examples/ml-workstation.yaml
          netloom cost examples/hyperpod-eks.yaml --format json | jq '.monthly_usd'
        """
    )

    @OptionGroup var spec: SpecOptions
    @OptionGroup var output: FormatOption

    func run() async throws {
        let console = Console.current(environment: ProcessInfo.processInfo.environment)
        let expanded = try SpecInput.expand(spec, console: console)
        let estimate = CostEstimator().estimate(expanded)
        switch output.format {
        case .json: console.write(JSONOutput.encode(CostDocument(estimate)))
        case .text: console.write(CostTableRenderer(console: console).render(estimate))
        }
    }
}

/// `netloom cost --format json`: SPEC.md section 4 plus added fields (never renamed).
struct CostDocument: Encodable {
    struct Item: Encodable {
        var address: String
        var component: String
        var quantity: Double
        var unit: String
        var unit_usd: Double?
        var monthly_usd: Double?
        var public_ipv4: Bool
        var billed_by: String?
        var ec2_equivalent_usd: Double?
        var note: String?
        /// True for a figure outside the total (an Auto Scaling group at max).
        var ceiling: Bool = false

        // Unknown prices are written as null, not left out: a program must see them.
        enum CodingKeys: String, CodingKey {
            case address, component, quantity, unit, unit_usd, monthly_usd, public_ipv4, billed_by, ec2_equivalent_usd, note, ceiling
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(address, forKey: .address)
            try container.encode(component, forKey: .component)
            try container.encode(quantity, forKey: .quantity)
            try container.encode(unit, forKey: .unit)
            try container.encode(unit_usd, forKey: .unit_usd)
            try container.encode(monthly_usd, forKey: .monthly_usd)
            try container.encode(public_ipv4, forKey: .public_ipv4)
            try container.encodeIfPresent(billed_by, forKey: .billed_by)
            try container.encodeIfPresent(ec2_equivalent_usd, forKey: .ec2_equivalent_usd)
            try container.encodeIfPresent(note, forKey: .note)
            if ceiling { try container.encode(ceiling, forKey: .ceiling) }
        }
    }

    struct Advice: Encodable {
        var address: String
        var message: String
        var monthly_savings_usd: Double
    }

    var stack: String
    var currency = "USD"
    var monthly_usd: Double
    var monthly_usd_without_public_ipv4: Double
    var public_ipv4_usd: Double
    var items: [Item]
    var unpriced: [String]
    var billed_by_sagemaker: [String]
    var advice: [Advice]
    var assumptions: [String: Double]
    var assumption_notes: [String]
    var price_region: String

    init(_ estimate: CostEstimate) {
        func cents(_ value: Double) -> Double { (value * 100).rounded() / 100 }
        stack = estimate.stack
        monthly_usd = cents(estimate.monthlyUSD)
        monthly_usd_without_public_ipv4 = cents(estimate.monthlyUSDWithoutPublicIPv4)
        public_ipv4_usd = cents(estimate.publicIPv4USD)
        items = estimate.items.map { item in
            Item(address: item.address, component: item.component, quantity: item.quantity, unit: item.unit, unit_usd: item.unitUSD,
                 monthly_usd: item.monthlyUSD.map { (($0 * 10_000).rounded()) / 10_000 }, public_ipv4: item.isPublicIPv4, billed_by: item.billedBy,
                 ec2_equivalent_usd: item.ec2EquivalentUSD.map(cents), note: item.note, ceiling: item.isCeiling)
        }
        unpriced = estimate.unpriced.map(\.address)
        billed_by_sagemaker = estimate.sageMakerItems.map(\.address)
        advice = estimate.advice.map { Advice(address: $0.address, message: $0.message, monthly_savings_usd: cents($0.monthlySavingsUSD)) }
        assumptions = Dictionary(uniqueKeysWithValues: estimate.assumptions.map { ($0.key, $0.value) })
        assumption_notes = CostEstimate.assumptionNotes
        price_region = estimate.prices.region
    }
}

/// An aligned table that fits 100 columns, then totals, assumptions and advice.
struct CostTableRenderer {
    let console: Console

    static let widths = (address: 27, component: 29, quantity: 10, unit: 11, price: 8, monthly: 10)

    func render(_ estimate: CostEstimate) -> String {
        let w = Self.widths
        var lines: [String] = []
        let header = cell("ADDRESS", w.address) + " " + cell("COMPONENT", w.component) + " " + right("QUANTITY", w.quantity) + " "
            + cell("UNIT", w.unit) + " " + right("USD/UNIT", w.price) + " " + right("USD/MONTH", w.monthly)
        lines.append(console.style(header, .bold))
        for item in estimate.items {
            let monthly: String
            if let value = item.monthlyUSD {
                // A ceiling is shown in brackets: it is not in the total.
                monthly = item.isCeiling ? "(\(money(value)))" : money(value)
            } else {
                monthly = item.billedBy == "sagemaker" ? "SageMaker" : "unknown"
            }
            let unitPrice = item.unitUSD.map { price($0) } ?? (item.billedBy == nil ? "unknown" : "-")
            lines.append(cell(item.address, w.address) + " " + cell(item.component, w.component) + " " + right(quantity(item.quantity), w.quantity) + " "
                         + cell(item.unit, w.unit) + " " + right(unitPrice, w.price) + " " + right(monthly, w.monthly))
            if let note = item.note, item.monthlyUSD == nil {
                lines.append(console.style("    \(note)", .dim))
            }
        }
        lines.append("")
        lines.append(console.style("Total per month:              $\(money(estimate.monthlyUSD))", .bold))
        lines.append("  without public IPv4:        $\(money(estimate.monthlyUSDWithoutPublicIPv4))  (public IPv4: $\(money(estimate.publicIPv4USD)))")
        if !estimate.sageMakerItems.isEmpty {
            let hours = estimate.sageMakerItems.map(\.quantity).reduce(0, +)
            lines += wrap("not included: \(quantity(hours)) node-hours billed by SageMaker (\(estimate.sageMakerItems.map(\.address).joined(separator: ", ")))", indent: "  ", continuation: "    ")
        }
        if !estimate.unpriced.isEmpty {
            lines += wrap("price unknown for \(estimate.unpriced.map(\.address).joined(separator: ", ")): the total is a lower bound", indent: "  ", continuation: "    ")
                .map { console.style($0, .yellow) }
        }
        lines.append("")
        lines.append(console.style("Assumptions (usage):", .bold))
        lines.append("  " + estimate.assumptions.map { "\($0.key)=\(quantity($0.value))" }.joined(separator: " "))
        for note in CostEstimate.assumptionNotes { lines.append("  - \(note)") }
        if !estimate.advice.isEmpty {
            lines.append("")
            lines.append(console.style("Advice:", .bold))
            for advice in estimate.advice {
                lines += wrap("- save up to $\(money(advice.monthlySavingsUSD))/month: \(advice.message)", indent: "  ", continuation: "    ")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Word-wraps prose to the table's width so the whole report fits 100 columns.
    func wrap(_ text: String, indent: String, continuation: String, width: Int = 100) -> [String] {
        var lines: [String] = []
        var current = indent
        for word in text.split(separator: " ") {
            let prefix = lines.isEmpty ? indent : continuation
            if current.count > prefix.count, current.count + 1 + word.count > width {
                lines.append(current)
                current = continuation + word
            } else {
                current += (current.count > prefix.count ? " " : "") + word
            }
        }
        lines.append(current)
        return lines
    }

    func cell(_ text: String, _ width: Int) -> String {
        text.count > width ? String(text.prefix(width - 1)) + "…" : text.padding(toLength: width)
    }

    func right(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    func money(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return String(describing: value) }
        let cents = Int((value * 100).rounded())
        let fraction = abs(cents) % 100
        return "\((cents / 100).grouped).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// Up to four decimals, at least two: 0.0416, 0.045, 0.50, 55.04.
    func price(_ value: Double) -> String {
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0"), let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) > 3 { text.removeLast() }
        return text
    }

    func quantity(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? Int(value).grouped : String(format: "%.2f", value)
    }
}

import NetloomSpec

/// One line of the estimate: what is billed, how much of it, at what price.
public struct CostItem: Sendable, Hashable {
    public var address: String
    public var component: String
    public var quantity: Double
    public var unit: String
    /// `nil` when the price table has no figure: shown as "price unknown", never as zero.
    public var unitUSD: Double?
    /// `nil` when unknown, or when another service bills it (see `billedBy`).
    public var monthlyUSD: Double?
    /// Public IPv4 charges, kept apart so the estimate can be compared with figures from before February 2024.
    public var isPublicIPv4: Bool = false
    /// `sagemaker` for `ml.*` capacity: SageMaker bills it at its own rates, outside this estimate's total.
    public var billedBy: String?
    /// For SageMaker capacity: what the same hours cost as EC2 on demand, for scale only.
    public var ec2EquivalentUSD: Double?
    public var note: String?
    /// A figure for scale, not a charge: an Auto Scaling group at `max`. Left out of every total.
    public var isCeiling: Bool = false
}

/// A change that would cost less, with what it gives up.
public struct CostAdvice: Sendable, Hashable {
    public var address: String
    public var message: String
    public var monthlySavingsUSD: Double
}

public struct CostEstimate: Sendable {
    public var stack: String
    public var items: [CostItem]
    public var advice: [CostAdvice]
    public var usage: UsageSpec
    public var prices: PriceTable

    /// Everything with a known price that this account is billed for directly.
    public var monthlyUSD: Double { charged.compactMap(\.monthlyUSD).reduce(0, +) }

    /// The lines that are charges (not a group's ceiling at `max`).
    public var charged: [CostItem] { items.filter { !$0.isCeiling } }

    /// The same without public IPv4 charges (how estimates read before February 2024).
    public var monthlyUSDWithoutPublicIPv4: Double { charged.filter { !$0.isPublicIPv4 }.compactMap(\.monthlyUSD).reduce(0, +) }

    public var publicIPv4USD: Double { charged.filter(\.isPublicIPv4).compactMap(\.monthlyUSD).reduce(0, +) }

    /// Lines whose price the table lacks; the total is a lower bound while any remain.
    public var unpriced: [CostItem] { charged.filter { $0.unitUSD == nil && $0.billedBy == nil } }

    /// Capacity billed by SageMaker, listed with its node-hours but outside the total.
    public var sageMakerItems: [CostItem] { items.filter { $0.billedBy == "sagemaker" } }

    /// The `usage` figures the estimate rests on, as printed and as written to JSON.
    public var assumptions: [(key: String, value: Double)] {
        [("hours", usage.hours), ("nat_gb", usage.natGB), ("endpoint_gb", usage.endpointGB), ("s3_gb", usage.s3GB),
         ("logs_gb", usage.logsGB), ("internet_egress_gb", usage.internetEgressGB), ("lb_lcu", usage.lbLCU)]
    }

    public static let assumptionNotes = [
        "prices: us-east-1 on-demand list prices, used for every region",
        "nat_gb, endpoint_gb, internet_egress_gb: per month, whole stack; lb_lcu: average LCUs per LB",
        "logs_gb: split evenly over the log groups (flow logs included); stored = ingest × retention",
        "s3_gb: split evenly over the buckets, all S3 Standard",
    ]
}

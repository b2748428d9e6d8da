/// One price with where it came from, so an estimate can say how old its figures are.
public struct Price: Sendable, Hashable {
    public var usd: Double
    public var unit: String
    /// When the figure was read: prices change (p5 dropped by about 45 % in June 2025).
    public var asOf: String
    public var source: String
}

/// On-demand list prices in us-east-1 (AWS-NOTES.md): used for every region, as the notes advise,
/// and printed as an assumption so nobody mistakes the estimate for a bill.
public struct PriceTable: Sendable {
    static let notes = "AWS-NOTES.md (us-east-1 on-demand list prices)"
    static let vpcPricing = "aws.amazon.com/vpc/pricing"
    static let ec2Pricing = "aws.amazon.com/ec2/pricing/on-demand"
    static let ebsPricing = "aws.amazon.com/ebs/pricing"
    static let fsxPricing = "aws.amazon.com/fsx/lustre/pricing (us-east-1, Persistent-2 SSD)"
    static let route53Pricing = "aws.amazon.com/route53/pricing"
    static let acmPricing = "aws.amazon.com/certificate-manager/pricing"

    public var region = "us-east-1"
    public var hoursPerMonth = 730.0

    public var natGatewayHour = Price(usd: 0.045, unit: "hour", asOf: "2026-11", source: notes)
    public var natGatewayGB = Price(usd: 0.045, unit: "GB", asOf: "2026-11", source: notes)
    /// Charged for every public IPv4 address, attached or idle, since 1 February 2024.
    public var publicIPv4Hour = Price(usd: 0.005, unit: "hour", asOf: "2024-02-01", source: notes)
    public var interfaceEndpointAZHour = Price(usd: 0.01, unit: "AZ-hour", asOf: "2026-11", source: notes)
    public var interfaceEndpointGB = Price(usd: 0.01, unit: "GB", asOf: "2026-11", source: notes)
    public var gatewayEndpoint = Price(usd: 0, unit: "month", asOf: "2026-11", source: notes)
    public var applicationLoadBalancerHour = Price(usd: 0.0225, unit: "hour", asOf: "2026-11", source: notes)
    public var applicationLCUHour = Price(usd: 0.008, unit: "LCU-hour", asOf: "2026-11", source: notes)
    public var networkLoadBalancerHour = Price(usd: 0.0225, unit: "hour", asOf: "2026-11", source: notes)
    public var networkLCUHour = Price(usd: 0.006, unit: "NLCU-hour", asOf: "2026-11", source: notes)
    public var s3StandardGBMonth = Price(usd: 0.023, unit: "GB-month", asOf: "2026-11", source: notes)
    public var logsIngestGB = Price(usd: 0.50, unit: "GB", asOf: "2026-11", source: notes)
    public var logsStorageGBMonth = Price(usd: 0.03, unit: "GB-month", asOf: "2026-11", source: notes)
    public var alarmMonth = Price(usd: 0.10, unit: "alarm-month", asOf: "2026-11", source: notes)
    public var internetEgressGB = Price(usd: 0.09, unit: "GB", asOf: "2026-11", source: notes)
    /// Traffic between AZs is billed on both sides: $0.01/GB out and $0.01/GB in.
    public var crossAZGB = Price(usd: 0.02, unit: "GB", asOf: "2026-11", source: vpcPricing)

    /// Route 53: a hosted zone (public or private) for the first 25 zones of an account; standard
    /// queries for the first billion a month. Queries to an alias record that points at a load
    /// balancer are free. Figures from the price page as known in 2025 (AWS-NOTES.md has none).
    public var hostedZoneMonth = Price(usd: 0.50, unit: "zone-month", asOf: "2025", source: route53Pricing)
    public var dnsQueriesMillion = Price(usd: 0.40, unit: "million queries", asOf: "2025", source: route53Pricing)
    public var aliasQueriesMillion = Price(usd: 0, unit: "million queries", asOf: "2025", source: route53Pricing)
    /// ACM public certificates used by integrated services (load balancers) cost nothing.
    public var publicCertificate = Price(usd: 0, unit: "certificate-month", asOf: "2025", source: acmPricing)

    /// Per GB-month by volume type. gp3 from AWS-NOTES.md; the others from the EBS price page
    /// (provisioned IOPS and throughput of io1/io2/gp3 beyond the baseline are not included).
    public var ebsGBMonth: [String: Price] = [
        "gp3": Price(usd: 0.08, unit: "GB-month", asOf: "2026-11", source: notes),
        "gp2": Price(usd: 0.10, unit: "GB-month", asOf: "2026-11", source: ebsPricing),
        "io1": Price(usd: 0.125, unit: "GB-month", asOf: "2026-11", source: ebsPricing),
        "io2": Price(usd: 0.125, unit: "GB-month", asOf: "2026-11", source: ebsPricing),
        "st1": Price(usd: 0.045, unit: "GB-month", asOf: "2026-11", source: ebsPricing),
        "sc1": Price(usd: 0.015, unit: "GB-month", asOf: "2026-11", source: ebsPricing),
        "standard": Price(usd: 0.05, unit: "GB-month", asOf: "2026-11", source: ebsPricing),
    ]

    /// EC2 on-demand Linux prices per hour. A type missing here is reported as "price unknown",
    /// never priced at zero.
    public var instanceHour: [String: Price] = [
        "t3.micro": Price(usd: 0.0104, unit: "hour", asOf: "2026-11", source: ec2Pricing),
        "t3.small": Price(usd: 0.0208, unit: "hour", asOf: "2026-11", source: ec2Pricing),
        "t3.medium": Price(usd: 0.0416, unit: "hour", asOf: "2026-11", source: notes),
        "t3.large": Price(usd: 0.0832, unit: "hour", asOf: "2026-11", source: ec2Pricing),
        "m5.large": Price(usd: 0.096, unit: "hour", asOf: "2026-11", source: ec2Pricing),
        "g4dn.xlarge": Price(usd: 0.526, unit: "hour", asOf: "2026-11", source: ec2Pricing),
        "g5.xlarge": Price(usd: 1.006, unit: "hour", asOf: "2026-11", source: notes),
        "g5.2xlarge": Price(usd: 1.212, unit: "hour", asOf: "2026-11", source: ec2Pricing),
        "p4d.24xlarge": Price(usd: 21.96, unit: "hour", asOf: "2025-06 price cut", source: notes),
        "p5.48xlarge": Price(usd: 55.04, unit: "hour", asOf: "2025-06 price cut", source: notes),
    ]

    /// FSx for Lustre PERSISTENT_2 SSD storage by throughput tier (MB/s per TiB): throughput is
    /// bought with the capacity, so the tier sets the GB-month price.
    public var fsxLustrePersistent2GBMonth: [Int: Price] = [
        125: Price(usd: 0.145, unit: "GB-month", asOf: "2025", source: fsxPricing),
        250: Price(usd: 0.210, unit: "GB-month", asOf: "2025", source: fsxPricing),
        500: Price(usd: 0.340, unit: "GB-month", asOf: "2025", source: fsxPricing),
        1000: Price(usd: 0.600, unit: "GB-month", asOf: "2025", source: fsxPricing),
    ]

    public init() {}

    public static let usEast1 = PriceTable()

    /// `ml.p5.48xlarge` is priced by SageMaker, not EC2; callers decide what to do with that.
    public func ec2Hour(_ instanceType: String) -> Price? { instanceHour[instanceType] }
}

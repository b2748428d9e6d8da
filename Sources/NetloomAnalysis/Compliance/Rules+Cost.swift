import NetloomModel
import NetloomPlanning
import NetloomSpec

extension RuleCatalog {
    static let costRules: [ComplianceRule] = [
        ComplianceRule("NL-COST-001", .medium, title: "Private subnets reach S3 only through NAT",
                       rationale: "Without an S3 gateway endpoint every byte of training data pays NAT processing ($0.045/GB); the gateway endpoint is free and keeps the traffic off the internet path.",
                       fix: "Add network.endpoints.gateway: [s3].") { context in
            let prices = PriceTable.usEast1
            guard let hit = CostEstimator.s3ThroughNAT(context.spec, natAZs: context.natAZs, prices: prices) else { return [] }
            let gb = context.spec.usage.natGB
            // Empty private subnets send nothing to S3 yet; NL-COST-002 reports the idle NAT instead.
            let busy = context.spec.subnets.filter { $0.tier == .private }.contains { subnet in
                context.spec.azs(of: subnet).contains { !context.workloads(in: SubnetKey(subnet: subnet.name, az: $0)).isEmpty }
            }
            guard busy || gb > 0 else { return [] }
            let cost = gb > 0
                ? "at usage.nat_gb = \(gb == gb.rounded() ? String(Int(gb)) : String(gb)) GB/month that is up to $\(hit.monthlyUSD.dollars)/month of NAT processing a free gateway endpoint would avoid"
                : "usage.nat_gb is 0, so no charge is estimated, but every GB of S3 traffic would pay $\(prices.natGatewayGB.usd) of NAT processing that a free gateway endpoint avoids"
            return [RuleHit(address: .natGateway(az: context.natAZs[0]),
                            message: "\(hit.subnets.joined(separator: ", ")) reach S3 only through NAT: \(cost)",
                            location: context.spec.network.location)]
        },
        ComplianceRule("NL-COST-002", .low, title: "NAT gateway with no private workload behind it",
                       rationale: "A NAT gateway bills $32.85 a month plus $3.65 for its public IPv4 whether or not anything behind it sends traffic.",
                       fix: "Drop the NAT (nat: none) until private subnets hold workloads, use nat: single when they sit in one AZ, or keep it deliberately as a standby.") { context in
            let spec = context.spec
            guard spec.network.nat != .none else { return [] }
            let prices = PriceTable.usEast1
            let monthly = spec.usage.hours * (prices.natGatewayHour.usd + prices.publicIPv4Hour.usd)
            let natAZs = context.natAZs
            return natAZs.compactMap { az in
                // The private subnets that route through this NAT: its own AZ's with per-az, all of them with single.
                let keys = spec.subnets.filter { $0.tier == .private }.flatMap { subnet in
                    spec.azs(of: subnet).filter { spec.network.nat == .single || $0 == az }.map { SubnetKey(subnet: subnet.name, az: $0) }
                }
                guard !keys.isEmpty, keys.allSatisfy({ context.workloads(in: $0).isEmpty }) else { return nil }
                return RuleHit(address: .natGateway(az: az),
                               message: "NAT gateway in \(az) ($\(monthly.dollars)/month with its Elastic IP) serves \(keys.map { ResourceAddress.subnet($0).description }.joined(separator: ", ")), where no instance or cluster is placed",
                               location: spec.network.location)
            }
        },
        ComplianceRule("NL-COST-003", .low, title: "gp2 volume where gp3 is cheaper",
                       rationale: "gp3 costs 20 % less per GB than gp2 and gives 3,000 IOPS regardless of size.",
                       fix: "Set root_volume.type: gp3.") { context in
            context.spec.instances.filter { $0.rootVolume.type == "gp2" }.map { instance in
                RuleHit(address: .instance(instance.name),
                        message: "instance '\(instance.name)' has a \(instance.rootVolume.sizeGB) GB gp2 root volume; gp3 would cost $\((Double(instance.count * instance.rootVolume.sizeGB) * 0.02).dollars)/month less",
                        location: instance.location)
            }
        },
    ]
}

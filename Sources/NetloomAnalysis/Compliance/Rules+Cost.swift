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
            let cost = gb > 0
                ? "at usage.nat_gb = \(gb == gb.rounded() ? String(Int(gb)) : String(gb)) GB/month that is up to $\(hit.monthlyUSD.dollars)/month of NAT processing a free gateway endpoint would avoid"
                : "usage.nat_gb is 0, so no charge is estimated, but every GB of S3 traffic would pay $\(prices.natGatewayGB.usd) of NAT processing that a free gateway endpoint avoids"
            return [RuleHit(address: "nat_gateway:\(context.natAZs[0])",
                            message: "\(hit.subnets.joined(separator: ", ")) reach S3 only through NAT: \(cost)",
                            location: context.spec.network.location)]
        },
        ComplianceRule("NL-COST-002", .low, title: "NAT gateway in an AZ with no private workload",
                       rationale: "A NAT gateway bills $32.85 a month plus its public IPv4 whether or not anything behind it sends traffic.",
                       fix: "Use nat: single for stacks whose private workloads sit in one AZ, or keep it deliberately as a standby for moving capacity.") { context in
            guard context.spec.network.nat == .perAZ else { return [] }
            let prices = PriceTable.usEast1
            let monthly = context.spec.usage.hours * (prices.natGatewayHour.usd + prices.publicIPv4Hour.usd)
            return context.natAZs.compactMap { az in
                let keys = context.spec.subnets.filter { $0.tier == .private && context.spec.azs(of: $0).contains(az) }.map { SubnetKey(subnet: $0.name, az: az) }
                guard keys.allSatisfy({ context.workloads(in: $0).isEmpty }) else { return nil }
                return RuleHit(address: "nat_gateway:\(az)",
                               message: "NAT gateway in \(az) ($\(monthly.dollars)/month with its Elastic IP) serves \(keys.map { "subnet:\($0)" }.joined(separator: ", ")), where no instance or cluster is placed",
                               location: context.spec.network.location)
            }
        },
        ComplianceRule("NL-COST-003", .low, title: "gp2 volume where gp3 is cheaper",
                       rationale: "gp3 costs 20 % less per GB than gp2 and gives 3,000 IOPS regardless of size.",
                       fix: "Set root_volume.type: gp3.") { context in
            context.spec.instances.filter { $0.rootVolume.type == "gp2" }.map { instance in
                RuleHit(address: "instance:\(instance.name)",
                        message: "instance '\(instance.name)' has a \(instance.rootVolume.sizeGB) GB gp2 root volume; gp3 would cost $\((Double(instance.count * instance.rootVolume.sizeGB) * 0.02).dollars)/month less",
                        location: instance.location)
            }
        },
    ]
}

import NetloomModel
import NetloomPlanning
import NetloomSpec

extension RuleCatalog {
    // `max` below `min` is no rule: validation refuses it (AWS would refuse the group), so a
    // spec that reaches `check` never has it.
    static let autoScalingRules: [ComplianceRule] = [
        ComplianceRule("NL-ASG-001", .medium, title: "Auto Scaling group in one AZ",
                       rationale: "Every instance sits in one availability zone: an outage there takes the whole service down, and the group has nowhere else to launch replacements.",
                       fix: "Put the group on a subnet set that covers at least two AZs (the subnet's azs, or network.azs).") { context in
            context.spec.autoScalingGroups.compactMap { group in
                guard let subnet = context.spec.subnet(named: group.subnet) else { return nil }
                let azs = context.spec.azs(of: subnet)
                guard azs.count == 1 else { return nil }
                return RuleHit(address: .autoScalingGroup(group.name),
                               message: "auto scaling group '\(group.name)' runs all of its up to \(group.max) instances in \(azs[0]) (subnet '\(subnet.name)')",
                               location: group.location)
            }
        },
        ComplianceRule("NL-ASG-002", .medium, title: "Auto Scaling group's subnets cannot hold max instances when an AZ is lost",
                       rationale: "Address planning gives each AZ room for its share of max; when one AZ fails, Auto Scaling launches the whole group in the others, and a subnet without free addresses makes those launches fail just when capacity is needed.",
                       fix: "Let the subnet set grow (size: auto, or a larger /N), add an AZ, or lower max.") { context in
            autoScalingCapacityHits(context)
        },
    ]

    /// For each group over two or more AZs: whether every subnet of its set has room for
    /// ceil(max / (AZs - 1)) of its instances besides everything else placed there.
    static func autoScalingCapacityHits(_ context: ComplianceContext) -> [RuleHit] {
        let spec = context.spec, expanded = context.expanded
        return spec.autoScalingGroups.compactMap { group in
            guard let subnet = spec.subnet(named: group.subnet) else { return nil }
            let azs = spec.azs(of: subnet)
            guard azs.count >= 2 else { return nil }
            let owner = ResourceAddress.autoScalingGroup(group.name).description
            let needed = AutoScalingGroupSpec.perAZ(max: group.max, azCount: azs.count - 1)
            let short = azs.compactMap { az -> String? in
                let key = SubnetKey(subnet: subnet.name, az: az)
                guard let allocation = expanded.addressPlan[key] else { return nil }
                let others = (expanded.demand.placements[key] ?? []).filter { $0.owner != owner }.reduce(0) { $0 + $1.addresses }
                let free = Int(allocation.cidr.usableAddresses) - others
                return free < needed ? "\(az) has room for \(max(0, free))" : nil
            }
            guard !short.isEmpty else { return nil }
            return RuleHit(address: .autoScalingGroup(group.name),
                           message: "auto scaling group '\(group.name)' needs room for \(needed) instances per AZ of subnet '\(subnet.name)' to run max \(group.max) in \(azs.count - 1) AZs, but \(short.joined(separator: ", "))",
                           location: group.location)
        }
    }
}

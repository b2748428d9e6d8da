import NetloomModel
import NetloomPlanning
import NetloomSpec

/// Draws the network the way people sketch it: VPC, then AZs, then subnets and what sits in them.
struct TopologyTreeRenderer {
    let console: Console

    func render(_ expanded: ExpandedStack) -> String {
        let spec = expanded.spec
        var lines: [String] = []
        lines.append(console.style("\(spec.stack)", .bold) + "  \(spec.region)  vpc \(spec.network.cidr)  nat: \(spec.network.nat.rawValue)")
        let azs = spec.network.azs
        for (azIndex, az) in azs.enumerated() {
            let lastAZ = azIndex == azs.count - 1
            lines.append("\(lastAZ ? "└─" : "├─") \(console.style(az, .cyan))")
            let allocations = expanded.addressPlan.allocations.filter { $0.key.az == az }
            let stem = lastAZ ? "   " : "│  "
            for (subnetIndex, allocation) in allocations.enumerated() {
                let lastSubnet = subnetIndex == allocations.count - 1
                let tier = spec.subnet(named: allocation.key.subnet)?.tier.rawValue ?? ""
                let usage = "\(allocation.cidr.usableAddresses.grouped) usable / \(allocation.demand.grouped) demanded"
                let name = allocation.key.subnet.padding(toLength: 14)
                let cidr = allocation.cidr.description.padding(toLength: 18)
                lines.append("\(stem)\(lastSubnet ? "└─" : "├─") \(console.style(name, .bold)) \(cidr) \(tier.padding(toLength: 8)) \(console.style(usage, .dim))")
                let placements = expanded.demand.placements[allocation.key] ?? []
                let inner = stem + (lastSubnet ? "   " : "│  ")
                for (index, placement) in placements.enumerated() {
                    let suffix = placement.addresses > 1 ? " [\(placement.addresses.grouped) IPs]" : ""
                    lines.append("\(inner)\(index == placements.count - 1 ? "└─" : "├─") \(placement.label)\(suffix)")
                }
            }
        }
        lines.append("")
        lines.append(stackWideSummary(expanded))
        lines.append("")
        var counts: [ResourceType: Int] = [:]
        for resource in expanded.graph.resources { counts[resource.type, default: 0] += 1 }
        let parts = counts.keys.sorted().map { "\($0.rawValue) \(counts[$0]!)" }
        lines.append(console.style("\(expanded.graph.count) resources", .bold) + ": " + parts.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    func stackWideSummary(_ expanded: ExpandedStack) -> String {
        let spec = expanded.spec
        var lines: [String] = []
        if !spec.network.gatewayEndpoints.isEmpty {
            lines.append("gateway endpoints: \(spec.network.gatewayEndpoints.joined(separator: ", ")) (routes on every private and isolated route table)")
        }
        if spec.network.flowLogsEnabled {
            lines.append("flow logs: all traffic to CloudWatch Logs, retention \(spec.network.flowLogRetentionDays.map { "\($0) days" } ?? "never expires")")
        }
        for group in spec.securityGroups {
            lines.append("security group \(group.name): \(group.ingress.count) in, \(group.egressIsDefault ? "default" : String(group.egress.count)) out")
        }
        for acl in spec.networkACLs {
            lines.append("network ACL \(acl.name): \(acl.ingress.count) in, \(acl.egress.count) out, on \(acl.subnets.joined(separator: ", "))")
        }
        for cluster in spec.clusters {
            let placement = cluster.placement == .cluster ? "cluster placement group in \(cluster.az)" : "no placement group"
            lines.append("cluster \(cluster.name): \(cluster.nodes) × \(cluster.instanceType) (\(cluster.orchestrator.rawValue)), \(cluster.addressDemand.grouped) addresses, \(placement)")
        }
        for bucket in spec.buckets { lines.append("bucket \(bucket.name)\(bucket.versioning ? ", versioned" : "")\(bucket.encryption.map { ", \($0.rawValue)" } ?? "")") }
        for role in spec.roles { lines.append("role \(role.name) (assumed by \(role.assumedBy))") }
        for lb in spec.loadBalancers {
            let listeners = lb.listeners.map { "\($0.protocol) \($0.port) -> \($0.actionLabel)" }.joined(separator: ", ")
            lines.append("\(lb.type) load balancer \(lb.name) (\(lb.scheme)): \(listeners)")
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}


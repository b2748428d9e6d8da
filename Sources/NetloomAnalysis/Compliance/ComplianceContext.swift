import NetloomModel
import NetloomPlanning
import NetloomSpec

/// The expanded stack with the lookups several rules share, computed once per check.
public struct ComplianceContext: Sendable {
    public let expanded: ExpandedStack
    /// Security group name -> what carries it: `instance:api`, `cluster:trainers`, `load_balancer:public`, `vpc_endpoint:ssm`.
    let groupUsers: [String: [ResourceAddress]]
    /// For the rules that ask reachability questions (HyperPod's): built once per check, and only
    /// for a spec with a cluster netloom creates.
    let reachability: ReachabilityAnalyzer?

    public init(_ expanded: ExpandedStack) {
        self.expanded = expanded
        let spec = expanded.spec
        var users: [String: [ResourceAddress]] = [:]
        for instance in spec.instances { for group in instance.securityGroups { users[group, default: []].append(.instance(instance.name)) } }
        for cluster in spec.clusters { for group in cluster.securityGroups { users[group, default: []].append(.cluster(cluster.name)) } }
        // A HyperPod cluster's file system carries the group netloom makes for it.
        for cluster in spec.clusters where cluster.hyperPod?.fsxLustre != nil {
            users[HyperPodNames.fileSystemGroup(cluster.name), default: []].append(.fsxFileSystem(cluster.name))
        }
        for group in spec.autoScalingGroups { for name in group.securityGroups { users[name, default: []].append(.autoScalingGroup(group.name)) } }
        for lb in spec.loadBalancers { for group in lb.securityGroups { users[group, default: []].append(.loadBalancer(lb.name)) } }
        if let group = spec.network.endpointSecurityGroup {
            for service in spec.network.interfaceEndpoints { users[group, default: []].append(.vpcEndpoint(service)) }
        }
        groupUsers = users
        reachability = spec.clusters.contains { $0.hyperPod != nil } ? ReachabilityAnalyzer(expanded) : nil
    }

    var spec: StackSpec { expanded.spec }

    func users(of group: String) -> [ResourceAddress] { groupUsers[group] ?? [] }

    /// The NAT gateways that exist, by AZ.
    var natAZs: [String] { AddressDemand.natAZs(spec) }

    /// What stands behind the private subnets of an AZ: instances and cluster nodes placed there.
    func workloads(in key: SubnetKey) -> [Placement] {
        (expanded.demand.placements[key] ?? []).filter { $0.kind == .cluster || $0.kind == .instance || $0.kind == .autoScalingGroup }
    }

    static func ruleAddress(_ rule: SecurityGroupRuleSpec, group: String) -> ResourceAddress { rule.address(group: group) }
}

extension RulePeer {
    /// `any` or a `/0` CIDR: every IPv4 address, the internet included.
    var isInternet: Bool {
        switch self {
        case .any: true
        case .cidr(let block): block.prefix == 0
        default: false
        }
    }
}

extension SecurityGroupRuleSpec {
    /// Whether the rule lets through `protocol` traffic to `port`.
    func admits(_ ipProtocol: IPProtocol, port: Int) -> Bool {
        if self.ipProtocol == .all { return true }
        guard self.ipProtocol == ipProtocol else { return false }
        return ports?.contains(port) ?? true
    }

    /// Every protocol, or every TCP/UDP port.
    var coversAllPorts: Bool {
        ipProtocol == .all || (ipProtocol.hasPorts && (ports.map { $0.lower <= 1 && $0.upper == 65535 } ?? true))
    }

    /// How the rule reads in a message: `tcp 22 from 0.0.0.0/0`.
    func summary(vpc: CIDRBlock) -> String {
        let what = ipProtocol == .all ? "all traffic" : "\(ipProtocol.rawValue)\(ports.map { " \($0)" } ?? "")"
        let peerText: String
        switch peer {
        case .any: peerText = "0.0.0.0/0"
        case .vpc: peerText = "the VPC (\(vpc))"
        case .self: peerText = "the group itself"
        default: peerText = peer.description
        }
        return "\(what) \(direction == .ingress ? "from" : "to") \(peerText)"
    }
}

extension Double {
    /// Dollars with cents: `22.50`.
    var dollars: String {
        // Spec validation bounds usage and sizes far below this; the guard keeps Int() from trapping anyway.
        guard isFinite, abs(self) < 1e15 else { return String(describing: self) }
        let cents = (self * 100).rounded()
        let whole = Int(cents / 100)
        let fraction = Int(abs(cents).truncatingRemainder(dividingBy: 100))
        return "\(whole.grouped).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

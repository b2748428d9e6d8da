import NetloomModel
import NetloomPlanning
import NetloomSpec

/// Which port of a connection a filter looks at. Stateless ACLs see the request on its
/// destination port and the return on the port the client picked; behind a NAT gateway the
/// internet side of the return goes to the NAT's own port.
enum PortRole: Sendable, Hashable {
    case destination
    case clientEphemeral
    case natEphemeral
}

/// One security group or network ACL the packet (or its return) must pass.
struct FilterCheck: Sendable {
    enum Kind: Sendable {
        case securityGroup(interface: Int, direction: RuleDirection, peer: SecurityGroupPeer)
        /// `remote` is the packet's source for ingress, its destination for egress.
        case networkACL(subnet: Int, direction: RuleDirection, remote: IPv4Address)
    }

    var kind: Kind
    var port: PortRole
}

/// The path of one (source, destination address) pair before any port is looked at: the hops,
/// the filters in between, and the routing problems that block it whatever the traffic.
struct PathPlan {
    enum Step {
        case hop(PathHop)
        case filter(Int)
    }

    var steps: [Step] = []
    var filters: [FilterCheck] = []
    var routing: [BlockExplanation] = []
    var clientEphemeral: PortSet = .all
    let network: CompiledNetwork
    /// Off when only the verdict matters (all-pairs analysis): hop texts are never built.
    let recordsHops: Bool

    init(network: CompiledNetwork, recordsHops: Bool = true) {
        self.network = network
        self.recordsHops = recordsHops
    }

    mutating func hop(_ component: String, _ address: @autoclosure () -> String, _ detail: @autoclosure () -> String) {
        guard recordsHops else { return }
        steps.append(.hop(PathHop(component: component, address: address(), detail: detail())))
    }

    mutating func hop(_ component: String, _ address: @autoclosure () -> ResourceAddress, _ detail: @autoclosure () -> String) {
        guard recordsHops else { return }
        steps.append(.hop(PathHop(component: component, address: address(), detail: detail())))
    }

    mutating func check(_ kind: FilterCheck.Kind, _ port: PortRole) {
        filters.append(FilterCheck(kind: kind, port: port))
        steps.append(.filter(filters.count - 1))
    }

    /// Whether some packet of `ipProtocol` (on `port`, or any port) passes every filter both
    /// ways; the path for the first such packet, or a reason for each filter that lets none of
    /// the wanted traffic through.
    func filter(_ ipProtocol: IPProtocol, port: Int?) -> ReachabilityAnalyzer.PairOutcome {
        // ICMP has no ports: port 0 stands for "the packet" in every set.
        let icmp = ipProtocol == .icmp
        func wanted(_ role: PortRole) -> PortSet {
            if icmp { return PortSet(0...0) }
            switch role {
            case .destination: return port.map { PortSet($0...$0) } ?? .all
            case .clientEphemeral: return clientEphemeral
            case .natEphemeral: return PortSet(PortRange.awsManagedEphemeral)
            }
        }
        var remaining: [PortRole: PortSet] = [:]
        var reasons: [BlockExplanation] = []
        for filter in filters {
            let want = wanted(filter.port)
            let allowed = allowedPorts(filter.kind, ipProtocol).intersection(want)
            if allowed.isEmpty {
                // Without hops only the verdict is wanted: no need to word every reason.
                guard recordsHops else { return .blocked([]) }
                reasons.append(explain(filter, ipProtocol, want))
            }
            remaining[filter.port] = (remaining[filter.port] ?? want).intersection(allowed)
        }
        if !reasons.isEmpty { return .blocked(reasons) }
        if remaining.values.contains(where: \.isEmpty) {
            return .blocked([BlockExplanation(code: .noCommonTraffic, address: "path",
                                              detail: "every filter allows some \(ipProtocol) traffic, but no single port passes all of them")])
        }
        // One packet stands for the verdict; when every wanted port passes (all of the
        // ephemeral range, say), the hop shows the whole range rather than its first port.
        let witness = remaining.mapValues { $0.first ?? 0 }
        var shown: [PortRole: String] = [:]
        for (role, ports) in remaining { shown[role] = ports == wanted(role) ? ports.description : "\(ports.first ?? 0)" }
        var path: [PathHop] = []
        for step in steps {
            switch step {
            case .hop(let hop): path.append(hop)
            case .filter(let index):
                let filter = filters[index]
                path.append(describe(filter, ipProtocol, port: witness[filter.port] ?? 0, shown: shown[filter.port] ?? ""))
            }
        }
        return .reachable(path)
    }

    /// Destination ports on which some packet of `ipProtocol` passes every filter both ways
    /// (for ICMP: `0` when it passes); empty when routing alone blocks the path.
    func reachablePorts(_ ipProtocol: IPProtocol) -> PortSet {
        guard routing.isEmpty else { return .empty }
        let icmp = ipProtocol == .icmp
        var destination = icmp ? PortSet(0...0) : PortSet.all
        var client = icmp ? PortSet(0...0) : clientEphemeral
        var nat = icmp ? PortSet(0...0) : PortSet(PortRange.awsManagedEphemeral)
        for filter in filters {
            let allowed = allowedPorts(filter.kind, ipProtocol)
            switch filter.port {
            case .destination: destination = destination.intersection(allowed)
            case .clientEphemeral: client = client.intersection(allowed)
            case .natEphemeral: nat = nat.intersection(allowed)
            }
            if destination.isEmpty || client.isEmpty || nat.isEmpty { return .empty }
        }
        return destination
    }

    func allowedPorts(_ kind: FilterCheck.Kind, _ ipProtocol: IPProtocol) -> PortSet {
        switch kind {
        case .securityGroup(let interface, let direction, let peer):
            network.securityGroupPorts(interface, direction: direction, ipProtocol, peer: peer)
        case .networkACL(let subnet, let direction, let remote):
            network.aclPorts(subnet, direction: direction, ipProtocol, remote: remote)
        }
    }

    func packetText(_ ipProtocol: IPProtocol, _ ports: String, _ direction: RuleDirection, _ remote: IPv4Address) -> String {
        let portText = ipProtocol == .icmp ? "" : " \(ports)"
        return "\(ipProtocol)\(portText) \(direction == .ingress ? "from" : "to") \(remote)"
    }

    func groupAddress(_ interface: Int) -> String {
        let groups = network.topology.interfaces[interface].securityGroups
        return groups.count == 1 ? ResourceAddress.securityGroup(groups[0]).description : network.topology.interfaces[interface].id
    }

    func explain(_ filter: FilterCheck, _ ipProtocol: IPProtocol, _ wanted: PortSet) -> BlockExplanation {
        let returnText = filter.port == .destination ? "" : " (return traffic to ephemeral ports)"
        switch filter.kind {
        case .securityGroup(let interface, let direction, let peer):
            let groups = network.topology.interfaces[interface].securityGroups
            let which = groups.isEmpty ? "\(network.topology.interfaces[interface].id) has no security group, so nothing"
                : "no rule of security group\(groups.count == 1 ? "" : "s") \(groups.joined(separator: ", "))"
            let via = peer.interface.map { " (\(network.topology.interfaces[$0].id))" } ?? ""
            return BlockExplanation(code: .securityGroupRulesMismatch, address: groupAddress(interface),
                                    detail: "\(which) allows \(direction.rawValue) \(packetText(ipProtocol, wanted.description, direction, peer.address))\(via)")
        case .networkACL(let subnet, let direction, let remote):
            let key = network.topology.subnets[subnet].key
            let aclName = network.subnetACL[subnet]?.name ?? "default"
            let packet = packetText(ipProtocol, wanted.description, direction, remote)
            if wanted.ranges.count == 1, wanted.ranges[0].count == 1, let port = wanted.first {
                if let entry = network.aclEntry(subnet, direction: direction, ipProtocol, port: port, remote: remote) {
                    return BlockExplanation(code: .subnetACLRestriction, address: entry.address,
                                            detail: "rule \(entry.number) of network ACL \(aclName) (\(ResourceAddress.subnet(key))) denies \(direction.rawValue) \(packet)\(returnText)")
                }
                return BlockExplanation(code: .subnetACLRestriction, address: .networkACL(aclName),
                                        detail: "no rule of network ACL \(aclName) (\(ResourceAddress.subnet(key))) matches \(direction.rawValue) \(packet)\(returnText); the * rule denies it")
            }
            return BlockExplanation(code: .subnetACLRestriction, address: .networkACL(aclName),
                                    detail: "network ACL \(aclName) (\(ResourceAddress.subnet(key))) denies \(direction.rawValue) \(packet)\(returnText) on every one of those ports")
        }
    }

    func describe(_ filter: FilterCheck, _ ipProtocol: IPProtocol, port: Int, shown: String) -> PathHop {
        let returnText = filter.port == .destination ? "" : " (return traffic)"
        switch filter.kind {
        case .securityGroup(let interface, let direction, let peer):
            let packet = packetText(ipProtocol, shown, direction, peer.address)
            guard let (group, rule) = network.securityGroupRule(interface, direction: direction, ipProtocol, port: port, peer: peer) else {
                return PathHop(component: "security_group", address: groupAddress(interface), detail: "\(direction.rawValue) \(packet)")
            }
            return PathHop(component: "security_group", address: .securityGroup(group), detail: "\(packet): allowed by \(rule.text) [\(rule.address)]")
        case .networkACL(let subnet, let direction, let remote):
            let packet = packetText(ipProtocol, shown, direction, remote)
            let key = network.topology.subnets[subnet].key
            guard let acl = network.subnetACL[subnet] else {
                return PathHop(component: "network_acl", address: .networkACL("default"),
                               detail: "\(direction.rawValue) \(packet)\(returnText): \(ResourceAddress.subnet(key)) keeps the VPC's default ACL, which allows all traffic")
            }
            let entry = network.aclEntry(subnet, direction: direction, ipProtocol, port: port, remote: remote)
            return PathHop(component: "network_acl", address: entry?.address ?? .networkACL(acl.name),
                           detail: "\(direction.rawValue) \(packet)\(returnText): allowed by rule \(entry.map { "\($0.number)" } ?? "?") of network ACL \(acl.name) (\(ResourceAddress.subnet(key)))")
        }
    }
}

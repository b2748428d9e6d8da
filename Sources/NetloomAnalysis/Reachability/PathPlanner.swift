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
        let witness = remaining.mapValues { $0.first ?? 0 }
        var path: [PathHop] = []
        for step in steps {
            switch step {
            case .hop(let hop): path.append(hop)
            case .filter(let index):
                let filter = filters[index]
                path.append(describe(filter, ipProtocol, port: witness[filter.port] ?? 0, icmp: icmp))
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
        return groups.count == 1 ? "security_group:\(groups[0])" : network.topology.interfaces[interface].id
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
                                            detail: "rule \(entry.number) of network ACL \(aclName) (subnet:\(key)) denies \(direction.rawValue) \(packet)\(returnText)")
                }
                return BlockExplanation(code: .subnetACLRestriction, address: "network_acl:\(aclName)",
                                        detail: "no rule of network ACL \(aclName) (subnet:\(key)) matches \(direction.rawValue) \(packet)\(returnText); the * rule denies it")
            }
            return BlockExplanation(code: .subnetACLRestriction, address: "network_acl:\(aclName)",
                                    detail: "network ACL \(aclName) (subnet:\(key)) denies \(direction.rawValue) \(packet)\(returnText) on every one of those ports")
        }
    }

    func describe(_ filter: FilterCheck, _ ipProtocol: IPProtocol, port: Int, icmp: Bool) -> PathHop {
        let returnText = filter.port == .destination ? "" : " (return traffic)"
        switch filter.kind {
        case .securityGroup(let interface, let direction, let peer):
            let packet = packetText(ipProtocol, "\(port)", direction, peer.address)
            guard let (group, rule) = network.securityGroupRule(interface, direction: direction, ipProtocol, port: port, peer: peer) else {
                return PathHop(component: "security_group", address: groupAddress(interface), detail: "\(direction.rawValue) \(packet)")
            }
            return PathHop(component: "security_group", address: "security_group:\(group)", detail: "\(packet): allowed by \(rule.text) [\(rule.address)]")
        case .networkACL(let subnet, let direction, let remote):
            let packet = packetText(ipProtocol, "\(port)", direction, remote)
            let key = network.topology.subnets[subnet].key
            guard let acl = network.subnetACL[subnet] else {
                return PathHop(component: "network_acl", address: "network_acl:default",
                               detail: "\(direction.rawValue) \(packet)\(returnText): subnet:\(key) keeps the VPC's default ACL, which allows all traffic")
            }
            let entry = network.aclEntry(subnet, direction: direction, ipProtocol, port: port, remote: remote)
            return PathHop(component: "network_acl", address: entry?.address ?? "network_acl:\(acl.name)",
                           detail: "\(direction.rawValue) \(packet)\(returnText): allowed by rule \(entry.map { "\($0.number)" } ?? "?") of network ACL \(acl.name) (subnet:\(key))")
        }
    }
}

/// Builds the `PathPlan` of one (source, destination address) pair: which route each packet
/// takes and which filters it meets, following AWS's VPC forwarding rules.
struct PathPlanner {
    let network: CompiledNetwork
    let resolver: EndResolver
    var recordsHops = true

    var topology: NetworkTopology { network.topology }

    /// Where an end sits inside the VPC.
    struct InsideEnd {
        var interface: Int?
        var subnet: Int
        var address: IPv4Address
        var publicIP: Bool
        var ephemeral: PortRange
    }

    func inside(_ end: ConnectionEnd) -> InsideEnd? {
        switch end {
        case .interface(let index):
            let interface = topology.interfaces[index]
            guard let subnet = network.interfaceSubnet[index] else { return nil }
            // AWS-managed interfaces pick source ports from 1024-65535 (AWS-NOTES.md).
            let ephemeral: PortRange = switch interface.kind {
            case .instance, .clusterNode: .linuxEphemeral
            case .natGateway, .loadBalancer, .interfaceEndpoint: .awsManagedEphemeral
            }
            return InsideEnd(interface: index, subnet: subnet, address: interface.privateIP, publicIP: interface.publicIP, ephemeral: ephemeral)
        case .subnetAddress(let subnet, let address):
            return InsideEnd(interface: nil, subnet: subnet, address: address, publicIP: false, ephemeral: .linuxEphemeral)
        case .outside:
            return nil
        }
    }

    func endHop(_ plan: inout PathPlan, _ end: InsideEnd, role: String) {
        let subnet = topology.subnets[end.subnet].key
        if let index = end.interface {
            let interface = topology.interfaces[index]
            let groups = interface.securityGroups.isEmpty ? "no security groups" : "groups \(interface.securityGroups.joined(separator: ", "))"
            plan.hop("network_interface", interface.id, "\(role) \(interface.privateIP) in subnet:\(subnet)\(interface.publicIP ? " with a public IP" : ""), \(groups)")
        } else {
            plan.hop("subnet", "subnet:\(subnet)", "\(role) \(end.address) (a host of the subnet; no security group applies)")
        }
    }

    func routeHop(_ plan: inout PathPlan, _ route: CompiledRoute, _ subnet: Int, _ address: IPv4Address) {
        plan.hop("route", route.route.address, "subnet:\(topology.subnets[subnet].key) sends \(address) via \(route.route.destination) -> \(route.route.target)")
    }

    func plan(from source: ConnectionEnd, to destination: ConnectionEnd, address: IPv4Address) -> PathPlan {
        var plan = PathPlan(network: network, recordsHops: recordsHops)
        switch (inside(source), inside(destination)) {
        case (let client?, let server?):
            planInside(&plan, client, server)
        case (let client?, nil):
            planOutbound(&plan, client, address, label: resolver.label(destination))
        case (nil, let server?):
            guard case .outside(let label, _, let preferred) = source else { return plan }
            planInbound(&plan, preferred, label: label, server)
        case (nil, nil):
            plan.routing.append(BlockExplanation(code: .noEndInVPC, address: resolver.label(source),
                                                 detail: "\(resolver.label(source)) and \(resolver.label(destination)) are both outside the VPC"))
        }
        return plan
    }

    func sourceGroupCheck(_ plan: inout PathPlan, _ client: InsideEnd, to address: IPv4Address, interface: Int?) {
        if let index = client.interface {
            plan.check(.securityGroup(interface: index, direction: .egress, peer: SecurityGroupPeer(address: address, interface: interface)), .destination)
        }
    }

    /// Both ends in the VPC: the `local` route, and the ACLs of both subnets unless they share one.
    func planInside(_ plan: inout PathPlan, _ client: InsideEnd, _ server: InsideEnd) {
        plan.clientEphemeral = PortSet(client.ephemeral)
        endHop(&plan, client, role: "source")
        sourceGroupCheck(&plan, client, to: server.address, interface: server.interface)
        guard let route = network.route(from: client.subnet, to: server.address), route.target == .local else {
            plan.routing.append(BlockExplanation(code: .noRouteToDestination, address: "route_table:\(topology.subnets[client.subnet].key)",
                                                 detail: "no local route for \(server.address) in subnet:\(topology.subnets[client.subnet].key)"))
            return
        }
        routeHop(&plan, route, client.subnet, server.address)
        let crossesSubnets = client.subnet != server.subnet
        if crossesSubnets {
            plan.check(.networkACL(subnet: client.subnet, direction: .egress, remote: server.address), .destination)
            plan.check(.networkACL(subnet: server.subnet, direction: .ingress, remote: client.address), .destination)
        }
        if let index = server.interface {
            plan.check(.securityGroup(interface: index, direction: .ingress, peer: SecurityGroupPeer(address: client.address, interface: client.interface)), .destination)
        }
        endHop(&plan, server, role: "destination")
        if crossesSubnets {
            plan.check(.networkACL(subnet: server.subnet, direction: .egress, remote: client.address), .clientEphemeral)
            plan.check(.networkACL(subnet: client.subnet, direction: .ingress, remote: server.address), .clientEphemeral)
        }
    }

    /// From the VPC to an outside address: a gateway endpoint, the internet gateway, or a NAT gateway.
    func planOutbound(_ plan: inout PathPlan, _ client: InsideEnd, _ address: IPv4Address, label: String) {
        plan.clientEphemeral = PortSet(client.ephemeral)
        let subnetKey = topology.subnets[client.subnet].key
        endHop(&plan, client, role: "source")
        sourceGroupCheck(&plan, client, to: address, interface: nil)
        guard let route = network.route(from: client.subnet, to: address), route.target != .local else {
            plan.routing.append(BlockExplanation(code: .noRouteToDestination, address: "route_table:\(subnetKey)",
                                                 detail: "the route table of subnet:\(subnetKey) has no route for \(address) (\(label))"))
            return
        }
        routeHop(&plan, route, client.subnet, address)
        switch route.target {
        case .local:
            return
        case .gatewayEndpoint(let service):
            plan.check(.networkACL(subnet: client.subnet, direction: .egress, remote: address), .destination)
            plan.hop("vpc_endpoint", "vpc_endpoint:\(service)", "gateway endpoint delivers to the \(service) prefix list without NAT or internet gateway")
            plan.hop("destination", label, "\(address)")
            plan.check(.networkACL(subnet: client.subnet, direction: .ingress, remote: address), .clientEphemeral)
        case .internetGateway:
            if !client.publicIP {
                let name = client.interface.map { topology.interfaces[$0].id } ?? "subnet:\(subnetKey)"
                plan.routing.append(BlockExplanation(code: .igwPublicIPAssociationForEgress, address: name,
                                                     detail: "\(name) routes \(address) to the internet gateway but has no public IP address"))
                return
            }
            plan.check(.networkACL(subnet: client.subnet, direction: .egress, remote: address), .destination)
            plan.hop("internet_gateway", "internet_gateway", "translates \(client.address) to its public IP")
            plan.hop("destination", label, "\(address)")
            plan.check(.networkACL(subnet: client.subnet, direction: .ingress, remote: address), .clientEphemeral)
        case .natGateway(let az):
            guard let natIndex = network.natInterfaceByAZ[az], let natSubnet = network.subnetIndexByKey[topology.interfaces[natIndex].subnet] else {
                plan.routing.append(BlockExplanation(code: .natGatewayMissing, address: "nat_gateway:\(az)",
                                                     detail: "subnet:\(subnetKey) routes to nat_gateway:\(az), which the stack does not build"))
                return
            }
            let nat = topology.interfaces[natIndex]
            let crosses = client.subnet != natSubnet
            if crosses {
                plan.check(.networkACL(subnet: client.subnet, direction: .egress, remote: address), .destination)
                plan.check(.networkACL(subnet: natSubnet, direction: .ingress, remote: client.address), .destination)
            }
            plan.hop("nat_gateway", nat.id, "translates \(client.address) to the NAT gateway's Elastic IP (\(nat.privateIP) inside the VPC)")
            guard let natRoute = network.route(from: natSubnet, to: address), natRoute.target == .internetGateway else {
                plan.routing.append(BlockExplanation(code: .natWithoutInternetRoute, address: "route_table:\(nat.subnet)",
                                                     detail: "\(nat.id) sits in subnet:\(nat.subnet), which does not route \(address) to the internet gateway"))
                return
            }
            routeHop(&plan, natRoute, natSubnet, address)
            plan.check(.networkACL(subnet: natSubnet, direction: .egress, remote: address), .destination)
            plan.hop("internet_gateway", "internet_gateway", "carries the NAT gateway's traffic to \(address)")
            plan.hop("destination", label, "\(address)")
            plan.check(.networkACL(subnet: natSubnet, direction: .ingress, remote: address), .natEphemeral)
            if crosses {
                plan.check(.networkACL(subnet: natSubnet, direction: .egress, remote: client.address), .clientEphemeral)
                plan.check(.networkACL(subnet: client.subnet, direction: .ingress, remote: address), .clientEphemeral)
            }
        }
    }

    /// From outside the VPC to an interface: only through the internet gateway to a public IP,
    /// and the reply must leave the same way.
    func planInbound(_ plan: inout PathPlan, _ address: IPv4Address, label: String, _ server: InsideEnd) {
        // Internet clients are taken to be Linux hosts (SPEC.md: ephemeral 32768-60999).
        plan.clientEphemeral = PortSet(PortRange.linuxEphemeral)
        let subnetKey = topology.subnets[server.subnet].key
        let name = server.interface.map { topology.interfaces[$0].id } ?? "subnet:\(subnetKey)"
        plan.hop("source", label, "\(address)")
        let returnRoute = network.route(from: server.subnet, to: address)
        guard server.publicIP, topology.hasInternetGateway else {
            plan.routing.append(BlockExplanation(code: .noPublicIPForIngress, address: name,
                                                 detail: "\(name) has no public IP address, so nothing outside the VPC can address it"))
            if case .natGateway(let az)? = returnRoute?.target {
                plan.routing.append(BlockExplanation(code: .ngwRequiresSourceInVPC, address: "nat_gateway:\(az)",
                                                     detail: "subnet:\(subnetKey) reaches the internet through nat_gateway:\(az), which carries only connections started inside the VPC"))
            }
            return
        }
        plan.hop("internet_gateway", "internet_gateway", "translates the public IP of \(name) to \(server.address)")
        guard let returnRoute, returnRoute.target == .internetGateway else {
            plan.routing.append(BlockExplanation(code: .asymmetricReturnRoute, address: "route_table:\(subnetKey)",
                                                 detail: "subnet:\(subnetKey) sends replies to \(address) \(returnRoute.map { "to \($0.route.target)" } ?? "nowhere"), not back through the internet gateway"))
            return
        }
        plan.check(.networkACL(subnet: server.subnet, direction: .ingress, remote: address), .destination)
        if let index = server.interface {
            plan.check(.securityGroup(interface: index, direction: .ingress, peer: SecurityGroupPeer(address: address, interface: nil)), .destination)
        }
        endHop(&plan, server, role: "destination")
        routeHop(&plan, returnRoute, server.subnet, address)
        plan.check(.networkACL(subnet: server.subnet, direction: .egress, remote: address), .clientEphemeral)
    }
}

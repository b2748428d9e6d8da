import NetloomModel
import NetloomPlanning
import NetloomSpec

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
            case .instance, .clusterNode, .autoScalingInstance: .linuxEphemeral
            case .natGateway, .loadBalancer, .interfaceEndpoint, .fileSystem: .awsManagedEphemeral
            }
            return InsideEnd(interface: index, subnet: subnet, address: interface.privateIP, publicIP: interface.publicIP, ephemeral: ephemeral)
        case .subnetAddress(let subnet, let address):
            return InsideEnd(interface: nil, subnet: subnet, address: address, publicIP: false, ephemeral: .linuxEphemeral)
        case .outside:
            return nil
        }
    }

    func endHop(_ plan: inout PathPlan, _ end: InsideEnd, role: String) {
        guard plan.recordsHops else { return }
        let subnet = topology.subnets[end.subnet].key
        if let index = end.interface {
            let interface = topology.interfaces[index]
            let groups = interface.securityGroups.isEmpty ? "no security groups" : "groups \(interface.securityGroups.joined(separator: ", "))"
            plan.hop("network_interface", interface.id, "\(role) \(interface.privateIP) in \(ResourceAddress.subnet(subnet))\(interface.publicIP ? " with a public IP" : ""), \(groups)")
        } else {
            plan.hop("subnet", .subnet(subnet), "\(role) \(end.address) (a host of the subnet; no security group applies)")
        }
    }

    func routeHop(_ plan: inout PathPlan, _ route: CompiledRoute, _ subnet: Int, _ address: IPv4Address) {
        guard plan.recordsHops else { return }
        plan.hop("route", route.route.address, "\(ResourceAddress.subnet(topology.subnets[subnet].key)) sends \(address) via \(route.route.destination) -> \(route.route.target)")
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
            plan.routing.append(BlockExplanation(code: .noRouteToDestination, address: topology.subnets[client.subnet].routeTable,
                                                 detail: "no local route for \(server.address) in \(ResourceAddress.subnet(topology.subnets[client.subnet].key))"))
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
        // An end to itself means one interface to another just like it (another node of the cluster).
        let twin = client.interface != nil && client.interface == server.interface
        endHop(&plan, server, role: twin ? "destination: another interface like the source," : "destination")
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
            plan.routing.append(BlockExplanation(code: .noRouteToDestination, address: topology.subnets[client.subnet].routeTable,
                                                 detail: "the route table of \(ResourceAddress.subnet(subnetKey)) has no route for \(address) (\(label))"))
            return
        }
        routeHop(&plan, route, client.subnet, address)
        switch route.target {
        case .local:
            return
        case .gatewayEndpoint(let service):
            plan.check(.networkACL(subnet: client.subnet, direction: .egress, remote: address), .destination)
            plan.hop("vpc_endpoint", .vpcEndpoint(service), "gateway endpoint delivers to the \(service) prefix list without NAT or internet gateway")
            plan.hop("destination", label, "\(address)")
            plan.check(.networkACL(subnet: client.subnet, direction: .ingress, remote: address), .clientEphemeral)
        case .internetGateway:
            if !client.publicIP {
                let name = client.interface.map { topology.interfaces[$0].id } ?? ResourceAddress.subnet(subnetKey).description
                plan.routing.append(BlockExplanation(code: .igwPublicIPAssociationForEgress, address: name,
                                                     detail: "\(name) routes \(address) to the internet gateway but has no public IP address"))
                return
            }
            plan.check(.networkACL(subnet: client.subnet, direction: .egress, remote: address), .destination)
            plan.hop("internet_gateway", .internetGateway, "translates \(client.address) to its public IP")
            plan.hop("destination", label, "\(address)")
            plan.check(.networkACL(subnet: client.subnet, direction: .ingress, remote: address), .clientEphemeral)
        case .natGateway(let az):
            guard let natIndex = network.natInterfaceByAZ[az], let natSubnet = network.subnetIndexByKey[topology.interfaces[natIndex].subnet] else {
                plan.routing.append(BlockExplanation(code: .natGatewayMissing, address: .natGateway(az: az),
                                                     detail: "\(ResourceAddress.subnet(subnetKey)) routes to \(ResourceAddress.natGateway(az: az)), which the stack does not build"))
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
                plan.routing.append(BlockExplanation(code: .natWithoutInternetRoute, address: topology.subnets[natSubnet].routeTable,
                                                     detail: "\(nat.id) sits in \(ResourceAddress.subnet(nat.subnet)), which does not route \(address) to the internet gateway"))
                return
            }
            routeHop(&plan, natRoute, natSubnet, address)
            plan.check(.networkACL(subnet: natSubnet, direction: .egress, remote: address), .destination)
            plan.hop("internet_gateway", .internetGateway, "carries the NAT gateway's traffic to \(address)")
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
        let name = server.interface.map { topology.interfaces[$0].id } ?? ResourceAddress.subnet(subnetKey).description
        plan.hop("source", label, "\(address)")
        let returnRoute = network.route(from: server.subnet, to: address)
        guard server.publicIP, topology.hasInternetGateway else {
            plan.routing.append(BlockExplanation(code: .noPublicIPForIngress, address: name,
                                                 detail: "\(name) has no public IP address, so nothing outside the VPC can address it"))
            if case .natGateway(let az)? = returnRoute?.target {
                plan.routing.append(BlockExplanation(code: .ngwRequiresSourceInVPC, address: .natGateway(az: az),
                                                     detail: "\(ResourceAddress.subnet(subnetKey)) reaches the internet through \(ResourceAddress.natGateway(az: az)), which carries only connections started inside the VPC"))
            }
            return
        }
        plan.hop("internet_gateway", .internetGateway, "translates the public IP of \(name) to \(server.address)")
        guard let returnRoute, returnRoute.target == .internetGateway else {
            plan.routing.append(BlockExplanation(code: .asymmetricReturnRoute, address: topology.subnets[server.subnet].routeTable,
                                                 detail: "\(ResourceAddress.subnet(subnetKey)) sends replies to \(address) \(returnRoute.map { "to \($0.route.target)" } ?? "nowhere"), not back through the internet gateway"))
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

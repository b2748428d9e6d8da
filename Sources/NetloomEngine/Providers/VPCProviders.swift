import AWSClient
import NetloomModel

// The VPC and its plumbing: VPC, internet gateway, subnets, route tables, routes and
// associations, Elastic IPs, NAT gateways, endpoints, flow logs and placement groups.

extension ProviderContext {
    func vpcs() async throws -> [EC2Vpc] {
        try await cache.value("vpcs") { [self] in
            let tagged = try await services.ec2.describeVpcs(filters: [stackFilter]).filter { isOwned($0.tags) }
            let adopted = try await adopted("vpc-") { try await services.ec2.describeVpcs(ids: $0) }
            return tagged + adopted.filter { vpc in belongs(vpc.tags, id: vpc.vpcID) && !tagged.contains { $0.vpcID == vpc.vpcID } }
        }
    }

    func routeTables() async throws -> [EC2RouteTable] {
        try await cache.value("route-tables") { [self] in
            try await inStackVPCs(tags: \.tags, id: \.routeTableID) { try await services.ec2.describeRouteTables(filters: $0) }
        }
    }

    func subnets() async throws -> [EC2Subnet] {
        try await cache.value("subnets") { [self] in
            try await inStackVPCs(tags: \.tags, id: \.subnetID) { try await services.ec2.describeSubnets(filters: $0) }
        }
    }

    /// Everything of one VPC-scoped type that carries the stack tag. Outside destroy the read
    /// is filtered by the stack's VPC ids and the tag is checked here: moto evaluates a tag
    /// filter about twice as slowly as a `vpc-id` filter (most of a no-op plan of 200 subnets
    /// went there), and a stack's subnets, tables, groups and ACLs live in its VPC. Destroy
    /// filters by tag, so it also finds what was tagged with the stack in any other VPC.
    func inStackVPCs<Item: Sendable>(tags: @escaping @Sendable (Item) -> [AWSTag], id: @escaping @Sendable (Item) -> String,
                                     describe: @escaping @Sendable ([AWSFilter]) async throws -> [Item]) async throws -> [Item] {
        if readsLeftoversOutsideStackVPCs { return try await describe([stackFilter]).filter { isOwned(tags($0)) } }
        let vpcIDs = try await vpcs().map(\.vpcID)
        guard !vpcIDs.isEmpty else { return [] }
        return try await describe([AWSFilter("vpc-id", vpcIDs)]).filter { belongs(tags($0), id: id($0)) }
    }
}

struct VPCProvider: ResourceProvider {
    let type = ResourceType.vpc
    let replacedOn = ["cidr": "a VPC's primary CIDR block cannot be changed"]

    /// The DNS attributes cost one DescribeVpcAttribute each, per VPC (a stack has one): they
    /// are worth it, since interface endpoints' private DNS stops resolving without them.
    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        let vpcs = try await context.vpcs()
        let dns = try await withThrowingTaskGroup(of: (String, (support: Bool, hostnames: Bool)).self) { group in
            for vpc in vpcs { group.addTask { (vpc.vpcID, try await context.services.ec2.describeVpcDNSAttributes(vpcID: vpc.vpcID)) } }
            var all: [String: (support: Bool, hostnames: Bool)] = [:]
            for try await (id, attributes) in group { all[id] = attributes }
            return all
        }
        return ProviderSupport.byAddressTag(vpcs, stack: context.stack, adoption: context.adoption, type: type, id: \.vpcID, tags: \.tags) { vpc in
            ObservedResource(address: "", type: type, awsID: vpc.vpcID, properties: [
                "cidr": .string(vpc.cidrBlock), "tags": comparableTags(vpc.tags),
                "enable_dns_support": .bool(dns[vpc.vpcID]?.support ?? false), "enable_dns_hostnames": .bool(dns[vpc.vpcID]?.hostnames ?? false),
            ])
        }
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["cidr": .string(desired.string("cidr")), "tags": desired.tags.propertyMap,
         "enable_dns_support": .bool(desired.bool("enable_dns_support")), "enable_dns_hostnames": .bool(desired.bool("enable_dns_hostnames"))]
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let vpc = try await context.services.ec2.createVpc(cidrBlock: desired.string("cidr"), tags: desired.tags)
        // A new (non-default) VPC has DNS support on and DNS hostnames off (AWS VPC user guide,
        // "DNS attributes for your VPC"; moto alike): only a value that differs costs a call.
        // Hostnames need support: support goes on first.
        if !desired.bool("enable_dns_support") {
            try await context.services.ec2.modifyVpcAttribute(vpcID: vpc.vpcID, enableDNSSupport: false)
        }
        if desired.bool("enable_dns_hostnames") {
            try await context.services.ec2.modifyVpcAttribute(vpcID: vpc.vpcID, enableDNSHostnames: true)
        }
        return ObservedResource(address: desired.address, type: type, awsID: vpc.vpcID, properties: comparable(desired))
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        // Hostnames need DNS support: support goes on first, and off last.
        let support = desired.bool("enable_dns_support"), hostnames = desired.bool("enable_dns_hostnames")
        if changed.contains("enable_dns_support") && support {
            try await context.services.ec2.modifyVpcAttribute(vpcID: observed.awsID, enableDNSSupport: true)
        }
        if changed.contains("enable_dns_hostnames") {
            try await context.services.ec2.modifyVpcAttribute(vpcID: observed.awsID, enableDNSHostnames: hostnames)
        }
        if changed.contains("enable_dns_support") && !support {
            try await context.services.ec2.modifyVpcAttribute(vpcID: observed.awsID, enableDNSSupport: false)
        }
        return try await updatingEC2Tags(desired, from: observed, context: context)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        try await ProviderSupport.ignoringNotFound { try await context.services.ec2.deleteVpc(id: observed.awsID) }
    }
}

struct InternetGatewayProvider: ResourceProvider {
    let type = ResourceType.internetGateway

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        let gateways = try await (context.services.ec2.describeInternetGateways(filters: [context.stackFilter]) + context.adopted("igw-") { try await context.services.ec2.describeInternetGateways(ids: $0) })
        return ProviderSupport.byAddressTag(gateways, stack: context.stack, adoption: context.adoption, type: type, id: \.internetGatewayID, tags: \.tags) { gateway in
            ObservedResource(address: "", type: type, awsID: gateway.internetGatewayID,
                             properties: ["vpc": .string(gateway.attachedVPCIDs.first ?? ""), "tags": comparableTags(gateway.tags)],
                             attributes: ["vpc": gateway.attachedVPCIDs.first ?? ""])
        }
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["vpc": .string(desired.string("vpc")), "tags": desired.tags.propertyMap]
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let gateway = try await context.services.ec2.createInternetGateway(tags: desired.tags)
        try await context.services.ec2.attachInternetGateway(id: gateway.internetGatewayID, vpcID: desired.string("vpc"))
        return ObservedResource(address: desired.address, type: type, awsID: gateway.internetGatewayID, properties: comparable(desired),
                                attributes: ["vpc": desired.string("vpc")])
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        if changed.contains("vpc") {
            if let attached = observed.attributes["vpc"], !attached.isEmpty {
                try await context.services.ec2.detachInternetGateway(id: observed.awsID, vpcID: attached)
            }
            try await context.services.ec2.attachInternetGateway(id: observed.awsID, vpcID: desired.string("vpc"))
        }
        if changed.contains("tags") { try await ProviderSupport.updateEC2Tags(desired, observed: observed, context: context) }
        return ObservedResource(address: desired.address, type: type, awsID: observed.awsID, properties: comparable(desired), attributes: ["vpc": desired.string("vpc")])
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        if let vpc = observed.attributes["vpc"], !vpc.isEmpty {
            do {
                try await ProviderSupport.ignoringNotFound { try await context.services.ec2.detachInternetGateway(id: observed.awsID, vpcID: vpc) }
            } catch let error as AWSError where error.code == "Gateway.NotAttached" {
                // Detached already: the answer to an earlier try was lost and the retry found it done.
            }
        }
        try await ProviderSupport.ignoringNotFound { try await context.services.ec2.deleteInternetGateway(id: observed.awsID) }
    }
}

struct SubnetProvider: ResourceProvider {
    let type = ResourceType.subnet
    let replacedOn = ["cidr": "a subnet's CIDR block cannot be changed", "az": "a subnet cannot move to another AZ",
                      "vpc": "a subnet cannot move to another VPC"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        ProviderSupport.byAddressTag(try await context.subnets(), stack: context.stack, adoption: context.adoption, type: type, id: \.subnetID, tags: \.tags) { subnet in
            ObservedResource(address: "", type: type, awsID: subnet.subnetID, properties: [
                "vpc": .string(subnet.vpcID), "cidr": .string(subnet.cidrBlock), "az": .string(subnet.availabilityZone),
                "map_public_ip_on_launch": .bool(subnet.mapPublicIPOnLaunch), "tags": comparableTags(subnet.tags),
            ])
        }
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["vpc": .string(desired.string("vpc")), "cidr": .string(desired.string("cidr")), "az": .string(desired.string("az")),
         "map_public_ip_on_launch": .bool(desired.bool("map_public_ip_on_launch")), "tags": desired.tags.propertyMap]
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let subnet = try await context.services.ec2.createSubnet(vpcID: desired.string("vpc"), cidrBlock: desired.string("cidr"),
                                                                  availabilityZone: desired.string("az"), tags: desired.tags)
        if desired.bool("map_public_ip_on_launch") {
            try await context.services.ec2.setMapPublicIPOnLaunch(subnetID: subnet.subnetID, true)
        }
        return ObservedResource(address: desired.address, type: type, awsID: subnet.subnetID, properties: comparable(desired))
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        if changed.contains("map_public_ip_on_launch") {
            try await context.services.ec2.setMapPublicIPOnLaunch(subnetID: observed.awsID, desired.bool("map_public_ip_on_launch"))
        }
        if changed.contains("tags") { try await ProviderSupport.updateEC2Tags(desired, observed: observed, context: context) }
        return ObservedResource(address: desired.address, type: type, awsID: observed.awsID, properties: comparable(desired))
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        try await ProviderSupport.ignoringNotFound { try await context.services.ec2.deleteSubnet(id: observed.awsID) }
    }
}

struct RouteTableProvider: ResourceProvider {
    let type = ResourceType.routeTable
    let replacedOn = ["vpc": "a route table cannot move to another VPC"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        ProviderSupport.byAddressTag(try await context.routeTables(), stack: context.stack, adoption: context.adoption, type: type, id: \.routeTableID, tags: \.tags) { table in
            ObservedResource(address: "", type: type, awsID: table.routeTableID, properties: ["vpc": .string(table.vpcID), "tags": comparableTags(table.tags)])
        }
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["vpc": .string(desired.string("vpc")), "tags": desired.tags.propertyMap]
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let table = try await context.services.ec2.createRouteTable(vpcID: desired.string("vpc"), tags: desired.tags)
        return ObservedResource(address: desired.address, type: type, awsID: table.routeTableID, properties: comparable(desired))
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        try await updatingEC2Tags(desired, from: observed, context: context)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        try await ProviderSupport.ignoringNotFound { try await context.services.ec2.deleteRouteTable(id: observed.awsID) }
    }
}

/// A route is identified by its table and destination; the id is `rtb-...|destination`.
struct RouteProvider: ResourceProvider {
    let type = ResourceType.route
    let readsAfterParents = true

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        var items: [(identity: String, observed: ObservedResource)] = []
        for table in try await context.routeTables() {
            for route in table.routes {
                // The local route comes with the table, and a gateway endpoint adds its own
                // prefix-list routes: neither is a route anyone created with CreateRoute.
                guard let destination = route.destinationCIDRBlock, route.gatewayID != "local", route.destinationPrefixListID == nil else { continue }
                let target = route.natGatewayID ?? route.gatewayID ?? route.vpcEndpointID ?? ""
                let id = CompositeID(table.routeTableID, destination).description
                items.append((id, ObservedResource(address: "", type: type, awsID: id, properties: [
                    "route_table": .string(table.routeTableID), "destination": .string(destination), "target": .string(target),
                ])))
            }
        }
        return ProviderSupport.matchByIdentity(items, desired: scope.desired, identity: { CompositeID($0.string("route_table"), $0.string("destination")).description },
                                               state: scope.state)
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["route_table": .string(desired.string("route_table")), "destination": .string(desired.string("destination")), "target": .string(desired.string("target"))]
    }

    static func target(_ id: String) -> EC2.RouteTarget {
        id.hasPrefix("nat-") ? .natGateway(id) : id.hasPrefix("vpce-") ? .vpcEndpoint(id) : .internetGateway(id)
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        try await context.services.ec2.createRoute(routeTableID: desired.string("route_table"), destinationCIDRBlock: desired.string("destination"),
                                                   target: Self.target(desired.string("target")))
        return ObservedResource(address: desired.address, type: type, awsID: CompositeID(desired.string("route_table"), desired.string("destination")).description,
                                properties: comparable(desired))
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        try await context.services.ec2.replaceRoute(routeTableID: desired.string("route_table"), destinationCIDRBlock: desired.string("destination"),
                                                    target: Self.target(desired.string("target")))
        return ObservedResource(address: desired.address, type: type, awsID: observed.awsID, properties: comparable(desired))
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        let parts = CompositeID(parsing: observed.awsID, maximumParts: 2).parts
        guard parts.count == 2 else { return }
        try await ProviderSupport.ignoringNotFound { try await context.services.ec2.deleteRoute(routeTableID: parts[0], destinationCIDRBlock: parts[1]) }
    }
}

struct RouteTableAssociationProvider: ResourceProvider {
    let type = ResourceType.routeTableAssociation
    let readsAfterParents = true
    let replacedOn = ["route_table": "the subnet is associated with another route table", "subnet": "an association belongs to one subnet"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        var items: [(identity: String, observed: ObservedResource)] = []
        for table in try await context.routeTables() {
            for association in table.associations where !association.isMain {
                guard let subnet = association.subnetID else { continue }
                items.append((subnet, ObservedResource(address: "", type: type, awsID: association.associationID,
                                                       properties: ["subnet": .string(subnet), "route_table": .string(table.routeTableID)])))
            }
        }
        return ProviderSupport.matchByIdentity(items, desired: scope.desired, identity: { $0.string("subnet") }, state: scope.state)
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["subnet": .string(desired.string("subnet")), "route_table": .string(desired.string("route_table"))]
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let id = try await context.services.ec2.associateRouteTable(routeTableID: desired.string("route_table"), subnetID: desired.string("subnet"))
        return ObservedResource(address: desired.address, type: type, awsID: id, properties: comparable(desired))
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        try await ProviderSupport.ignoringNotFound { try await context.services.ec2.disassociateRouteTable(associationID: observed.awsID) }
    }
}

struct ElasticIPProvider: ResourceProvider {
    let type = ResourceType.elasticIP

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        let addresses = try await (context.services.ec2.describeAddresses(filters: [context.stackFilter]) + context.adopted("eipalloc-") { try await context.services.ec2.describeAddresses(allocationIDs: $0) })
        return ProviderSupport.byAddressTag(addresses, stack: context.stack, adoption: context.adoption, type: type, id: \.allocationID, tags: \.tags) { address in
            ObservedResource(address: "", type: type, awsID: address.allocationID, properties: ["tags": comparableTags(address.tags)],
                             attributes: ["public_ip": address.publicIP])
        }
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] { ["tags": desired.tags.propertyMap] }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let address = try await context.services.ec2.allocateAddress(tags: desired.tags)
        return ObservedResource(address: desired.address, type: type, awsID: address.allocationID, properties: comparable(desired),
                                attributes: ["public_ip": address.publicIP])
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        try await ProviderSupport.updateEC2Tags(desired, observed: observed, context: context)
        return updated(observed, to: desired)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        try await ProviderSupport.ignoringNotFound { try await context.services.ec2.releaseAddress(allocationID: observed.awsID) }
    }
}

struct NATGatewayProvider: ResourceProvider {
    let type = ResourceType.natGateway
    let replacedOn = ["subnet": "a NAT gateway cannot move to another subnet", "eip": "a NAT gateway keeps its Elastic IP for life"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        // Deleted NAT gateways stay visible for about an hour in state `deleted`; they are gone.
        let gateways = try await (context.services.ec2.describeNatGateways(filters: [context.stackFilter]) + context.adopted("nat-") { try await context.services.ec2.describeNatGateways(ids: $0) })
            .filter { !["deleted", "deleting", "failed"].contains($0.state) }
        return ProviderSupport.byAddressTag(gateways, stack: context.stack, adoption: context.adoption, type: type, id: \.natGatewayID, tags: \.tags) { gateway in
            ObservedResource(address: "", type: type, awsID: gateway.natGatewayID, properties: [
                "subnet": .string(gateway.subnetID), "eip": .string(gateway.allocationIDs.first ?? ""), "tags": comparableTags(gateway.tags),
            ])
        }
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["subnet": .string(desired.string("subnet")), "eip": .string(desired.string("eip")), "tags": desired.tags.propertyMap]
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let gateway = try await context.services.ec2.createNatGateway(subnetID: desired.string("subnet"), allocationID: desired.string("eip"),
                                                                      connectivityType: desired.string("connectivity").isEmpty ? "public" : desired.string("connectivity"),
                                                                      tags: desired.tags)
        // Routes to a pending NAT gateway are accepted but carry nothing; wait as Terraform does.
        try await context.waiter.wait(for: "NAT gateway \(gateway.natGatewayID) (\(desired.address))") {
            let state = try await context.services.ec2.describeNatGateways(ids: [gateway.natGatewayID]).first?.state ?? "missing"
            if state == "failed" {
                throw AWSError(kind: .client, service: "ec2", action: "CreateNatGateway", code: "NatGatewayFailed", message: "the NAT gateway \(gateway.natGatewayID) failed")
            }
            return (state == "available", state)
        }
        return ObservedResource(address: desired.address, type: type, awsID: gateway.natGatewayID, properties: comparable(desired))
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        try await updatingEC2Tags(desired, from: observed, context: context)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        try await ProviderSupport.ignoringNotFound { try await context.services.ec2.deleteNatGateway(id: observed.awsID) }
        // Its Elastic IP and subnet can go only once it is deleted.
        try await context.waiter.wait(for: "deletion of NAT gateway \(observed.awsID)") {
            let state = try await context.services.ec2.describeNatGateways(ids: [observed.awsID]).first?.state ?? "deleted"
            return (state == "deleted", state)
        }
        // AWS frees the Elastic IP with the gateway. moto leaves it associated with the deleted
        // gateway's interface, and then refuses a new gateway on it (Resource.AlreadyAssociated).
        let allocation = observed.properties["eip"]?.stringValue ?? ""
        guard !allocation.isEmpty else { return }
        try await ProviderSupport.ignoringNotFound {
            if let association = try await context.services.ec2.describeAddresses(allocationIDs: [allocation]).first?.associationID {
                try await context.services.ec2.disassociateAddress(associationID: association)
            }
        }
    }
}

struct VPCEndpointProvider: ResourceProvider {
    let type = ResourceType.vpcEndpoint
    let replacedOn = ["service_name": "an endpoint serves one service", "type": "an endpoint's type is fixed",
                      "route_tables": "netloom recreates an endpoint whose route tables changed",
                      "subnets": "netloom recreates an endpoint whose subnets changed", "security_groups": "netloom recreates an endpoint whose groups changed"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        let endpoints = try await (context.services.ec2.describeVpcEndpoints(filters: [context.stackFilter]) + context.adopted("vpce-") { try await context.services.ec2.describeVpcEndpoints(ids: $0) })
            .filter { !["deleted", "deleting", "failed", "rejected"].contains($0.state.lowercased()) }
        return ProviderSupport.byAddressTag(endpoints, stack: context.stack, adoption: context.adoption, type: type, id: \.vpcEndpointID, tags: \.tags) { endpoint in
            ObservedResource(address: "", type: type, awsID: endpoint.vpcEndpointID, properties: [
                "service_name": .string(endpoint.serviceName), "type": .string(endpoint.endpointType),
                "route_tables": ProviderSupport.sortedIDs(endpoint.routeTableIDs), "subnets": ProviderSupport.sortedIDs(endpoint.subnetIDs),
                "security_groups": ProviderSupport.sortedIDs(endpoint.securityGroupIDs), "tags": comparableTags(endpoint.tags),
            ])
        }
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["service_name": .string(desired.string("service_name")), "type": .string(desired.string("type")),
         "route_tables": ProviderSupport.sortedIDs(desired.strings("route_tables")), "subnets": ProviderSupport.sortedIDs(desired.strings("subnets")),
         "security_groups": ProviderSupport.sortedIDs(desired.strings("security_groups")), "tags": desired.tags.propertyMap]
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let interface = desired.string("type") == "Interface"
        let endpoint = try await context.services.ec2.createVpcEndpoint(
            vpcID: desired.string("vpc"), serviceName: desired.string("service_name"), type: desired.string("type"),
            routeTableIDs: desired.strings("route_tables"), subnetIDs: desired.strings("subnets"), securityGroupIDs: desired.strings("security_groups"),
            privateDNSEnabled: interface ? desired.bool("private_dns") : nil, tags: desired.tags)
        return ObservedResource(address: desired.address, type: type, awsID: endpoint.vpcEndpointID, properties: comparable(desired))
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        try await updatingEC2Tags(desired, from: observed, context: context)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        do {
            try await context.services.ec2.deleteVpcEndpoints(ids: [observed.awsID])
        } catch let error as AWSError where error.code.hasPrefix("InvalidVpcEndpointId") {
            return
        } catch let error as AWSError where error.isNotFound {
            // Not the endpoint but one of its routes or route tables is gone (moto removes each route
            // table's prefix-list route first and gives up at the first missing one, leaving the
            // endpoint in place). Detach the route tables, then delete: taking this error for
            // "already deleted" would leave the endpoint behind.
            let tables = observed.properties["route_tables"]?.listValue?.compactMap(\.stringValue) ?? []
            guard !tables.isEmpty else { throw error }
            try await context.services.ec2.modifyVpcEndpoint(id: observed.awsID, removeRouteTableIDs: tables)
            try await ProviderSupport.ignoringNotFound { try await context.services.ec2.deleteVpcEndpoints(ids: [observed.awsID]) }
        }
    }
}

struct FlowLogProvider: ResourceProvider {
    let type = ResourceType.flowLog
    let replacedOn = ["vpc": "a flow log watches one resource", "log_group": "a flow log's destination is fixed", "traffic_type": "a flow log's traffic type is fixed"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        let logs = try await context.services.ec2.describeFlowLogs(filters: [context.stackFilter])
        return ProviderSupport.byAddressTag(logs, stack: context.stack, adoption: context.adoption, type: type, id: \.flowLogID, tags: \.tags) { log in
            ObservedResource(address: "", type: type, awsID: log.flowLogID, properties: [
                "vpc": .string(log.resourceID), "log_group": .string(log.logGroupName ?? ""), "traffic_type": .string(log.trafficType),
                "tags": comparableTags(log.tags),
            ])
        }
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["vpc": .string(desired.string("vpc")), "log_group": .string(desired.string("log_group")), "traffic_type": .string(desired.string("traffic_type")),
         "tags": desired.tags.propertyMap]
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        // The role's id in the state is its name; the permission needs its ARN.
        let roleARN = "arn:aws:iam::\(context.accountID):role/netloom/\(context.stack)/\(desired.string("role"))"
        let ids = try await context.services.ec2.createFlowLogs(vpcID: desired.string("vpc"), trafficType: desired.string("traffic_type"),
                                                                logGroupName: desired.string("log_group"), deliverLogsPermissionARN: roleARN, tags: desired.tags)
        // The client refuses an answer without a flow log id, so there is one.
        return ObservedResource(address: desired.address, type: type, awsID: ids[0], properties: comparable(desired))
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        try await updatingEC2Tags(desired, from: observed, context: context)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        try await ProviderSupport.ignoringNotFound { try await context.services.ec2.deleteFlowLogs(ids: [observed.awsID]) }
    }
}

struct PlacementGroupProvider: ResourceProvider {
    let type = ResourceType.placementGroup
    let replacedOn = ["strategy": "a placement group's strategy is fixed"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        guard !scope.desired.isEmpty || scope.state.values.contains(where: { $0.type == type }) else { return [] }
        let groups: [EC2PlacementGroup]
        do {
            groups = try await context.services.ec2.describePlacementGroups(filters: [context.stackFilter])
        } catch let error as AWSError where error.kind == .notImplemented {
            // moto answers some placement-group calls with an HTML 500; reading nothing lets
            // the create report the failure against the resource's address.
            return []
        }
        return ProviderSupport.byAddressTag(groups, stack: context.stack, adoption: context.adoption, type: type, id: \.groupName, tags: \.tags) { group in
            ObservedResource(address: "", type: type, awsID: group.groupName, properties: ["strategy": .string(group.strategy), "tags": comparableTags(group.tags)],
                             attributes: group.groupID.isEmpty ? [:] : ["group_id": group.groupID])
        }
    }

    /// Only the tags change in place. EC2 tags a placement group by its `pg-` id, not its name.
    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        guard changed.contains("tags") else { return updated(observed, to: desired) }
        var groupID = observed.attributes["group_id"] ?? ""
        if groupID.isEmpty {
            groupID = try await context.services.ec2.describePlacementGroups(names: [observed.awsID]).first?.groupID ?? ""
        }
        guard !groupID.isEmpty else {
            throw AWSError(kind: .invalidAnswer, service: "ec2", action: "DescribePlacementGroups", statusCode: 200,
                           message: "placement group \(observed.awsID) has no groupId to tag it by")
        }
        try await ProviderSupport.updateTags(desired, observed: observed,
                                             tag: { try await context.services.ec2.createTags(resourceIDs: [groupID], tags: $0) },
                                             untag: { try await context.services.ec2.deleteTags(resourceIDs: [groupID], keys: $0) })
        return updated(observed, to: desired)
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["strategy": .string(desired.string("strategy")), "tags": desired.tags.propertyMap]
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        try await context.services.ec2.createPlacementGroup(name: desired.string("name"), strategy: desired.string("strategy"), tags: desired.tags)
        return ObservedResource(address: desired.address, type: type, awsID: desired.string("name"), properties: comparable(desired))
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        try await ProviderSupport.ignoringNotFound { try await context.services.ec2.deletePlacementGroup(name: observed.awsID) }
    }
}

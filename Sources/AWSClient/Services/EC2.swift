import Foundation

/// Amazon EC2 (VPC networking and instances) over the EC2 flavour of the Query protocol.
///
/// Creates take `tags`, sent as `TagSpecification` so a resource is never untagged (a crash
/// between create and CreateTags would leave an orphan no tag filter can find). Describes take
/// filters (for example `.tag("netloom:stack", name)`) and follow `NextToken` to the end.
public struct EC2: Sendable {
    public let core: AWSClientCore

    public init(core: AWSClientCore) {
        self.core = core
    }

    /// A fresh idempotency token. EC2 remembers a ClientToken for a while and answers a repeat
    /// with the first call's result, which is what makes retrying a create safe.
    public static func newClientToken() -> String {
        UUID().uuidString.lowercased()
    }

    /// Any EC2 action; returns the answer's root element (EC2 answers have no Result wrapper).
    public func call(action: String, parameters: AWSQueryParameters = AWSQueryParameters()) async throws -> AWSXMLNode {
        try await core.queryCall(service: .ec2, action: action, parameters: parameters)
    }

    /// Runs a Describe* action over all pages and returns the `<item>`s of `setName`.
    public func describeAll(action: String, setName: String, ids: [String] = [], idParameter: String? = nil,
                            filters: [AWSFilter] = [], parameters: AWSQueryParameters = AWSQueryParameters()) async throws -> [AWSXMLNode] {
        var base = parameters
        if let idParameter { base.setEC2List(idParameter, ids) }
        base.setFilters(filters)
        return try await AWSPaging.collect { token in
            var page = base
            page.set("NextToken", token)
            let root = try await call(action: action, parameters: page)
            return (root[setName].items, root.text("nextToken"))
        }
    }

    // MARK: VPC

    public func createVpc(cidrBlock: String, tags: [AWSTag] = []) async throws -> EC2Vpc {
        var parameters = AWSQueryParameters()
        parameters.set("CidrBlock", cidrBlock)
        parameters.setTagSpecification(resourceType: "vpc", tags: tags)
        let vpc = EC2Vpc(xml: try await call(action: "CreateVpc", parameters: parameters)["vpc"])
        try require(vpc.vpcID, "vpcId", "CreateVpc")
        return vpc
    }

    public func describeVpcs(ids: [String] = [], filters: [AWSFilter] = []) async throws -> [EC2Vpc] {
        try await describeAll(action: "DescribeVpcs", setName: "vpcSet", ids: ids, idParameter: "VpcId", filters: filters).map(EC2Vpc.init(xml:))
    }

    /// `EnableDnsSupport` / `EnableDnsHostnames` take one attribute per call.
    public func modifyVpcAttribute(vpcID: String, enableDNSSupport: Bool? = nil, enableDNSHostnames: Bool? = nil) async throws {
        if let enableDNSSupport {
            _ = try await call(action: "ModifyVpcAttribute", parameters: ["VpcId": vpcID, "EnableDnsSupport.Value": enableDNSSupport ? "true" : "false"])
        }
        if let enableDNSHostnames {
            _ = try await call(action: "ModifyVpcAttribute", parameters: ["VpcId": vpcID, "EnableDnsHostnames.Value": enableDNSHostnames ? "true" : "false"])
        }
    }

    /// The two DNS attributes of a VPC, which `DescribeVpcs` leaves out (one call each).
    public func describeVpcDNSAttributes(vpcID: String) async throws -> (support: Bool, hostnames: Bool) {
        async let support = call(action: "DescribeVpcAttribute", parameters: ["VpcId": vpcID, "Attribute": "enableDnsSupport"])
        async let hostnames = call(action: "DescribeVpcAttribute", parameters: ["VpcId": vpcID, "Attribute": "enableDnsHostnames"])
        return (try await support["enableDnsSupport"].bool("value") ?? false, try await hostnames["enableDnsHostnames"].bool("value") ?? false)
    }

    public func deleteVpc(id: String) async throws {
        _ = try await call(action: "DeleteVpc", parameters: ["VpcId": id])
    }

    // MARK: Subnet

    public func createSubnet(vpcID: String, cidrBlock: String, availabilityZone: String? = nil, tags: [AWSTag] = []) async throws -> EC2Subnet {
        var parameters: AWSQueryParameters = ["VpcId": vpcID, "CidrBlock": cidrBlock]
        parameters.set("AvailabilityZone", availabilityZone)
        parameters.setTagSpecification(resourceType: "subnet", tags: tags)
        let subnet = EC2Subnet(xml: try await call(action: "CreateSubnet", parameters: parameters)["subnet"])
        try require(subnet.subnetID, "subnetId", "CreateSubnet")
        return subnet
    }

    public func describeSubnets(ids: [String] = [], filters: [AWSFilter] = []) async throws -> [EC2Subnet] {
        try await describeAll(action: "DescribeSubnets", setName: "subnetSet", ids: ids, idParameter: "SubnetId", filters: filters).map(EC2Subnet.init(xml:))
    }

    public func setMapPublicIPOnLaunch(subnetID: String, _ enabled: Bool) async throws {
        _ = try await call(action: "ModifySubnetAttribute", parameters: ["SubnetId": subnetID, "MapPublicIpOnLaunch.Value": enabled ? "true" : "false"])
    }

    public func deleteSubnet(id: String) async throws {
        _ = try await call(action: "DeleteSubnet", parameters: ["SubnetId": id])
    }

    // MARK: Internet gateway

    public func createInternetGateway(tags: [AWSTag] = []) async throws -> EC2InternetGateway {
        var parameters = AWSQueryParameters()
        parameters.setTagSpecification(resourceType: "internet-gateway", tags: tags)
        let gateway = EC2InternetGateway(xml: try await call(action: "CreateInternetGateway", parameters: parameters)["internetGateway"])
        try require(gateway.internetGatewayID, "internetGatewayId", "CreateInternetGateway")
        return gateway
    }

    public func attachInternetGateway(id: String, vpcID: String) async throws {
        _ = try await call(action: "AttachInternetGateway", parameters: ["InternetGatewayId": id, "VpcId": vpcID])
    }

    public func detachInternetGateway(id: String, vpcID: String) async throws {
        _ = try await call(action: "DetachInternetGateway", parameters: ["InternetGatewayId": id, "VpcId": vpcID])
    }

    public func describeInternetGateways(ids: [String] = [], filters: [AWSFilter] = []) async throws -> [EC2InternetGateway] {
        try await describeAll(action: "DescribeInternetGateways", setName: "internetGatewaySet", ids: ids, idParameter: "InternetGatewayId", filters: filters)
            .map(EC2InternetGateway.init(xml:))
    }

    public func deleteInternetGateway(id: String) async throws {
        _ = try await call(action: "DeleteInternetGateway", parameters: ["InternetGatewayId": id])
    }

    // MARK: Elastic IP

    public func allocateAddress(tags: [AWSTag] = []) async throws -> EC2Address {
        var parameters: AWSQueryParameters = ["Domain": "vpc"]
        parameters.setTagSpecification(resourceType: "elastic-ip", tags: tags)
        var address = EC2Address(xml: try await call(action: "AllocateAddress", parameters: parameters))
        try require(address.allocationID, "allocationId", "AllocateAddress")
        address.tags = tags
        return address
    }

    /// DescribeAddresses does not page.
    public func describeAddresses(allocationIDs: [String] = [], filters: [AWSFilter] = []) async throws -> [EC2Address] {
        var parameters = AWSQueryParameters()
        parameters.setEC2List("AllocationId", allocationIDs)
        parameters.setFilters(filters)
        return try await call(action: "DescribeAddresses", parameters: parameters)["addressesSet"].items.map(EC2Address.init(xml:))
    }

    public func disassociateAddress(associationID: String) async throws {
        _ = try await call(action: "DisassociateAddress", parameters: ["AssociationId": associationID])
    }

    public func releaseAddress(allocationID: String) async throws {
        _ = try await call(action: "ReleaseAddress", parameters: ["AllocationId": allocationID])
    }

    // MARK: NAT gateway

    /// `allocationID` is required for a public NAT gateway and absent for a private one.
    /// `clientToken` makes the create idempotent: the core's retries resend the same token, so
    /// a create whose answer was lost does not make a second NAT gateway.
    public func createNatGateway(subnetID: String, allocationID: String?, connectivityType: String = "public", tags: [AWSTag] = [],
                                 clientToken: String = EC2.newClientToken()) async throws -> EC2NatGateway {
        var parameters: AWSQueryParameters = ["SubnetId": subnetID, "ConnectivityType": connectivityType, "ClientToken": clientToken]
        parameters.set("AllocationId", allocationID)
        parameters.setTagSpecification(resourceType: "natgateway", tags: tags)
        let gateway = EC2NatGateway(xml: try await call(action: "CreateNatGateway", parameters: parameters)["natGateway"])
        try require(gateway.natGatewayID, "natGatewayId", "CreateNatGateway")
        return gateway
    }

    public func describeNatGateways(ids: [String] = [], filters: [AWSFilter] = []) async throws -> [EC2NatGateway] {
        try await describeAll(action: "DescribeNatGateways", setName: "natGatewaySet", ids: ids, idParameter: "NatGatewayId", filters: filters)
            .map(EC2NatGateway.init(xml:))
    }

    public func deleteNatGateway(id: String) async throws {
        _ = try await call(action: "DeleteNatGateway", parameters: ["NatGatewayId": id])
    }

    // MARK: Route tables and routes

    public func createRouteTable(vpcID: String, tags: [AWSTag] = []) async throws -> EC2RouteTable {
        var parameters: AWSQueryParameters = ["VpcId": vpcID]
        parameters.setTagSpecification(resourceType: "route-table", tags: tags)
        let table = EC2RouteTable(xml: try await call(action: "CreateRouteTable", parameters: parameters)["routeTable"])
        try require(table.routeTableID, "routeTableId", "CreateRouteTable")
        return table
    }

    public func describeRouteTables(ids: [String] = [], filters: [AWSFilter] = []) async throws -> [EC2RouteTable] {
        try await describeAll(action: "DescribeRouteTables", setName: "routeTableSet", ids: ids, idParameter: "RouteTableId", filters: filters)
            .map(EC2RouteTable.init(xml:))
    }

    public func deleteRouteTable(id: String) async throws {
        _ = try await call(action: "DeleteRouteTable", parameters: ["RouteTableId": id])
    }

    /// Where a route sends traffic.
    public enum RouteTarget: Sendable, Hashable {
        case internetGateway(String)
        case natGateway(String)
        case vpcEndpoint(String)
        case networkInterface(String)
        case transitGateway(String)
        case vpcPeering(String)

        func write(to parameters: inout AWSQueryParameters) {
            switch self {
            case .internetGateway(let id): parameters.set("GatewayId", id)
            case .natGateway(let id): parameters.set("NatGatewayId", id)
            case .vpcEndpoint(let id): parameters.set("VpcEndpointId", id)
            case .networkInterface(let id): parameters.set("NetworkInterfaceId", id)
            case .transitGateway(let id): parameters.set("TransitGatewayId", id)
            case .vpcPeering(let id): parameters.set("VpcPeeringConnectionId", id)
            }
        }
    }

    public func createRoute(routeTableID: String, destinationCIDRBlock: String, target: RouteTarget) async throws {
        var parameters: AWSQueryParameters = ["RouteTableId": routeTableID, "DestinationCidrBlock": destinationCIDRBlock]
        target.write(to: &parameters)
        _ = try await call(action: "CreateRoute", parameters: parameters)
    }

    public func replaceRoute(routeTableID: String, destinationCIDRBlock: String, target: RouteTarget) async throws {
        var parameters: AWSQueryParameters = ["RouteTableId": routeTableID, "DestinationCidrBlock": destinationCIDRBlock]
        target.write(to: &parameters)
        _ = try await call(action: "ReplaceRoute", parameters: parameters)
    }

    public func deleteRoute(routeTableID: String, destinationCIDRBlock: String) async throws {
        _ = try await call(action: "DeleteRoute", parameters: ["RouteTableId": routeTableID, "DestinationCidrBlock": destinationCIDRBlock])
    }

    /// Returns the association id.
    public func associateRouteTable(routeTableID: String, subnetID: String) async throws -> String {
        try require(try await call(action: "AssociateRouteTable", parameters: ["RouteTableId": routeTableID, "SubnetId": subnetID]).text("associationId"),
                    "associationId", "AssociateRouteTable")
    }

    public func disassociateRouteTable(associationID: String) async throws {
        _ = try await call(action: "DisassociateRouteTable", parameters: ["AssociationId": associationID])
    }

    // MARK: VPC endpoints

    /// A gateway endpoint (S3, DynamoDB) adds routes to `routeTableIDs`; an interface endpoint
    /// puts network interfaces in `subnetIDs` behind `securityGroupIDs`.
    public func createVpcEndpoint(vpcID: String, serviceName: String, type: String, routeTableIDs: [String] = [], subnetIDs: [String] = [],
                                  securityGroupIDs: [String] = [], privateDNSEnabled: Bool? = nil, tags: [AWSTag] = [],
                                  clientToken: String = EC2.newClientToken()) async throws -> EC2VpcEndpoint {
        var parameters: AWSQueryParameters = ["VpcId": vpcID, "ServiceName": serviceName, "VpcEndpointType": type, "ClientToken": clientToken]
        parameters.setEC2List("RouteTableId", routeTableIDs)
        parameters.setEC2List("SubnetId", subnetIDs)
        parameters.setEC2List("SecurityGroupId", securityGroupIDs)
        parameters.set("PrivateDnsEnabled", privateDNSEnabled)
        parameters.setTagSpecification(resourceType: "vpc-endpoint", tags: tags)
        let created = EC2VpcEndpoint(xml: try await call(action: "CreateVpcEndpoint", parameters: parameters)["vpcEndpoint"])
        try require(created.vpcEndpointID, "vpcEndpointId", "CreateVpcEndpoint")
        return created
    }

    public func describeVpcEndpoints(ids: [String] = [], filters: [AWSFilter] = []) async throws -> [EC2VpcEndpoint] {
        try await describeAll(action: "DescribeVpcEndpoints", setName: "vpcEndpointSet", ids: ids, idParameter: "VpcEndpointId", filters: filters)
            .map(EC2VpcEndpoint.init(xml:))
    }

    /// Detaches route tables from a gateway endpoint (which removes its prefix-list routes).
    public func modifyVpcEndpoint(id: String, removeRouteTableIDs: [String]) async throws {
        var parameters: AWSQueryParameters = ["VpcEndpointId": id]
        parameters.setEC2List("RemoveRouteTableId", removeRouteTableIDs)
        _ = try await call(action: "ModifyVpcEndpoint", parameters: parameters)
    }

    public func deleteVpcEndpoints(ids: [String]) async throws {
        var parameters = AWSQueryParameters()
        parameters.setEC2List("VpcEndpointId", ids)
        _ = try await call(action: "DeleteVpcEndpoints", parameters: parameters)
    }

    // MARK: Security groups

    /// Returns the group id.
    public func createSecurityGroup(name: String, description: String, vpcID: String, tags: [AWSTag] = []) async throws -> String {
        var parameters: AWSQueryParameters = ["GroupName": name, "GroupDescription": description, "VpcId": vpcID]
        parameters.setTagSpecification(resourceType: "security-group", tags: tags)
        return try require(try await call(action: "CreateSecurityGroup", parameters: parameters).text("groupId"), "groupId", "CreateSecurityGroup")
    }

    public func describeSecurityGroups(ids: [String] = [], filters: [AWSFilter] = []) async throws -> [EC2SecurityGroup] {
        try await describeAll(action: "DescribeSecurityGroups", setName: "securityGroupInfo", ids: ids, idParameter: "GroupId", filters: filters)
            .map(EC2SecurityGroup.init(xml:))
    }

    public func deleteSecurityGroup(id: String) async throws {
        _ = try await call(action: "DeleteSecurityGroup", parameters: ["GroupId": id])
    }

    /// Rules of one group (filter `group-id`), both directions.
    public func describeSecurityGroupRules(groupID: String) async throws -> [EC2SecurityGroupRule] {
        try await describeSecurityGroupRules(groupIDs: [groupID])
    }

    /// Rules of several groups in one call (filter `group-id` with every id; AWS takes up to
    /// 200 values per filter, callers send at most 100).
    public func describeSecurityGroupRules(groupIDs: [String]) async throws -> [EC2SecurityGroupRule] {
        try await describeAll(action: "DescribeSecurityGroupRules", setName: "securityGroupRuleSet", filters: [AWSFilter("group-id", groupIDs)])
            .map { try EC2SecurityGroupRule(decoding: $0, action: "DescribeSecurityGroupRules") }
    }

    /// Returns the new rules (with their ids) when the service reports them.
    @discardableResult
    public func authorizeIngress(groupID: String, permissions: [EC2SecurityGroupPermission], tags: [AWSTag] = []) async throws -> [EC2SecurityGroupRule] {
        try await authorize(groupID: groupID, egress: false, permissions: permissions, tags: tags)
    }

    @discardableResult
    public func authorizeEgress(groupID: String, permissions: [EC2SecurityGroupPermission], tags: [AWSTag] = []) async throws -> [EC2SecurityGroupRule] {
        try await authorize(groupID: groupID, egress: true, permissions: permissions, tags: tags)
    }

    /// `AuthorizeSecurityGroupIngress`/`Egress` with many permissions in one call (AWS applies
    /// all or none of them). `tags` go on every new rule (`TagSpecification` of type
    /// `security-group-rule`). Returns the rules the answer lists, each with its id; AWS lists
    /// them all, moto only the last permission's.
    @discardableResult
    public func authorize(groupID: String, egress: Bool, permissions: [EC2SecurityGroupPermission], tags: [AWSTag] = []) async throws -> [EC2SecurityGroupRule] {
        let action = egress ? "AuthorizeSecurityGroupEgress" : "AuthorizeSecurityGroupIngress"
        var parameters = Self.permissionParameters(groupID: groupID, permissions: permissions)
        parameters.setTagSpecification(resourceType: "security-group-rule", tags: tags)
        return try await call(action: action, parameters: parameters)["securityGroupRuleSet"].items
            .map { try EC2SecurityGroupRule(decoding: $0, action: action) }
    }

    public func revokeIngress(groupID: String, permissions: [EC2SecurityGroupPermission]) async throws {
        _ = try await call(action: "RevokeSecurityGroupIngress", parameters: Self.permissionParameters(groupID: groupID, permissions: permissions))
    }

    public func revokeEgress(groupID: String, permissions: [EC2SecurityGroupPermission]) async throws {
        _ = try await call(action: "RevokeSecurityGroupEgress", parameters: Self.permissionParameters(groupID: groupID, permissions: permissions))
    }

    /// Revokes by `SecurityGroupRuleId.N`, which names a rule exactly; many rules of one group
    /// and direction go in one call (all or none: one unknown id fails the call).
    public func revokeRules(groupID: String, ruleIDs: [String], egress: Bool) async throws {
        var parameters: AWSQueryParameters = ["GroupId": groupID]
        parameters.setEC2List("SecurityGroupRuleId", ruleIDs)
        _ = try await call(action: egress ? "RevokeSecurityGroupEgress" : "RevokeSecurityGroupIngress", parameters: parameters)
    }

    /// `UpdateSecurityGroupRuleDescriptionsIngress`/`Egress`: the permissions name the rules
    /// (protocol, ports, peer) and carry their new descriptions.
    public func updateRuleDescriptions(groupID: String, egress: Bool, permissions: [EC2SecurityGroupPermission]) async throws {
        _ = try await call(action: egress ? "UpdateSecurityGroupRuleDescriptionsEgress" : "UpdateSecurityGroupRuleDescriptionsIngress",
                           parameters: Self.permissionParameters(groupID: groupID, permissions: permissions))
    }

    static func permissionParameters(groupID: String, permissions: [EC2SecurityGroupPermission]) -> AWSQueryParameters {
        var parameters: AWSQueryParameters = ["GroupId": groupID]
        for (index, permission) in permissions.enumerated() {
            permission.write(to: &parameters, index: index + 1)
        }
        return parameters
    }

    /// Managed prefix lists by name (`com.amazonaws.us-east-1.s3`).
    public func describePrefixLists(names: [String]) async throws -> [EC2PrefixList] {
        try await describeAll(action: "DescribePrefixLists", setName: "prefixListSet", filters: [AWSFilter("prefix-list-name", names)])
            .map { try EC2PrefixList(decoding: $0, action: "DescribePrefixLists") }
    }

    // MARK: Network ACLs

    public func createNetworkACL(vpcID: String, tags: [AWSTag] = []) async throws -> EC2NetworkACL {
        var parameters: AWSQueryParameters = ["VpcId": vpcID]
        parameters.setTagSpecification(resourceType: "network-acl", tags: tags)
        let acl = EC2NetworkACL(xml: try await call(action: "CreateNetworkAcl", parameters: parameters)["networkAcl"])
        try require(acl.networkACLID, "networkAclId", "CreateNetworkAcl")
        return acl
    }

    public func describeNetworkACLs(ids: [String] = [], filters: [AWSFilter] = []) async throws -> [EC2NetworkACL] {
        try await describeAll(action: "DescribeNetworkAcls", setName: "networkAclSet", ids: ids, idParameter: "NetworkAclId", filters: filters)
            .map(EC2NetworkACL.init(xml:))
    }

    public func deleteNetworkACL(id: String) async throws {
        _ = try await call(action: "DeleteNetworkAcl", parameters: ["NetworkAclId": id])
    }

    public func createNetworkACLEntry(networkACLID: String, entry: EC2NetworkACLEntry) async throws {
        _ = try await call(action: "CreateNetworkAclEntry", parameters: entryParameters(networkACLID, entry))
    }

    public func replaceNetworkACLEntry(networkACLID: String, entry: EC2NetworkACLEntry) async throws {
        _ = try await call(action: "ReplaceNetworkAclEntry", parameters: entryParameters(networkACLID, entry))
    }

    public func deleteNetworkACLEntry(networkACLID: String, ruleNumber: Int, egress: Bool) async throws {
        _ = try await call(action: "DeleteNetworkAclEntry", parameters: [
            "NetworkAclId": networkACLID, "RuleNumber": String(ruleNumber), "Egress": egress ? "true" : "false",
        ])
    }

    /// Moves a subnet to another ACL: `associationID` is the subnet's current ACL association
    /// (every subnet has exactly one); returns the new association id.
    public func replaceNetworkACLAssociation(associationID: String, networkACLID: String) async throws -> String {
        try require(try await call(action: "ReplaceNetworkAclAssociation", parameters: ["AssociationId": associationID, "NetworkAclId": networkACLID])
            .text("newAssociationId"), "newAssociationId", "ReplaceNetworkAclAssociation")
    }

    private func entryParameters(_ networkACLID: String, _ entry: EC2NetworkACLEntry) -> AWSQueryParameters {
        var parameters: AWSQueryParameters = [
            "NetworkAclId": networkACLID, "RuleNumber": String(entry.ruleNumber), "Protocol": entry.ipProtocol,
            "RuleAction": entry.ruleAction, "Egress": entry.isEgress ? "true" : "false",
        ]
        parameters.set("CidrBlock", entry.cidrBlock)
        parameters.set("PortRange.From", entry.fromPort)
        parameters.set("PortRange.To", entry.toPort)
        return parameters
    }

    // MARK: Flow logs

    /// Flow logs of a VPC to a CloudWatch Logs group (delivered with `deliverLogsPermissionARN`)
    /// or to an S3 bucket ARN. Returns the flow log ids.
    public func createFlowLogs(vpcID: String, trafficType: String, logGroupName: String? = nil, deliverLogsPermissionARN: String? = nil,
                               s3DestinationARN: String? = nil, tags: [AWSTag] = [], clientToken: String = EC2.newClientToken()) async throws -> [String] {
        var parameters: AWSQueryParameters = ["ResourceId.1": vpcID, "ResourceType": "VPC", "TrafficType": trafficType, "ClientToken": clientToken]
        if let s3DestinationARN {
            parameters.set("LogDestinationType", "s3")
            parameters.set("LogDestination", s3DestinationARN)
        } else {
            parameters.set("LogDestinationType", "cloud-watch-logs")
            parameters.set("LogGroupName", logGroupName)
            parameters.set("DeliverLogsPermissionArn", deliverLogsPermissionARN)
        }
        parameters.setTagSpecification(resourceType: "vpc-flow-log", tags: tags)
        let root = try await call(action: "CreateFlowLogs", parameters: parameters)
        let failures = root["unsuccessful"].items
        if let failure = failures.first {
            let error = failure["error"]
            throw AWSError(kind: .client, service: "ec2", action: "CreateFlowLogs", statusCode: 200,
                           code: error.text("code") ?? "FlowLogFailed", message: error.text("message") ?? "")
        }
        let ids = root.itemTexts("flowLogIdSet").filter { !$0.isEmpty }
        guard !ids.isEmpty else { throw AWSError.missingField("flowLogIdSet", service: "ec2", action: "CreateFlowLogs") }
        return ids
    }

    public func describeFlowLogs(ids: [String] = [], filters: [AWSFilter] = []) async throws -> [EC2FlowLog] {
        try await describeAll(action: "DescribeFlowLogs", setName: "flowLogSet", ids: ids, idParameter: "FlowLogId", filters: filters)
            .map(EC2FlowLog.init(xml:))
    }

    public func deleteFlowLogs(ids: [String]) async throws {
        var parameters = AWSQueryParameters()
        parameters.setEC2List("FlowLogId", ids)
        _ = try await call(action: "DeleteFlowLogs", parameters: parameters)
    }

    // MARK: Placement groups

    public func createPlacementGroup(name: String, strategy: String, tags: [AWSTag] = []) async throws {
        var parameters: AWSQueryParameters = ["GroupName": name, "Strategy": strategy]
        parameters.setTagSpecification(resourceType: "placement-group", tags: tags)
        _ = try await call(action: "CreatePlacementGroup", parameters: parameters)
    }

    /// DescribePlacementGroups does not page.
    public func describePlacementGroups(names: [String] = [], filters: [AWSFilter] = []) async throws -> [EC2PlacementGroup] {
        var parameters = AWSQueryParameters()
        parameters.setEC2List("GroupName", names)
        parameters.setFilters(filters)
        return try await call(action: "DescribePlacementGroups", parameters: parameters)["placementGroupSet"].items.map(EC2PlacementGroup.init(xml:))
    }

    public func deletePlacementGroup(name: String) async throws {
        _ = try await call(action: "DeletePlacementGroup", parameters: ["GroupName": name])
    }

    // MARK: Instances

    public struct RunInstancesRequest: Sendable, Hashable {
        /// An EBS volume at launch (`BlockDeviceMapping.1`).
        public struct Volume: Sendable, Hashable {
            public var deviceName: String
            public var sizeGB: Int?
            public var volumeType: String?
            public var encrypted: Bool?

            public init(deviceName: String = "/dev/xvda", sizeGB: Int? = nil, volumeType: String? = nil, encrypted: Bool? = nil) {
                self.deviceName = deviceName
                self.sizeGB = sizeGB
                self.volumeType = volumeType
                self.encrypted = encrypted
            }
        }

        public var imageID: String
        public var instanceType: String
        public var count: Int
        public var subnetID: String?
        public var securityGroupIDs: [String]
        /// True asks for a public address on the primary interface, which then carries the
        /// subnet and groups (`NetworkInterface.1.*`): EC2 refuses the address with top-level
        /// `SubnetId`/`SecurityGroupId`.
        public var associatePublicIPAddress: Bool
        public var keyName: String?
        public var placementGroupName: String?
        public var instanceProfileName: String?
        public var rootVolume: Volume?
        /// `required` (IMDSv2 only) or `optional`.
        public var metadataHTTPTokens: String?
        /// `enabled` or `disabled`.
        public var metadataHTTPEndpoint: String?
        /// Base64, as EC2 expects it.
        public var userDataBase64: String?
        public var tags: [AWSTag]
        /// Makes the launch idempotent across retries (see `EC2.newClientToken`).
        public var clientToken: String

        public init(imageID: String, instanceType: String, count: Int = 1, subnetID: String? = nil, securityGroupIDs: [String] = [],
                    associatePublicIPAddress: Bool = false, keyName: String? = nil, placementGroupName: String? = nil,
                    instanceProfileName: String? = nil, rootVolume: Volume? = nil, metadataHTTPTokens: String? = nil,
                    metadataHTTPEndpoint: String? = nil, userDataBase64: String? = nil, tags: [AWSTag] = [],
                    clientToken: String = EC2.newClientToken()) {
            self.imageID = imageID
            self.instanceType = instanceType
            self.count = count
            self.subnetID = subnetID
            self.securityGroupIDs = securityGroupIDs
            self.associatePublicIPAddress = associatePublicIPAddress
            self.keyName = keyName
            self.placementGroupName = placementGroupName
            self.instanceProfileName = instanceProfileName
            self.rootVolume = rootVolume
            self.metadataHTTPTokens = metadataHTTPTokens
            self.metadataHTTPEndpoint = metadataHTTPEndpoint
            self.userDataBase64 = userDataBase64
            self.tags = tags
            self.clientToken = clientToken
        }

        var parameters: AWSQueryParameters {
            var parameters: AWSQueryParameters = [
                "ImageId": imageID, "InstanceType": instanceType, "MinCount": String(count), "MaxCount": String(count),
            ]
            if associatePublicIPAddress {
                parameters.set("NetworkInterface.1.DeviceIndex", "0")
                parameters.set("NetworkInterface.1.SubnetId", subnetID)
                parameters.set("NetworkInterface.1.AssociatePublicIpAddress", "true")
                parameters.setEC2List("NetworkInterface.1.SecurityGroupId", securityGroupIDs)
            } else {
                parameters.set("SubnetId", subnetID)
                parameters.setEC2List("SecurityGroupId", securityGroupIDs)
            }
            parameters.set("KeyName", keyName)
            parameters.set("Placement.GroupName", placementGroupName)
            parameters.set("IamInstanceProfile.Name", instanceProfileName)
            if let rootVolume {
                parameters.set("BlockDeviceMapping.1.DeviceName", rootVolume.deviceName)
                parameters.set("BlockDeviceMapping.1.Ebs.VolumeSize", rootVolume.sizeGB)
                parameters.set("BlockDeviceMapping.1.Ebs.VolumeType", rootVolume.volumeType)
                parameters.set("BlockDeviceMapping.1.Ebs.Encrypted", rootVolume.encrypted)
            }
            parameters.set("MetadataOptions.HttpTokens", metadataHTTPTokens)
            parameters.set("MetadataOptions.HttpEndpoint", metadataHTTPEndpoint)
            parameters.set("UserData", userDataBase64)
            parameters.set("ClientToken", clientToken)
            parameters.setTagSpecification(resourceType: "instance", tags: tags)
            return parameters
        }
    }

    public func runInstances(_ request: RunInstancesRequest) async throws -> [EC2Instance] {
        let instances = try await call(action: "RunInstances", parameters: request.parameters)["instancesSet"].items.map(EC2Instance.init(xml:))
        guard !instances.isEmpty else { throw AWSError.missingField("instancesSet", service: "ec2", action: "RunInstances") }
        for instance in instances { try require(instance.instanceID, "instanceId", "RunInstances") }
        return instances
    }

    /// `ModifyInstanceAttribute` with `GroupId.N`: the instance's (primary interface's) groups.
    public func modifyInstanceSecurityGroups(instanceID: String, groupIDs: [String]) async throws {
        var parameters: AWSQueryParameters = ["InstanceId": instanceID]
        parameters.setEC2List("GroupId", groupIDs)
        _ = try await call(action: "ModifyInstanceAttribute", parameters: parameters)
    }

    public func modifyInstanceMetadataOptions(instanceID: String, httpTokens: String, httpEndpoint: String = "enabled") async throws {
        _ = try await call(action: "ModifyInstanceMetadataOptions", parameters: ["InstanceId": instanceID, "HttpTokens": httpTokens, "HttpEndpoint": httpEndpoint])
    }

    // MARK: Instance profile associations

    public func describeIamInstanceProfileAssociations(filters: [AWSFilter]) async throws -> [EC2IamInstanceProfileAssociation] {
        try await describeAll(action: "DescribeIamInstanceProfileAssociations", setName: "iamInstanceProfileAssociationSet", filters: filters)
            .map { try EC2IamInstanceProfileAssociation(decoding: $0, action: "DescribeIamInstanceProfileAssociations") }
    }

    public func associateIamInstanceProfile(instanceID: String, profileName: String) async throws {
        _ = try await call(action: "AssociateIamInstanceProfile", parameters: ["InstanceId": instanceID, "IamInstanceProfile.Name": profileName])
    }

    public func replaceIamInstanceProfileAssociation(associationID: String, profileName: String) async throws {
        _ = try await call(action: "ReplaceIamInstanceProfileAssociation", parameters: ["AssociationId": associationID, "IamInstanceProfile.Name": profileName])
    }

    public func disassociateIamInstanceProfile(associationID: String) async throws {
        _ = try await call(action: "DisassociateIamInstanceProfile", parameters: ["AssociationId": associationID])
    }

    public func describeInstances(ids: [String] = [], filters: [AWSFilter] = []) async throws -> [EC2Instance] {
        try await describeAll(action: "DescribeInstances", setName: "reservationSet", ids: ids, idParameter: "InstanceId", filters: filters)
            .flatMap { $0["instancesSet"].items.map(EC2Instance.init(xml:)) }
    }

    public func terminateInstances(ids: [String]) async throws {
        var parameters = AWSQueryParameters()
        parameters.setEC2List("InstanceId", ids)
        _ = try await call(action: "TerminateInstances", parameters: parameters)
    }

    /// A create's answer must carry the new id: an empty one would be recorded as the
    /// resource and could never be found or deleted again.
    @discardableResult
    private func require(_ value: String?, _ field: String, _ action: String) throws -> String {
        try AWSError.require(value, field: field, service: "ec2", action: action)
    }

    // MARK: Tags

    public func createTags(resourceIDs: [String], tags: [AWSTag]) async throws {
        var parameters = AWSQueryParameters()
        parameters.setEC2List("ResourceId", resourceIDs)
        parameters.setEC2Tags(tags)
        _ = try await call(action: "CreateTags", parameters: parameters)
    }

    /// Deletes the named keys whatever their values.
    public func deleteTags(resourceIDs: [String], keys: [String]) async throws {
        var parameters = AWSQueryParameters()
        parameters.setEC2List("ResourceId", resourceIDs)
        for (index, key) in keys.enumerated() { parameters.set("Tag.\(index + 1).Key", key) }
        _ = try await call(action: "DeleteTags", parameters: parameters)
    }
}

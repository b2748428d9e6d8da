/// Typed views of what EC2 describes return: ids, tags and the properties compared for drift.
/// Each is built from the `<item>` element of the describe answer (or the create answer's
/// element, which has the same shape).

extension AWSXMLNode {
    /// `tagSet/item/{key,value}` (EC2) as tags.
    var ec2Tags: [AWSTag] {
        self["tagSet"].items.map { AWSTag($0.text("key") ?? "", $0.text("value") ?? "") }
    }

    /// `<x><item>text</item>...</x>` or `<x><item><field>text</field></item></x>` as strings.
    func itemTexts(_ listName: String, field: String? = nil) -> [String] {
        self[listName].items.compactMap { item in field.map { item.text($0) } ?? item.text.nilIfEmpty }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

public struct EC2Vpc: Sendable, Hashable {
    public var vpcID: String
    public var cidrBlock: String
    public var state: String
    public var isDefault: Bool
    public var tags: [AWSTag]

    public init(xml: AWSXMLNode) {
        vpcID = xml.text("vpcId") ?? ""
        cidrBlock = xml.text("cidrBlock") ?? ""
        state = xml.text("state") ?? ""
        isDefault = xml.bool("isDefault") ?? false
        tags = xml.ec2Tags
    }
}

public struct EC2Subnet: Sendable, Hashable {
    public var subnetID: String
    public var vpcID: String
    public var cidrBlock: String
    public var availabilityZone: String
    public var mapPublicIPOnLaunch: Bool
    public var state: String
    public var tags: [AWSTag]

    public init(xml: AWSXMLNode) {
        subnetID = xml.text("subnetId") ?? ""
        vpcID = xml.text("vpcId") ?? ""
        cidrBlock = xml.text("cidrBlock") ?? ""
        availabilityZone = xml.text("availabilityZone") ?? ""
        mapPublicIPOnLaunch = xml.bool("mapPublicIpOnLaunch") ?? false
        state = xml.text("state") ?? ""
        tags = xml.ec2Tags
    }
}

public struct EC2InternetGateway: Sendable, Hashable {
    public var internetGatewayID: String
    /// VPCs it is attached to.
    public var attachedVPCIDs: [String]
    public var tags: [AWSTag]

    public init(xml: AWSXMLNode) {
        internetGatewayID = xml.text("internetGatewayId") ?? ""
        attachedVPCIDs = xml.itemTexts("attachmentSet", field: "vpcId")
        tags = xml.ec2Tags
    }
}

public struct EC2Address: Sendable, Hashable {
    public var allocationID: String
    public var publicIP: String
    public var associationID: String?
    public var domain: String
    public var tags: [AWSTag]

    public init(xml: AWSXMLNode) {
        allocationID = xml.text("allocationId") ?? ""
        publicIP = xml.text("publicIp") ?? ""
        associationID = xml.text("associationId")
        domain = xml.text("domain") ?? ""
        tags = xml.ec2Tags
    }
}

public struct EC2NatGateway: Sendable, Hashable {
    public var natGatewayID: String
    public var subnetID: String
    public var vpcID: String
    public var state: String
    public var connectivityType: String
    public var allocationIDs: [String]
    public var tags: [AWSTag]

    public init(xml: AWSXMLNode) {
        natGatewayID = xml.text("natGatewayId") ?? ""
        subnetID = xml.text("subnetId") ?? ""
        vpcID = xml.text("vpcId") ?? ""
        state = xml.text("state") ?? ""
        connectivityType = xml.text("connectivityType") ?? "public"
        allocationIDs = xml.itemTexts("natGatewayAddressSet", field: "allocationId")
        tags = xml.ec2Tags
    }
}

public struct EC2Route: Sendable, Hashable {
    public var destinationCIDRBlock: String?
    public var destinationPrefixListID: String?
    public var gatewayID: String?
    public var natGatewayID: String?
    public var vpcEndpointID: String?
    public var state: String
    /// `CreateRouteTable` (the local route), `CreateRoute` or `EnableVgwRoutePropagation`.
    public var origin: String

    public init(xml: AWSXMLNode) {
        destinationCIDRBlock = xml.text("destinationCidrBlock")
        destinationPrefixListID = xml.text("destinationPrefixListId")
        gatewayID = xml.text("gatewayId")
        natGatewayID = xml.text("natGatewayId")
        vpcEndpointID = xml.text("vpcEndpointId")
        state = xml.text("state") ?? ""
        origin = xml.text("origin") ?? ""
    }
}

public struct EC2RouteTableAssociation: Sendable, Hashable {
    public var associationID: String
    public var subnetID: String?
    public var gatewayID: String?
    public var isMain: Bool

    public init(xml: AWSXMLNode) {
        associationID = xml.text("routeTableAssociationId") ?? ""
        subnetID = xml.text("subnetId")
        gatewayID = xml.text("gatewayId")
        isMain = xml.bool("main") ?? false
    }
}

public struct EC2RouteTable: Sendable, Hashable {
    public var routeTableID: String
    public var vpcID: String
    public var routes: [EC2Route]
    public var associations: [EC2RouteTableAssociation]
    public var tags: [AWSTag]

    public init(xml: AWSXMLNode) {
        routeTableID = xml.text("routeTableId") ?? ""
        vpcID = xml.text("vpcId") ?? ""
        routes = xml["routeSet"].items.map(EC2Route.init(xml:))
        associations = xml["associationSet"].items.map(EC2RouteTableAssociation.init(xml:))
        tags = xml.ec2Tags
    }
}

public struct EC2VpcEndpoint: Sendable, Hashable {
    public var vpcEndpointID: String
    public var vpcID: String
    public var serviceName: String
    /// `Gateway` or `Interface`.
    public var endpointType: String
    public var state: String
    public var routeTableIDs: [String]
    public var subnetIDs: [String]
    public var securityGroupIDs: [String]
    public var privateDNSEnabled: Bool
    public var tags: [AWSTag]

    public init(xml: AWSXMLNode) {
        vpcEndpointID = xml.text("vpcEndpointId") ?? ""
        vpcID = xml.text("vpcId") ?? ""
        serviceName = xml.text("serviceName") ?? ""
        endpointType = xml.text("vpcEndpointType") ?? ""
        state = xml.text("state") ?? ""
        routeTableIDs = xml.itemTexts("routeTableIdSet")
        subnetIDs = xml.itemTexts("subnetIdSet")
        securityGroupIDs = xml.itemTexts("groupSet", field: "groupId")
        privateDNSEnabled = xml.bool("privateDnsEnabled") ?? false
        tags = xml.ec2Tags
    }
}

public struct EC2SecurityGroup: Sendable, Hashable {
    public var groupID: String
    public var groupName: String
    public var description: String
    public var vpcID: String
    public var tags: [AWSTag]
    /// The group's rules as `DescribeSecurityGroups` lists them inline, one per peer. They have
    /// no `ruleID` (and no tags): only `DescribeSecurityGroupRules` gives those.
    public var rules: [EC2SecurityGroupRule]

    public init(xml: AWSXMLNode) {
        groupID = xml.text("groupId") ?? ""
        groupName = xml.text("groupName") ?? ""
        description = xml.text("groupDescription") ?? ""
        vpcID = xml.text("vpcId") ?? ""
        tags = xml.ec2Tags
        var rules: [EC2SecurityGroupRule] = []
        for (setName, isEgress) in [("ipPermissions", false), ("ipPermissionsEgress", true)] {
            for permission in xml[setName].items {
                let ipProtocol = permission.text("ipProtocol") ?? ""
                // Inline permissions leave the ports out for all protocols; the rules API says -1.
                let anyPort = ipProtocol == "-1" ? -1 : nil
                let template = EC2SecurityGroupRule(groupID: groupID, isEgress: isEgress, ipProtocol: ipProtocol,
                                                    fromPort: permission.int("fromPort") ?? anyPort, toPort: permission.int("toPort") ?? anyPort)
                for range in permission["ipRanges"].items {
                    rules.append(template.with { $0.cidrIPv4 = range.text("cidrIp"); $0.description = range.text("description") })
                }
                for range in permission["ipv6Ranges"].items {
                    rules.append(template.with { $0.cidrIPv6 = range.text("cidrIpv6"); $0.description = range.text("description") })
                }
                for list in permission["prefixListIds"].items {
                    rules.append(template.with { $0.prefixListID = list.text("prefixListId"); $0.description = list.text("description") })
                }
                for pair in permission["groups"].items {
                    rules.append(template.with { $0.referencedGroupID = pair.text("groupId"); $0.description = pair.text("description") })
                }
            }
        }
        self.rules = rules
    }
}

/// One rule of `DescribeSecurityGroupRules`: one protocol/port range and one peer.
public struct EC2SecurityGroupRule: Sendable, Hashable {
    public var ruleID: String
    public var groupID: String
    public var isEgress: Bool
    /// `tcp`, `udp`, `icmp`, `-1` (all) or a protocol number.
    public var ipProtocol: String
    public var fromPort: Int?
    public var toPort: Int?
    public var cidrIPv4: String?
    public var cidrIPv6: String?
    public var prefixListID: String?
    public var referencedGroupID: String?
    public var description: String?
    public var tags: [AWSTag]

    public init(xml: AWSXMLNode) {
        ruleID = xml.text("securityGroupRuleId") ?? ""
        groupID = xml.text("groupId") ?? ""
        isEgress = xml.bool("isEgress") ?? false
        ipProtocol = xml.text("ipProtocol") ?? ""
        fromPort = xml.int("fromPort")
        toPort = xml.int("toPort")
        cidrIPv4 = xml.text("cidrIpv4")
        cidrIPv6 = xml.text("cidrIpv6")
        prefixListID = xml.text("prefixListId")
        referencedGroupID = xml["referencedGroupInfo"].text("groupId")
        description = xml.text("description")
        tags = xml.ec2Tags
    }

    /// A rule as `DescribeSecurityGroupRules` and `Authorize*` answer it: the rule id and the
    /// group id are required (a rule recorded without its id could never be revoked by it).
    public init(decoding xml: AWSXMLNode, action: String) throws {
        self.init(xml: xml)
        try AWSError.require(ruleID, field: "securityGroupRuleId", service: "ec2", action: action)
        try AWSError.require(groupID, field: "groupId", service: "ec2", action: action)
    }

    /// A rule without a peer yet, for the inline permissions of `DescribeSecurityGroups`.
    init(groupID: String, isEgress: Bool, ipProtocol: String, fromPort: Int?, toPort: Int?) {
        ruleID = ""
        self.groupID = groupID
        self.isEgress = isEgress
        self.ipProtocol = ipProtocol
        self.fromPort = fromPort
        self.toPort = toPort
        tags = []
    }

    func with(_ change: (inout EC2SecurityGroupRule) -> Void) -> EC2SecurityGroupRule {
        var copy = self
        change(&copy)
        return copy
    }
}

/// What `Authorize*`/`Revoke*` take: one permission (protocol + ports) with one peer.
public struct EC2SecurityGroupPermission: Sendable, Hashable {
    public enum Peer: Sendable, Hashable {
        case cidrIPv4(String)
        case cidrIPv6(String)
        case securityGroup(String)
        case prefixList(String)
    }

    public var ipProtocol: String
    public var fromPort: Int?
    public var toPort: Int?
    public var peer: Peer
    public var description: String?

    public init(ipProtocol: String, fromPort: Int? = nil, toPort: Int? = nil, peer: Peer, description: String? = nil) {
        self.ipProtocol = ipProtocol
        self.fromPort = fromPort
        self.toPort = toPort
        self.peer = peer
        self.description = description
    }

    func write(to parameters: inout AWSQueryParameters, index: Int) {
        let prefix = "IpPermissions.\(index)"
        parameters.set("\(prefix).IpProtocol", ipProtocol)
        parameters.set("\(prefix).FromPort", fromPort)
        parameters.set("\(prefix).ToPort", toPort)
        switch peer {
        case .cidrIPv4(let cidr):
            parameters.set("\(prefix).IpRanges.1.CidrIp", cidr)
            parameters.set("\(prefix).IpRanges.1.Description", description)
        case .cidrIPv6(let cidr):
            parameters.set("\(prefix).Ipv6Ranges.1.CidrIpv6", cidr)
            parameters.set("\(prefix).Ipv6Ranges.1.Description", description)
        case .securityGroup(let groupID):
            parameters.set("\(prefix).Groups.1.GroupId", groupID)
            parameters.set("\(prefix).Groups.1.Description", description)
        case .prefixList(let prefixListID):
            parameters.set("\(prefix).PrefixListIds.1.PrefixListId", prefixListID)
            parameters.set("\(prefix).PrefixListIds.1.Description", description)
        }
    }
}

public struct EC2NetworkACLEntry: Sendable, Hashable {
    public var ruleNumber: Int
    /// `-1` (all), `6` (tcp), `17` (udp), `1` (icmp).
    public var ipProtocol: String
    /// `allow` or `deny`.
    public var ruleAction: String
    public var isEgress: Bool
    public var cidrBlock: String?
    public var fromPort: Int?
    public var toPort: Int?

    public init(ruleNumber: Int, ipProtocol: String, ruleAction: String, isEgress: Bool, cidrBlock: String?, fromPort: Int? = nil, toPort: Int? = nil) {
        self.ruleNumber = ruleNumber
        self.ipProtocol = ipProtocol
        self.ruleAction = ruleAction
        self.isEgress = isEgress
        self.cidrBlock = cidrBlock
        self.fromPort = fromPort
        self.toPort = toPort
    }

    public init(xml: AWSXMLNode) {
        ruleNumber = xml.int("ruleNumber") ?? 0
        ipProtocol = xml.text("protocol") ?? ""
        ruleAction = xml.text("ruleAction") ?? ""
        isEgress = xml.bool("egress") ?? false
        cidrBlock = xml.text("cidrBlock")
        fromPort = xml["portRange"].int("from")
        toPort = xml["portRange"].int("to")
    }
}

public struct EC2NetworkACLAssociation: Sendable, Hashable {
    public var associationID: String
    public var networkACLID: String
    public var subnetID: String

    public init(xml: AWSXMLNode) {
        associationID = xml.text("networkAclAssociationId") ?? ""
        networkACLID = xml.text("networkAclId") ?? ""
        subnetID = xml.text("subnetId") ?? ""
    }
}

public struct EC2NetworkACL: Sendable, Hashable {
    public var networkACLID: String
    public var vpcID: String
    public var isDefault: Bool
    public var entries: [EC2NetworkACLEntry]
    public var associations: [EC2NetworkACLAssociation]
    public var tags: [AWSTag]

    public init(xml: AWSXMLNode) {
        networkACLID = xml.text("networkAclId") ?? ""
        vpcID = xml.text("vpcId") ?? ""
        isDefault = xml.bool("default") ?? false
        entries = xml["entrySet"].items.map(EC2NetworkACLEntry.init(xml:))
        associations = xml["associationSet"].items.map(EC2NetworkACLAssociation.init(xml:))
        tags = xml.ec2Tags
    }
}

public struct EC2FlowLog: Sendable, Hashable {
    public var flowLogID: String
    public var resourceID: String
    public var trafficType: String
    public var logDestinationType: String
    public var logDestination: String?
    public var logGroupName: String?
    public var tags: [AWSTag]

    public init(xml: AWSXMLNode) {
        flowLogID = xml.text("flowLogId") ?? ""
        resourceID = xml.text("resourceId") ?? ""
        trafficType = xml.text("trafficType") ?? ""
        logDestinationType = xml.text("logDestinationType") ?? ""
        logDestination = xml.text("logDestination")
        logGroupName = xml.text("logGroupName")
        tags = xml.ec2Tags
    }
}

public struct EC2PlacementGroup: Sendable, Hashable {
    public var groupName: String
    public var groupID: String
    /// `cluster`, `spread` or `partition`.
    public var strategy: String
    public var state: String
    public var tags: [AWSTag]

    public init(xml: AWSXMLNode) {
        groupName = xml.text("groupName") ?? ""
        groupID = xml.text("groupId") ?? ""
        strategy = xml.text("strategy") ?? ""
        state = xml.text("state") ?? ""
        tags = xml.ec2Tags
    }
}

public struct EC2Instance: Sendable, Hashable {
    public var instanceID: String
    public var imageID: String
    public var instanceType: String
    /// `pending`, `running`, `shutting-down`, `terminated`, `stopping`, `stopped`.
    public var state: String
    public var subnetID: String?
    public var vpcID: String?
    public var privateIPAddress: String?
    public var securityGroupIDs: [String]
    public var placementGroupName: String?
    /// `required` (IMDSv2 only) or `optional`.
    public var metadataHTTPTokens: String?
    public var instanceProfileARN: String?
    /// The groups of the primary interface (device index 0). moto leaves `groupSet` of the
    /// instance empty when the groups were given on the interface (as a public IP requires).
    public var primaryInterfaceSecurityGroupIDs: [String]
    public var tags: [AWSTag]

    /// The instance's groups: its own list, else its primary interface's.
    public var effectiveSecurityGroupIDs: [String] { securityGroupIDs.isEmpty ? primaryInterfaceSecurityGroupIDs : securityGroupIDs }

    public init(xml: AWSXMLNode) {
        let interfaces = xml["networkInterfaceSet"].items
        let primary = interfaces.first { $0["attachment"].text("deviceIndex") == "0" } ?? interfaces.first
        primaryInterfaceSecurityGroupIDs = primary?.itemTexts("groupSet", field: "groupId") ?? []
        metadataHTTPTokens = xml["metadataOptions"].text("httpTokens")
        instanceProfileARN = xml["iamInstanceProfile"].text("arn")
        instanceID = xml.text("instanceId") ?? ""
        imageID = xml.text("imageId") ?? ""
        instanceType = xml.text("instanceType") ?? ""
        state = xml["instanceState"].text("name") ?? ""
        subnetID = xml.text("subnetId")
        vpcID = xml.text("vpcId")
        privateIPAddress = xml.text("privateIpAddress")
        securityGroupIDs = xml.itemTexts("groupSet", field: "groupId")
        placementGroupName = xml["placement"].text("groupName")
        tags = xml.ec2Tags
    }
}

/// A managed prefix list (the AWS services' address ranges, for rules and routes).
public struct EC2PrefixList: Sendable, Hashable {
    public var prefixListID: String
    public var prefixListName: String

    public init(prefixListID: String, prefixListName: String) {
        self.prefixListID = prefixListID
        self.prefixListName = prefixListName
    }

    public init(decoding xml: AWSXMLNode, action: String) throws {
        prefixListID = try AWSError.require(xml.text("prefixListId"), field: "prefixListId", service: "ec2", action: action)
        prefixListName = xml.text("prefixListName") ?? ""
    }
}

/// An instance's link to an IAM instance profile (at most one associated per instance).
public struct EC2IamInstanceProfileAssociation: Sendable, Hashable {
    public var associationID: String
    public var instanceID: String
    public var instanceProfileARN: String?
    /// `associating`, `associated`, `disassociating`, `disassociated`.
    public var state: String

    public init(decoding xml: AWSXMLNode, action: String) throws {
        associationID = try AWSError.require(xml.text("associationId"), field: "associationId", service: "ec2", action: action)
        instanceID = xml.text("instanceId") ?? ""
        instanceProfileARN = xml["iamInstanceProfile"].text("arn")
        state = xml.text("state") ?? ""
    }
}

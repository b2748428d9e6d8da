import AWSClient
import Foundation
import NetloomModel
import Testing
@testable import NetloomEngine

private typealias F = ProviderFixture

/// The stack's VPC as DescribeVpcs answers it (every VPC-scoped read starts there).
private let vpcSet = "<vpcSet><item><vpcId>vpc-1</vpcId><cidrBlock>10.0.0.0/16</cidrBlock><state>available</state>\(FakeAWS.ec2Tags("vpc"))</item></vpcSet>"

@Suite("VPC providers against a fake AWS")
struct VPCProviderTests {
    @Test("VPC: CreateVpc carries the tags; DNS attributes cost a call only where they differ from a new VPC's")
    func vpcCreate() async throws {
        let fake = FakeAWS { request in
            request.action == "CreateVpc" ? FakeAWS.ec2("CreateVpc", "<vpc><vpcId>vpc-9</vpcId><cidrBlock>10.0.0.0/16</cidrBlock></vpc>") : nil
        }
        let desired = F.desired("vpc", .vpc, ["cidr": "10.0.0.0/16", "enable_dns_support": true, "enable_dns_hostnames": true])
        let created = try await VPCProvider().create(desired, context: F.context(fake))
        #expect(created.awsID == "vpc-9")
        #expect(fake.actions == ["CreateVpc", "ModifyVpcAttribute"])
        let create = fake.requests[0]
        #expect(create["CidrBlock"] == "10.0.0.0/16")
        #expect(create["TagSpecification.1.ResourceType"] == "vpc")
        #expect(create.values("TagSpecification.1.Tag.").contains("netloom:address"))
        #expect(fake.requests[1]["EnableDnsHostnames.Value"] == "true")
        #expect(fake.requests[1]["VpcId"] == "vpc-9")
    }

    @Test("placement group: a tag change tags the group by its pg- id (looked up by name when the read had none), never by its name")
    func placementGroupTags() async throws {
        let desired = F.desired("placement_group:gpu", .placementGroup, ["name": "s-gpu", "strategy": "cluster"])
        let read = FakeAWS()
        let observed = F.observed("placement_group:gpu", .placementGroup, "s-gpu", ["strategy": "cluster", "tags": ["netloom:stack": "s", "old": "x"]],
                                  attributes: ["group_id": "pg-0123"])
        _ = try await PlacementGroupProvider().update(desired, from: observed, changed: ["tags"], context: F.context(read))
        #expect(read.actions == ["CreateTags", "DeleteTags"])
        #expect(read.requests.allSatisfy { $0["ResourceId.1"] == "pg-0123" })
        #expect(read.requests[1]["Tag.1.Key"] == "old")

        let lookup = FakeAWS { request in
            request.action == "DescribePlacementGroups"
                ? FakeAWS.xml(200, "<DescribePlacementGroupsResponse><placementGroupSet><item><groupName>s-gpu</groupName><groupId>pg-0456</groupId><strategy>cluster</strategy><state>available</state></item></placementGroupSet></DescribePlacementGroupsResponse>")
                : nil
        }
        var withoutID = observed
        withoutID.attributes = [:]
        _ = try await PlacementGroupProvider().update(desired, from: withoutID, changed: ["tags"], context: F.context(lookup))
        #expect(lookup.actions == ["DescribePlacementGroups", "CreateTags", "DeleteTags"])
        #expect(lookup.requests[0]["GroupName.1"] == "s-gpu")
        #expect(lookup.requests[1]["ResourceId.1"] == "pg-0456")
    }

    @Test("VPC: an update turns DNS support on before hostnames, then brings the tags; delete sends DeleteVpc")
    func vpcUpdateDelete() async throws {
        let fake = FakeAWS()
        let desired = F.desired("vpc", .vpc, ["cidr": "10.0.0.0/16", "enable_dns_support": true, "enable_dns_hostnames": true])
        let observed = F.observed("vpc", .vpc, "vpc-1", ["tags": ["netloom:stack": "s", "old": "x"]])
        _ = try await VPCProvider().update(desired, from: observed, changed: ["enable_dns_support", "enable_dns_hostnames", "tags"], context: F.context(fake))
        #expect(fake.actions == ["ModifyVpcAttribute", "ModifyVpcAttribute", "CreateTags", "DeleteTags"])
        #expect(fake.requests[0]["EnableDnsSupport.Value"] == "true")
        #expect(fake.requests[1]["EnableDnsHostnames.Value"] == "true")
        #expect(fake.requests[3]["Tag.1.Key"] == "old")
        try await VPCProvider().delete(observed, context: F.context(fake))
        #expect(fake.requests.last?.action == "DeleteVpc")
        #expect(fake.requests.last?["VpcId"] == "vpc-1")
    }

    @Test("VPC: the read takes the CIDR, tags and both DNS attributes")
    func vpcRead() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "DescribeVpcs": FakeAWS.ec2("DescribeVpcs", vpcSet)
            case "DescribeVpcAttribute":
                request["Attribute"] == "enableDnsSupport"
                    ? FakeAWS.ec2("DescribeVpcAttribute", "<vpcId>vpc-1</vpcId><enableDnsSupport><value>true</value></enableDnsSupport>")
                    : FakeAWS.ec2("DescribeVpcAttribute", "<vpcId>vpc-1</vpcId><enableDnsHostnames><value>false</value></enableDnsHostnames>")
            default: nil
            }
        }
        let read = try await VPCProvider().read(F.scope(), context: F.context(fake))
        #expect(read.count == 1)
        #expect(read.first?.address == "vpc")
        #expect(read.first?.properties["cidr"] == "10.0.0.0/16")
        #expect(read.first?.properties["enable_dns_support"] == true)
        #expect(read.first?.properties["enable_dns_hostnames"] == false)
        #expect(fake.requests(for: "DescribeVpcs").first?["Filter.1.Name"] == "tag:netloom:stack")
    }

    @Test("VPC: an answer to CreateVpc without the id is an invalid answer naming vpcId; a delete of a gone VPC is done")
    func vpcErrors() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "CreateVpc": FakeAWS.ec2("CreateVpc", "<vpc><cidrBlock>10.0.0.0/16</cidrBlock></vpc>")
            case "DeleteVpc": FakeAWS.ec2Error("InvalidVpcID.NotFound")
            default: nil
            }
        }
        let error = await F.awsError { _ = try await VPCProvider().create(F.desired("vpc", .vpc, ["cidr": "10.0.0.0/16"]), context: F.context(fake)) }
        #expect(error?.kind == .invalidAnswer)
        #expect(error?.message.contains("vpcId") == true)
        try await VPCProvider().delete(F.observed("vpc", .vpc, "vpc-1"), context: F.context(fake))
    }

    @Test("internet gateway: created tagged and attached; moved on update; detached and deleted; read with its VPC")
    func internetGateway() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "CreateInternetGateway": FakeAWS.ec2("CreateInternetGateway", "<internetGateway><internetGatewayId>igw-1</internetGatewayId></internetGateway>")
            case "DescribeInternetGateways":
                FakeAWS.ec2("DescribeInternetGateways", "<internetGatewaySet><item><internetGatewayId>igw-1</internetGatewayId><attachmentSet><item><vpcId>vpc-1</vpcId><state>available</state></item></attachmentSet>\(FakeAWS.ec2Tags("internet_gateway"))</item></internetGatewaySet>")
            default: nil
            }
        }
        let context = F.context(fake)
        let desired = F.desired("internet_gateway", .internetGateway, ["vpc": "vpc-2"])
        let created = try await InternetGatewayProvider().create(desired, context: context)
        #expect(created.awsID == "igw-1")
        #expect(fake.actions == ["CreateInternetGateway", "AttachInternetGateway"])
        #expect(fake.requests[0]["TagSpecification.1.ResourceType"] == "internet-gateway")
        #expect(fake.requests[1]["VpcId"] == "vpc-2")

        let observed = F.observed("internet_gateway", .internetGateway, "igw-1", attributes: ["vpc": "vpc-1"])
        _ = try await InternetGatewayProvider().update(desired, from: observed, changed: ["vpc"], context: context)
        #expect(fake.actions.suffix(2) == ["DetachInternetGateway", "AttachInternetGateway"])

        try await InternetGatewayProvider().delete(observed, context: context)
        #expect(fake.actions.suffix(2) == ["DetachInternetGateway", "DeleteInternetGateway"])

        let read = try await InternetGatewayProvider().read(F.scope(), context: context)
        #expect(read.map(\.awsID) == ["igw-1"])
        #expect(read.first?.properties["vpc"] == "vpc-1")
    }

    @Test("internet gateway: a detach that finds it detached already goes on to the delete; another refusal stops it")
    func internetGatewayErrors() async throws {
        let fake = FakeAWS { $0.action == "DetachInternetGateway" ? FakeAWS.ec2Error("Gateway.NotAttached") : nil }
        let observed = F.observed("internet_gateway", .internetGateway, "igw-1", attributes: ["vpc": "vpc-1"])
        try await InternetGatewayProvider().delete(observed, context: F.context(fake))
        #expect(fake.actions == ["DetachInternetGateway", "DeleteInternetGateway"])

        let refusing = FakeAWS { $0.action == "DeleteInternetGateway" ? FakeAWS.ec2Error("DependencyViolation") : nil }
        let error = await F.awsError { try await InternetGatewayProvider().delete(observed, context: F.context(refusing)) }
        #expect(error?.code == "DependencyViolation")
    }

    @Test("subnet: CreateSubnet with VPC, CIDR, AZ and tags, then the public-IP attribute; update and delete; read")
    func subnet() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "CreateSubnet": FakeAWS.ec2("CreateSubnet", "<subnet><subnetId>subnet-1</subnetId><vpcId>vpc-1</vpcId></subnet>")
            case "DescribeVpcs": FakeAWS.ec2("DescribeVpcs", vpcSet)
            case "DescribeSubnets":
                FakeAWS.ec2("DescribeSubnets", "<subnetSet><item><subnetId>subnet-1</subnetId><vpcId>vpc-1</vpcId><cidrBlock>10.0.1.0/24</cidrBlock><availabilityZone>us-east-1a</availabilityZone><mapPublicIpOnLaunch>true</mapPublicIpOnLaunch>\(FakeAWS.ec2Tags("subnet:public/us-east-1a"))</item></subnetSet>")
            default: nil
            }
        }
        let context = F.context(fake)
        let desired = F.desired("subnet:public/us-east-1a", .subnet, ["vpc": "vpc-1", "cidr": "10.0.1.0/24", "az": "us-east-1a", "map_public_ip_on_launch": true])
        let created = try await SubnetProvider().create(desired, context: context)
        #expect(created.awsID == "subnet-1")
        #expect(fake.actions == ["CreateSubnet", "ModifySubnetAttribute"])
        #expect(fake.requests[0]["AvailabilityZone"] == "us-east-1a")
        #expect(fake.requests[0]["TagSpecification.1.ResourceType"] == "subnet")
        #expect(fake.requests[1]["MapPublicIpOnLaunch.Value"] == "true")

        let observed = F.observed(desired.address, .subnet, "subnet-1")
        _ = try await SubnetProvider().update(desired, from: observed, changed: ["map_public_ip_on_launch"], context: context)
        #expect(fake.actions.last == "ModifySubnetAttribute")
        try await SubnetProvider().delete(observed, context: context)
        #expect(fake.requests.last?["SubnetId"] == "subnet-1")

        let read = try await SubnetProvider().read(F.scope(), context: context)
        #expect(read.first?.address == "subnet:public/us-east-1a")
        #expect(read.first?.properties["map_public_ip_on_launch"] == true)
        #expect(fake.requests(for: "DescribeSubnets").first?["Filter.1.Name"] == "vpc-id")
    }

    @Test("subnet: a CIDR conflict comes back as AWS's error")
    func subnetError() async {
        let fake = FakeAWS { $0.action == "CreateSubnet" ? FakeAWS.ec2Error("InvalidSubnet.Conflict") : nil }
        let error = await F.awsError { _ = try await SubnetProvider().create(F.desired("subnet:a", .subnet, ["vpc": "vpc-1", "cidr": "10.0.1.0/24"]), context: F.context(fake)) }
        #expect(error?.code == "InvalidSubnet.Conflict")
        #expect(fake.actions == ["CreateSubnet"])
    }

    @Test("route table, route and association: the calls, their reads from one DescribeRouteTables, and errors")
    func routeTables() async throws {
        let tableXML = """
        <routeTableSet><item><routeTableId>rtb-1</routeTableId><vpcId>vpc-1</vpcId>\
        <routeSet><item><destinationCidrBlock>10.0.0.0/16</destinationCidrBlock><gatewayId>local</gatewayId></item>\
        <item><destinationCidrBlock>0.0.0.0/0</destinationCidrBlock><natGatewayId>nat-1</natGatewayId></item>\
        <item><destinationPrefixListId>pl-1</destinationPrefixListId><gatewayId>vpce-1</gatewayId></item></routeSet>\
        <associationSet><item><routeTableAssociationId>rtbassoc-1</routeTableAssociationId><subnetId>subnet-1</subnetId><main>false</main></item></associationSet>\
        \(FakeAWS.ec2Tags("route_table:private"))</item></routeTableSet>
        """
        let fake = FakeAWS { request in
            switch request.action {
            case "CreateRouteTable": FakeAWS.ec2("CreateRouteTable", "<routeTable><routeTableId>rtb-2</routeTableId></routeTable>")
            case "AssociateRouteTable": FakeAWS.ec2("AssociateRouteTable", "<associationId>rtbassoc-2</associationId>")
            case "DescribeVpcs": FakeAWS.ec2("DescribeVpcs", vpcSet)
            case "DescribeRouteTables": FakeAWS.ec2("DescribeRouteTables", tableXML)
            case "DeleteRoute": FakeAWS.ec2Error("InvalidRoute.NotFound")
            default: nil
            }
        }
        let context = F.context(fake)
        let table = try await RouteTableProvider().create(F.desired("route_table:private", .routeTable, ["vpc": "vpc-1"]), context: context)
        #expect(table.awsID == "rtb-2")
        #expect(fake.requests.last?["TagSpecification.1.ResourceType"] == "route-table")

        let route = F.desired("route:private/default", .route, ["route_table": "rtb-1", "destination": "0.0.0.0/0", "target": "nat-2"], tags: false)
        let createdRoute = try await RouteProvider().create(route, context: context)
        #expect(createdRoute.awsID == "rtb-1|0.0.0.0/0")
        #expect(fake.requests.last?["NatGatewayId"] == "nat-2")
        _ = try await RouteProvider().update(route, from: createdRoute, changed: ["target"], context: context)
        #expect(fake.actions.last == "ReplaceRoute")
        try await RouteProvider().delete(createdRoute, context: context)  // NotFound: already gone
        #expect(fake.actions.last == "DeleteRoute")

        let association = F.desired("route_table_association:a", .routeTableAssociation, ["route_table": "rtb-1", "subnet": "subnet-2"], tags: false)
        #expect(try await RouteTableAssociationProvider().create(association, context: context).awsID == "rtbassoc-2")
        try await RouteTableAssociationProvider().delete(F.observed("route_table_association:a", .routeTableAssociation, "rtbassoc-2"), context: context)
        #expect(fake.requests.last?["AssociationId"] == "rtbassoc-2")
        try await RouteTableProvider().delete(F.observed("route_table:private", .routeTable, "rtb-2"), context: context)
        #expect(fake.requests.last?.action == "DeleteRouteTable")

        let tables = try await RouteTableProvider().read(F.scope(), context: context)
        #expect(tables.map(\.address) == ["route_table:private"])
        let routes = try await RouteProvider().read(F.scope([route]), context: context)
        // The local route and the endpoint's prefix-list route are AWS's, not routes to manage.
        #expect(routes.map(\.awsID) == ["rtb-1|0.0.0.0/0"])
        #expect(routes.first?.address == "route:private/default")
        #expect(routes.first?.properties["target"] == "nat-1")
        let associations = try await RouteTableAssociationProvider().read(F.scope([F.desired("route_table_association:a", .routeTableAssociation, ["route_table": "rtb-1", "subnet": "subnet-1"], tags: false)]), context: context)
        #expect(associations.map(\.awsID) == ["rtbassoc-1"])
        #expect(associations.first?.isUnmanaged == false)
        // One describe (cached for the context) serves the tables, their routes and associations.
        #expect(fake.requests(for: "DescribeRouteTables").count == 1)
    }

    @Test("route: a route to a missing gateway fails with AWS's error")
    func routeError() async {
        let fake = FakeAWS { $0.action == "CreateRoute" ? FakeAWS.ec2Error("InvalidGatewayID.NotFound") : nil }
        let route = F.desired("route:x", .route, ["route_table": "rtb-1", "destination": "0.0.0.0/0", "target": "igw-1"], tags: false)
        let error = await F.awsError { _ = try await RouteProvider().create(route, context: F.context(fake)) }
        #expect(error?.code == "InvalidGatewayID.NotFound")
        #expect(fake.requests.first?["GatewayId"] == "igw-1")
    }

    @Test("Elastic IP: AllocateAddress tagged at once, tags updated, released; read by the stack tag; an answer without allocationId fails")
    func elasticIP() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "AllocateAddress": FakeAWS.ec2("AllocateAddress", "<publicIp>1.2.3.4</publicIp><domain>vpc</domain><allocationId>eipalloc-1</allocationId>")
            case "DescribeAddresses": FakeAWS.ec2("DescribeAddresses", "<addressesSet><item><allocationId>eipalloc-1</allocationId><publicIp>1.2.3.4</publicIp>\(FakeAWS.ec2Tags("eip:nat/a"))</item></addressesSet>")
            default: nil
            }
        }
        let context = F.context(fake)
        let desired = F.desired("eip:nat/a", .elasticIP, ["domain": "vpc"])
        let created = try await ElasticIPProvider().create(desired, context: context)
        #expect(created.awsID == "eipalloc-1")
        #expect(created.attributes["public_ip"] == "1.2.3.4")
        #expect(fake.requests[0]["TagSpecification.1.ResourceType"] == "elastic-ip")
        #expect(fake.requests[0]["Domain"] == "vpc")
        _ = try await ElasticIPProvider().update(desired, from: F.observed("eip:nat/a", .elasticIP, "eipalloc-1", ["tags": ["netloom:stack": "s"]]), changed: ["tags"], context: context)
        #expect(fake.actions.last == "CreateTags")
        try await ElasticIPProvider().delete(created, context: context)
        #expect(fake.requests.last?["AllocationId"] == "eipalloc-1")
        let read = try await ElasticIPProvider().read(F.scope(), context: context)
        #expect(read.first?.address == "eip:nat/a")

        let empty = FakeAWS { $0.action == "AllocateAddress" ? FakeAWS.ec2("AllocateAddress", "<publicIp>1.2.3.4</publicIp>") : nil }
        let error = await F.awsError { _ = try await ElasticIPProvider().create(desired, context: F.context(empty)) }
        #expect(error?.kind == .invalidAnswer)
        #expect(error?.message.contains("allocationId") == true)
    }

    @Test("NAT gateway: created with its EIP and tags and waited for; deleted, waited for and its EIP freed; a failed gateway is an error")
    func natGateway() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "CreateNatGateway": FakeAWS.ec2("CreateNatGateway", "<natGateway><natGatewayId>nat-1</natGatewayId><state>pending</state></natGateway>")
            case "DescribeNatGateways" where request["NatGatewayId.1"] != nil:
                FakeAWS.ec2("DescribeNatGateways", "<natGatewaySet><item><natGatewayId>nat-1</natGatewayId><state>available</state></item></natGatewaySet>")
            case "DescribeNatGateways":
                FakeAWS.ec2("DescribeNatGateways", "<natGatewaySet><item><natGatewayId>nat-1</natGatewayId><subnetId>subnet-1</subnetId><state>available</state><natGatewayAddressSet><item><allocationId>eipalloc-1</allocationId></item></natGatewayAddressSet>\(FakeAWS.ec2Tags("nat_gateway:a"))</item><item><natGatewayId>nat-0</natGatewayId><state>deleted</state>\(FakeAWS.ec2Tags("nat_gateway:a"))</item></natGatewaySet>")
            case "DescribeAddresses": FakeAWS.ec2("DescribeAddresses", "<addressesSet><item><allocationId>eipalloc-1</allocationId><associationId>eipassoc-1</associationId></item></addressesSet>")
            default: nil
            }
        }
        let context = F.context(fake)
        let desired = F.desired("nat_gateway:a", .natGateway, ["subnet": "subnet-1", "eip": "eipalloc-1", "connectivity": "public"])
        let created = try await NATGatewayProvider().create(desired, context: context)
        #expect(created.awsID == "nat-1")
        let create = fake.requests[0]
        #expect(create["AllocationId"] == "eipalloc-1")
        #expect(create["SubnetId"] == "subnet-1")
        #expect(create["TagSpecification.1.ResourceType"] == "natgateway")
        #expect(fake.actions == ["CreateNatGateway", "DescribeNatGateways"])

        // The fake says "available" for a describe by id; a delete waits for "deleted".
        let deleting = FakeAWS { request in
            switch request.action {
            case "DescribeNatGateways": FakeAWS.ec2("DescribeNatGateways", "<natGatewaySet><item><natGatewayId>nat-1</natGatewayId><state>deleted</state></item></natGatewaySet>")
            case "DescribeAddresses": FakeAWS.ec2("DescribeAddresses", "<addressesSet><item><allocationId>eipalloc-1</allocationId><associationId>eipassoc-1</associationId></item></addressesSet>")
            default: nil
            }
        }
        try await NATGatewayProvider().delete(F.observed("nat_gateway:a", .natGateway, "nat-1", ["eip": "eipalloc-1"]), context: F.context(deleting))
        #expect(deleting.actions == ["DeleteNatGateway", "DescribeNatGateways", "DescribeAddresses", "DisassociateAddress"])
        #expect(deleting.requests.last?["AssociationId"] == "eipassoc-1")

        let read = try await NATGatewayProvider().read(F.scope(), context: context)
        #expect(read.map(\.awsID) == ["nat-1"])  // the deleted one is gone
        #expect(read.first?.properties["eip"] == "eipalloc-1")

        let failing = FakeAWS { request in
            switch request.action {
            case "CreateNatGateway": FakeAWS.ec2("CreateNatGateway", "<natGateway><natGatewayId>nat-2</natGatewayId></natGateway>")
            case "DescribeNatGateways": FakeAWS.ec2("DescribeNatGateways", "<natGatewaySet><item><natGatewayId>nat-2</natGatewayId><state>failed</state></item></natGatewaySet>")
            default: nil
            }
        }
        let error = await F.awsError { _ = try await NATGatewayProvider().create(desired, context: F.context(failing)) }
        #expect(error?.code == "NatGatewayFailed")
    }

    @Test("VPC endpoint: CreateVpcEndpoint with route tables and tags; read skips deleted ones; a delete stuck on a route detaches the tables first")
    func vpcEndpoint() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "CreateVpcEndpoint": FakeAWS.ec2("CreateVpcEndpoint", "<vpcEndpoint><vpcEndpointId>vpce-1</vpcEndpointId></vpcEndpoint>")
            case "DescribeVpcEndpoints":
                FakeAWS.ec2("DescribeVpcEndpoints", "<vpcEndpointSet><item><vpcEndpointId>vpce-1</vpcEndpointId><serviceName>com.amazonaws.us-east-1.s3</serviceName><vpcEndpointType>Gateway</vpcEndpointType><state>available</state><routeTableIdSet><item>rtb-2</item><item>rtb-1</item></routeTableIdSet>\(FakeAWS.ec2Tags("vpc_endpoint:s3"))</item><item><vpcEndpointId>vpce-0</vpcEndpointId><state>deleted</state>\(FakeAWS.ec2Tags("vpc_endpoint:s3"))</item></vpcEndpointSet>")
            default: nil
            }
        }
        let context = F.context(fake)
        let desired = F.desired("vpc_endpoint:s3", .vpcEndpoint, ["vpc": "vpc-1", "service_name": "com.amazonaws.us-east-1.s3", "type": "Gateway",
                                                                 "route_tables": ["rtb-1", "rtb-2"]])
        #expect(try await VPCEndpointProvider().create(desired, context: context).awsID == "vpce-1")
        let create = fake.requests[0]
        #expect(create.values("RouteTableId.") == ["rtb-1", "rtb-2"])
        #expect(create["VpcEndpointType"] == "Gateway")
        #expect(create["PrivateDnsEnabled"] == nil)
        #expect(create["TagSpecification.1.ResourceType"] == "vpc-endpoint")
        let read = try await VPCEndpointProvider().read(F.scope(), context: context)
        #expect(read.map(\.awsID) == ["vpce-1"])
        #expect(read.first?.properties["route_tables"] == ["rtb-1", "rtb-2"])

        let attempts = Counter()
        let routeMissing = FakeAWS { request in
            guard request.action == "DeleteVpcEndpoints" else { return nil }
            return attempts.next() == 1 ? FakeAWS.ec2Error("InvalidRoute.NotFound") : nil
        }
        try await VPCEndpointProvider().delete(F.observed("vpc_endpoint:s3", .vpcEndpoint, "vpce-1", ["route_tables": ["rtb-1"]]), context: F.context(routeMissing))
        #expect(routeMissing.actions == ["DeleteVpcEndpoints", "ModifyVpcEndpoint", "DeleteVpcEndpoints"])
        #expect(routeMissing.requests[1]["RemoveRouteTableId.1"] == "rtb-1")
        #expect(routeMissing.requests[1]["VpcEndpointId"] == "vpce-1")
    }

    @Test("flow log: CreateFlowLogs to the log group with the role's ARN; a refusal in the answer's unsuccessful list is an error")
    func flowLog() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "CreateFlowLogs": FakeAWS.ec2("CreateFlowLogs", "<flowLogIdSet><item>fl-1</item></flowLogIdSet><unsuccessful/>")
            case "DescribeFlowLogs": FakeAWS.ec2("DescribeFlowLogs", "<flowLogSet><item><flowLogId>fl-1</flowLogId><resourceId>vpc-1</resourceId><trafficType>ALL</trafficType><logGroupName>/netloom/s/flow</logGroupName>\(FakeAWS.ec2Tags("flow_log"))</item></flowLogSet>")
            default: nil
            }
        }
        let context = F.context(fake)
        let desired = F.desired("flow_log", .flowLog, ["vpc": "vpc-1", "traffic_type": "ALL", "log_group": "/netloom/s/flow", "role": "s-flow"])
        #expect(try await FlowLogProvider().create(desired, context: context).awsID == "fl-1")
        let create = fake.requests[0]
        #expect(create["DeliverLogsPermissionArn"] == "arn:aws:iam::123456789012:role/netloom/s/s-flow")
        #expect(create["LogGroupName"] == "/netloom/s/flow")
        #expect(create["ResourceId.1"] == "vpc-1")
        #expect(create["TagSpecification.1.ResourceType"] == "vpc-flow-log")
        try await FlowLogProvider().delete(F.observed("flow_log", .flowLog, "fl-1"), context: context)
        #expect(fake.requests.last?["FlowLogId.1"] == "fl-1")
        let read = try await FlowLogProvider().read(F.scope(), context: context)
        #expect(read.first?.properties["log_group"] == "/netloom/s/flow")

        let refused = FakeAWS { request in
            request.action == "CreateFlowLogs"
                ? FakeAWS.ec2("CreateFlowLogs", "<flowLogIdSet/><unsuccessful><item><error><code>AccessDenied</code><message>no role</message></error></item></unsuccessful>") : nil
        }
        let error = await F.awsError { _ = try await FlowLogProvider().create(desired, context: F.context(refused)) }
        #expect(error?.code == "AccessDenied")
    }

    @Test("placement group: created by name with its strategy and tags, deleted by name; moto's HTML page reads as none")
    func placementGroup() async throws {
        let fake = FakeAWS { request in
            request.action == "DescribePlacementGroups"
                ? FakeAWS.ec2("DescribePlacementGroups", "<placementGroupSet><item><groupName>s-efa</groupName><strategy>cluster</strategy>\(FakeAWS.ec2Tags("placement_group:efa"))</item></placementGroupSet>") : nil
        }
        let context = F.context(fake)
        let desired = F.desired("placement_group:efa", .placementGroup, ["name": "s-efa", "strategy": "cluster"])
        #expect(try await PlacementGroupProvider().create(desired, context: context).awsID == "s-efa")
        #expect(fake.requests[0]["Strategy"] == "cluster")
        #expect(fake.requests[0]["TagSpecification.1.ResourceType"] == "placement-group")
        try await PlacementGroupProvider().delete(F.observed("placement_group:efa", .placementGroup, "s-efa"), context: context)
        #expect(fake.requests.last?["GroupName"] == "s-efa")
        let read = try await PlacementGroupProvider().read(F.scope([desired]), context: context)
        #expect(read.first?.properties["strategy"] == "cluster")

        let html = FakeAWS { _ in AWSHTTPResponse(status: 500, headers: ["content-type": "text/html"], body: Array("<html><body>boom</body></html>".utf8)) }
        #expect(try await PlacementGroupProvider().read(F.scope([desired]), context: F.context(html)).isEmpty)
        let error = await F.awsError { _ = try await PlacementGroupProvider().create(desired, context: F.context(html)) }
        #expect(error?.kind == .notImplemented)
    }
}

/// Counts calls from many tasks.
final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func next() -> Int { lock.withLock { value += 1; return value } }
}

@Suite("EC2 providers' shared paths against a fake AWS")
struct EC2SharedPathTests {
    @Test("types whose only in-place change is their tags: update sends CreateTags for new values and DeleteTags for dropped keys, by the resource's id")
    func tagOnlyUpdates() async throws {
        let providers: [(any ResourceProvider, ResourceType, [String: PropertyValue])] = [
            (RouteTableProvider(), .routeTable, ["vpc": "vpc-1"]),
            (NATGatewayProvider(), .natGateway, ["subnet": "subnet-1", "eip": "eipalloc-1"]),
            (VPCEndpointProvider(), .vpcEndpoint, ["vpc": "vpc-1", "service_name": "s3", "type": "Gateway"]),
            (FlowLogProvider(), .flowLog, ["vpc": "vpc-1"]),
            (NetworkACLProvider(), .networkACL, ["vpc": "vpc-1"]),
            (SecurityGroupProvider(), .securityGroup, ["vpc": "vpc-1", "name": "n", "description": "d"]),
        ]
        for (provider, type, properties) in providers {
            let fake = FakeAWS()
            let desired = F.desired("\(type.rawValue):x", type, properties)
            let observed = F.observed(desired.address, type, "id-\(type.rawValue)", ["tags": ["netloom:stack": "s", "netloom:address": "old", "team": "a"]])
            let result = try await provider.update(desired, from: observed, changed: ["tags"], context: F.context(fake))
            #expect(result.awsID == "id-\(type.rawValue)", "\(type)")
            #expect(fake.actions == ["CreateTags", "DeleteTags"], "\(type)")
            #expect(fake.requests.first?["ResourceId.1"] == "id-\(type.rawValue)", "\(type)")
            #expect(fake.requests.first?["Tag.1.Value"] == desired.address, "\(type)")
            #expect(fake.requests.last?["Tag.1.Key"] == "team", "\(type)")
        }
    }

    @Test("creates whose answer lacks the new id are invalid answers naming the field, never an empty id")
    func createsWithoutIDs() async throws {
        let cases: [(String, String, any ResourceProvider, DesiredResource)] = [
            ("CreateRouteTable", "routeTableId", RouteTableProvider(), F.desired("route_table:a", .routeTable, ["vpc": "vpc-1"])),
            ("AssociateRouteTable", "associationId", RouteTableAssociationProvider(),
             F.desired("route_table_association:a", .routeTableAssociation, ["route_table": "rtb-1", "subnet": "subnet-1"], tags: false)),
            ("CreateVpcEndpoint", "vpcEndpointId", VPCEndpointProvider(), F.desired("vpc_endpoint:s3", .vpcEndpoint, ["vpc": "vpc-1", "service_name": "s3", "type": "Gateway"])),
            ("CreateNetworkAcl", "networkAclId", NetworkACLProvider(), F.desired("network_acl:a", .networkACL, ["vpc": "vpc-1"])),
            ("CreateInternetGateway", "internetGatewayId", InternetGatewayProvider(), F.desired("internet_gateway", .internetGateway, ["vpc": "vpc-1"])),
            ("CreateNatGateway", "natGatewayId", NATGatewayProvider(), F.desired("nat_gateway:a", .natGateway, ["subnet": "subnet-1", "eip": "eipalloc-1"])),
            ("CreateFlowLogs", "flowLogIdSet", FlowLogProvider(), F.desired("flow_log", .flowLog, ["vpc": "vpc-1", "traffic_type": "ALL", "log_group": "g", "role": "r"])),
        ]
        for (action, field, provider, desired) in cases {
            let fake = FakeAWS { $0.action == action ? FakeAWS.ec2(action, "<return>true</return>") : nil }
            let error = await F.awsError { _ = try await provider.create(desired, context: F.context(fake)) }
            #expect(error?.kind == .invalidAnswer, "\(action)")
            #expect(error?.message.contains(field) == true, "\(action): \(String(describing: error))")
            #expect(fake.actions == [action], "\(action): nothing more is done with an answer without an id")
        }
    }
}

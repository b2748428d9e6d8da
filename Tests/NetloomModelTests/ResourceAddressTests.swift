import NetloomModel
import Testing

@Suite("resource addresses, references and composite ids")
struct ResourceAddressTests {
    /// Every kind the expander builds, with the text plans, state and JSON have always used.
    static let known: [(ResourceAddress, String)] = [
        (.vpc, "vpc"),
        (.internetGateway, "internet_gateway"),
        (.subnet(SubnetKey(subnet: "private", az: "us-east-1a")), "subnet:private/us-east-1a"),
        (.routeTable(SubnetKey(subnet: "public", az: "eu-west-1b")), "route_table:public/eu-west-1b"),
        (.routeTableAssociation(SubnetKey(subnet: "public", az: "eu-west-1b")), "route_table_association:public/eu-west-1b"),
        (.route(SubnetKey(subnet: "private", az: "us-east-1a"), destination: .anywhere), "route:private/us-east-1a/0.0.0.0/0"),
        (.natElasticIP(az: "us-east-1a"), "eip:nat/us-east-1a"),
        (.natGateway(az: "us-east-1a"), "nat_gateway:us-east-1a"),
        (.vpcEndpoint("s3"), "vpc_endpoint:s3"),
        (.vpcEndpoints, "vpc_endpoint"),
        (.securityGroup("web"), "security_group:web"),
        (.securityGroupRule(group: "web", ruleKey: "ingress/tcp/443/10.0.0.0/16"), "sg_rule:web/ingress/tcp/443/10.0.0.0/16"),
        (.networkACL("app"), "network_acl:app"),
        (.networkACLEntry(acl: "app", direction: "ingress", ruleNumber: 100), "network_acl_entry:app/ingress/100"),
        (.networkACLAssociation(SubnetKey(subnet: "app", az: "us-east-1c")), "network_acl_association:app/us-east-1c"),
        (.logGroup("netloom-flow-logs"), "log_group:netloom-flow-logs"),
        (.iamRole("trainer"), "iam_role:trainer"),
        (.iamRolePolicy("trainer"), "iam_role_policy:trainer"),
        (.iamRolePolicyAttachment(role: "trainer", policy: "arn:aws:iam::aws:policy/service-role/AmazonSSMManagedInstanceCore"),
         "iam_role_policy_attachment:trainer/AmazonSSMManagedInstanceCore"),
        (.iamInstanceProfile("trainer"), "iam_instance_profile:trainer"),
        (.flowLog("vpc"), "flow_log:vpc"),
        (.placementGroup("trainers"), "placement_group:trainers"),
        (.instance("api"), "instance:api"),
        (.instance("gpu", index: 2), "instance:gpu/2"),
        (.bucket("data"), "bucket:data"),
        (.bucketVersioning("data"), "bucket_versioning:data"),
        (.bucketEncryption("data"), "bucket_encryption:data"),
        (.bucketPublicAccessBlock("data"), "bucket_public_access_block:data"),
        (.bucketLifecycle("data"), "bucket_lifecycle:data"),
        (.bucketObject(bucket: "data", key: "raw/"), "bucket_object:data/raw/"),
        (.bucketObject(bucket: "data", key: "raw/2024/"), "bucket_object:data/raw/2024/"),
        (.alarm("cpu"), "alarm:cpu"),
        (.alarm("cpu", index: 0), "alarm:cpu/0"),
        (.targetGroup("web"), "target_group:web"),
        (.targetGroupAttachment(group: "web", target: .instance("api", index: 1)), "target_group_attachment:web/instance:api/1"),
        (.loadBalancer("public"), "load_balancer:public"),
        (.loadBalancer("public").appending("eu-west-1a"), "load_balancer:public/eu-west-1a"),
        (.listener(loadBalancer: "public", port: 443), "listener:public/443"),
        (.cluster("trainers"), "cluster:trainers"),
        (.all(.natGateway), "nat_gateway:*"),
    ]

    @Test("each constructor prints the address text plans and state have always used")
    func printsTodaysText() {
        for (address, text) in Self.known {
            #expect(address.description == text)
        }
    }

    @Test("parsing what was printed gives the same address back, parts and kind included")
    func roundTrips() throws {
        for (address, text) in Self.known {
            let parsed = try #require(ResourceAddress(parsing: text), "\(text) did not parse")
            #expect(parsed == address, "\(text)")
            #expect(parsed.kind == address.kind)
            #expect(parsed.parts == address.parts)
        }
    }

    @Test("the last part keeps its slashes: CIDRs in rule keys, folders in object keys, instance targets")
    func lastPartKeepsSlashes() throws {
        let rule = try #require(ResourceAddress(parsing: "sg_rule:web/ingress/tcp/443/10.0.0.0/16"))
        #expect(rule.type == .securityGroupRule)
        #expect(rule.parts == ["web", "ingress/tcp/443/10.0.0.0/16"])
        #expect(rule.name == "web")
        let route = try #require(ResourceAddress(parsing: "route:private/us-east-1a/0.0.0.0/0"))
        #expect(route.parts == ["private", "us-east-1a", "0.0.0.0/0"])
        let attachment = try #require(ResourceAddress(parsing: "target_group_attachment:web/instance:api/1"))
        #expect(attachment.parts == ["web", "instance:api/1"])
        let object = try #require(ResourceAddress(parsing: "bucket_object:data/raw/2024/"))
        #expect(object.parts == ["data", "raw/2024/"])
        #expect(object.path == "data/raw/2024/")
    }

    @Test("text that is no address is refused: an unknown kind, or parts where the kind has none")
    func refusesNonAddresses() {
        for text in ["arn:aws:s3:::bucket", "*", "lb:public", "vpc:main", "internet_gateway:x", "", "ref:vpc"] {
            #expect(ResourceAddress(parsing: text) == nil, "\(text)")
        }
    }

    @Test("a name given with an empty part still parses, so spec checks can say which name is missing")
    func emptyNameParses() throws {
        let bucket = try #require(ResourceAddress(parsing: "bucket:"))
        #expect(bucket.isKind(.bucket))
        #expect(bucket.path == "")
        #expect(bucket.description == "bucket:")
    }

    @Test("a cluster is an address but no resource type; resources know their type")
    func kinds() {
        #expect(ResourceAddress.cluster("c0").type == nil)
        #expect(ResourceAddress.instance("api", index: 1).type == .instance)
        #expect(ResourceAddress.loadBalancer("x").isKind(.loadBalancer))
        #expect(!ResourceAddress.loadBalancer("x").isKind(.listener))
    }

    @Test("a reference is ref:ADDRESS, made and read in one place")
    func references() throws {
        let value = PropertyValue.reference(.subnet(SubnetKey(subnet: "private", az: "us-east-1a")))
        #expect(value == .string("ref:subnet:private/us-east-1a"))
        #expect(value.reference == .subnet(SubnetKey(subnet: "private", az: "us-east-1a")))
        #expect(PropertyValue.reference(.vpc).stringValue == "ref:vpc")
        #expect(PropertyValue.string("subnet:private/us-east-1a").reference == nil)
        #expect(PropertyValue.string("ref:nonsense:x").reference == nil)
        #expect(PropertyValue.int(3).reference == nil)
        #expect(ResourceReference(parsing: "ref:sg_rule:web/egress/all/any")?.address.parts == ["web", "egress/all/any"])
    }

    @Test("a composite id joins its parts with | and splits them again")
    func compositeIDs() {
        let id = CompositeID("acl-0abc", "ingress", "100")
        #expect(id.description == "acl-0abc|ingress|100")
        #expect(CompositeID(parsing: "acl-0abc|ingress|100") == id)
        #expect(CompositeID(parsing: "role|arn:aws:iam::aws:policy/a|b", maximumParts: 2).parts == ["role", "arn:aws:iam::aws:policy/a|b"])
        #expect(CompositeID(parsing: "sg-1").parts == ["sg-1"])
        #expect(CompositeID(parsing: "a||c").parts == ["a", "", "c"])
        #expect(id[2] == "100")
        #expect(id[3] == nil)
    }

    @Test("protocol numbers are AWS's (IANA's), both ways")
    func protocolNumbers() {
        #expect(IPProtocol.tcp.awsNumber == "6")
        #expect(IPProtocol.udp.awsNumber == "17")
        #expect(IPProtocol.icmp.awsNumber == "1")
        #expect(IPProtocol.all.awsNumber == "-1")
        for ipProtocol in IPProtocol.allCases {
            #expect(IPProtocol(awsNumber: ipProtocol.awsNumber) == ipProtocol)
            #expect(IPProtocol(awsNumber: ipProtocol.rawValue) == ipProtocol)
        }
        #expect(IPProtocol(awsNumber: "58") == nil)
    }
}

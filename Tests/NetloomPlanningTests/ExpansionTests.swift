import NetloomModel
import NetloomPlanning
import NetloomSpec
import Testing

@Suite("expansion")
struct ExpansionTests {
    static func spec(subnets: [String], rules: [String], azs: String, entries: [String]) -> String {
        """
        stack: order
        region: eu-west-1
        network:
          cidr: 10.9.0.0/16
          azs: \(azs)
          nat: single
          endpoints: { gateway: [s3], interface: [ssm, logs] }
        subnets:
        \(subnets.joined(separator: "\n"))
        security_groups:
          web:
            ingress:
        \(rules.joined(separator: "\n"))
        network_acls:
          app:
            subnets: [app]
            ingress:
        \(entries.joined(separator: "\n"))
        """
    }

    static let subnetLines = ["  edge: { tier: public, size: /26 }", "  app: { tier: private, size: auto }", "  data: { tier: isolated, size: /27 }"]
    static let ruleLines = ["      - { from: any, protocol: tcp, ports: 443 }", "      - { from: vpc, protocol: tcp, ports: 80 }",
                            "      - { from: sg:web, protocol: all }", "      - { from: 10.0.0.0/8, protocol: udp, ports: \"1000-2000\" }"]
    static let entryLines = ["      - { rule: 100, action: allow, protocol: tcp, ports: 443, cidr: 0.0.0.0/0 }",
                             "      - { rule: 90, action: deny, protocol: all, cidr: 192.0.2.0/24 }"]

    static func graph(_ text: String) throws -> [String: Resource] {
        let expanded = try StackExpander.expand(try SpecLoader.parse(text, file: "order.yaml"))
        var byAddress: [String: Resource] = [:]
        for var resource in expanded.graph.resources {
            resource.location = nil  // lines move when the text is reordered; identity must not
            byAddress[resource.address] = resource
        }
        return byAddress
    }

    @Test("reordering AZs, subnets, rules and ACL entries changes no address and no property")
    func reorderingChangesNothing() throws {
        let original = try Self.graph(Self.spec(subnets: Self.subnetLines, rules: Self.ruleLines, azs: "[eu-west-1a, eu-west-1b, eu-west-1c]", entries: Self.entryLines))
        let reordered = try Self.graph(Self.spec(subnets: Self.subnetLines.reversed(), rules: [Self.ruleLines[2], Self.ruleLines[0], Self.ruleLines[3], Self.ruleLines[1]],
                                                 azs: "[eu-west-1c, eu-west-1a, eu-west-1b]", entries: Self.entryLines.reversed()))
        #expect(original.keys.sorted() == reordered.keys.sorted())
        #expect(original == reordered)
        #expect(original["sg_rule:web/ingress/tcp/443/any"] != nil)
        #expect(original["sg_rule:web/ingress/all/sg:web"]?.properties["peer_security_group"] == .string("ref:security_group:web"))
        #expect(original["network_acl_entry:app/ingress/90"]?.properties["action"] == "deny")
    }

    @Test("private route tables route to the NAT of their AZ, or the single one, and get gateway endpoint routes")
    func routing() throws {
        let expanded = try StackExpander.expand(try loadExample("hyperpod-eks.yaml"))
        let route = try #require(expanded.graph["route:training/us-west-2b/0.0.0.0/0"])
        #expect(route.properties["target"] == "ref:nat_gateway:us-west-2b")
        #expect(expanded.graph["route:public/us-west-2a/0.0.0.0/0"]?.properties["target"] == "ref:internet_gateway")
        let s3 = try #require(expanded.graph["vpc_endpoint:s3"])
        // Every private subnet's table: the training subnets and the EKS control plane's.
        #expect(s3.properties["route_tables"] == .list(["ref:route_table:control/us-west-2a", "ref:route_table:control/us-west-2b",
                                                         "ref:route_table:training/us-west-2a", "ref:route_table:training/us-west-2b"]))
        let ssm = try #require(expanded.graph["vpc_endpoint:ssm"])
        #expect(ssm.properties["security_groups"] == .list(["ref:security_group:endpoints"]))
        #expect(ssm.properties["subnets"] == .list(["ref:subnet:training/us-west-2a", "ref:subnet:training/us-west-2b"]))
        let single = try StackExpander.expand(try loadExample("inference.yaml"))
        #expect(single.graph["route:app/eu-west-1b/0.0.0.0/0"]?.properties["target"] == "ref:nat_gateway:eu-west-1a")
        #expect(single.graph["nat_gateway:eu-west-1a"]?.dependsOn.contains("internet_gateway") == true)
    }

    @Test("isolated subnets share one route table, which the gateway endpoints route from once")
    func isolatedSubnetsShareOneRouteTable() throws {
        let text = Self.spec(subnets: Self.subnetLines + ["  vault: { tier: isolated, size: /28 }"], rules: Self.ruleLines,
                             azs: "[eu-west-1a, eu-west-1b, eu-west-1c]", entries: Self.entryLines)
        let graph = try Self.graph(text)
        let tables = graph.values.filter { $0.type == .routeTable }.map(\.address).sorted()
        // 3 edge and 3 app tables of their own, and one for the 6 isolated subnets.
        #expect(tables.count == 7)
        #expect(tables.contains("route_table:isolated"))
        #expect(!tables.contains { $0.hasPrefix("route_table:data/") || $0.hasPrefix("route_table:vault/") })
        for set in ["data", "vault"] {
            for az in ["eu-west-1a", "eu-west-1b", "eu-west-1c"] {
                let association = try #require(graph["route_table_association:\(set)/\(az)"])
                #expect(association.properties["route_table"] == "ref:route_table:isolated")
                #expect(association.dependsOn.contains("route_table:isolated"))
            }
        }
        let s3Tables = try #require(graph["vpc_endpoint:s3"]?.properties["route_tables"]?.listValue)
        #expect(s3Tables.filter { $0 == "ref:route_table:isolated" }.count == 1)
        #expect(s3Tables.count == 4)

        let expanded = try StackExpander.expand(try SpecLoader.parse(text, file: "order.yaml"))
        let data = try #require(expanded.topology.subnet(SubnetKey(subnet: "data", az: "eu-west-1b")))
        #expect(data.routeTable.description == "route_table:isolated")
        #expect(data.routes.first?.address == "route_table:isolated")
        #expect(expanded.topology.subnet(SubnetKey(subnet: "app", az: "eu-west-1b"))?.routeTable.description == "route_table:app/eu-west-1b")
    }

    @Test("every resource carries the stack and address tags when it takes tags")
    func tags() throws {
        let expanded = try StackExpander.expand(try loadExample("ml-workstation.yaml"))
        let tagged = expanded.graph.resources.compactMap { resource -> (String, [String: PropertyValue])? in
            resource.properties["tags"]?.mapValue.map { (resource.address, $0) }
        }
        #expect(tagged.count > 20)
        for (address, tags) in tagged {
            #expect(tags["netloom:stack"] == "ml-workstation")
            #expect(tags["netloom:address"] == .string(address))
            #expect(tags["project"] == "ml-infra")
        }
    }

    @Test("role policies resolve bucket:NAME to the bucket and its objects")
    func bucketARNs() throws {
        let expanded = try StackExpander.expand(try loadExample("ml-workstation.yaml"))
        let policy = try #require(expanded.graph["iam_role_policy:workstation"])
        let statements = policy.properties["document"]?.mapValue?["Statement"]?.listValue ?? []
        let resources = statements.first?.mapValue?["Resource"]?.listValue ?? []
        let datasets = try #require(expanded.graph["bucket:datasets"]?.properties["bucket_name"]?.stringValue)
        let models = try #require(expanded.graph["bucket:models"]?.properties["bucket_name"]?.stringValue)
        #expect(datasets.hasPrefix("ml-workstation-datasets-") && datasets.hasSuffix("-${account_id}") && datasets.count == "ml-workstation-datasets-".count + 8 + 14)
        #expect(expanded.graph["bucket:datasets"]?.previousNames == ["bucket_name": "ml-workstation-datasets-${account_id}"])
        #expect(resources == [.string("arn:aws:s3:::\(datasets)"), .string("arn:aws:s3:::\(datasets)/*"),
                              .string("arn:aws:s3:::\(models)"), .string("arn:aws:s3:::\(models)/*")])
        #expect(policy.dependsOn.contains("bucket:datasets"))
        #expect(expanded.graph["iam_instance_profile:workstation"] != nil)
        #expect(expanded.graph["bucket_object:datasets/raw/"] != nil)
        #expect(expanded.graph["iam_role_policy_attachment:workstation/AmazonSSMManagedInstanceCore"]?.properties["policy_arn"] == "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")
    }

    @Test("the topology gives each interface its subnet, address and groups")
    func topology() throws {
        let expanded = try StackExpander.expand(try loadExample("inference.yaml"))
        // The model servers are an Auto Scaling group: one interface per AZ stands for its instances there.
        let api0 = try #require(expanded.topology.interfaces.first { $0.id == "autoscaling_group:api/eu-west-1a" })
        #expect(api0.subnet == SubnetKey(subnet: "app", az: "eu-west-1a"))
        #expect(api0.securityGroups == ["api"])
        #expect(api0.count == 3)
        #expect(expanded.addressPlan[api0.subnet]?.cidr.contains(api0.privateIP) == true)
        let lbNodes = expanded.topology.interfaces.filter { $0.owner == "load_balancer:public" }
        #expect(lbNodes.count == 2)
        #expect(expanded.topology.subnet(SubnetKey(subnet: "app", az: "eu-west-1a"))?.networkACL == "app")
    }
}

import Foundation
import NetloomAnalysis
import NetloomModel
import NetloomPlanning
import NetloomSpec
import Testing

/// A two-tier stack (public and private subnets in one AZ) whose groups, ACLs and instances
/// each test fills in.
func twoTierStack(nat: String = "single", endpoints: String = "", groups: String, acls: String = "", instances: String) -> String {
    """
    stack: semantics
    region: us-east-1
    network:
      cidr: 10.0.0.0/16
      azs: [us-east-1a]
      nat: \(nat)
    \(endpoints.isEmpty ? "" : "  endpoints: \(endpoints)")
    subnets:
      public: { tier: public, size: /24 }
      private: { tier: private, size: /24 }
      data: { tier: isolated, size: /24 }
    security_groups:
    \(groups)
    \(acls.isEmpty ? "" : "network_acls:\n\(acls)")
    instances:
    \(instances)
    """
}

let openGroup = """
  open:
    ingress:
      - { from: any, protocol: all }
"""

@Suite("network ACLs")
struct NetworkACLTests {
    func stack(egress: String) -> String {
        twoTierStack(groups: openGroup, acls: """
          data-acl:
            subnets: [data]
            ingress:
              - { rule: 100, action: allow, protocol: tcp, ports: 443, cidr: 10.0.0.0/16 }
            egress:
        \(egress)
        """, instances: """
          client: { type: t3.micro, ami: ami-12345678, subnet: private, security_groups: [open] }
          server: { type: t3.micro, ami: ami-12345678, subnet: data, security_groups: [open] }
          peer: { type: t3.micro, ami: ami-12345678, subnet: data, security_groups: [open] }
        """)
    }

    @Test("a NACL that admits 443 but not the return ephemeral ports blocks the connection")
    func returnPortsMissing() throws {
        let analyzer = try ReachabilityAnalyzer(TestStacks.expand(stack(egress: "      - { rule: 100, action: allow, protocol: tcp, ports: 443, cidr: 10.0.0.0/16 }")))
        let verdict = analyzer.check("instance:client", "instance:server", .tcp, 443)
        #expect(!verdict.reachable)
        #expect(verdict.codes == ["SUBNET_ACL_RESTRICTION"])
        #expect(verdict.explanations.contains { $0.address == "network_acl:data-acl" && $0.detail.contains("return traffic") && $0.detail.contains("32768-60999") })
    }

    @Test("the same NACL with the Linux ephemeral range allowed back lets the connection through")
    func returnPortsAllowed() throws {
        let analyzer = try ReachabilityAnalyzer(TestStacks.expand(stack(egress: "      - { rule: 100, action: allow, protocol: tcp, ports: \"32768-60999\", cidr: 10.0.0.0/16 }")))
        let verdict = analyzer.check("instance:client", "instance:server", .tcp, 443)
        #expect(verdict.reachable)
        #expect(verdict.addresses.contains("network_acl_entry:data-acl/ingress/100"))
        #expect(verdict.addresses.contains("network_acl_entry:data-acl/egress/100"))
    }

    @Test("two interfaces in one subnet never meet its ACL, even one that denies everything")
    func sameSubnetSkipsACL() throws {
        let analyzer = try ReachabilityAnalyzer(TestStacks.expand(stack(egress: "      []")))
        let inside = analyzer.check("instance:peer", "instance:server", .tcp, 22)
        #expect(inside.reachable)
        #expect(!inside.path.contains { $0.component == "network_acl" })
        // From another subnet the same ACL applies (22 is not admitted).
        let across = analyzer.check("instance:client", "instance:server", .tcp, 22)
        #expect(!across.reachable)
        #expect(across.codes == ["SUBNET_ACL_RESTRICTION"])
    }

    @Test("entries are evaluated by ascending number and the first match wins")
    func firstMatchWins() throws {
        func analyzer(denyRule: Int) throws -> ReachabilityAnalyzer {
            try ReachabilityAnalyzer(TestStacks.expand(twoTierStack(groups: openGroup, acls: """
              data-acl:
                subnets: [data]
                ingress:
                  - { rule: \(denyRule), action: deny, protocol: tcp, ports: 443, cidr: 10.0.0.0/16 }
                  - { rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }
                egress:
                  - { rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }
            """, instances: """
              client: { type: t3.micro, ami: ami-12345678, subnet: private, security_groups: [open] }
              server: { type: t3.micro, ami: ami-12345678, subnet: data, security_groups: [open] }
            """)))
        }
        let denied = try analyzer(denyRule: 90).check("instance:client", "instance:server", .tcp, 443)
        #expect(!denied.reachable)
        #expect(denied.explanations.map(\.address) == ["network_acl_entry:data-acl/ingress/90"])
        #expect(try analyzer(denyRule: 110).check("instance:client", "instance:server", .tcp, 443).reachable)
    }
}

@Suite("routes, gateways and endpoints")
struct RoutingTests {
    let instances = """
      web: { type: t3.micro, ami: ami-12345678, subnet: public, public_ip: true, security_groups: [open] }
      hidden: { type: t3.micro, ami: ami-12345678, subnet: public, public_ip: false, security_groups: [open] }
      worker: { type: t3.micro, ami: ami-12345678, subnet: private, security_groups: [open] }
      vault: { type: t3.micro, ami: ami-12345678, subnet: data, security_groups: [open] }
    """

    @Test("a public-subnet instance without a public IP cannot reach the internet; with one it can")
    func publicIPNeededForEgress() throws {
        let analyzer = try ReachabilityAnalyzer(TestStacks.expand(twoTierStack(groups: openGroup, instances: instances)))
        let hidden = analyzer.check("instance:hidden", "internet", .tcp, 443)
        #expect(!hidden.reachable)
        #expect(hidden.codes == ["IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS"])
        let web = analyzer.check("instance:web", "internet", .tcp, 443)
        #expect(web.reachable)
        #expect(web.addresses.contains("route:public/us-east-1a/0.0.0.0/0"))
        #expect(web.addresses.contains("internet_gateway"))
    }

    @Test("a private instance reaches S3 through the gateway endpoint with no NAT at all")
    func s3ThroughGatewayEndpoint() throws {
        let analyzer = try ReachabilityAnalyzer(TestStacks.expand(twoTierStack(nat: "none", endpoints: "{ gateway: [s3] }", groups: openGroup, instances: instances)))
        let verdict = analyzer.check("instance:worker", "service:s3", .tcp, 443)
        #expect(verdict.reachable)
        #expect(verdict.path.contains { $0.component == "route" && $0.address == "vpc_endpoint:s3" && $0.detail.contains("prefix-list:s3") })
        #expect(!verdict.path.contains { $0.component == "nat_gateway" || $0.component == "internet_gateway" })
        // The isolated tier gets the endpoint route too; the internet stays out of reach.
        #expect(analyzer.check("instance:vault", "service:s3", .tcp, 443).reachable)
        #expect(analyzer.check("instance:worker", "internet", .tcp, 443).codes == ["NO_ROUTE_TO_DESTINATION"])
    }

    @Test("without a gateway endpoint or NAT a private instance has no route to S3")
    func noRouteWithoutEndpoint() throws {
        let analyzer = try ReachabilityAnalyzer(TestStacks.expand(twoTierStack(nat: "none", groups: openGroup, instances: instances)))
        let verdict = analyzer.check("instance:worker", "service:s3", .tcp, 443)
        #expect(!verdict.reachable)
        #expect(verdict.codes == ["NO_ROUTE_TO_DESTINATION"])
    }

    @Test("a private instance goes out through the NAT gateway, but the internet cannot come in through it")
    func natIsOutboundOnly() throws {
        let analyzer = try ReachabilityAnalyzer(TestStacks.expand(twoTierStack(groups: openGroup, instances: instances)))
        let out = analyzer.check("instance:worker", "internet", .tcp, 443)
        #expect(out.reachable)
        #expect(out.path.map(\.component).contains("nat_gateway"))
        let inbound = analyzer.check("internet", "instance:worker", .tcp, 22)
        #expect(!inbound.reachable)
        #expect(inbound.codes == ["NGW_REQUIRES_SOURCE_IN_VPC", "NETLOOM_NO_PUBLIC_IP_FOR_INGRESS"])
        // The same group admits the internet on a public instance.
        #expect(analyzer.check("internet", "instance:web", .tcp, 22).reachable)
    }

    @Test("an isolated subnet has no route to the internet")
    func isolatedHasNoRoute() throws {
        let analyzer = try ReachabilityAnalyzer(TestStacks.expand(twoTierStack(groups: openGroup, instances: instances)))
        #expect(analyzer.check("instance:vault", "internet", .udp, 53).codes == ["NO_ROUTE_TO_DESTINATION"])
        #expect(analyzer.check("subnet:data", "ip:8.8.8.8", .icmp).codes == ["NO_ROUTE_TO_DESTINATION"])
    }
}

@Suite("security groups")
struct SecurityGroupTests {
    let groups = """
      client:
        ingress: []
      server:
        ingress:
          - { from: sg:client, protocol: tcp, ports: 22 }
    """
    let instances = """
      jump: { type: t3.micro, ami: ami-12345678, subnet: public, public_ip: true, security_groups: [client] }
      box: { type: t3.micro, ami: ami-12345678, subnet: public, public_ip: true, security_groups: [server] }
      other: { type: t3.micro, ami: ami-12345678, subnet: private, security_groups: [server] }
    """

    @Test("an sg reference admits the group's interfaces by private address")
    func referenceMatchesPrivateAddresses() throws {
        let analyzer = try ReachabilityAnalyzer(TestStacks.expand(twoTierStack(groups: groups, instances: instances)))
        let verdict = analyzer.check("instance:jump", "instance:box", .tcp, 22)
        #expect(verdict.reachable)
        #expect(verdict.path.contains { $0.address == "security_group:server" && $0.detail.contains("sg:client") })
    }

    @Test("an sg reference never matches traffic from a public address, even to a public instance")
    func referenceIgnoresPublicAddresses() throws {
        let analyzer = try ReachabilityAnalyzer(TestStacks.expand(twoTierStack(groups: groups, instances: instances)))
        let verdict = analyzer.check("internet", "instance:box", .tcp, 22)
        #expect(!verdict.reachable)
        #expect(verdict.explanations.map(\.code) == ["ENI_SG_RULES_MISMATCH"])
        #expect(verdict.explanations.first?.address == "security_group:server")
        // Nor does it admit an interface without the group.
        #expect(analyzer.check("instance:other", "instance:box", .tcp, 22).codes == ["ENI_SG_RULES_MISMATCH"])
    }

    @Test("groups are unioned and return traffic needs no rule")
    func unionAndStateful() throws {
        let analyzer = try ReachabilityAnalyzer(TestStacks.expand(twoTierStack(groups: """
          ssh:
            ingress:
              - { from: vpc, protocol: tcp, ports: 22 }
            egress: []
          web:
            ingress:
              - { from: vpc, protocol: tcp, ports: 443 }
            egress: []
          caller:
            ingress: []
        """, instances: """
          both: { type: t3.micro, ami: ami-12345678, subnet: private, security_groups: [ssh, web] }
          caller: { type: t3.micro, ami: ami-12345678, subnet: private, security_groups: [caller] }
        """)))
        // `both` has no egress at all, yet answers: groups are stateful.
        #expect(analyzer.check("instance:caller", "instance:both", .tcp, 22).reachable)
        #expect(analyzer.check("instance:caller", "instance:both", .tcp, 443).reachable)
        #expect(!analyzer.check("instance:caller", "instance:both", .tcp, 80).reachable)
        #expect(analyzer.check("instance:both", "instance:caller", .tcp, 22).codes == ["ENI_SG_RULES_MISMATCH"])
    }

    @Test("every reason is reported: a missing egress rule and a denying ACL together")
    func everyReason() throws {
        let analyzer = try ReachabilityAnalyzer(TestStacks.expand(twoTierStack(groups: """
          quiet:
            ingress: []
            egress: []
        """, acls: """
          closed:
            subnets: [data]
            ingress: []
            egress: []
        """, instances: """
          a: { type: t3.micro, ami: ami-12345678, subnet: private, security_groups: [quiet] }
          b: { type: t3.micro, ami: ami-12345678, subnet: data, security_groups: [quiet] }
        """)))
        let verdict = analyzer.check("instance:a", "instance:b", .tcp, 443)
        #expect(!verdict.reachable)
        #expect(verdict.codes == ["ENI_SG_RULES_MISMATCH", "SUBNET_ACL_RESTRICTION"])
        #expect(verdict.explanations.count == 4, "egress and ingress groups, request and return ACL: \(verdict.explanations)")
    }

    @Test("protocol all without a port finds any traffic that passes and names it")
    func anyTraffic() throws {
        let analyzer = try ReachabilityAnalyzer(TestStacks.expand(twoTierStack(groups: groups, instances: instances)))
        let verdict = analyzer.check("instance:jump", "instance:box", .all)
        #expect(verdict.reachable)
        #expect(verdict.path.contains { $0.address == "security_group:server" && $0.detail.hasPrefix("tcp 22 ") })
        #expect(!analyzer.check("instance:box", "instance:jump", .all).reachable)
    }
}

@Suite("EFA clusters")
struct EFATests {
    func analyzer(ingress: String, egress: String) throws -> ReachabilityAnalyzer {
        try ReachabilityAnalyzer(TestStacks.expand("""
            stack: efa
            region: us-west-2
            network: { cidr: 10.0.0.0/16, azs: [us-west-2a], nat: none }
            subnets:
              training: { tier: private, size: auto }
            security_groups:
              efa:
                ingress: \(ingress)
                egress: \(egress)
            clusters:
              trainers: { orchestrator: eks, instance_type: ml.p5.48xlarge, nodes: 4, subnet: training, security_groups: [efa] }
            """))
    }

    @Test("nodes reach each other when the group allows itself both in and out")
    func selfBothWays() throws {
        let verdict = try analyzer(ingress: "[{ from: self, protocol: all }]", egress: "[{ to: self, protocol: all }]")
            .check("cluster:trainers", "cluster:trainers", .all)
        #expect(verdict.reachable)
        #expect(verdict.path.filter { $0.address == "security_group:efa" }.count == 2)
        #expect(verdict.addresses.contains("route_table:training/us-west-2a"))
    }

    @Test("a self rule inbound alone is not enough: the group must allow itself outbound too")
    func selfInboundOnly() throws {
        let verdict = try analyzer(ingress: "[{ from: self, protocol: all }]", egress: "[]").check("cluster:trainers", "cluster:trainers", .all)
        #expect(!verdict.reachable)
        #expect(verdict.explanations.allSatisfy { $0.code == "ENI_SG_RULES_MISMATCH" && $0.detail.contains("egress") })
    }

    @Test("a self rule outbound alone is not enough either")
    func selfOutboundOnly() throws {
        let verdict = try analyzer(ingress: "[]", egress: "[{ to: self, protocol: all }]").check("cluster:trainers", "cluster:trainers", .udp, 4791)
        #expect(!verdict.reachable)
        #expect(verdict.explanations.allSatisfy { $0.code == "ENI_SG_RULES_MISMATCH" && $0.detail.contains("ingress") })
    }
}

@Suite("load balancers as hops (examples/inference.yaml)")
struct LoadBalancerTests {
    @Test("the internet reaches the listener, and the load balancer forwards to a target on the target group port")
    func fullChain() throws {
        let analyzer = try ReachabilityAnalyzer(TestStacks.example("inference.yaml"))
        let verdict = analyzer.check("internet", "lb:public", .tcp, 443)
        #expect(verdict.reachable)
        let addresses = verdict.addresses
        let listener = try #require(addresses.firstIndex(of: "listener:public/443"))
        // Before the listener: the ALB's own group admits port 443 from anywhere.
        #expect(addresses[..<listener].contains("security_group:alb"))
        #expect(verdict.path[..<listener].contains { $0.component == "internet_gateway" })
        // After it: the ALB's group lets 5000 out to sg:api, the app ACL and the api group let it in.
        let after = Array(verdict.path[listener...])
        #expect(after.contains { $0.address == "security_group:alb" && $0.detail.contains("tcp 5000") })
        #expect(after.contains { $0.address == "network_acl_entry:app/ingress/100" })
        #expect(after.contains { $0.address == "security_group:api" && $0.detail.contains("sg:alb") })
        #expect(after.contains { $0.address.hasPrefix("autoscaling_group:api/") })
    }

    @Test("the redirect listener on 80 is a hop that only answers: the path ends there")
    func redirectOnlyAnswers() throws {
        let verdict = try ReachabilityAnalyzer(TestStacks.example("inference.yaml")).check("internet", "lb:public", .tcp, 80)
        #expect(verdict.reachable)
        #expect(verdict.path.last?.address == "listener:public/80" && verdict.path.last?.detail.contains("301") == true)
        #expect(!verdict.addresses.contains { $0.hasPrefix("instance:") })
    }

    @Test("a port without a listener is refused with ELB_LISTENERS_MISMATCH")
    func noListener() throws {
        let verdict = try ReachabilityAnalyzer(TestStacks.example("inference.yaml")).check("internet", "lb:public", .tcp, 8443)
        #expect(!verdict.reachable)
        #expect(verdict.codes == ["ELB_LISTENERS_MISMATCH"])
    }

    @Test("when the targets do not admit the load balancer's group, the chain is blocked at the target")
    func targetRefusesBalancer() throws {
        var text = try String(contentsOfFile: "\(TestStacks.examplesDirectory)/inference.yaml", encoding: .utf8)
        text = text.replacingOccurrences(of: "- { from: sg:alb, protocol: tcp, ports: 5000 }", with: "- { from: 203.0.113.0/24, protocol: tcp, ports: 5000 }")
        let analyzer = try ReachabilityAnalyzer(TestStacks.expand(text))
        let verdict = analyzer.check("internet", "lb:public", .tcp, 443)
        #expect(!verdict.reachable)
        #expect(verdict.explanations.contains { $0.code == "ENI_SG_RULES_MISMATCH" && $0.address == "security_group:api" })
        #expect(!analyzer.check("lb:public", "instance:api", .tcp, 5000).reachable)
    }
}

@Suite("query ends")
struct QueryEndTests {
    @Test("an ip: inside the VPC is the interface holding it, an ip: outside is an internet host")
    func ipEnds() throws {
        let expanded = try TestStacks.example("ml-workstation.yaml")
        let analyzer = ReachabilityAnalyzer(expanded)
        let workstation = try #require(expanded.topology.interfaces.first { $0.owner == "instance:workstation" })
        let verdict = analyzer.check("ip:203.0.113.10", "ip:\(workstation.privateIP)", .tcp, 8888)
        #expect(verdict.reachable)
        #expect(verdict.addresses.contains("instance:workstation"))
        #expect(!analyzer.check("ip:198.51.100.7", "ip:\(workstation.privateIP)", .tcp, 8888).reachable)
    }

    @Test("an ip: in the VPC but in no subnet, or a name the stack lacks, is explained")
    func unresolvableEnds() throws {
        let analyzer = try ReachabilityAnalyzer(TestStacks.example("ml-workstation.yaml"))
        #expect(analyzer.check("ip:10.0.200.1", "internet", .tcp, 443).codes == ["NETLOOM_ADDRESS_NOT_IN_SUBNET"])
        #expect(analyzer.check("instance:nope", "internet", .tcp, 443).codes == ["NETLOOM_END_HAS_NO_INTERFACES"])
        #expect(analyzer.check("internet", "service:s3", .tcp, 443).codes == ["NETLOOM_NO_END_IN_VPC"])
    }

    @Test("assertions evaluate to passed when the verdict matches the expectation")
    func assertionPasses() throws {
        let expanded = try TestStacks.example("inference.yaml")
        let analyzer = ReachabilityAnalyzer(expanded)
        var assertion = try #require(expanded.spec.assertions.first { $0.expect == .unreachable })
        #expect(analyzer.evaluate(assertion).passed)
        assertion.expect = .reachable
        let (passed, verdict) = analyzer.evaluate(assertion)
        #expect(!passed)
        #expect(!verdict.explanations.isEmpty)
    }
}

@Suite("interface endpoints")
struct InterfaceEndpointTests {
    func analyzer(endpointIngress: String) throws -> ReachabilityAnalyzer {
        try ReachabilityAnalyzer(TestStacks.expand("""
            stack: endpoints
            region: us-west-2
            network:
              cidr: 10.0.0.0/16
              azs: [us-west-2a, us-west-2b]
              nat: none
              endpoints: { interface: [ssm, sts], subnet: private, security_group: endpoints }
            subnets:
              private: { tier: private, size: /24 }
            security_groups:
              endpoints:
                ingress: \(endpointIngress)
                egress: []
              app:
                ingress: []
            instances:
              app: { type: t3.micro, ami: ami-12345678, subnet: private, az: us-west-2b, security_groups: [app] }
            """))
    }

    @Test("an interface endpoint is an interface in its subnet, guarded by its group")
    func endpointIsAnInterface() throws {
        let open = try analyzer(endpointIngress: "[{ from: vpc, protocol: tcp, ports: 443 }]")
        let verdict = open.check("instance:app", "endpoint:ssm", .tcp, 443)
        #expect(verdict.reachable)
        #expect(verdict.path.contains { $0.component == "network_interface" && $0.address.hasPrefix("vpc_endpoint:ssm/") })
        #expect(verdict.path.contains { $0.address == "security_group:endpoints" })
        // Without a NAT or a route out, the same service is not reachable by its public range.
        #expect(!open.check("instance:app", "internet", .tcp, 443).reachable)
        let closed = try analyzer(endpointIngress: "[{ from: 192.168.0.0/16, protocol: tcp, ports: 443 }]")
        #expect(closed.check("instance:app", "endpoint:ssm", .tcp, 443).codes == ["ENI_SG_RULES_MISMATCH"])
    }
}

@Suite("netloom's own codes")
struct NetloomCodeTests {
    @Test("a public IP in a private subnet does not help inbound: replies leave through the NAT gateway")
    func asymmetricReturn() throws {
        let analyzer = try ReachabilityAnalyzer(TestStacks.expand(twoTierStack(groups: openGroup, instances: """
          odd: { type: t3.micro, ami: ami-12345678, subnet: private, public_ip: true, security_groups: [open] }
        """)))
        let verdict = analyzer.check("internet", "instance:odd", .tcp, 443)
        #expect(!verdict.reachable)
        #expect(verdict.codes == ["NETLOOM_ASYMMETRIC_RETURN_ROUTE"])
        #expect(verdict.explanations.first?.detail.contains("nat_gateway:us-east-1a") == true)
    }

    @Test("protocol all is blocked when each filter allows some traffic but no packet passes them all")
    func noCommonTraffic() throws {
        let analyzer = try ReachabilityAnalyzer(TestStacks.expand(twoTierStack(groups: """
          ssh-only:
            ingress:
              - { from: vpc, protocol: tcp, ports: 22 }
        """, acls: """
          web-only:
            subnets: [data]
            ingress:
              - { rule: 100, action: allow, protocol: tcp, ports: 443, cidr: 10.0.0.0/16 }
            egress:
              - { rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }
        """, instances: """
          client: { type: t3.micro, ami: ami-12345678, subnet: private, security_groups: [ssh-only] }
          server: { type: t3.micro, ami: ami-12345678, subnet: data, security_groups: [ssh-only] }
        """)))
        let verdict = analyzer.check("instance:client", "instance:server", .all)
        #expect(!verdict.reachable)
        #expect(verdict.codes.contains("NETLOOM_NO_COMMON_TRAFFIC"))
        #expect(!analyzer.check("instance:client", "instance:server", .tcp, 22).reachable)
        #expect(!analyzer.check("instance:client", "instance:server", .tcp, 443).reachable)
    }

    @Test("every explanation code is documented in docs/reachability-codes.md")
    func codesAreDocumented() throws {
        let docs = try String(contentsOfFile: TestStacks.examplesDirectory.replacingOccurrences(of: "/examples", with: "/docs/reachability-codes.md"), encoding: .utf8)
        for code in ExplanationCode.allCases {
            #expect(docs.contains("`\(code.rawValue)`"), "\(code.rawValue) is not in the docs")
        }
    }
}

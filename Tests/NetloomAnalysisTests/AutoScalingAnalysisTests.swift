import NetloomAnalysis
import NetloomModel
import NetloomPlanning
import NetloomSpec
import Testing

/// An application load balancer on port 80 in front of an Auto Scaling group of model servers on
/// port 5000, in the private subnets of two AZs.
enum ServingStack {
    static func yaml(subnetSize: String = "auto", azs: String = "[us-east-1a, us-east-1b]", group: String = defaultGroup) -> String {
        """
        stack: serve
        region: us-east-1
        network:
          cidr: 10.0.0.0/16
          azs: \(azs)
          nat: single
        subnets:
          edge: { tier: public }
          app: { tier: private, size: \(subnetSize) }
        security_groups:
          alb:
            description: Public HTTP
            ingress:
              - { from: any, protocol: tcp, ports: 80 }
          api:
            description: Model servers
            ingress:
              - { from: sg:alb, protocol: tcp, ports: 5000 }
        roles:
          api: { assumed_by: ec2 }
        load_balancers:
          public:
            type: application
            subnet: edge
            security_groups: [alb]
            listeners:
              - { port: 80, protocol: HTTP, forward: api }
        target_groups:
          api: { port: 5000, protocol: HTTP }
        autoscaling_groups:
        \(group)
        """
    }

    static let defaultGroup = """
          api:
            type: g5.xlarge
            ami: ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64
            subnet: app
            security_groups: [api]
            role: api
            min: 2
            max: 8
            desired: 3
            target_groups: [api]
            scale: { metric: requests_per_target, target: 1000 }
        """

    static func group(min: Int = 2, max: Int = 8, extra: String = "") -> String {
        """
          api:
            type: g5.xlarge
            ami: ami-0123456789abcdef0
            subnet: app
            security_groups: [api]
            min: \(min)
            max: \(max)
            target_groups: [api]
        \(extra)
        """
    }

    /// The same behind a network load balancer (an application one needs two AZs) in one AZ.
    static let oneAZ = yaml(azs: "[us-east-1a]").replacingOccurrences(of: "type: application", with: "type: network")
        .replacingOccurrences(of: "protocol: HTTP, forward", with: "protocol: TCP, forward").replacingOccurrences(of: "port: 5000, protocol: HTTP", with: "port: 5000, protocol: TCP")
        .replacingOccurrences(of: "scale: { metric: requests_per_target, target: 1000 }", with: "scale: { metric: cpu, target: 60 }")

    /// The messages validation gives, or none.
    static func messages(_ yaml: String) -> [String] {
        do {
            _ = try StackExpander.expand(try SpecLoader.parse(yaml, file: "serve.yaml"))
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }
}

@Suite("Auto Scaling groups: spec, expansion, address planning")
struct AutoScalingSpecTests {
    @Test("a group expands into a launch template, the group over both AZs' subnets and a requests-per-target policy")
    func expansion() throws {
        let expanded = try expandSpec(ServingStack.yaml())
        let graph = expanded.graph
        let template = try #require(graph[ResourceAddress.launchTemplate("api").description])
        #expect(template.properties["metadata_http_tokens"] == "required")
        #expect(template.properties["instance_type"] == "g5.xlarge")
        #expect(template.properties["instance_profile"] == .reference(.iamInstanceProfile("api")))
        #expect(template.properties["security_groups"] == .list([.reference(.securityGroup("api"))]))
        #expect(template.properties["root_volume"]?.mapValue?["encrypted"] == true)
        #expect(template.properties["instance_tags"]?.mapValue?["Name"] == "serve-api")
        #expect(template.properties["instance_tags"]?.mapValue?["netloom:stack"] == nil, "instances carry no netloom tags")

        let group = try #require(graph[ResourceAddress.autoScalingGroup("api").description])
        #expect(group.properties["min"] == 2 && group.properties["max"] == 8 && group.properties["desired"] == 3)
        #expect(group.properties["subnets"] == .list([.reference(.subnet(SubnetKey(subnet: "app", az: "us-east-1a"))),
                                                      .reference(.subnet(SubnetKey(subnet: "app", az: "us-east-1b")))]))
        #expect(group.properties["target_groups"] == .list([.reference(.targetGroup("api"))]))
        #expect(group.properties["health_check_type"] == "ELB" && group.properties["health_check_grace_s"] == 300)
        #expect(group.dependsOn.contains(ResourceAddress.launchTemplate("api").description))

        let policy = try #require(graph[ResourceAddress.scalingPolicy("api").description])
        #expect(policy.properties["metric"] == "ALBRequestCountPerTarget")
        #expect(policy.properties["load_balancer"] == .reference(.loadBalancer("public")))
        #expect(policy.properties["target_group"] == .reference(.targetGroup("api")))
        #expect(policy.dependsOn.contains(ResourceAddress.listener(loadBalancer: "public", port: 80).description))
        // The group registers its instances itself: netloom makes no registrations of its own.
        #expect(graph.resources(of: .targetGroupAttachment).isEmpty)
    }

    @Test("a CPU policy needs no load balancer, and a group without target groups uses EC2 health checks")
    func cpuPolicy() throws {
        let yaml = ServingStack.yaml(group: ServingStack.group(extra: "    scale: { metric: cpu, target: 60 }\n    health_check_grace_s: 600")
            .replacingOccurrences(of: "    target_groups: [api]\n", with: ""))
        let graph = try expandSpec(yaml).graph
        let policy = try #require(graph[ResourceAddress.scalingPolicy("api").description])
        #expect(policy.properties["metric"] == "ASGAverageCPUUtilization" && policy.properties["target"] == .double(60))
        #expect(policy.properties["load_balancer"] == nil)
        let group = try #require(graph[ResourceAddress.autoScalingGroup("api").description])
        #expect(group.properties["health_check_type"] == "EC2" && group.properties["health_check_grace_s"] == 600)
        #expect(group.properties["desired"] == nil)
    }

    @Test("address planning counts the group at max, its share in every AZ of the set")
    func addressDemand() throws {
        let expanded = try expandSpec(ServingStack.yaml(group: ServingStack.group(max: 9)))
        for az in ["us-east-1a", "us-east-1b"] {
            let placements = expanded.demand.placements[SubnetKey(subnet: "app", az: az)] ?? []
            #expect(placements.filter { $0.kind == .autoScalingGroup }.map(\.addresses) == [5], "\(az): ceil(9 / 2)")
            #expect(expanded.addressPlan[SubnetKey(subnet: "app", az: az)]?.demand == 5)
        }
        // A pinned subnet too small for the share at max is refused before anything is built.
        let messages = ServingStack.messages(ServingStack.yaml(subnetSize: "/28", group: ServingStack.group(max: 30)))
        #expect(messages.contains { $0.contains("subnet 'app' in us-east-1a needs 15 addresses but a /28 holds 11") }, "\(messages)")
    }

    @Test("validation locates max below min, desired outside min..max, unknown names, a target group with targets of its own and requests_per_target without an ALB")
    func validation() {
        let maxBelowMin = ServingStack.messages(ServingStack.yaml(group: ServingStack.group(min: 4, max: 2)))
        #expect(maxBelowMin == ["serve.yaml:37:10: error: auto scaling group 'api' max 2 is below min 4: AWS refuses a group that cannot hold its own minimum"], "\(maxBelowMin)")

        let desired = ServingStack.messages(ServingStack.yaml(group: ServingStack.group(extra: "    desired: 9")))
        #expect(desired.count == 1 && desired[0].contains("desired 9 is outside min..max (2..8)"), "\(desired)")

        let unknown = ServingStack.messages(ServingStack.yaml(group: ServingStack.group().replacingOccurrences(of: "target_groups: [api]", with: "target_groups: [apj]")
            .replacingOccurrences(of: "subnet: app", with: "subnet: apps")))
        #expect(unknown.contains { $0.contains("subnet 'apps' is not defined") }, "\(unknown)")
        #expect(unknown.contains { $0.contains("target group 'apj' is not defined") }, "\(unknown)")

        let withTargets = ServingStack.yaml(group: ServingStack.group()).replacingOccurrences(
            of: "api: { port: 5000, protocol: HTTP }",
            with: "api: { port: 5000, protocol: HTTP, targets: [instance:old] }\ninstances:\n  old: { type: t3.medium, ami: ami-0123456789abcdef0, subnet: app }")
        let targetMessages = ServingStack.messages(withTargets)
        #expect(targetMessages.contains { $0.contains("target group 'api' gets its instances from auto scaling group 'api', so it cannot also list targets (instance:old)") },
                "\(targetMessages)")

        let noBalancer = ServingStack.messages(ServingStack.yaml(group: ServingStack.group(extra: "    scale: { metric: requests_per_target, target: 500 }"))
            .replacingOccurrences(of: "forward: api", with: "forward: other")
            .replacingOccurrences(of: "api: { port: 5000, protocol: HTTP }", with: "api: { port: 5000, protocol: HTTP }\n  other: { port: 80, protocol: HTTP }"))
        #expect(noBalancer.contains { $0.contains("scales on requests_per_target") && $0.contains("none of its target groups (api)") }, "\(noBalancer)")

        let cpuTooHigh = ServingStack.messages(ServingStack.yaml(group: ServingStack.group(extra: "    scale: { metric: cpu, target: 150 }")))
        #expect(cpuTooHigh.count == 1 && cpuTooHigh[0].contains("scale target"), "\(cpuTooHigh)")
    }

    @Test("asg:NAME is a reachability end, and an undefined one is named with a did-you-mean")
    func endSyntax() throws {
        #expect(try Endpoint.parse("asg:api").get() == .autoScalingGroup("api"))
        #expect(Endpoint.autoScalingGroup("api").description == "asg:api")
        let spec = try SpecLoader.parse(ServingStack.yaml(), file: "serve.yaml")
        #expect(Endpoint.autoScalingGroup("apu").undefinedName(in: spec)?.contains("auto scaling group 'apu' is not defined") == true)
    }
}

@Suite("Auto Scaling groups: reach, check, cost")
struct AutoScalingAnalysisTests {
    func query(_ from: String, _ to: String, port: Int) throws -> ReachabilityQuery {
        ReachabilityQuery(from: try Endpoint.parse(from).get(), to: try Endpoint.parse(to).get(), ipProtocol: .tcp, port: port)
    }

    @Test("internet → listener → target group → the group's instances in either AZ; the instances are not reachable directly; the reference evaluator agrees")
    func reach() throws {
        let expanded = try expandSpec(ServingStack.yaml())
        let analyzer = ReachabilityAnalyzer(expanded), reference = ReferenceReachability(expanded)
        let interfaces = expanded.topology.interfaces.filter { $0.kind == .autoScalingInstance }
        #expect(interfaces.map(\.id) == ["autoscaling_group:api/us-east-1a", "autoscaling_group:api/us-east-1b"])
        #expect(interfaces.allSatisfy { $0.count == 4 && !$0.publicIP && $0.securityGroups == ["api"] })

        let throughBalancer = analyzer.evaluate(try query("internet", "lb:public", port: 80))
        #expect(throughBalancer.reachable)
        #expect(throughBalancer.path.contains { $0.component == "listener" })
        #expect(throughBalancer.path.contains { $0.address.hasPrefix("autoscaling_group:api/") }, "\(throughBalancer.path)")

        let cases: [(String, String, Int, Bool)] = [
            ("internet", "lb:public", 80, true),
            ("lb:public", "asg:api", 5000, true),
            ("internet", "asg:api", 5000, false),
            ("asg:api", "internet", 443, true),
            ("asg:api", "asg:api", 5000, false),
            ("internet", "lb:public", 443, false),
        ]
        for (from, to, port, expected) in cases {
            let asked = try query(from, to, port: port)
            let verdict = analyzer.evaluate(asked)
            #expect(verdict.reachable == expected, "\(from) → \(to):\(port): \(verdict.explanations)")
            #expect(reference.isReachable(asked) == verdict.reachable, "reference disagrees on \(from) → \(to):\(port)")
        }
        // Blocked at the group's own security group: the explanation names it.
        let direct = analyzer.evaluate(try query("lb:public", "asg:api", port: 22))
        #expect(!direct.reachable && !direct.explanations.isEmpty)
    }

    @Test("NL-ASG-001 flags a group in one AZ; NL-ASG-002 a group whose subnets cannot hold max once an AZ is lost; neither flags the two-AZ stack")
    func rules() throws {
        let clean = try findings(ServingStack.yaml())
        #expect(!clean.findings.contains { $0.ruleID.hasPrefix("NL-ASG") }, "\(clean.findings)")

        let oneAZ = try findings(ServingStack.oneAZ)
        let hit = try #require(oneAZ.findings.first { $0.ruleID == "NL-ASG-001" })
        #expect(hit.address == "autoscaling_group:api" && hit.message.contains("in us-east-1a"), "\(hit)")

        // A /28 holds 11: 8 per AZ fit (max 16 over 2 AZs), all 16 in the one AZ left do not.
        let tight = try findings(ServingStack.yaml(subnetSize: "/28", group: ServingStack.group(max: 16)))
        let capacity = try #require(tight.findings.first { $0.ruleID == "NL-ASG-002" })
        #expect(capacity.message.contains("needs room for 16 instances per AZ") && capacity.message.contains("us-east-1a has room for 11"), "\(capacity.message)")

        let rule = try #require(RuleCatalog.rule("NL-ASG-002"))
        #expect(!rule.rationale.isEmpty && !rule.fix.isEmpty)
    }

    @Test("cost prices the group at desired (or min) and shows max on a second line outside the total; an unknown type is 'price unknown'")
    func cost() throws {
        let estimate = CostEstimator().estimate(try expandSpec(ServingStack.yaml()))
        let lines = estimate.items.filter { $0.address == "autoscaling_group:api" }
        let running = try #require(lines.first { $0.component == "EC2 g5.xlarge × 3 (desired)" })
        #expect(abs((running.monthlyUSD ?? 0) - 3 * 730 * 1.006) < 0.001 && !running.isCeiling)
        let ceiling = try #require(lines.first { $0.component == "EC2 g5.xlarge × 8 (at max)" })
        #expect(ceiling.isCeiling && abs((ceiling.monthlyUSD ?? 0) - 8 * 730 * 1.006) < 0.001)
        #expect(lines.contains { $0.component == "EBS gp3 root × 3 (desired)" && abs(($0.monthlyUSD ?? 0) - 3 * 8 * 0.08) < 0.001 })
        let counted = estimate.items.filter { !$0.isCeiling }.compactMap(\.monthlyUSD).reduce(0, +)
        #expect(abs(estimate.monthlyUSD - counted) < 0.001)
        #expect(estimate.monthlyUSD < estimate.items.compactMap(\.monthlyUSD).reduce(0, +))

        let unknown = CostEstimator().estimate(try expandSpec(ServingStack.yaml(group: ServingStack.group(min: 1).replacingOccurrences(of: "g5.xlarge", with: "g6e.xlarge"))))
        let unpriced = try #require(unknown.items.first { $0.component == "EC2 g6e.xlarge × 1 (min)" })
        #expect(unpriced.monthlyUSD == nil && unpriced.note == "price unknown: g6e.xlarge is not in the price table")
        #expect(unknown.unpriced.map(\.address) == ["autoscaling_group:api"])
    }
}

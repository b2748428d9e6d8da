import NetloomAnalysis
import NetloomModel
import NetloomPlanning
import NetloomSpec
import Testing

/// A Slurm HyperPod cluster `gpu` (4 workers, a controller, 2 login nodes) with a 2,400 GiB
/// file system, in a private subnet with NAT and the S3 gateway endpoint.
private func hyperPodStack(fileSystem: String = "fsx_lustre: { capacity_gib: 2400, throughput_mb_per_tib: 500 }", acls: String = "",
                           assertions: String = "") -> String {
    """
    stack: hp
    region: us-east-1
    network:
      cidr: 10.4.0.0/16
      azs: [us-east-1a, us-east-1b]
      nat: single
      endpoints: { gateway: [s3] }
    subnets:
      public: { tier: public, size: /24 }
      compute: { tier: private, size: auto }
    security_groups:
      efa:
        description: EFA between nodes
        ingress:
          - { from: self, protocol: all }
        egress:
          - { to: self, protocol: all }
          - { to: any, protocol: tcp, ports: 443 }
    \(acls)clusters:
      gpu:
        orchestrator: slurm
        instance_type: ml.p4d.24xlarge
        nodes: 4
        subnet: compute
        security_groups: [efa]
        hyperpod:
          controller: { instance_type: ml.m5.12xlarge }
          login: { instance_type: ml.m5.4xlarge, count: 2 }
          storage:
            \(fileSystem)
    \(assertions)
    """
}

private func expanded(_ text: String) throws -> ExpandedStack {
    try StackExpander.expand(try SpecLoader.parse(text, file: "hp.yaml"))
}

private func query(_ from: String, _ to: String, port: Int?, ipProtocol: IPProtocol = .tcp) throws -> ReachabilityQuery {
    ReachabilityQuery(from: try Endpoint.parse(from).get(), to: try Endpoint.parse(to).get(), ipProtocol: ipProtocol, port: port)
}

@Suite("HyperPod clusters in reach, check and cost")
struct HyperPodAnalysisTests {
    @Test("each HyperPod group is its own interface in the cluster's subnet, and the file system has one with its own group")
    func topologyHasGroupsAndFileSystem() throws {
        let stack = try expanded(hyperPodStack())
        let interfaces = stack.topology.interfaces
        let groups = interfaces.filter { $0.owner == "cluster:gpu" }
        #expect(groups.map(\.id) == ["cluster:gpu/workers", "cluster:gpu/controller", "cluster:gpu/login"])
        #expect(groups.map(\.count) == [4, 1, 2])
        // Workers take their addresses first, then the controller's, then the login nodes'.
        let ips = groups.map(\.privateIP.value)
        #expect(ips[1] - ips[0] == 4 * 32 && ips[2] - ips[1] == 32)
        let fileSystem = try #require(interfaces.first { $0.kind == .fileSystem })
        #expect(fileSystem.id == "fsx_file_system:gpu")
        #expect(fileSystem.securityGroups == [HyperPodNames.fileSystemGroup("gpu")])
        #expect(fileSystem.subnet == SubnetKey(subnet: "compute", az: "us-east-1a"))
        #expect(!groups.contains { $0.privateIP == fileSystem.privateIP })
    }

    @Test("cluster groups reach their file system on the Lustre ports, and the internet does not")
    func reachFileSystem() throws {
        let stack = try expanded(hyperPodStack())
        let analyzer = ReachabilityAnalyzer(stack), reference = ReferenceReachability(stack)
        for (from, to, port, expected) in [("cluster:gpu/controller", "fsx:gpu", 988, true), ("cluster:gpu/workers", "fsx:gpu", 1021, true),
                                           ("cluster:gpu", "fsx:gpu", 988, true), ("cluster:gpu/login", "fsx:gpu", 22, false),
                                           ("internet", "fsx:gpu", 988, false), ("cluster:gpu/workers", "cluster:gpu/controller", 6817, true)] {
            let question = try query(from, to, port: port)
            let verdict = analyzer.evaluate(question)
            #expect(verdict.reachable == expected, "\(question): \(verdict.explanations)")
            #expect(reference.isReachable(question) == expected, "reference disagrees on \(question)")
        }
        let path = analyzer.evaluate(try query("cluster:gpu/controller", "fsx:gpu", port: 988)).path
        #expect(path.contains { $0.address == "cluster:gpu/controller" })
        #expect(path.contains { $0.address == "fsx_file_system:gpu" && $0.detail.contains(HyperPodNames.fileSystemGroup("gpu")) })
        let blocked = analyzer.evaluate(try query("cluster:gpu/login", "fsx:gpu", port: 22))
        #expect(blocked.explanations.contains { $0.code == ExplanationCode.securityGroupRulesMismatch.rawValue })
    }

    @Test("ends that name a missing group or file system are refused with what exists")
    func badEnds() throws {
        let spec = try SpecLoader.parse(hyperPodStack(), file: "hp.yaml")
        #expect(try Endpoint.parse("cluster:gpu/workers").get() == .clusterGroup(cluster: "gpu", group: "workers"))
        #expect(try Endpoint.parse("fsx:gpu").get() == .fileSystem("gpu"))
        #expect(try Endpoint.parse("cluster:gpu/workers").get().undefinedName(in: spec) == nil)
        let missingGroup = try #require(try Endpoint.parse("cluster:gpu/worker").get().undefinedName(in: spec))
        #expect(missingGroup.contains("no instance group 'worker'") && missingGroup.contains("controller, login, workers") && missingGroup.contains("workers"))
        #expect(try Endpoint.parse("fsx:cpu").get().undefinedName(in: spec)?.contains("'cpu' is not defined") == true)
        guard case .failure(let error) = Endpoint.parse("cluster:gpu/workers/0") else { Issue.record("three parts parsed"); return }
        #expect(error.message.contains("cluster:NAME/GROUP"))
        let noFileSystem = try SpecLoader.parse(hyperPodStack(fileSystem: "{}").replacingOccurrences(of: "      storage:\n        {}\n", with: ""), file: "hp.yaml")
        #expect(try Endpoint.parse("fsx:gpu").get().undefinedName(in: noFileSystem)?.contains("file system") == true)
    }

    @Test("an assertion naming a group the cluster lacks fails to load, at the assertion's line")
    func assertionWithMissingGroup() throws {
        let text = hyperPodStack(assertions: """
        assertions:
          - { name: controller mounts, from: cluster:gpu/head, to: fsx:gpu, protocol: tcp, port: 988, expect: reachable }
        """)
        #expect {
            try SpecLoader.parse(text, file: "hp.yaml")
        } throws: { error in
            let message = String(describing: error)
            return message.contains("hp.yaml:") && message.contains("no instance group 'head'")
        }
        let passing = hyperPodStack(assertions: """
        assertions:
          - { name: controller mounts, from: cluster:gpu/controller, to: fsx:gpu, protocol: tcp, port: 988, expect: reachable }
        """)
        let stack = try expanded(passing)
        let analyzer = ReachabilityAnalyzer(stack)
        #expect(stack.spec.assertions.allSatisfy { analyzer.evaluate($0).passed })
    }

    @Test("a file system az outside the cluster's subnet set is refused at its line")
    func fileSystemAZOutsideSet() throws {
        let text = hyperPodStack(fileSystem: "fsx_lustre: { capacity_gib: 1200, az: us-east-1c }")
        #expect {
            try SpecLoader.parse(text, file: "hp.yaml")
        } throws: { error in
            let message = String(describing: error)
            return message.contains("hp.yaml:30:") && message.contains("az 'us-east-1c' is not one of the AZs of subnet 'compute'")
        }
    }

    @Test("a file system in another AZ sits in that AZ's subnet and takes its addresses there")
    func fileSystemInOtherAZ() throws {
        let stack = try expanded(hyperPodStack(fileSystem: "fsx_lustre: { capacity_gib: 1200, az: us-east-1b }"))
        let fileSystem = try #require(stack.topology.interfaces.first { $0.kind == .fileSystem })
        #expect(fileSystem.subnet == SubnetKey(subnet: "compute", az: "us-east-1b"))
        #expect(stack.graph["fsx_file_system:gpu"]?.properties["subnet"] == .reference(.subnet(SubnetKey(subnet: "compute", az: "us-east-1b"))))
        #expect(stack.demand.placements[SubnetKey(subnet: "compute", az: "us-east-1b")]?.contains { $0.kind == .fileSystem && $0.addresses == 2 } == true)
        let cluster = try #require(stack.spec.clusters.first)
        #expect(cluster.fileSystemInterfacesInOwnAZ == 0 && cluster.addressDemandInOwnAZ == cluster.nodeAddressDemand)

        // The cluster's own subnet too small: the finding counts its nodes, not the interfaces elsewhere.
        let pinned = hyperPodStack(fileSystem: "fsx_lustre: { capacity_gib: 1200, az: us-east-1b }")
            .replacingOccurrences(of: "compute: { tier: private, size: auto }", with: "compute: { tier: private, size: auto, cidrs: { us-east-1a: 10.4.64.0/28 } }")
        let small = try expanded(pinned)
        let finding = try #require(ComplianceChecker().check(small).findings.first { $0.ruleID == "NL-ML-003" })
        #expect(!finding.message.contains("file system"), "\(finding.message)")
        #expect(finding.message.contains("= \(cluster.nodeAddressDemand.grouped) addresses ("), "\(finding.message)")
    }

    @Test("cost lists node-hours per HyperPod group as SageMaker's, with the rate unknown, and prices the file system by its throughput tier")
    func cost() throws {
        let estimate = CostEstimator().estimate(try expanded(hyperPodStack()))
        let groups = estimate.items.filter { $0.address.hasPrefix("cluster:gpu/") }
        #expect(groups.map(\.address) == ["cluster:gpu/controller", "cluster:gpu/login", "cluster:gpu/workers"])
        #expect(groups.map(\.quantity) == [730, 1460, 2920])
        #expect(groups.allSatisfy { $0.billedBy == "sagemaker" && $0.monthlyUSD == nil && $0.note?.hasPrefix("price unknown") == true })
        // ml.p4d.24xlarge has an EC2 twin in the table: shown for scale, never added to the total.
        #expect(groups.last?.ec2EquivalentUSD.map { abs($0 - 2920 * 21.96) < 0.01 } == true)
        let fileSystem = try #require(estimate.items.first { $0.address == "fsx_file_system:gpu" })
        #expect(fileSystem.unit == "GB-month" && fileSystem.quantity == 2400 && fileSystem.unitUSD == 0.34)
        #expect(fileSystem.monthlyUSD.map { abs($0 - 816) < 0.001 } == true)
        #expect(estimate.prices.fsxLustrePersistent2GBMonth[500]?.source.contains("fsx/lustre/pricing") == true)
        #expect(estimate.monthlyUSD >= 816)
    }
}

import Foundation
import NetloomModel
import NetloomPlanning
import NetloomSpec
import Testing

@Suite("HyperPod expansion")
struct HyperPodExpansionTests {
    static func spec(orchestrator: String = "slurm", hyperpod: String, eks: String = "", efaEgress: String = "      - { to: any, protocol: all }") -> String {
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
          compute: { tier: private, size: auto, azs: [us-east-1a] }
          control: { tier: private, size: /26 }
        security_groups:
          efa:
            description: EFA between nodes
            ingress:
              - { from: self, protocol: all }
            egress:
              - { to: self, protocol: all }
        \(efaEgress)
        clusters:
          gpu:
            orchestrator: \(orchestrator)
            instance_type: ml.p4d.24xlarge
            nodes: 4
            subnet: compute
            security_groups: [efa]
            hyperpod:
        \(hyperpod)
        \(eks)
        """
    }

    static let slurm = """
              controller: { instance_type: ml.m5.12xlarge }
              login: { instance_type: ml.m5.4xlarge, count: 2 }
              threads_per_core: 2
              node_recovery: none
              storage:
                fsx_lustre: { capacity_gib: 2400, throughput_mb_per_tib: 500 }
        """

    static func expand(_ text: String, file: String = "hp.yaml") throws -> ExpandedStack {
        try StackExpander.expand(try SpecLoader.parse(text, file: file))
    }

    @Test("a Slurm cluster gets its role, bucket, scripts, file system and one instance group per role")
    func slurmCluster() throws {
        let expanded = try Self.expand(Self.spec(hyperpod: Self.slurm))
        let graph = expanded.graph
        let cluster = try #require(graph["hyperpod_cluster:gpu"])
        let groups = cluster.properties["instance_groups"]?.listValue ?? []
        #expect(groups.map { $0["name"]?.stringValue } == ["controller", "login", "workers"])
        #expect(groups.map { $0["count"]?.intValue } == [1, 2, 4])
        #expect(groups.map { $0["instance_type"]?.stringValue } == ["ml.m5.12xlarge", "ml.m5.4xlarge", "ml.p4d.24xlarge"])
        #expect(groups.allSatisfy { $0["threads_per_core"] == 2 })
        let bucketName = try #require(graph["bucket:netloom-lifecycle-gpu"]?.properties["bucket_name"]?.stringValue)
        #expect(bucketName.hasPrefix("sagemaker-hp-gpu-lifecycle-") && bucketName.hasSuffix("-${account_id}"))
        #expect(groups.allSatisfy { $0["lifecycle"]?["source_s3_uri"]?.stringValue == "s3://\(bucketName)/lifecycle/" })
        #expect(groups.allSatisfy { $0["execution_role"]?.stringValue?.hasPrefix("arn:aws:iam::${account_id}:role/netloom/hp/hp-gpu-hyperpod-") == true })
        #expect(cluster.properties["subnet"] == .reference(.subnet(SubnetKey(subnet: "compute", az: "us-east-1a"))))
        #expect(cluster.properties["security_groups"] == [.reference(.securityGroup("efa"))])
        #expect(cluster.properties["node_recovery"] == "None")
        #expect(cluster.properties["orchestrator"] == "slurm")
        #expect(cluster.properties["eks_cluster_arn"] == nil)
        let name = try #require(cluster.properties["name"]?.stringValue)
        #expect(name.hasPrefix("hp-gpu-") && name.count <= 63)
        // Everything the nodes need exists before the cluster is asked for.
        for dependency in ["iam_role_policy_attachment:netloom-hyperpod-gpu/AmazonSageMakerClusterInstanceRolePolicy", "iam_role_policy:netloom-hyperpod-gpu",
                           "bucket_object:netloom-lifecycle-gpu/lifecycle/on_create.sh", "bucket_object:netloom-lifecycle-gpu/lifecycle/provisioning_parameters.json",
                           "fsx_file_system:gpu", "route_table_association:compute/us-east-1a", "vpc_endpoint:s3"] {
            #expect(cluster.dependsOn.contains(dependency), "missing \(dependency)")
        }
        let order = graph.resources.map(\.address)
        #expect(order.firstIndex(of: "fsx_file_system:gpu")! < order.firstIndex(of: "hyperpod_cluster:gpu")!)
    }

    @Test("the execution role trusts SageMaker, carries the managed policy and scopes interface creation to the cluster's subnet and groups")
    func executionRole() throws {
        let graph = try Self.expand(Self.spec(hyperpod: Self.slurm)).graph
        let role = try #require(graph["iam_role:netloom-hyperpod-gpu"])
        #expect(role.properties["assume_role_policy"]?["Statement"]?.listValue?.first?["Principal"]?["Service"] == "sagemaker.amazonaws.com")
        let attachment = try #require(graph["iam_role_policy_attachment:netloom-hyperpod-gpu/AmazonSageMakerClusterInstanceRolePolicy"])
        #expect(attachment.properties["policy_arn"] == "arn:aws:iam::aws:policy/AmazonSageMakerClusterInstanceRolePolicy")
        let statements = try #require(graph["iam_role_policy:netloom-hyperpod-gpu"]?.properties["document"]?["Statement"]?.listValue)
        let create = try #require(statements.first { $0["Action"] == ["ec2:CreateNetworkInterface"] })
        let resources = create["Resource"]?.listValue?.compactMap(\.stringValue) ?? []
        #expect(resources.contains("arn:aws:ec2:us-east-1:${account_id}:subnet/${ref:subnet:compute/us-east-1a}"))
        #expect(resources.contains("arn:aws:ec2:us-east-1:${account_id}:security-group/${ref:security_group:efa}"))
        #expect(!resources.contains("*"))
    }

    @Test("the lifecycle bucket is versioned, encrypted and private, and the generated parameters refer to the file system")
    func lifecycleBucket() throws {
        let graph = try Self.expand(Self.spec(hyperpod: Self.slurm)).graph
        #expect(graph["bucket_versioning:netloom-lifecycle-gpu"]?.properties["status"] == "Enabled")
        #expect(graph["bucket_encryption:netloom-lifecycle-gpu"]?.properties["algorithm"] == "AES256")
        #expect(graph["bucket_public_access_block:netloom-lifecycle-gpu"]?.properties["block_public_policy"] == true)
        let script = try #require(graph["bucket_object:netloom-lifecycle-gpu/lifecycle/on_create.sh"])
        #expect(script.properties["content"]?.stringValue?.hasPrefix("#!/bin/bash") == true)
        let parameters = try #require(graph["bucket_object:netloom-lifecycle-gpu/lifecycle/provisioning_parameters.json"]?.properties["json"])
        #expect(parameters["controller_group"] == "controller")
        #expect(parameters["login_group"] == "login")
        #expect(parameters["worker_groups"]?.listValue?.first?["instance_group_name"] == "workers")
        #expect(parameters["fsx_dns_name"] == "ref:fsx_file_system:gpu#dns_name")
        #expect(parameters["fsx_mountname"] == "ref:fsx_file_system:gpu#mount_name")
    }

    @Test("a lifecycle directory beside the spec is uploaded as it is, and an edited script changes only its object")
    func lifecycleDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("netloom-hp-\(UUID().uuidString)")
        let scripts = directory.appendingPathComponent("scripts/lib", isDirectory: true)
        try FileManager.default.createDirectory(at: scripts, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "#!/bin/bash\necho one\n".write(to: directory.appendingPathComponent("scripts/on_create.sh"), atomically: true, encoding: .utf8)
        try "setup\n".write(to: scripts.appendingPathComponent("setup.sh"), atomically: true, encoding: .utf8)
        let text = Self.spec(hyperpod: Self.slurm + "\n      lifecycle: scripts/")
        let file = directory.appendingPathComponent("hp.yaml").path
        let first = try Self.expand(text, file: file).graph
        #expect(first["bucket_object:netloom-lifecycle-gpu/lifecycle/on_create.sh"]?.properties["content"] == "#!/bin/bash\necho one\n")
        #expect(first["bucket_object:netloom-lifecycle-gpu/lifecycle/lib/setup.sh"]?.properties["content"] == "setup\n")
        #expect(first["bucket_object:netloom-lifecycle-gpu/lifecycle/provisioning_parameters.json"] == nil)
        try "#!/bin/bash\necho two\n".write(to: directory.appendingPathComponent("scripts/on_create.sh"), atomically: true, encoding: .utf8)
        let second = try Self.expand(text, file: file).graph
        let changed = first.resources.map(\.address).filter { first[$0] != second[$0] }
        #expect(changed == ["bucket_object:netloom-lifecycle-gpu/lifecycle/on_create.sh"])
    }

    @Test("a lifecycle directory without on_create.sh, or a file where the directory should be, is refused at its line")
    func lifecycleDirectoryRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("netloom-hp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("scripts"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "echo\n".write(to: directory.appendingPathComponent("scripts/setup.sh"), atomically: true, encoding: .utf8)
        try "x\n".write(to: directory.appendingPathComponent("plain.txt"), atomically: true, encoding: .utf8)
        let file = directory.appendingPathComponent("hp.yaml").path
        for (given, message) in [("scripts/", "has no on_create.sh: HyperPod runs that script on every new node (LifeCycleConfig.OnCreate)"),
                                 ("plain.txt", "is a file; give the directory that holds on_create.sh")] {
            let text = Self.spec(hyperpod: Self.slurm + "\n      lifecycle: \(given)")
            do {
                _ = try Self.expand(text, file: file)
                Issue.record("lifecycle \(given) was accepted")
            } catch let error as SpecInvalidError {
                let diagnostics = error.diagnostics.map(\.description)
                #expect(diagnostics.count == 1)
                #expect(diagnostics.first?.contains("hp.yaml:34:18: error: cluster 'gpu' hyperpod lifecycle '\(given)' \(message)") == true, "\(diagnostics)")
            }
        }
    }

    @Test("the file system sits in the cluster's subnet with a group holding the Lustre ports, and the cluster's group gets them too")
    func fileSystem() throws {
        let expanded = try Self.expand(Self.spec(hyperpod: Self.slurm, efaEgress: ""))
        let graph = expanded.graph
        let fsx = try #require(graph["fsx_file_system:gpu"])
        #expect(fsx.properties["subnet"] == .reference(.subnet(SubnetKey(subnet: "compute", az: "us-east-1a"))))
        #expect(fsx.properties["deployment_type"] == "PERSISTENT_2")
        #expect(fsx.properties["storage_capacity_gib"] == 2400)
        #expect(fsx.properties["throughput_mb_per_tib"] == 500)
        #expect(fsx.properties["security_groups"] == [.reference(.securityGroup("netloom-fsx-gpu"))])
        for key in ["ingress/tcp/988/sg:efa", "ingress/tcp/1018-1023/sg:efa", "ingress/tcp/988/self", "egress/tcp/1018-1023/sg:efa"] {
            #expect(graph["sg_rule:netloom-fsx-gpu/\(key)"] != nil, "missing \(key)")
            #expect(fsx.dependsOn.contains("sg_rule:netloom-fsx-gpu/\(key)"))
        }
        // efa allows only itself out here: netloom adds the Lustre ports both ways.
        #expect(graph["sg_rule:efa/egress/tcp/988/sg:netloom-fsx-gpu"] != nil)
        #expect(graph["sg_rule:efa/ingress/tcp/1018-1023/sg:netloom-fsx-gpu"] != nil)
        // With egress to anywhere, no egress rule is added.
        let open = try Self.expand(Self.spec(hyperpod: Self.slurm)).graph
        #expect(open["sg_rule:efa/egress/tcp/988/sg:netloom-fsx-gpu"] == nil)
        #expect(open["sg_rule:efa/ingress/tcp/988/sg:netloom-fsx-gpu"] != nil)
    }

    @Test("address planning counts every group's nodes and the file system's interfaces")
    func addressDemand() throws {
        let expanded = try Self.expand(Self.spec(hyperpod: Self.slurm))
        let cluster = try #require(expanded.spec.cluster(named: "gpu"))
        // 4 workers + 1 controller + 2 login = 7 nodes × 32 IPs × 1.25 = 280, + 2 FSx interfaces (one 2,400 GiB unit, one metadata).
        #expect(cluster.totalNodes == 7)
        #expect(cluster.fileSystemInterfaces == 2)
        #expect(cluster.addressDemand == 282)
        #expect(expanded.demand.demand(of: SubnetKey(subnet: "compute", az: "us-east-1a")) == 282)
        let without = try Self.expand(Self.spec(hyperpod: "      controller: { instance_type: ml.m5.12xlarge }"))
        #expect(without.spec.cluster(named: "gpu")?.addressDemand == 200)
    }

    @Test("an EKS cluster gets a control plane in two AZs with API authentication, its role and the four add-ons")
    func eksCluster() throws {
        let graph = try Self.expand(Self.spec(orchestrator: "eks", hyperpod: "      threads_per_core: 1",
                                              eks: "    eks: { version: \"1.31\", subnets: control }")).graph
        let eks = try #require(graph["eks_cluster:gpu"])
        #expect(eks.properties["subnets"] == [.reference(.subnet(SubnetKey(subnet: "control", az: "us-east-1a"))),
                                              .reference(.subnet(SubnetKey(subnet: "control", az: "us-east-1b")))])
        #expect(eks.properties["authentication_mode"] == "API")
        #expect(eks.properties["version"] == "1.31")
        #expect(graph["iam_role_policy_attachment:netloom-eks-gpu/AmazonEKSClusterPolicy"] != nil)
        #expect(graph["iam_role:netloom-eks-gpu"]?.properties["assume_role_policy"]?["Statement"]?.listValue?.first?["Principal"]?["Service"] == "eks.amazonaws.com")
        for addon in ["coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"] {
            #expect(graph["eks_addon:gpu/\(addon)"]?.properties["addon_name"] == .string(addon))
        }
        let cluster = try #require(graph["hyperpod_cluster:gpu"])
        let eksName = try #require(eks.properties["name"]?.stringValue)
        #expect(cluster.properties["eks_cluster_arn"] == .string("arn:aws:eks:us-east-1:${account_id}:cluster/\(eksName)"))
        #expect(cluster.properties["orchestrator"] == "eks")
        #expect(cluster.properties["instance_groups"]?.listValue?.map { $0["name"]?.stringValue } == ["workers"])
        #expect(cluster.dependsOn.contains("eks_cluster:gpu"))
        #expect(graph["eks_addon:gpu/vpc-cni"]?.dependsOn.contains("hyperpod_cluster:gpu") == true)
        #expect(graph["fsx_file_system:gpu"] == nil)
    }

    @Test("a cluster without hyperpod: expands exactly as before")
    func withoutHyperPod() throws {
        let text = Self.spec(hyperpod: "").replacingOccurrences(of: "    hyperpod:\n", with: "")
        let graph = try Self.expand(text).graph
        #expect(!graph.resources.contains { [.hyperPodCluster, .fsxFileSystem, .eksCluster, .eksAddon].contains($0.type) })
        #expect(!graph.resources.contains { $0.address.contains("netloom-") })
    }

    @Test("derived HyperPod and EKS names stay within AWS's rules for the longest stack and cluster names")
    func longNames() throws {
        let stack = "s" + String(repeating: "x", count: 39)
        let cluster = "c" + String(repeating: "y", count: 62)
        let text = Self.spec(orchestrator: "eks", hyperpod: "      threads_per_core: 1", eks: "    eks: { version: \"1.31\", subnets: control }")
            .replacingOccurrences(of: "stack: hp", with: "stack: \(stack)").replacingOccurrences(of: "  gpu:", with: "  \(cluster):")
        let graph = try Self.expand(text).graph
        let hyperPodName = try #require(graph["hyperpod_cluster:\(cluster)"]?.properties["name"]?.stringValue)
        let eksName = try #require(graph["eks_cluster:\(cluster)"]?.properties["name"]?.stringValue)
        #expect(hyperPodName.count <= 63 && hyperPodName.hasPrefix("sxxx") && !hyperPodName.hasSuffix("-"))
        #expect(eksName.count <= 100)
        let bucket = HyperPodNames.lifecycleBucketName(cluster: cluster, stack: stack)
        #expect(bucket.hasPrefix("sagemaker-") && bucket.replacingOccurrences(of: "${account_id}", with: "123456789012").count <= 63)
        // Two clusters whose readable parts are cut to the same text still get two names.
        #expect(HyperPodNames.hyperPodClusterName(cluster: cluster, stack: stack) != HyperPodNames.hyperPodClusterName(cluster: cluster + "z", stack: stack))
    }
}

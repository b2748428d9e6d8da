import Foundation
import MotoHarness
import NetloomTestSupport
import Testing

/// HyperPod clusters made by `netloom apply` against moto 5.2.1, read back with the AWS CLI.
///
/// The specs are the project's own examples (not the shared copies, which may predate
/// `hyperpod:`), with `placement: none`: moto answers CreatePlacementGroup with an HTML 500
/// (see DeployEndToEndTests), and HyperPod does not use EC2 placement groups anyway. Their
/// instance types (ml.p4d.24xlarge, ml.m5.*, ml.p5.48xlarge) are ones moto accepts.
@Suite("HyperPod clusters against moto", .serialized, .enabled(if: MotoAvailability.shouldRun, "moto_server is not installed"))
struct HyperPodEndToEndTests {
    func freshMoto() async throws -> MotoServer {
        let moto = try await SharedMotoServers.instance.server(for: #fileID)
        try moto.reset()
        return moto
    }

    /// The project's example, edited, written in the test's directory (its state beside it).
    func spec(_ runner: CommandRunner, _ name: String, edit: (String) -> String = { $0 }) throws -> String {
        let text = try String(contentsOf: ExampleSpecs.ownDirectory.appendingPathComponent(name), encoding: .utf8)
        var edited = edit(text)
        edited = edited.contains("    placement: cluster\n") ? edited.replacingOccurrences(of: "    placement: cluster\n", with: "    placement: none\n")
            : edited.replacingOccurrences(of: "    security_groups: [efa]\n", with: "    security_groups: [efa]\n    placement: none\n")
        let path = runner.workDirectory + "/\(name)"
        try edited.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func subnetID(_ runner: CommandRunner, address: String) async throws -> String? {
        try await runner.awsList(["ec2", "describe-subnets", "--filters", "Name=tag:netloom:address,Values=\(address)"], key: "Subnets").first?["SubnetId"] as? String
    }

    func groupID(_ runner: CommandRunner, stack: String, name: String) async throws -> String? {
        try await runner.awsList(["ec2", "describe-security-groups", "--filters", "Name=group-name,Values=\(stack)-\(name)"], key: "SecurityGroups").first?["GroupId"] as? String
    }

    func clusters(_ runner: CommandRunner, prefix: String) async throws -> [String] {
        try await runner.awsList(["sagemaker", "list-clusters"], key: "ClusterSummaries").compactMap { $0["ClusterName"] as? String }.filter { $0.hasPrefix(prefix) }
    }

    func buckets(_ runner: CommandRunner, prefix: String) async throws -> [String] {
        try await runner.awsList(["s3api", "list-buckets"], key: "Buckets").compactMap { $0["Name"] as? String }.filter { $0.hasPrefix(prefix) }
    }

    func fileSystems(_ runner: CommandRunner, stack: String) async throws -> [[String: Any]] {
        try await runner.awsList(["fsx", "describe-file-systems"], key: "FileSystems").filter { CommandRunner.tagged($0["Tags"], stack: stack) }
    }

    @Test("slurm: apply makes the role, the lifecycle bucket and scripts, the file system and the cluster as netloom planned them; a second apply changes nothing; destroy leaves nothing")
    func slurmLifecycle() async throws {
        let moto = try await freshMoto()
        let runner = try CommandRunner(moto: moto, region: "us-east-1")
        let spec = try await spec(runner, "hyperpod-slurm-dev.yaml")

        let apply = try await runner.netloom("apply", spec, "--auto-approve", "--stats")
        #expect(apply.status == 0, "apply: \(apply.stdout)\n\(apply.stderr)")

        let names = try await clusters(runner, prefix: "slurm-dev-gpu-")
        let name = try #require(names.first, "no cluster: \(apply.stderr)")
        #expect(names.count == 1)
        let cluster = try #require(try await runner.aws(["sagemaker", "describe-cluster", "--cluster-name", name]) as? [String: Any])
        #expect(cluster["ClusterStatus"] as? String == "InService")
        let groups = (cluster["InstanceGroups"] as? [[String: Any]]) ?? []
        let byName = Dictionary(groups.map { ($0["InstanceGroupName"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byName.keys.sorted() == ["controller", "login", "workers"])
        #expect(byName["workers"]?["InstanceType"] as? String == "ml.p4d.24xlarge")
        #expect(byName["controller"]?["InstanceType"] as? String == "ml.m5.12xlarge")
        #expect(groups.map { ($0["TargetCount"] ?? $0["CurrentCount"]) as? Int }.sorted { ($0 ?? 0) < ($1 ?? 0) } == [1, 1, 8])
        let vpc = cluster["VpcConfig"] as? [String: Any]
        let subnet = try #require(try await subnetID(runner, address: "subnet:compute/us-east-1a"))
        let efa = try #require(try await groupID(runner, stack: "slurm-dev", name: "efa"))
        #expect(vpc?["Subnets"] as? [String] == [subnet])
        #expect(vpc?["SecurityGroupIds"] as? [String] == [efa])
        let source = (byName["workers"]?["LifeCycleConfig"] as? [String: Any])?["SourceS3Uri"] as? String ?? ""
        #expect(source.hasPrefix("s3://sagemaker-slurm-dev-gpu-lifecycle-") && source.hasSuffix("/lifecycle/"))

        // The execution role carries the managed policy.
        let role = try #require(try await runner.awsList(["iam", "list-roles", "--path-prefix", "/netloom/slurm-dev/"], key: "Roles")
            .compactMap { $0["RoleName"] as? String }.first { $0.hasPrefix("slurm-dev-gpu-hyperpod-") })
        let attached = try await runner.awsList(["iam", "list-attached-role-policies", "--role-name", role], key: "AttachedPolicies").compactMap { $0["PolicyName"] as? String }
        #expect(attached == ["AmazonSageMakerClusterInstanceRolePolicy"])
        #expect((byName["workers"]?["ExecutionRole"] as? String)?.hasSuffix("/\(role)") == true)

        // The lifecycle bucket holds the scripts; the parameters name the groups and the file system.
        let bucket = try #require(try await buckets(runner, prefix: "sagemaker-slurm-dev-gpu-lifecycle-").first)
        let keys = try await runner.awsList(["s3api", "list-objects-v2", "--bucket", bucket], key: "Contents").compactMap { $0["Key"] as? String }.sorted()
        #expect(keys == ["lifecycle/on_create.sh", "lifecycle/provisioning_parameters.json"])
        let download = runner.workDirectory + "/parameters.json"
        _ = try await runner.awsRaw(["s3", "cp", "s3://\(bucket)/lifecycle/provisioning_parameters.json", download])
        let parameters = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: download))) as? [String: Any]
        #expect(parameters?["controller_group"] as? String == "controller")
        #expect(parameters?["login_group"] as? String == "login")
        let systems = try await fileSystems(runner, stack: "slurm-dev")
        #expect(systems.count == 1)
        let fileSystem = try #require(systems.first)
        #expect(fileSystem["SubnetIds"] as? [String] == [subnet])
        #expect(parameters?["fsx_dns_name"] as? String == fileSystem["DNSName"] as? String)
        #expect((try await runner.aws(["s3api", "get-bucket-versioning", "--bucket", bucket]) as? [String: Any])?["Status"] as? String == "Enabled")

        // output names the cluster and the controller's SSM target, from ListClusterNodes.
        let output = try await runner.netloom("output", spec)
        #expect(output.status == 0, "output: \(output.stderr)")
        #expect(output.stdout.contains("hyperpod.gpu.cluster_name = \(name)"), "output: \(output.stdout)")
        let nodes = try await runner.awsList(["sagemaker", "list-cluster-nodes", "--cluster-name", name], key: "ClusterNodeSummaries")
        let controller = try #require(nodes.first { $0["InstanceGroupName"] as? String == "controller" }?["InstanceId"] as? String)
        let clusterID = try #require((cluster["ClusterArn"] as? String)?.split(separator: "/").last)
        #expect(output.stdout.contains("next: aws ssm start-session --region us-east-1 --target sagemaker-cluster:\(clusterID)_controller-\(controller)"), "output: \(output.stdout)")
        #expect(output.stdout.contains("hyperpod.gpu.file_system.id = fs-"), "output: \(output.stdout)")

        let second = try await runner.netloom("apply", spec, "--auto-approve", "--stats")
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(CommandRunner.mutatingCalls(second.stderr) == 0, "second apply: \(second.stdout)\n\(second.stderr)")

        // A tag added by hand to the file system and to the cluster is drift; apply removes it.
        let fileSystemARN = try #require(fileSystem["ResourceARN"] as? String)
        let clusterARN = try #require(cluster["ClusterArn"] as? String)
        _ = try await runner.awsRaw(["fsx", "tag-resource", "--resource-arn", fileSystemARN, "--tags", "Key=added-by-hand,Value=yes"])
        _ = try await runner.awsRaw(["sagemaker", "add-tags", "--resource-arn", clusterARN, "--tags", "Key=added-by-hand,Value=yes"])
        let tagDrift = try await runner.netloom("drift", spec)
        #expect(tagDrift.status == 2, "drift: \(tagDrift.stdout)\n\(tagDrift.stderr)")
        #expect(tagDrift.stdout.contains("fsx_file_system:gpu: tags.added-by-hand is yes"), "drift: \(tagDrift.stdout)")
        #expect(tagDrift.stdout.contains("hyperpod_cluster:gpu: tags.added-by-hand is yes"), "drift: \(tagDrift.stdout)")
        let retag = try await runner.netloom("apply", spec, "--auto-approve", "--stats")
        #expect(retag.status == 0, "apply: \(retag.stdout)\n\(retag.stderr)")
        #expect(CommandRunner.mutatingCalls(retag.stderr) == 2, "apply: \(retag.stderr)")
        let clean = try await runner.netloom("drift", spec)
        #expect(clean.status == 0, "drift after apply: \(clean.stdout)\n\(clean.stderr)")

        // A script changed in the bucket by hand is drift, by its content hash.
        let edited = runner.workDirectory + "/edited.sh"
        try "#!/bin/bash\necho changed by hand\n".write(toFile: edited, atomically: true, encoding: .utf8)
        _ = try await runner.awsRaw(["s3", "cp", edited, "s3://\(bucket)/lifecycle/on_create.sh"])
        let drift = try await runner.netloom("drift", spec)
        #expect(drift.status == 2 && drift.stdout.contains("bucket_object:netloom-lifecycle-gpu/lifecycle/on_create.sh"), "drift: \(drift.stdout)\n\(drift.stderr)")
        #expect(drift.stdout.contains("content_md5"), "drift: \(drift.stdout)")

        // One more worker is an UpdateCluster, which moto does not implement: the run says so.
        let grown = try String(contentsOfFile: spec, encoding: .utf8).replacingOccurrences(of: "    nodes: 8\n", with: "    nodes: 9\n")
        try grown.write(toFile: spec, atomically: true, encoding: .utf8)
        let plan = try await runner.netloom("plan", spec)
        #expect(plan.stdout.contains("~   hyperpod_cluster:gpu") || plan.stdout.contains("~ hyperpod_cluster:gpu"), "plan: \(plan.stdout)")
        #expect(plan.stdout.contains("instance_counts"), "plan: \(plan.stdout)")
        let update = try await runner.netloom("apply", spec, "--auto-approve")
        #expect(update.status == 1)
        #expect(update.stderr.contains("the endpoint does not implement UpdateCluster"), "apply: \(update.stderr)")

        let destroy = try await runner.netloom("destroy", spec, "--auto-approve")
        #expect(destroy.status == 0, "destroy: \(destroy.stdout)\n\(destroy.stderr)")
        #expect(try await runner.countTagged(stack: "slurm-dev").isEmpty)
        #expect(try await clusters(runner, prefix: "slurm-dev-").isEmpty)
        #expect(try await buckets(runner, prefix: "sagemaker-slurm-dev-").isEmpty)
        #expect(try await fileSystems(runner, stack: "slurm-dev").isEmpty)
    }

    @Test("eks: the control plane, the cluster on it and its lifecycle directory; moto's missing add-ons are named; an edited script is one planned update")
    func eksLifecycle() async throws {
        let moto = try await freshMoto()
        let runner = try CommandRunner(moto: moto, region: "us-west-2")
        let lifecycle = runner.workDirectory + "/lifecycle"
        try FileManager.default.createDirectory(atPath: lifecycle, withIntermediateDirectories: true)
        try "#!/bin/bash\necho first\n".write(toFile: lifecycle + "/on_create.sh", atomically: true, encoding: .utf8)
        let spec = try await spec(runner, "hyperpod-eks.yaml") {
            $0.replacingOccurrences(of: "      threads_per_core: 1\n", with: "      threads_per_core: 1\n      lifecycle: lifecycle/\n")
        }

        let apply = try await runner.netloom("apply", spec, "--auto-approve", "--stats")
        // moto has no EKS add-on routes: the run names the call and keeps everything else.
        #expect(apply.status == 1, "apply: \(apply.stdout)\n\(apply.stderr)")
        #expect(apply.stderr.contains("the endpoint does not implement CreateAddon"), "\(apply.stderr)")

        let eksNames = try await runner.aws(["eks", "list-clusters"]) as? [String: Any]
        let eksName = try #require(((eksNames?["clusters"] as? [String]) ?? []).first { $0.hasPrefix("llm-training-trainers-") })
        let eks = try #require((try await runner.aws(["eks", "describe-cluster", "--name", eksName]) as? [String: Any])?["cluster"] as? [String: Any])
        var controlSubnets: [String] = []
        for address in ["subnet:control/us-west-2a", "subnet:control/us-west-2b"] {
            if let id = try await subnetID(runner, address: address) { controlSubnets.append(id) }
        }
        #expect(((eks["resourcesVpcConfig"] as? [String: Any])?["subnetIds"] as? [String])?.sorted() == controlSubnets.sorted())

        let name = try #require(try await clusters(runner, prefix: "llm-training-trainers-").first, "apply: \(apply.stdout)\n\(apply.stderr)")
        let cluster = try #require(try await runner.aws(["sagemaker", "describe-cluster", "--cluster-name", name]) as? [String: Any])
        let groups = (cluster["InstanceGroups"] as? [[String: Any]]) ?? []
        #expect(groups.map { $0["InstanceGroupName"] as? String } == ["workers"])
        #expect(groups.first?["InstanceType"] as? String == "ml.p5.48xlarge")
        let subnet = try #require(try await subnetID(runner, address: "subnet:training/us-west-2a"))
        #expect((cluster["VpcConfig"] as? [String: Any])?["Subnets"] as? [String] == [subnet])
        let bucket = try #require(try await buckets(runner, prefix: "sagemaker-llm-training-trainers-").first)
        let keys = try await runner.awsList(["s3api", "list-objects-v2", "--bucket", bucket], key: "Contents").compactMap { $0["Key"] as? String }
        #expect(keys == ["lifecycle/on_create.sh"])
        #expect(try await fileSystems(runner, stack: "llm-training").first?["SubnetIds"] as? [String] == [subnet])

        // Tags added and changed by hand on the control plane are drift; apply removes the one
        // and restores the other (and still names the add-on calls moto lacks).
        let eksARN = try #require(eks["arn"] as? String)
        _ = try await runner.awsRaw(["eks", "tag-resource", "--resource-arn", eksARN, "--tags", "added-by-hand=yes,team=changed-by-hand"])
        let drift = try await runner.netloom("drift", spec)
        #expect(drift.stdout.contains("eks_cluster:trainers: tags.added-by-hand is yes"), "drift: \(drift.stdout)\n\(drift.stderr)")
        let retag = try await runner.netloom("apply", spec, "--auto-approve")
        #expect(retag.stderr.contains("the endpoint does not implement CreateAddon"), "\(retag.stderr)")
        let eksTags = (try await runner.aws(["eks", "list-tags-for-resource", "--resource-arn", eksARN]) as? [String: Any])?["tags"] as? [String: String]
        #expect(eksTags?["added-by-hand"] == nil && eksTags?["team"] == "foundation-models" && eksTags?["netloom:stack"] == "llm-training", "tags: \(eksTags ?? [:])\n\(retag.stdout)\n\(retag.stderr)")

        let output = try await runner.netloom("output", spec)
        #expect(output.stdout.contains("next: aws eks update-kubeconfig --region us-west-2 --name \(eksName)"), "output: \(output.stdout)")
        #expect(output.stdout.contains("netloom does not install Helm charts"), "output: \(output.stdout)")

        // An edited script is one planned update, of its object only (the add-ons are still to create).
        try "#!/bin/bash\necho second\n".write(toFile: lifecycle + "/on_create.sh", atomically: true, encoding: .utf8)
        let plan = try await runner.netloom("plan", spec)
        #expect(plan.stdout.contains("1 to change"), "plan: \(plan.stdout)\n\(plan.stderr)")
        #expect(plan.stdout.contains("bucket_object:netloom-lifecycle-trainers/lifecycle/on_create.sh"), "plan: \(plan.stdout)")

        let destroy = try await runner.netloom("destroy", spec, "--auto-approve")
        #expect(destroy.status == 0, "destroy: \(destroy.stdout)\n\(destroy.stderr)")
        #expect(try await runner.countTagged(stack: "llm-training").isEmpty)
        #expect(try await clusters(runner, prefix: "llm-training-").isEmpty)
        #expect(try await buckets(runner, prefix: "sagemaker-llm-training-").isEmpty)
        #expect(try await fileSystems(runner, stack: "llm-training").isEmpty)
    }

    @Test("kill -9 while the cluster is being created, then apply: one cluster, one lifecycle bucket, one file system")
    func killDuringCreation() async throws {
        let moto = try await freshMoto()
        let runner = try CommandRunner(moto: moto, region: "us-east-1")
        let spec = try await spec(runner, "hyperpod-slurm-dev.yaml")
        let started = try runner.start(["apply", spec, "--auto-approve"])
        let process = started.0
        // moto makes a cluster InService at once: the kill lands as soon as the cluster exists,
        // while the run waits on it or records it.
        let deadline = Date().addingTimeInterval(240)
        while process.isRunning, Date() < deadline, try await clusters(runner, prefix: "slurm-dev-gpu-").isEmpty {
            try await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        _ = try await runner.finished(started)

        let again = try await runner.netloom("apply", spec, "--auto-approve")
        #expect(again.status == 0, "apply after kill: \(again.stdout)\n\(again.stderr)")
        #expect(try await clusters(runner, prefix: "slurm-dev-gpu-").count == 1)
        #expect(try await buckets(runner, prefix: "sagemaker-slurm-dev-gpu-lifecycle-").count == 1)
        #expect(try await fileSystems(runner, stack: "slurm-dev").count == 1)

        let destroy = try await runner.netloom("destroy", spec, "--auto-approve")
        #expect(destroy.status == 0, "destroy: \(destroy.stderr)")
        #expect(try await clusters(runner, prefix: "slurm-dev-").isEmpty)
    }
}

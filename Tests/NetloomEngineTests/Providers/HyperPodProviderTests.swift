import AWSClient
import Foundation
import NetloomModel
import Testing
@testable import NetloomEngine

private typealias F = ProviderFixture

@Suite("HyperPod providers against a fake AWS")
struct HyperPodProviderTests {
    static func group(_ name: String, _ type: String, _ count: Int) -> PropertyValue {
        ["name": .string(name), "instance_type": .string(type), "count": .int(count), "threads_per_core": 1,
         "execution_role": "arn:aws:iam::123456789012:role/netloom/s/s-gpu-hyperpod-abcdefgh",
         "lifecycle": ["source_s3_uri": "s3://sagemaker-s-gpu-lifecycle-abcdefgh-123456789012/lifecycle/", "on_create": "on_create.sh"]]
    }

    static func cluster(workers: Int = 4, workerType: String = "ml.p4d.24xlarge") -> DesiredResource {
        F.desired("hyperpod_cluster:gpu", .hyperPodCluster, [
            "name": "s-gpu-abcdefgh", "orchestrator": "slurm", "subnet": "subnet-1", "az": "us-east-1a", "security_groups": ["sg-1"],
            "node_recovery": "Automatic",
            "instance_groups": [group("controller", "ml.m5.12xlarge", 1), group("workers", workerType, workers)],
        ])
    }

    @Test("a changed worker count is one UpdateCluster carrying every group, as AWS would get it; moto's missing UpdateCluster is reported as not implemented")
    func updateCountRequest() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "UpdateCluster": FakeAWS.json(#"{"ClusterArn":"arn:aws:sagemaker:us-east-1:123456789012:cluster/abc"}"#)
            case "DescribeCluster": FakeAWS.json(#"{"ClusterName":"s-gpu-abcdefgh","ClusterArn":"arn:aws:sagemaker:us-east-1:123456789012:cluster/abc","ClusterStatus":"InService","InstanceGroups":[]}"#)
            default: nil
            }
        }
        let provider = HyperPodClusterProvider()
        let desired = Self.cluster(workers: 6)
        let observed = F.observed("hyperpod_cluster:gpu", .hyperPodCluster, "s-gpu-abcdefgh", provider.comparable(Self.cluster()),
                                  attributes: ["arn": "arn:aws:sagemaker:us-east-1:123456789012:cluster/abc"])
        // As the plan gives them: without the fields drift only reports.
        let changed = Set(provider.comparable(desired).filter { observed.properties[$0.key] != $0.value }.map(\.key)).subtracting(provider.reportedOnly)
        #expect(changed == ["instance_counts"])
        #expect(changed.isDisjoint(with: provider.replacedOn.keys))
        _ = try await provider.update(desired, from: observed, changed: changed, context: F.context(fake))
        #expect(fake.actions == ["UpdateCluster", "DescribeCluster"])
        let body = fake.requests[0].json
        #expect(body["ClusterName"] as? String == "s-gpu-abcdefgh")
        #expect(body["NodeRecovery"] as? String == "Automatic")
        let groups = body["InstanceGroups"] as? [[String: Any]] ?? []
        #expect(groups.map { $0["InstanceGroupName"] as? String } == ["controller", "workers"])
        #expect(groups.map { $0["InstanceCount"] as? Int } == [1, 6])
        #expect(groups.allSatisfy { ($0["LifeCycleConfig"] as? [String: Any])?["OnCreate"] as? String == "on_create.sh" })
        #expect(groups.allSatisfy { $0["ThreadsPerCore"] as? Int == 1 && ($0["ExecutionRole"] as? String)?.hasPrefix("arn:aws:iam::") == true })

        let moto = FakeAWS { $0.action == "UpdateCluster" ? AWSHTTPResponse(status: 500, headers: ["content-type": "text/html"], body: Array("<!doctype html><title>500</title>".utf8)) : nil }
        let error = await F.awsError { _ = try await provider.update(desired, from: observed, changed: changed, context: F.context(moto)) }
        #expect(error?.isNotImplemented == true)
        #expect(moto.actions == ["UpdateCluster"])
    }

    /// DescribeCluster's answer for `cluster()`, with the workers group at `running` of 4 nodes.
    static func describeAnswer(status: String, running: Int) -> String {
        func group(_ name: String, _ type: String, _ current: Int, _ target: Int) -> String {
            #"{"InstanceGroupName":"\#(name)","InstanceType":"\#(type)","CurrentCount":\#(current),"TargetCount":\#(target),"ThreadsPerCore":1,"# +
            #""ExecutionRole":"arn:aws:iam::123456789012:role/netloom/s/s-gpu-hyperpod-abcdefgh","# +
            #""LifeCycleConfig":{"SourceS3Uri":"s3://sagemaker-s-gpu-lifecycle-abcdefgh-123456789012/lifecycle/","OnCreate":"on_create.sh"}}"#
        }
        return #"{"ClusterName":"s-gpu-abcdefgh","ClusterArn":"arn:c","ClusterStatus":"\#(status)","NodeRecovery":"Automatic","# +
            #""VpcConfig":{"Subnets":["subnet-1"],"SecurityGroupIds":["sg-1"]},"InstanceGroups":["# +
            group("controller", "ml.m5.12xlarge", 1, 1) + "," + group("workers", "ml.p4d.24xlarge", running, 4) + "]}"
    }

    static func readCluster(status: String, running: Int, spec: DesiredResource = cluster()) async throws -> ObservedResource {
        let fake = FakeAWS { request in
            switch request.action {
            case "ListClusters": FakeAWS.json(#"{"ClusterSummaries":[{"ClusterName":"s-gpu-abcdefgh","ClusterArn":"arn:c","ClusterStatus":"\#(status)"}]}"#)
            case "ListTags": FakeAWS.json(#"{"Tags":[{"Key":"netloom:stack","Value":"s"},{"Key":"netloom:address","Value":"hyperpod_cluster:gpu"}]}"#)
            case "DescribeCluster": FakeAWS.json(describeAnswer(status: status, running: running))
            default: nil
            }
        }
        let read = try await HyperPodClusterProvider().read(F.scope([spec]), context: F.context(fake))
        return try #require(read.first)
    }

    @Test("a cluster in service with a group short of nodes is degraded: drift names the group's running count, the plan changes nothing")
    func degradedIsReportedNotPlanned() async throws {
        let desired = Self.cluster()
        let graph = try ResourceGraph([desired.resource])
        let resolution = PropertyResolution(accountID: "123456789012", parameters: [:])
        let comparer = StackComparer()

        let healthy = try await Self.readCluster(status: "InService", running: 4)
        #expect(comparer.drift(graph, live: LiveView(resources: [desired.address: healthy], unmanaged: []), resolution: resolution, state: [:]).isEmpty)

        let degraded = try await Self.readCluster(status: "InService", running: 3)
        #expect(degraded.properties["running_nodes"] == ["controller": 1, "workers": 3])
        let live = LiveView(resources: [desired.address: degraded], unmanaged: [])
        let drift = comparer.drift(graph, live: live, resolution: resolution, state: [:])
        #expect(drift.map(\.field) == ["running_nodes"])
        #expect(drift.first?.actual.contains("3") == true)
        #expect(comparer.plan(graph, live: live, resolution: resolution, state: [:]).changes.isEmpty)

        // While SageMaker works on the cluster the counts lag by design: not degraded.
        let updating = try await Self.readCluster(status: "Updating", running: 3)
        #expect(comparer.drift(graph, live: LiveView(resources: [desired.address: updating], unmanaged: []), resolution: resolution, state: [:]).isEmpty)

        // A count changed in the spec shows once, as instance_counts, and is one update.
        // (The read is made for the spec in hand, as every run reads for its own spec.)
        let grown = Self.cluster(workers: 6)
        let grownGraph = try ResourceGraph([grown.resource])
        let full = try await Self.readCluster(status: "InService", running: 4, spec: grown)
        let grownDrift = comparer.drift(grownGraph, live: LiveView(resources: [grown.address: full], unmanaged: []), resolution: resolution, state: [:])
        #expect(grownDrift.map(\.field) == ["instance_counts"])
        #expect(comparer.plan(grownGraph, live: LiveView(resources: [grown.address: full], unmanaged: []), resolution: resolution, state: [:]).changes.map(\.action) == [.update])
    }

    @Test("a changed instance type or subnet replaces the cluster, with the reason")
    func typeChangeReplaces() {
        let provider = HyperPodClusterProvider()
        let before = provider.comparable(Self.cluster())
        let after = provider.comparable(Self.cluster(workerType: "ml.p5.48xlarge"))
        let changed = Set(after.filter { before[$0.key] != $0.value }.map(\.key))
        #expect(changed == ["instance_types"])
        #expect(provider.replacedOn["instance_types"] == "an instance group's instance type cannot change in place")
        #expect(provider.replacedOn["subnet"] != nil)
    }

    @Test("create sends the groups, VpcConfig, node recovery and tags, and waits for InService; Failed stops with SageMaker's reason")
    func createWaits() async throws {
        let describes = Counter()
        let fake = FakeAWS { request in
            switch request.action {
            case "CreateCluster": return FakeAWS.json(#"{"ClusterArn":"arn:aws:sagemaker:us-east-1:123456789012:cluster/abc"}"#)
            case "DescribeCluster":
                let status = describes.next() <= 2 ? "Creating" : "InService"
                return FakeAWS.json(#"{"ClusterName":"s-gpu-abcdefgh","ClusterArn":"arn:c","ClusterStatus":"\#(status)","InstanceGroups":[]}"#)
            default: return nil
            }
        }
        let created = try await HyperPodClusterProvider().create(Self.cluster(), context: F.context(fake))
        #expect(created.awsID == "s-gpu-abcdefgh")
        #expect(fake.actions == ["CreateCluster", "DescribeCluster", "DescribeCluster", "DescribeCluster"])
        let body = fake.requests[0].json
        #expect((body["VpcConfig"] as? [String: Any])?["Subnets"] as? [String] == ["subnet-1"])
        #expect((body["VpcConfig"] as? [String: Any])?["SecurityGroupIds"] as? [String] == ["sg-1"])
        #expect(body["Orchestrator"] == nil)
        #expect((body["Tags"] as? [[String: String]])?.contains(["Key": "netloom:address", "Value": "hyperpod_cluster:gpu"]) == true)

        let failing = FakeAWS { request in
            switch request.action {
            case "CreateCluster": FakeAWS.json(#"{"ClusterArn":"arn:c"}"#)
            case "DescribeCluster": FakeAWS.json(#"{"ClusterName":"s-gpu-abcdefgh","ClusterArn":"arn:c","ClusterStatus":"Failed","FailureMessage":"no capacity","InstanceGroups":[]}"#)
            default: nil
            }
        }
        do {
            _ = try await HyperPodClusterProvider().create(Self.cluster(), context: F.context(failing))
            Issue.record("a Failed cluster must stop the create")
        } catch let error as MadeButNotReady {
            // The cluster exists: the engine records it in the state although the change failed.
            #expect(error.made.awsID == "s-gpu-abcdefgh")
            #expect(error.cause is ResourceFailed)
            #expect(String(describing: error).contains("no capacity"))
        }

        // A cluster that stays Creating past the timeout: the wait ends, the cluster is kept.
        let slow = FakeAWS { request in
            switch request.action {
            case "CreateCluster": FakeAWS.json(#"{"ClusterArn":"arn:c"}"#)
            case "DescribeCluster": FakeAWS.json(#"{"ClusterName":"s-gpu-abcdefgh","ClusterArn":"arn:c","ClusterStatus":"Creating","InstanceGroups":[]}"#)
            default: nil
            }
        }
        let error = await #expect(throws: MadeButNotReady.self) { _ = try await HyperPodClusterProvider().create(Self.cluster(), context: F.context(slow)) }
        let timedOut = try #require(error)
        #expect(String(describing: timedOut.cause).contains("was not ready after"))
        let operation = ResourceOperationError(address: "hyperpod_cluster:gpu", operation: "create", error: timedOut)
        #expect(operation.made?.awsID == "s-gpu-abcdefgh")
        #expect(operation.cause.contains("(last state: Creating)"))
    }

    @Test("an EKS add-on the endpoint does not implement is read as none, and its create says CreateAddon is not implemented")
    func addonNotImplemented() async throws {
        let fake = FakeAWS { request in
            AWSHTTPResponse(status: 404, headers: ["content-type": "text/html"], body: Array("<!doctype html><title>404 Not Found</title>".utf8))
        }
        let eks = F.observed("eks_cluster:gpu", .eksCluster, "s-gpu-eks")
        let desired = F.desired("eks_addon:gpu/vpc-cni", .eksAddon, ["cluster": "s-gpu-eks", "addon_name": "vpc-cni"])
        #expect(try await EKSAddonProvider().read(F.scope([desired], observed: [eks]), context: F.context(fake)).isEmpty)
        let error = await F.awsError { _ = try await EKSAddonProvider().create(desired, context: F.context(fake)) }
        #expect(error?.isNotImplemented == true)
        #expect(error?.action == "CreateAddon")
    }

    @Test("a lifecycle object is compared by the MD5 of its content, so an edited script is an update")
    func objectContentHash() {
        let provider = BucketObjectProvider()
        let script = F.desired("bucket_object:netloom-lifecycle-gpu/lifecycle/on_create.sh", .bucketObject,
                               ["bucket": "b", "key": "lifecycle/on_create.sh", "content": "echo hi\n"], tags: false)
        // md5("echo hi\n"), as `printf 'echo hi\n' | md5sum` gives it: what S3 lists as the ETag.
        #expect(provider.comparable(script)["content_md5"] == "9a312c9d8b035b8c2da417b451f8f92d")
        #expect(provider.comparable(script)["content_md5"]?.stringValue == BucketObjectProvider.md5(Array("echo hi\n".utf8)))
        var edited = script
        edited.properties["content"] = "echo bye\n"
        #expect(provider.comparable(edited)["content_md5"] != provider.comparable(script)["content_md5"])
        let parameters = F.desired("bucket_object:b/lifecycle/provisioning_parameters.json", .bucketObject,
                                   ["bucket": "b", "key": "lifecycle/provisioning_parameters.json", "json": ["fsx_dns_name": .string(DesiredResource.unknownID)]], tags: false)
        #expect(provider.comparable(parameters)["content_md5"] == .string(DesiredResource.unknownID))
    }
}


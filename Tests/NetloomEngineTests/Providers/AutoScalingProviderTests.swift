import AWSClient
import Foundation
import NetloomModel
import Testing
@testable import NetloomEngine

private typealias F = ProviderFixture

/// Readiness events a test collects from the provider's waits.
private final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [ReadinessEvent] = []
    var events: [ReadinessEvent] { lock.withLock { items } }
    func add(_ event: ReadinessEvent) { lock.withLock { items.append(event) } }
}

/// A DescribeAutoScalingGroups answer with one group, or none.
private func groupAnswer(status: String? = nil, instances: [String] = [], targetGroups: [String] = []) -> AWSHTTPResponse {
    let members = instances.map { "<member><InstanceId>\($0)</InstanceId><LifecycleState>Terminating</LifecycleState></member>" }.joined()
    let groups = targetGroups.map { "<member>\($0)</member>" }.joined()
    return FakeAWS.query("DescribeAutoScalingGroups", """
    <AutoScalingGroups><member><AutoScalingGroupName>s-api</AutoScalingGroupName><MinSize>1</MinSize><MaxSize>4</MaxSize>\
    <DesiredCapacity>\(instances.count)</DesiredCapacity><VPCZoneIdentifier>subnet-1,subnet-2</VPCZoneIdentifier>\
    <TargetGroupARNs>\(groups)</TargetGroupARNs><Instances>\(members)</Instances>\(status.map { "<Status>\($0)</Status>" } ?? "")</member></AutoScalingGroups>
    """)
}

@Suite("Auto Scaling providers against a fake AWS")
struct AutoScalingProviderTests {
    let group = F.desired("autoscaling_group:api", .autoScalingGroup, [
        "name": "s-api", "launch_template": "lt-1", "min": 2, "max": 6, "desired": 3, "subnets": ["subnet-1", "subnet-2"],
        "target_groups": ["arn:tg-new"], "health_check_type": "ELB", "health_check_grace_s": 300,
    ])

    @Test("group delete: forced, then polled through the engine's clock until the group is gone and its instances are terminated, with progress")
    func groupDeleteWaits() async throws {
        let polls = EventLog(), describes = ActionCounter()
        let fake = FakeAWS { request in
            switch request.action {
            case "DescribeAutoScalingGroups":
                // Listed while AWS terminates the instances, then gone.
                describes.next(request.action) <= 1 ? groupAnswer(status: "Delete in progress", instances: ["i-1"]) : FakeAWS.query("DescribeAutoScalingGroups", "<AutoScalingGroups/>")
            case "DescribeInstances":
                FakeAWS.ec2("DescribeInstances", "<reservationSet><item><instancesSet><item><instanceId>i-1</instanceId><instanceState><name>terminated</name></instanceState></item></instancesSet></item></reservationSet>")
            default: nil
            }
        }
        var context = F.context(fake)
        context.readinessObserver = { polls.add($0) }
        try await AutoScalingGroupProvider().delete(F.observed("autoscaling_group:api", .autoScalingGroup, "s-api"), context: context)
        #expect(fake.actions == ["DeleteAutoScalingGroup", "DescribeAutoScalingGroups", "DescribeAutoScalingGroups", "DescribeInstances"])
        #expect(fake.requests[0]["ForceDelete"] == "true" && fake.requests[0]["AutoScalingGroupName"] == "s-api")
        #expect(fake.requests[3].values("InstanceId.") == ["i-1"], "the instances the group still listed are waited for")
        #expect(polls.events.map(\.ready) == [false, true])
        #expect(polls.events.first?.state == "Delete in progress, 1 instance left")
        #expect((context.clock as? RecordingClock)?.sleeps.count == 1, "one back-off through the injected clock, no real sleep")
    }

    @Test("group delete: instances AWS no longer lists (InvalidInstanceID.NotFound) count as terminated")
    func groupDeleteForgottenInstances() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "DescribeAutoScalingGroups": FakeAWS.query("DescribeAutoScalingGroups", "<AutoScalingGroups/>")
            case "DescribeInstances": FakeAWS.ec2Error("InvalidInstanceID.NotFound", "The instance ID 'i-1' does not exist")
            default: nil
            }
        }
        let observed = F.observed("autoscaling_group:api", .autoScalingGroup, "s-api", attributes: ["instance_ids": "i-1"])
        try await AutoScalingGroupProvider().delete(observed, context: F.context(fake))
        #expect(fake.actions == ["DeleteAutoScalingGroup", "DescribeAutoScalingGroups", "DescribeInstances"])
    }

    @Test("group update: min and max in UpdateAutoScalingGroup without DesiredCapacity, target groups attached and detached by difference")
    func groupUpdate() async throws {
        let fake = FakeAWS { request in request.action == "DescribeAutoScalingGroups" ? groupAnswer(instances: ["i-1", "i-2"], targetGroups: ["arn:tg-new"]) : nil }
        let observed = F.observed("autoscaling_group:api", .autoScalingGroup, "s-api", ["target_groups": ["arn:tg-old"]])
        let result = try await AutoScalingGroupProvider().update(group, from: observed, changed: ["min", "max", "target_groups"], context: F.context(fake))
        #expect(fake.actions == ["UpdateAutoScalingGroup", "AttachLoadBalancerTargetGroups", "DetachLoadBalancerTargetGroups", "DescribeAutoScalingGroups"])
        let update = fake.requests[0]
        #expect(update["MinSize"] == "2" && update["MaxSize"] == "6")
        #expect(update["DesiredCapacity"] == nil, "scaling owns the desired capacity")
        #expect(update["LaunchTemplate.LaunchTemplateId"] == nil && update["VPCZoneIdentifier"] == nil)
        #expect(fake.requests[1]["TargetGroupARNs.member.1"] == "arn:tg-new")
        #expect(fake.requests[2]["TargetGroupARNs.member.1"] == "arn:tg-old")
        #expect(result.attributes["instance_ids"] == "i-1,i-2")
        // The desired size is not compared at all: a scaled group shows no difference.
        #expect(AutoScalingGroupProvider().comparable(group)["desired"] == nil)
    }

    @Test("group create: $Latest of the template, desired at creation, ELB health checks, tags kept on the group")
    func groupCreate() async throws {
        let fake = FakeAWS { request in request.action == "DescribeAutoScalingGroups" ? groupAnswer(instances: ["i-1", "i-2", "i-3"]) : nil }
        let created = try await AutoScalingGroupProvider().create(group, context: F.context(fake))
        let create = fake.requests[0]
        #expect(create.action == "CreateAutoScalingGroup")
        #expect(create["LaunchTemplate.LaunchTemplateId"] == "lt-1" && create["LaunchTemplate.Version"] == "$Latest")
        #expect(create["DesiredCapacity"] == "3" && create["HealthCheckType"] == "ELB" && create["HealthCheckGracePeriod"] == "300")
        #expect(create["VPCZoneIdentifier"] == "subnet-1,subnet-2" && create["TargetGroupARNs.member.1"] == "arn:tg-new")
        #expect(create.values("Tags.member.").contains("netloom:stack"))
        #expect(create.parameters.filter { $0.key.hasSuffix(".PropagateAtLaunch") }.values.allSatisfy { $0 == "false" })
        #expect(created.awsID == "s-api" && created.attributes["instance_ids"] == "i-1,i-2,i-3")
    }

    @Test("group create: AWS refusing the template's new instance profile (IAM still propagating) is waited out through the engine's clock; other refusals are not")
    func groupCreateWaitsForProfile() async throws {
        let creates = ActionCounter()
        let fake = FakeAWS { request in
            switch request.action {
            case "CreateAutoScalingGroup" where creates.next(request.action) == 1:
                FakeAWS.queryError("ValidationError", "You must use a valid fully-formed launch template. Value (s-api) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name")
            case "DescribeAutoScalingGroups": groupAnswer(instances: ["i-1"])
            default: nil
            }
        }
        let context = F.context(fake)
        let created = try await AutoScalingGroupProvider().create(group, context: context)
        #expect(fake.actions == ["CreateAutoScalingGroup", "CreateAutoScalingGroup", "DescribeAutoScalingGroups"])
        #expect(created.awsID == "s-api")
        #expect((context.clock as? RecordingClock)?.sleeps.count == 1)

        let refused = FakeAWS { request in request.action == "CreateAutoScalingGroup" ? FakeAWS.queryError("ValidationError", "Max bounds must be greater than min") : nil }
        let error = await F.awsError { _ = try await AutoScalingGroupProvider().create(group, context: F.context(refused)) }
        #expect(error?.code == "ValidationError" && refused.actions == ["CreateAutoScalingGroup"])
    }

    @Test("policy: ALBRequestCountPerTarget with the resource label built from the balancer's and target group's ARNs; id is group|name")
    func policyPut() async throws {
        let fake = FakeAWS()
        let policy = F.desired("scaling_policy:api", .scalingPolicy, [
            "group": "s-api", "name": "netloom-target-tracking", "metric": "ALBRequestCountPerTarget", "target": .double(1000),
            "load_balancer": "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/s-public/50dc6c495c0c9188",
            "target_group": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/s-api/73e2d6bc24d8a067",
        ], tags: false)
        // moto 5.2.1 answers PutScalingPolicy with an empty result (no PolicyARN): nothing depends on it.
        let created = try await ScalingPolicyProvider().create(policy, context: F.context(fake))
        let put = try #require(fake.requests.first)
        #expect(put.action == "PutScalingPolicy" && put["PolicyType"] == "TargetTrackingScaling")
        #expect(put["TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType"] == "ALBRequestCountPerTarget")
        #expect(put["TargetTrackingConfiguration.PredefinedMetricSpecification.ResourceLabel"] == "app/s-public/50dc6c495c0c9188/targetgroup/s-api/73e2d6bc24d8a067")
        #expect(put["TargetTrackingConfiguration.TargetValue"] == "1000")
        #expect(created.awsID == CompositeID("s-api", "netloom-target-tracking").description)
        #expect(created.properties["target"] == "1000")
    }

    @Test("launch template: a changed type is a new version with every field, made the default, and the plan note names the instance refresh; tags alone make no version")
    func templateVersion() async throws {
        let template = F.desired("launch_template:api", .launchTemplate, [
            "name": "s-api-lt", "instance_type": "t3.large", "ami": "ami-1", "security_groups": ["sg-1"], "instance_profile": "s-api",
            "metadata_http_tokens": "required", "root_volume": ["size_gb": 50, "type": "gp3", "encrypted": true],
            "instance_tags": ["Name": "s-api"], "autoscaling_group_name": "s-api",
        ])
        let fake = FakeAWS { request in
            switch request.action {
            case "CreateLaunchTemplateVersion":
                FakeAWS.ec2(request.action, "<launchTemplateVersion><launchTemplateId>lt-1</launchTemplateId><versionNumber>2</versionNumber><launchTemplateData/></launchTemplateVersion>")
            case "ModifyLaunchTemplate":
                FakeAWS.ec2(request.action, "<launchTemplate><launchTemplateId>lt-1</launchTemplateId><launchTemplateName>s-api-lt</launchTemplateName><defaultVersionNumber>2</defaultVersionNumber><latestVersionNumber>2</latestVersionNumber></launchTemplate>")
            default: nil
            }
        }
        let observed = F.observed("launch_template:api", .launchTemplate, "lt-1")
        let provider = LaunchTemplateProvider()
        let result = try await provider.update(template, from: observed, changed: ["instance_type"], context: F.context(fake))
        #expect(fake.actions == ["CreateLaunchTemplateVersion", "ModifyLaunchTemplate"])
        let version = fake.requests[0]
        #expect(version["LaunchTemplateId"] == "lt-1" && version["SourceVersion"] == nil)
        #expect(version["LaunchTemplateData.InstanceType"] == "t3.large" && version["LaunchTemplateData.ImageId"] == "ami-1")
        #expect(version["LaunchTemplateData.MetadataOptions.HttpTokens"] == "required" && version["LaunchTemplateData.IamInstanceProfile.Name"] == "s-api")
        #expect(version["LaunchTemplateData.BlockDeviceMapping.1.Ebs.Encrypted"] == "true" && version["LaunchTemplateData.BlockDeviceMapping.1.Ebs.VolumeSize"] == "50")
        #expect(version["LaunchTemplateData.TagSpecification.1.ResourceType"] == "instance")
        #expect(fake.requests[1]["SetDefaultVersion"] == "2")
        #expect(result.attributes["latest_version"] == "2")
        let note = try #require(provider.updateNote(template, changed: ["instance_type"]))
        #expect(note.contains("aws autoscaling start-instance-refresh --auto-scaling-group-name s-api"))
        #expect(provider.updateNote(template, changed: ["tags"]) == nil)

        let tagsOnly = FakeAWS()
        _ = try await provider.update(template, from: observed, changed: ["tags"], context: F.context(tagsOnly))
        #expect(tagsOnly.actions == ["CreateTags"])
    }
}

/// Counts a fake's requests per action, so its answer can change from one poll to the next.
private final class ActionCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    func next(_ action: String) -> Int {
        lock.withLock {
            counts[action, default: 0] += 1
            return counts[action]!
        }
    }
}

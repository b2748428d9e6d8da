import Foundation
import MotoHarness
import Testing

/// An Auto Scaling group of model servers behind an application load balancer, applied by the
/// built `netloom` against moto and read back with the AWS CLI.
@Suite("Auto Scaling groups against moto", .serialized, .enabled(if: MotoAvailability.shouldRun, "moto_server is not installed"))
struct AutoScalingEndToEndTests {
    func freshMoto() async throws -> MotoServer {
        let moto = try await SharedMotoServers.instance.server(for: #fileID)
        try moto.reset()
        return moto
    }

    static let stack = "asg-e2e"

    /// An ALB on port 80 forwarding to a target group on port 5000, fed by a group of model
    /// servers in the private subnets of two AZs that scales on requests per target.
    static func spec(type: String = "t3.medium") -> String {
        """
        stack: \(stack)
        region: us-east-1
        network:
          cidr: 10.60.0.0/16
          azs: [us-east-1a, us-east-1b]
          nat: none
        subnets:
          edge: { tier: public }
          app: { tier: private }
        security_groups:
          alb:
            description: Public HTTP
            ingress:
              - { from: any, protocol: tcp, ports: 80 }
          api:
            description: Model servers, only from the load balancer
            ingress:
              - { from: sg:alb, protocol: tcp, ports: 5000 }
        roles:
          api: { assumed_by: ec2, managed_policies: [AmazonSSMManagedInstanceCore] }
        load_balancers:
          public:
            type: application
            subnet: edge
            security_groups: [alb]
            listeners:
              - { port: 80, protocol: HTTP, forward: api }
        target_groups:
          api: { port: 5000, protocol: HTTP, health: { path: /health } }
        autoscaling_groups:
          api:
            type: \(type)
            ami: ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64
            subnet: app
            security_groups: [api]
            role: api
            min: 1
            max: 4
            desired: 2
            target_groups: [api]
            scale: { metric: requests_per_target, target: 1000 }
        """
    }

    func write(_ text: String, in runner: CommandRunner) throws -> String {
        let path = runner.workDirectory + "/asg.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The stack's one group, as the AWS CLI describes it.
    func group(_ runner: CommandRunner) async throws -> [String: Any] {
        let groups = try await runner.awsList(["autoscaling", "describe-auto-scaling-groups"], key: "AutoScalingGroups")
            .filter { CommandRunner.tagged($0["Tags"], stack: Self.stack) }
        try #require(groups.count == 1, "groups: \(groups)")
        return groups[0]
    }

    @Test("apply builds the group, launch template, attachment and policy; a second apply changes nothing; scaling by hand is kept; a new type is a new version with the refresh hint; destroy leaves nothing")
    func lifecycle() async throws {
        let moto = try await freshMoto()
        let runner = try CommandRunner(moto: moto, region: "us-east-1")
        let spec = try write(Self.spec(), in: runner)

        let first = try await runner.netloom("apply", spec, "--auto-approve", "--stats")
        #expect(first.status == 0, "apply: \(first.stdout)\n\(first.stderr)")

        let group = try await group(runner)
        let groupName = try #require(group["AutoScalingGroupName"] as? String)
        #expect(group["MinSize"] as? Int == 1 && group["MaxSize"] as? Int == 4 && group["DesiredCapacity"] as? Int == 2, "\(group)")
        #expect(group["HealthCheckType"] as? String == "ELB" && group["HealthCheckGracePeriod"] as? Int == 300, "\(group)")
        // One subnet per AZ. (moto 5.2.1 launches every instance into the first of them, where
        // AWS balances them over the AZs, so where the instances landed is not checked.)
        #expect(((group["VPCZoneIdentifier"] as? String) ?? "").split(separator: ",").count == 2, "one subnet per AZ: \(group)")
        let template = try #require(group["LaunchTemplate"] as? [String: Any])
        #expect(template["Version"] as? String == "$Latest")
        let templateID = try #require(template["LaunchTemplateId"] as? String)

        // The target group the group registers in: the spec's, on port 5000, behind the listener.
        let targetGroups = try await runner.awsList(["elbv2", "describe-target-groups"], key: "TargetGroups")
            .filter { (($0["TargetGroupName"] as? String) ?? "").hasPrefix("\(Self.stack)-") }
        let targetGroup = try #require(targetGroups.first)
        #expect(targetGroup["Port"] as? Int == 5000)
        #expect(group["TargetGroupARNs"] as? [String] == [try #require(targetGroup["TargetGroupArn"] as? String)])

        // Launch template: IMDSv2, the role's instance profile, the group, encrypted gp3 root, tags.
        let versions = try await runner.awsList(["ec2", "describe-launch-template-versions", "--launch-template-id", templateID, "--versions", "$Latest"],
                                          key: "LaunchTemplateVersions")
        let data = try #require(versions.first?["LaunchTemplateData"] as? [String: Any])
        #expect((data["MetadataOptions"] as? [String: Any])?["HttpTokens"] as? String == "required", "\(data)")
        #expect(data["InstanceType"] as? String == "t3.medium")
        let profile = (data["IamInstanceProfile"] as? [String: Any]).flatMap { ($0["Name"] ?? $0["Arn"]) as? String } ?? ""
        #expect(profile.contains("\(Self.stack)-api"), "instance profile: \(data)")
        let apiGroup = try #require(try await runner.awsList(["ec2", "describe-security-groups", "--filters", "Name=group-name,Values=\(Self.stack)-api"],
                                                       key: "SecurityGroups").first?["GroupId"] as? String)
        #expect(data["SecurityGroupIds"] as? [String] == [apiGroup], "\(data)")
        let root = ((data["BlockDeviceMappings"] as? [[String: Any]])?.first?["Ebs"] as? [String: Any]) ?? [:]
        #expect(root["VolumeType"] as? String == "gp3" && (root["Encrypted"] as? Bool == true || root["Encrypted"] as? String == "true"), "\(data)")

        // Scaling policy: ALBRequestCountPerTarget at 1000 with the balancer and target group as label.
        let policies = try await runner.awsList(["autoscaling", "describe-policies", "--auto-scaling-group-name", groupName], key: "ScalingPolicies")
        let policy = try #require(policies.first, "no policy")
        let tracking = try #require(policy["TargetTrackingConfiguration"] as? [String: Any])
        #expect((tracking["TargetValue"] as? Double) == 1000, "\(tracking)")
        let metric = try #require(tracking["PredefinedMetricSpecification"] as? [String: Any])
        #expect(metric["PredefinedMetricType"] as? String == "ALBRequestCountPerTarget")
        let label = (metric["ResourceLabel"] as? String) ?? ""
        #expect(label.hasPrefix("app/\(Self.stack)-public") && label.contains("/targetgroup/\(Self.stack)-api"), "label: \(label)")

        // The group's instances are the group's: registered by it, not by netloom, and not tagged as the stack's.
        let registered = try await runner.awsList(["elbv2", "describe-target-health", "--target-group-arn", try #require(targetGroup["TargetGroupArn"] as? String)],
                                            key: "TargetHealthDescriptions")
        #expect(registered.count == 2, "targets: \(registered)")

        let second = try await runner.netloom("apply", spec, "--auto-approve", "--stats")
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(CommandRunner.mutatingCalls(second.stderr) == 0, "second apply: \(second.stdout)\n\(second.stderr)")

        let output = try await runner.netloom("output", spec, "--format", "json")
        let instanceIDs = ((group["Instances"] as? [[String: Any]]) ?? []).compactMap { $0["InstanceId"] as? String }
        #expect(output.status == 0 && !instanceIDs.isEmpty && instanceIDs.allSatisfy(output.stdout.contains), "output: \(output.stdout)")

        // Scaled by hand: plan sees nothing to do, apply leaves the capacity alone.
        _ = try await runner.aws(["autoscaling", "set-desired-capacity", "--auto-scaling-group-name", groupName, "--desired-capacity", "3"])
        let plan = try await runner.netloom("plan", spec, "--detailed-exitcode")
        #expect(plan.status == 0, "plan after scaling: \(plan.stdout)\n\(plan.stderr)")
        let afterScaling = try await runner.netloom("apply", spec, "--auto-approve", "--stats")
        #expect(afterScaling.status == 0 && CommandRunner.mutatingCalls(afterScaling.stderr) == 0, "\(afterScaling.stdout)\n\(afterScaling.stderr)")
        #expect(try await self.group(runner)["DesiredCapacity"] as? Int == 3)
        #expect(try await runner.netloom("drift", spec).status == 0)

        // A max changed by hand is drift, and apply puts it back (leaving the capacity alone).
        _ = try await runner.aws(["autoscaling", "update-auto-scaling-group", "--auto-scaling-group-name", groupName, "--max-size", "6"])
        let drift = try await runner.netloom("drift", spec)
        #expect(drift.status == 2 && drift.stdout.contains("autoscaling_group:api: max is 6, the spec says 4"), "drift: \(drift.stdout)\n\(drift.stderr)")
        let repair = try await runner.netloom("apply", spec, "--auto-approve")
        #expect(repair.status == 0, "\(repair.stdout)\n\(repair.stderr)")
        let repaired = try await self.group(runner)
        #expect(repaired["MaxSize"] as? Int == 4 && repaired["DesiredCapacity"] as? Int == 3, "\(repaired)")

        // Another instance type: a new template version, the group untouched, and the hint.
        let bigger = try write(Self.spec(type: "t3.large"), in: runner)
        let changedPlan = try await runner.netloom("plan", bigger, "--detailed-exitcode")
        #expect(changedPlan.status == 2 && changedPlan.stdout.contains("launch_template:api") && changedPlan.stdout.contains("start-instance-refresh"),
                "plan: \(changedPlan.stdout)")
        #expect(!changedPlan.stdout.contains("autoscaling_group:api"), "the group itself does not change: \(changedPlan.stdout)")
        let changed = try await runner.netloom("apply", bigger, "--auto-approve")
        #expect(changed.status == 0, "\(changed.stdout)\n\(changed.stderr)")
        #expect(changed.stdout.contains("Next step for launch_template:api: ") && changed.stdout.contains("start-instance-refresh"), "apply: \(changed.stdout)")
        let latest = try await runner.awsList(["ec2", "describe-launch-template-versions", "--launch-template-id", templateID, "--versions", "$Latest"],
                                        key: "LaunchTemplateVersions").first
        #expect(latest?["VersionNumber"] as? Int == 2)
        #expect((latest?["LaunchTemplateData"] as? [String: Any])?["InstanceType"] as? String == "t3.large")
        #expect(try await self.group(runner)["DesiredCapacity"] as? Int == 3)
        #expect(try await runner.netloom("plan", bigger, "--detailed-exitcode").status == 0)

        let destroy = try await runner.netloom("destroy", bigger, "--auto-approve")
        #expect(destroy.status == 0, "destroy: \(destroy.stdout)\n\(destroy.stderr)")
        #expect(try await runner.awsList(["autoscaling", "describe-auto-scaling-groups"], key: "AutoScalingGroups").isEmpty)
        #expect(try await runner.awsList(["ec2", "describe-launch-templates"], key: "LaunchTemplates").isEmpty)
        let running = try await runner.awsList(["ec2", "describe-instances"], key: "Reservations").flatMap { ($0["Instances"] as? [[String: Any]]) ?? [] }
            .filter { (($0["State"] as? [String: Any])?["Name"] as? String) != "terminated" }
        #expect(running.isEmpty, "instances left: \(running.count)")
        #expect(try await runner.countTagged(stack: Self.stack).isEmpty)
    }

    @Test("apply through a proxy that loses answers and injects errors converges to one group, one launch template and one policy; destroy through it leaves nothing",
          .timeLimit(.minutes(10)))
    func applyThroughFaults() async throws {
        let moto = try await freshMoto()
        // Resets after moto did the work lose the answers of CreateLaunchTemplate and
        // CreateAutoScalingGroup too: the retry is refused by name, and the read that follows
        // finds the first one by its tag.
        let proxy = try await FaultInjectingProxy(upstream: moto.endpointURL, faultRate: 0.3, seed: 7, faults: FaultInjectingProxy.Fault.allCases)
        let runner = try CommandRunner(moto: moto, region: "us-east-1")
        let spec = try write(Self.spec(), in: runner)

        let apply = try await runner.netloom(["apply", spec, "--auto-approve", "--stats"], endpoint: proxy.endpointURL)
        #expect(apply.status == 0, "apply through faults (\(proxy.counts)): \(apply.stdout)\n\(apply.stderr)")
        #expect(proxy.counts.faults.values.reduce(0, +) > 5, "too few faults to prove anything: \(proxy.counts)")
        let again = try await runner.netloom("apply", spec, "--auto-approve", "--stats")
        #expect(again.status == 0 && CommandRunner.mutatingCalls(again.stderr) == 0, "after faults: \(again.stdout)\n\(again.stderr)")
        #expect(try await runner.awsList(["autoscaling", "describe-auto-scaling-groups"], key: "AutoScalingGroups").count == 1)
        #expect(try await runner.awsList(["ec2", "describe-launch-templates"], key: "LaunchTemplates").count == 1)
        let group = try await self.group(runner)
        let policies = try await runner.awsList(["autoscaling", "describe-policies", "--auto-scaling-group-name", try #require(group["AutoScalingGroupName"] as? String)],
                                          key: "ScalingPolicies")
        #expect(policies.count == 1)

        let destroy = try await runner.netloom(["destroy", spec, "--auto-approve"], endpoint: proxy.endpointURL)
        // A lost answer to IAM RemoveRoleFromInstanceProfile, whose retry moto 5.2.1 answers with
        // an HTML 500 page, no longer stops the instance profile's delete: the provider re-reads it.
        #expect(destroy.status == 0, "destroy through faults: \(destroy.stdout)\n\(destroy.stderr)")
        #expect(try await runner.awsList(["autoscaling", "describe-auto-scaling-groups"], key: "AutoScalingGroups").isEmpty)
        #expect(try await runner.awsList(["ec2", "describe-launch-templates"], key: "LaunchTemplates").isEmpty)
        #expect(try await runner.countTagged(stack: Self.stack).isEmpty)
        await proxy.stop()
    }
}

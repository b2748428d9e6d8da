import Foundation
import MotoHarness
import NetloomEngine
import Testing

/// `netloom` as a user runs it, against a moto server started for each test.
@Suite("apply, plan, drift, destroy against moto", .serialized, .enabled(if: MotoAvailability.shouldRun, "moto_server is not installed"))
struct DeployEndToEndTests {
    /// One moto per test process, wiped before each test (the suite is serialized).
    /// `MotoServer.stop()` can hang on Linux here: children spawned after moto (netloom, aws)
    /// seem to keep its watchdog's stdin pipe open, so its `read` never sees EOF.
    func freshMoto() async throws -> MotoServer {
        // The inference example has a DNS-validated certificate; moto issues it after this many seconds (60 by default).
        let moto = try await SharedMotoServers.instance.server(for: #fileID, extraEnvironment: ["MOTO_ACM_VALIDATION_WAIT": "1"])
        try moto.reset()
        return moto
    }

    @Test("ml-workstation: apply creates what expand lists, a second apply changes nothing, destroy leaves nothing tagged")
    func workstationLifecycle() async throws {
        let moto = try await freshMoto()
        let runner = try CommandRunner(moto: moto, region: "us-east-1")
        let spec = try runner.example("ml-workstation.yaml")

        // A plan without a state works on a throwaway one, and removes it (and its log) after.
        let fresh = try runner.start(["plan", spec, "--detailed-exitcode"])
        let freshPlan = try await runner.finished(fresh)
        #expect(freshPlan.status == 2, "plan: \(freshPlan.stderr)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())
            .filter { $0.hasPrefix("netloom-readonly-\(fresh.0.processIdentifier)-") }
        #expect(leftovers.isEmpty, "left behind: \(leftovers)")

        let first = try await runner.netloom("apply", spec, "--auto-approve", "--stats")
        #expect(first.status == 0, "apply failed: \(first.stderr)")
        #expect(try await runner.countTagged(stack: "ml-workstation") == runner.expectedCounts(spec: spec))

        let second = try await runner.netloom("apply", spec, "--auto-approve", "--stats")
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(CommandRunner.mutatingCalls(second.stderr) == 0, "second apply: \(second.stdout)\n\(second.stderr)")

        let plan = try await runner.netloom("plan", spec, "--detailed-exitcode")
        #expect(plan.status == 0, "plan: \(plan.stdout)\n\(plan.stderr)")
        let offline = try await runner.netloom("plan", spec, "--offline", "--detailed-exitcode")
        #expect(offline.status == 0, "offline plan: \(offline.stdout)")

        let output = try await runner.netloom("output", spec, "--format", "json")
        #expect(output.status == 0)
        #expect(output.stdout.contains("\"vpc_id\": \"vpc-"))

        // By hand, the instance loses its profile and the SSH rule gets another description:
        // drift names both, apply puts both back.
        let associations = try await runner.awsList(["ec2", "describe-iam-instance-profile-associations"], key: "IamInstanceProfileAssociations")
        let association = try #require(associations.first?["AssociationId"] as? String)
        _ = try await runner.aws(["ec2", "disassociate-iam-instance-profile", "--association-id", association])
        let group = try #require(try await runner.awsList(["ec2", "describe-security-groups", "--filters", "Name=group-name,Values=ml-workstation-workstation"],
                                                    key: "SecurityGroups").first?["GroupId"] as? String)
        _ = try await runner.aws(["ec2", "update-security-group-rule-descriptions-ingress", "--group-id", group, "--ip-permissions",
                            "IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=203.0.113.0/24,Description=changed by hand}]"])
        let drift = try await runner.netloom("drift", spec)
        #expect(drift.status == 2 && drift.stdout.contains("instance_profile"), "drift: \(drift.stdout)\n\(drift.stderr)")
        #expect(drift.stdout.contains("description") && drift.stdout.contains("changed by hand"), "drift: \(drift.stdout)")
        let repair = try await runner.netloom("apply", spec, "--auto-approve")
        #expect(repair.status == 0, "repair: \(repair.stderr)")
        #expect(try await runner.netloom("drift", spec).status == 0)
        let rules = try await runner.awsList(["ec2", "describe-security-groups", "--group-ids", group], key: "SecurityGroups").first?["IpPermissions"] as? [[String: Any]]
        let ssh = rules?.first { $0["FromPort"] as? Int == 22 }?["IpRanges"] as? [[String: Any]]
        #expect(ssh?.first?["Description"] as? String == "SSH", "\(String(describing: rules))")

        // Something tagged with the stack in a VPC that is not the stack's: plan and apply read
        // only the stack's VPCs, destroy reads by tag everywhere and removes it too.
        let foreignVPC = try #require((try await runner.aws(["ec2", "create-vpc", "--cidr-block", "10.99.0.0/16"]) as? [String: Any])?["Vpc"] as? [String: Any])["VpcId"] as? String
        let stray = try await runner.aws(["ec2", "create-subnet", "--vpc-id", try #require(foreignVPC), "--cidr-block", "10.99.1.0/24",
                                    "--tag-specifications", "ResourceType=subnet,Tags=[{Key=netloom:stack,Value=ml-workstation},{Key=netloom:address,Value=subnet:stray}]"])
        #expect(((stray as? [String: Any])?["Subnet"] as? [String: Any])?["SubnetId"] != nil)

        let destroy = try await runner.netloom("destroy", spec, "--auto-approve", "--stats")
        #expect(destroy.status == 0, "destroy: \(destroy.stderr)")
        #expect(try await runner.countTagged(stack: "ml-workstation").isEmpty)
    }

    @Test("a subnet whose CIDR changes is replaced with what stands in it: the instance, the NAT gateway and the association go first")
    func replacementTakesDependentsAlong() async throws {
        let moto = try await freshMoto()
        let runner = try CommandRunner(moto: moto, region: "us-east-1")
        let spec = try runner.example("ml-workstation.yaml")
        let first = try await runner.netloom("apply", spec, "--auto-approve")
        #expect(first.status == 0, "apply failed: \(first.stderr)")

        let text = try String(contentsOfFile: spec, encoding: .utf8)
        try text.replacingOccurrences(of: "us-east-1a: 10.0.1.0/24", with: "us-east-1a: 10.0.3.0/24").write(toFile: spec, atomically: true, encoding: .utf8)
        let plan = try await runner.netloom("plan", spec, "--format", "json", "--detailed-exitcode")
        #expect(plan.status == 2, "plan: \(plan.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any]
        let changes = (document?["changes"] as? [[String: Any]]) ?? []
        let replaced = Set(changes.filter { $0["action"] as? String == "replace" }.compactMap { $0["address"] as? String })
        #expect(replaced.isSuperset(of: ["subnet:public/us-east-1a", "instance:workstation", "route_table_association:public/us-east-1a"]),
                "replaced: \(replaced.sorted())")
        let subnetChange = changes.first { $0["address"] as? String == "subnet:public/us-east-1a" }
        #expect((subnetChange?["reason"] as? String)?.contains("CIDR") == true)

        let apply = try await runner.netloom("apply", spec, "--auto-approve", "--stats")
        #expect(apply.status == 0, "apply of the replacement failed: \(apply.stderr)")
        let cidrs = try await runner.awsList(["ec2", "describe-subnets", "--filters", "Name=tag:netloom:stack,Values=ml-workstation"], key: "Subnets")
            .compactMap { $0["CidrBlock"] as? String }
        #expect(cidrs.contains("10.0.3.0/24") && !cidrs.contains("10.0.1.0/24"), "subnets: \(cidrs)")
        try await runner.expectConverged(spec: spec, stack: "ml-workstation", "after the replacement")
    }

    @Test("inference: drift made with the AWS CLI is reported with exit 2 and repaired by apply")
    func inferenceDrift() async throws {
        let moto = try await freshMoto()
        let runner = try CommandRunner(moto: moto, region: "eu-west-1")
        let spec = try runner.example("inference.yaml")

        let apply = try await runner.netloom("apply", spec, "--auto-approve", "--stats")
        #expect(apply.status == 0, "apply failed: \(apply.stderr)")
        #expect(try await runner.countTagged(stack: "model-api") == runner.expectedCounts(spec: spec))
        let again = try await runner.netloom("apply", spec, "--auto-approve", "--stats")
        #expect(CommandRunner.mutatingCalls(again.stderr) == 0, "second apply: \(again.stdout)\n\(again.stderr)")
        #expect(try await runner.netloom("drift", spec).status == 0)

        // Three changes outside netloom: a rule added to a group, a tag changed, a route deleted.
        let filter = ["--filters", "Name=tag:netloom:stack,Values=model-api"]
        let groups = try await runner.awsList(["ec2", "describe-security-groups"] + filter, key: "SecurityGroups")
        let api = try #require(groups.first { ($0["GroupName"] as? String) == "model-api-api" }?["GroupId"] as? String)
        _ = try await runner.aws(["ec2", "authorize-security-group-ingress", "--group-id", api, "--protocol", "tcp", "--port", "22", "--cidr", "0.0.0.0/0"])
        let vpc = try #require(try await runner.awsList(["ec2", "describe-vpcs"] + filter, key: "Vpcs").first?["VpcId"] as? String)
        _ = try await runner.aws(["ec2", "create-tags", "--resources", vpc, "--tags", "Key=Name,Value=renamed-by-hand"])
        let tables = try await runner.awsList(["ec2", "describe-route-tables"] + filter, key: "RouteTables")
        let publicTable = try #require(tables.first { table in
            ((table["Routes"] as? [[String: Any]]) ?? []).contains { ($0["GatewayId"] as? String)?.hasPrefix("igw-") == true }
        }?["RouteTableId"] as? String)
        _ = try await runner.aws(["ec2", "delete-route", "--route-table-id", publicTable, "--destination-cidr-block", "0.0.0.0/0"])
        // And two that weaken it: the endpoints' private DNS off, and the model servers' group
        // allowed to grow past the spec's max (its instances belong to Auto Scaling, not to netloom).
        _ = try await runner.aws(["ec2", "modify-vpc-attribute", "--vpc-id", vpc, "--no-enable-dns-hostnames"])
        let groupName = try #require(try await runner.awsList(["autoscaling", "describe-auto-scaling-groups"], key: "AutoScalingGroups").first?["AutoScalingGroupName"] as? String)
        _ = try await runner.aws(["autoscaling", "update-auto-scaling-group", "--auto-scaling-group-name", groupName, "--max-size", "20"])

        let drift = try await runner.netloom("drift", spec, "--format", "json")
        #expect(drift.status == 2, "drift: \(drift.stdout)\n\(drift.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(drift.stdout.utf8)) as? [String: Any]
        let items = (document?["drift"] as? [[String: Any]]) ?? []
        #expect(items.contains { ($0["kind"] as? String) == "added" && (($0["address"] as? String) ?? "").hasPrefix("sg_rule:") })
        #expect(items.contains { ($0["kind"] as? String) == "modified" && ($0["address"] as? String) == "vpc" && ($0["field"] as? String) == "tags.Name" })
        #expect(items.contains { ($0["kind"] as? String) == "deleted" && (($0["address"] as? String) ?? "").hasPrefix("route:edge/") })
        #expect(items.contains { ($0["address"] as? String) == "vpc" && ($0["field"] as? String) == "enable_dns_hostnames" && ($0["actual"] as? String) == "false" },
                "\(items)")
        #expect(items.contains { ($0["address"] as? String) == "autoscaling_group:api" && ($0["field"] as? String) == "max"
                && ($0["expected"] as? String) == "6" && ($0["actual"] as? String) == "20" }, "\(items)")
        #expect(items.allSatisfy { $0["location"] != nil }, "every drift names its spec line: \(items)")

        let repair = try await runner.netloom("apply", spec, "--auto-approve")
        #expect(repair.status == 0, "repair: \(repair.stdout)\n\(repair.stderr)")
        let after = try await runner.netloom("drift", spec)
        #expect(after.status == 0, "drift after repair: \(after.stdout)")
        let hostnames = try await runner.aws(["ec2", "describe-vpc-attribute", "--vpc-id", vpc, "--attribute", "enableDnsHostnames"]) as? [String: Any]
        #expect((hostnames?["EnableDnsHostnames"] as? [String: Any])?["Value"] as? Bool == true, "\(String(describing: hostnames))")
        let group = try await runner.awsList(["autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", groupName], key: "AutoScalingGroups").first
        #expect(group?["MaxSize"] as? Int == 6 && group?["DesiredCapacity"] as? Int == 2, "\(String(describing: group))")

        let destroy = try await runner.netloom("destroy", spec, "--auto-approve")
        #expect(destroy.status == 0, "destroy: \(destroy.stderr)")
        #expect(try await runner.countTagged(stack: "model-api").isEmpty)
    }

    @Test("two applies on one state: one proceeds, the other exits 1 at once naming the holder")
    func concurrentApplies() async throws {
        let moto = try await freshMoto()
        let runner = try CommandRunner(moto: moto, region: "us-east-1")
        let spec = try runner.example("ml-workstation.yaml")
        let statePath = runner.workDirectory + "/.netloom/ml-workstation.sqlite"
        let first = try runner.start(["apply", spec, "--auto-approve"])
        // Once the first holds the lock it is paused there, so the second meets the lock however
        // slowly either starts on a loaded machine; it is resumed after. Polled from this
        // thread: the cooperative threads may be blocked by other suites' waits.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(120)
        var holder: RunLockHolder?
        while holder == nil, first.0.isRunning, clock.now < deadline {
            if FileManager.default.fileExists(atPath: statePath) { holder = try? StateStore(path: statePath).lockHolder() }
            if holder == nil { usleep(10_000) }
        }
        guard let holder else {
            let ended = try await runner.finished(first)
            Issue.record("the first apply never showed its lock (exit \(ended.status)): \(ended.stderr)")
            return
        }
        #expect(holder.pid == first.0.processIdentifier)
        kill(first.0.processIdentifier, SIGSTOP)
        let started = clock.now
        let second = try await runner.netloom("apply", spec, "--auto-approve")
        let waited = clock.now - started
        kill(first.0.processIdentifier, SIGCONT)
        let winner = try await runner.finished(first)
        #expect(winner.status == 0, "\(winner.stderr)")
        #expect(second.status == 1)
        #expect(second.stderr.contains("locked by another run"), "\(second.stderr)")
        #expect(second.stderr.contains("pid \(first.0.processIdentifier)"), "\(second.stderr)")
        #expect(waited < .seconds(30), "the losing apply took \(waited)")
        _ = try await runner.netloom("destroy", spec, "--auto-approve")
    }

    @Test("hyperpod: the placement group moto cannot create stops apply with the action and the address")
    func placementGroupUnsupported() async throws {
        let moto = try await freshMoto()
        let runner = try CommandRunner(moto: moto, region: "us-east-1")
        let spec = try runner.example("hyperpod-slurm-dev.yaml")
        let apply = try await runner.netloom("apply", spec, "--auto-approve")
        #expect(apply.status == 1)
        #expect(apply.stderr.contains("CreatePlacementGroup"), "\(apply.stderr)")
        #expect(apply.stderr.contains("placement_group:gpu"), "\(apply.stderr)")
        #expect(!apply.stdout.contains("Apply complete"))
        // What was done is in the state: the next plan does not create it again.
        let output = try await runner.netloom("output", spec, "--format", "json")
        #expect(output.stdout.contains("vpc-"), "\(output.stdout)")
        let destroy = try await runner.netloom("destroy", spec, "--auto-approve")
        #expect(destroy.status == 0, "\(destroy.stderr)")
        #expect(try await runner.countTagged(stack: "slurm-dev").isEmpty)
    }
}

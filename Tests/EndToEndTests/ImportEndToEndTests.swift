import Foundation
import MotoHarness
import Testing

/// `netloom import` of a VPC that the AWS CLI built (not netloom), then `apply --adopt`.
@Suite("import and adopt an existing VPC against moto", .serialized, .enabled(if: MotoAvailability.shouldRun, "moto_server is not installed"))
struct ImportEndToEndTests {
    func freshMoto() async throws -> CommandRunner {
        let moto = try await SharedMotoServers.instance.server(for: #fileID)
        try moto.reset()
        return try CommandRunner(moto: moto, region: "us-east-1")
    }

    /// A VPC with public and private subnets in two AZs, a route table each, an internet gateway,
    /// one NAT, two groups that reference each other, an ACL on the private subnets and an
    /// instance. Returns the VPC id.
    func buildVPC(_ runner: CommandRunner) async throws -> String {
        func value(_ arguments: [String], _ path: [String]) async throws -> String {
            var node: Any? = try await runner.aws(arguments)
            for key in path { node = (node as? [String: Any])?[key] }
            guard let text = node as? String else { throw CommandRunner.CLIError(message: "no \(path) in the answer to \(arguments)") }
            return text
        }
        let vpc = try await value(["ec2", "create-vpc", "--cidr-block", "10.20.0.0/16",
                             "--tag-specifications", "ResourceType=vpc,Tags=[{Key=Name,Value=research}]"], ["Vpc", "VpcId"])
        _ = try await runner.aws(["ec2", "modify-vpc-attribute", "--vpc-id", vpc, "--enable-dns-hostnames", "{\"Value\":true}"])
        func subnet(_ cidr: String, _ az: String, _ name: String) async throws -> String {
            try await value(["ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", cidr, "--availability-zone", az,
                       "--tag-specifications", "ResourceType=subnet,Tags=[{Key=Name,Value=\(name)}]"], ["Subnet", "SubnetId"])
        }
        let publicA = try await subnet("10.20.0.0/24", "us-east-1a", "public-us-east-1a"), publicB = try await subnet("10.20.1.0/24", "us-east-1b", "public-us-east-1b")
        let appA = try await subnet("10.20.10.0/24", "us-east-1a", "app-us-east-1a"), appB = try await subnet("10.20.11.0/24", "us-east-1b", "app-us-east-1b")
        for id in [publicA, publicB] { _ = try await runner.aws(["ec2", "modify-subnet-attribute", "--subnet-id", id, "--map-public-ip-on-launch"]) }
        let gateway = try await value(["ec2", "create-internet-gateway"], ["InternetGateway", "InternetGatewayId"])
        _ = try await runner.aws(["ec2", "attach-internet-gateway", "--internet-gateway-id", gateway, "--vpc-id", vpc])
        let allocation = try await value(["ec2", "allocate-address", "--domain", "vpc"], ["AllocationId"])
        let nat = try await value(["ec2", "create-nat-gateway", "--subnet-id", publicA, "--allocation-id", allocation], ["NatGateway", "NatGatewayId"])
        for (subnetID, target) in [(publicA, ["--gateway-id", gateway]), (publicB, ["--gateway-id", gateway]),
                                   (appA, ["--nat-gateway-id", nat]), (appB, ["--nat-gateway-id", nat])] {
            let table = try await value(["ec2", "create-route-table", "--vpc-id", vpc], ["RouteTable", "RouteTableId"])
            _ = try await runner.aws(["ec2", "associate-route-table", "--route-table-id", table, "--subnet-id", subnetID])
            _ = try await runner.aws(["ec2", "create-route", "--route-table-id", table, "--destination-cidr-block", "0.0.0.0/0"] + target)
        }
        let web = try await value(["ec2", "create-security-group", "--vpc-id", vpc, "--group-name", "web", "--description", "public web tier"], ["GroupId"])
        let app = try await value(["ec2", "create-security-group", "--vpc-id", vpc, "--group-name", "app-servers", "--description", "application servers"], ["GroupId"])
        _ = try await runner.aws(["ec2", "authorize-security-group-ingress", "--group-id", web, "--ip-permissions",
                            "IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=0.0.0.0/0,Description=https}]"])
        _ = try await runner.aws(["ec2", "authorize-security-group-ingress", "--group-id", web, "--ip-permissions",
                            "IpProtocol=tcp,FromPort=9100,ToPort=9100,UserIdGroupPairs=[{GroupId=\(app)}]"])
        _ = try await runner.aws(["ec2", "authorize-security-group-ingress", "--group-id", app, "--ip-permissions",
                            "IpProtocol=tcp,FromPort=8080,ToPort=8080,UserIdGroupPairs=[{GroupId=\(web),Description=from web}]"])
        let acl = try await value(["ec2", "create-network-acl", "--vpc-id", vpc,
                             "--tag-specifications", "ResourceType=network-acl,Tags=[{Key=Name,Value=app-acl}]"], ["NetworkAcl", "NetworkAclId"])
        _ = try await runner.aws(["ec2", "create-network-acl-entry", "--network-acl-id", acl, "--ingress", "--rule-number", "100", "--protocol", "tcp",
                            "--port-range", "From=8080,To=8080", "--cidr-block", "10.20.0.0/16", "--rule-action", "allow"])
        _ = try await runner.aws(["ec2", "create-network-acl-entry", "--network-acl-id", acl, "--egress", "--rule-number", "100", "--protocol", "tcp",
                            "--port-range", "From=1024,To=65535", "--cidr-block", "10.20.0.0/16", "--rule-action", "allow"])
        for subnetID in [appA, appB] {
            let acls = try await runner.awsList(["ec2", "describe-network-acls", "--filters", "Name=association.subnet-id,Values=\(subnetID)"], key: "NetworkAcls")
            let association = (acls.first?["Associations"] as? [[String: Any]] ?? []).first { $0["SubnetId"] as? String == subnetID }?["NetworkAclAssociationId"] as? String
            _ = try await runner.aws(["ec2", "replace-network-acl-association", "--association-id", association ?? "", "--network-acl-id", acl])
        }
        let reservation = try await runner.aws(["ec2", "run-instances", "--image-id", "ami-0123456789abcdef0", "--instance-type", "t3.micro", "--subnet-id", appA,
                                          "--security-group-ids", app, "--tag-specifications", "ResourceType=instance,Tags=[{Key=Name,Value=api-1}]"])
        let instance = ((reservation as? [String: Any])?["Instances"] as? [[String: Any]])?.first?["InstanceId"] as? String ?? ""
        let targetGroups = try await runner.awsList(["elbv2", "create-target-group", "--name", "api-targets", "--protocol", "HTTP", "--port", "8080",
                                               "--vpc-id", vpc, "--target-type", "instance", "--health-check-path", "/health"], key: "TargetGroups")
        let targetGroup = targetGroups.first?["TargetGroupArn"] as? String ?? ""
        _ = try await runner.aws(["elbv2", "register-targets", "--target-group-arn", targetGroup, "--targets", "Id=\(instance)"])
        let balancers = try await runner.awsList(["elbv2", "create-load-balancer", "--name", "research-web", "--type", "application", "--scheme", "internet-facing",
                                            "--subnets", publicA, publicB, "--security-groups", web], key: "LoadBalancers")
        let balancer = balancers.first?["LoadBalancerArn"] as? String ?? ""
        _ = try await runner.aws(["elbv2", "create-listener", "--load-balancer-arn", balancer, "--protocol", "HTTP", "--port", "80",
                            "--default-actions", "Type=forward,TargetGroupArn=\(targetGroup)"])
        return vpc
    }

    /// Every id in the VPC, as the AWS CLI lists them.
    func ids(_ runner: CommandRunner, vpc: String) async throws -> [String] {
        let filter = ["--filters", "Name=vpc-id,Values=\(vpc)"]
        var ids: [String] = [vpc]
        ids += try await runner.awsList(["ec2", "describe-subnets"] + filter, key: "Subnets").compactMap { $0["SubnetId"] as? String }
        for table in try await runner.awsList(["ec2", "describe-route-tables"] + filter, key: "RouteTables") {
            ids.append(table["RouteTableId"] as? String ?? "")
            ids += (table["Associations"] as? [[String: Any]] ?? []).compactMap { $0["RouteTableAssociationId"] as? String }
        }
        let groups = try await runner.awsList(["ec2", "describe-security-groups"] + filter, key: "SecurityGroups").compactMap { $0["GroupId"] as? String }
        ids += groups
        ids += try await runner.awsList(["ec2", "describe-security-group-rules", "--filters", "Name=group-id,Values=\(groups.joined(separator: ","))"], key: "SecurityGroupRules")
            .compactMap { $0["SecurityGroupRuleId"] as? String }
        ids += try await runner.awsList(["ec2", "describe-network-acls"] + filter, key: "NetworkAcls").compactMap { $0["NetworkAclId"] as? String }
        ids += try await runner.awsList(["ec2", "describe-nat-gateways", "--filter", "Name=vpc-id,Values=\(vpc)"], key: "NatGateways").compactMap { $0["NatGatewayId"] as? String }
        ids += try await runner.awsList(["ec2", "describe-internet-gateways"], key: "InternetGateways").compactMap { $0["InternetGatewayId"] as? String }
        ids += try await runner.awsList(["ec2", "describe-addresses"], key: "Addresses").compactMap { $0["AllocationId"] as? String }
        for reservation in try await runner.awsList(["ec2", "describe-instances"] + filter, key: "Reservations") {
            ids += (reservation["Instances"] as? [[String: Any]] ?? []).compactMap { $0["InstanceId"] as? String }
        }
        ids += try await runner.awsList(["elbv2", "describe-load-balancers"], key: "LoadBalancers").compactMap { $0["LoadBalancerArn"] as? String }
        ids += try await runner.awsList(["elbv2", "describe-target-groups"], key: "TargetGroups").compactMap { $0["TargetGroupArn"] as? String }
        return ids.filter { !$0.isEmpty }.sorted()
    }

    @Test("import of a VPC the AWS CLI built: the spec validates, check and cost work, apply --adopt tags it without creating or deleting, and plan then finds nothing")
    func importAndAdopt() async throws {
        let runner = try await freshMoto()
        let vpc = try await buildVPC(runner)
        // A tag every resource carries becomes the spec's stack-wide `tags:` and survives adoption.
        let taggable = try await ids(runner, vpc: vpc).filter { id in ["vpc-", "subnet-", "rtb-", "igw-", "nat-", "sg-", "acl-", "i-"].contains { id.hasPrefix($0) } }
        _ = try await runner.aws(["ec2", "create-tags", "--resources"] + taggable + ["--tags", "Key=team,Value=ml"])
        let before = try await ids(runner, vpc: vpc)
        #expect(before.count > 20)

        let spec = runner.workDirectory + "/research.yaml"
        let imported = try await runner.netloom("import", "--region", "us-east-1", "--vpc", vpc, "-o", spec)
        #expect(imported.status == 0, "\(imported.stderr)")
        let text = try String(contentsOfFile: spec, encoding: .utf8)
        #expect(text.contains("stack: research"))
        #expect(text.contains("tags:\n  \"team\": \"ml\""), "\(text)")
        #expect(text.contains("every resource's Name tag becomes netloom's"))
        #expect(text.contains("app: { tier: private, cidrs: { us-east-1a: 10.20.10.0/24, us-east-1b: 10.20.11.0/24 } }"), "\(text)")
        #expect(text.contains("public: { tier: public"), "\(text)")
        #expect(text.contains("nat: single"))
        #expect(text.contains("{ from: \"sg:web\", protocol: tcp, ports: 8080, description: \"from web\" }"), "\(text)")
        #expect(text.contains("{ from: \"sg:app-servers\", protocol: tcp, ports: 9100 }"), "\(text)")
        #expect(text.contains("aws_name: \"app-servers\""))
        #expect(text.contains("subnets: [app]"))
        #expect(text.contains("api-1:"))
        #expect(text.contains("aws_name: \"research-web\""), "\(text)")
        #expect(text.contains("- { port: 80, protocol: HTTP, forward: api-targets }"), "\(text)")
        #expect(text.contains("targets: [instance:api-1]"), "\(text)")

        let validate = try await runner.netloom("validate", spec)
        #expect(validate.status == 0, "\(validate.stderr)")
        let cost = try await runner.netloom("cost", spec, "--format", "json")
        #expect(cost.status == 0 && cost.stdout.contains("nat_gateway"), "\(cost.stderr)")
        let check = try await runner.netloom("check", spec, "--format", "json")
        #expect([0, 3].contains(check.status), "\(check.stderr)")
        #expect(check.stdout.contains("\"findings\""))
        let reach = try await runner.netloom("reach", spec, "--from", "instance:api-1", "--to", "internet", "--protocol", "tcp", "--port", "443")
        #expect(reach.stdout.contains("SUBNET_ACL_RESTRICTION"), "the ACL allows only 8080 in and high ports out: \(reach.stdout)")

        // A spec that asks for more than exists is refused, and nothing changes.
        let grown = runner.workDirectory + "/grown.yaml"
        try text.replacingOccurrences(of: "subnets:\n", with: "subnets:\n  extra: { tier: isolated, size: /24 }\n")
            .write(toFile: grown, atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: runner.workDirectory + "/.netloom/research.sqlite", toPath: runner.workDirectory + "/grown-state.sqlite")
        let refused = try await runner.netloom("apply", grown, "--adopt", "--auto-approve", "--state", runner.workDirectory + "/grown-state.sqlite")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--adopt would create subnet:extra/us-east-1a"), "\(refused.stderr)")
        #expect(refused.stderr.contains("apply --adopt refused"), "\(refused.stderr)")
        // (countTagged counts load balancers and target groups by name, and the CLI named them research-...)
        #expect(try await runner.countTagged(stack: "research").filter { !["load_balancer", "target_group"].contains($0.key) }.isEmpty,
                "the refused adoption tagged something")

        let adopt = try await runner.netloom("apply", spec, "--adopt", "--auto-approve")
        #expect(adopt.status == 0, "\(adopt.stdout)\n\(adopt.stderr)")
        #expect(adopt.stdout.contains("Resources: 0 added"), "\(adopt.stdout)")
        #expect(adopt.stdout.contains("0 replaced, 0 destroyed"), "\(adopt.stdout)")
        let tagged = try await runner.countTagged(stack: "research")
        #expect(tagged["subnet"] == 4 && tagged["security_group"] == 2 && tagged["instance"] == 1, "\(tagged)")

        let plan = try await runner.netloom("plan", spec, "--detailed-exitcode")
        #expect(plan.status == 0, "plan after adopting: \(plan.stdout)\n\(plan.stderr)")
        let vpcTags = try await runner.awsList(["ec2", "describe-vpcs", "--vpc-ids", vpc], key: "Vpcs").first?["Tags"] as? [[String: Any]] ?? []
        #expect(vpcTags.contains { $0["Key"] as? String == "team" && $0["Value"] as? String == "ml" }, "\(vpcTags)")
        #expect(vpcTags.contains { $0["Key"] as? String == "netloom:address" && $0["Value"] as? String == "vpc" }, "\(vpcTags)")
        let drift = try await runner.netloom("drift", spec)
        #expect(drift.status == 0, "\(drift.stdout)\n\(drift.stderr)")
        #expect(try await ids(runner, vpc: vpc) == before, "adopting changed the resource ids")
    }

    @Test("import refuses a bad VPC id or region before any request, and names a VPC that does not exist")
    func badInput() async throws {
        let runner = try await freshMoto()
        let spec = runner.workDirectory + "/x.yaml"
        let badID = try await runner.netloom("import", "--region", "us-east-1", "--vpc", "subnet-123", "-o", spec)
        #expect(badID.status == 64 && badID.stderr.contains("--vpc must be a VPC id"), "\(badID.stderr)")
        let badRegion = try await runner.netloom("import", "--region", "us-east-9", "--vpc", "vpc-123", "-o", spec)
        #expect(badRegion.status == 64 && badRegion.stderr.contains("--region 'us-east-9'"), "\(badRegion.stderr)")
        let missing = try await runner.netloom("import", "--region", "us-east-1", "--vpc", "vpc-0123456789abcdef0", "-o", spec)
        #expect(missing.status == 1, "\(missing.stderr)")
        #expect(missing.stderr.contains("vpc-0123456789abcdef0"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: spec))
    }
}

import Foundation
import MotoHarness
import NetloomModel
import NetloomTestSupport
import Testing

/// What Terraform and CloudFormation build from `netloom export` is what netloom would build:
/// after they apply it on moto, `netloom plan` (with no state: it adopts what carries the
/// stack's tags) wants no change and `netloom drift` finds nothing.
@Suite("export: Terraform and CloudFormation build what netloom would", .serialized,
       .enabled(if: MotoAvailability.shouldRun, "moto_server is not installed"))
struct ExportEndToEndTests {
    func freshMoto() async throws -> MotoServer {
        // The inference example has a DNS-validated certificate; moto issues it after this many seconds (60 by default).
        let moto = try await SharedMotoServers.instance.server(for: #fileID, extraEnvironment: ["MOTO_ACM_VALIDATION_WAIT": "1"])
        try moto.reset()
        return moto
    }

    @Test("terraform apply of the export, then netloom plan and drift: no change",
          .enabled(if: TerraformRunner.isInstalled() || MotoAvailability.isCI, "terraform or the hashicorp/aws provider is missing"),
          arguments: [("ml-workstation.yaml", "us-east-1"), ("inference.yaml", "eu-west-1")])
    func terraformBuildsWhatNetloomWould(example: String, region: String) async throws {
        let moto = try await freshMoto()
        let runner = try CommandRunner(moto: moto, region: region)
        let spec = try runner.example(example)
        let directory = runner.workDirectory + "/terraform"

        let export = try await runner.netloom("export", "terraform", spec, "-o", directory)
        try #require(export.status == 0, "export: \(export.stderr)")
        let environment = runner.environment
        try TerraformMotoProvider.override(endpointURL: moto.endpointURL, accessKey: environment["AWS_ACCESS_KEY_ID"]!,
                                           secretKey: environment["AWS_SECRET_ACCESS_KEY"]!)
            .write(toFile: directory + "/" + TerraformMotoProvider.fileName, atomically: true, encoding: .utf8)
        let terraform = try TerraformRunner(workingDirectory: directory, awsEnvironment: environment)
        try await onOwnThread { try terraform.initialize() }
        let apply = try await onOwnThread { try terraform.run(["apply", "-auto-approve", "-input=false", "-no-color"], label: "apply") }
        try #require(apply.outcome.exitCode == 0, "terraform apply: \(apply.tail)")
        #expect(try await runner.countTagged(stack: try stackName(spec)) == runner.expectedCounts(spec: spec))

        let plan = try await runner.netloom("plan", spec, "--detailed-exitcode")
        #expect(plan.status == 0, "netloom plan against Terraform's stack:\n\(plan.stdout)\n\(plan.stderr)")
        let drift = try await runner.netloom("drift", spec)
        #expect(drift.status == 0, "netloom drift against Terraform's stack:\n\(drift.stdout)\n\(drift.stderr)")
    }

    /// What moto 5.2's CloudFormation builds as the template says (measured with the
    /// ml-workstation template without its folders): the export of these types is checked.
    static let builtFaithfullyByMotoCloudFormation: Set<String> = [
        "security_group", "sg_rule", "subnet", "log_group", "iam_role", "iam_instance_profile", "flow_log", "bucket", "bucket_encryption",
    ]

    /// Where moto 5.2's CloudFormation departs from the template (so netloom plans a change that
    /// AWS's CloudFormation would not need), with why: read from moto's `create_from_cloudformation_json`s.
    static let motoCloudFormationGaps: [String: String] = [
        "vpc": "EnableDnsSupport and EnableDnsHostnames are ignored",
        "subnet": "MapPublicIpOnLaunch is ignored",
        "internet_gateway": "Tags are ignored, so netloom does not find it", "route_table": "Tags are ignored",
        "eip": "Tags are ignored", "nat_gateway": "Tags are ignored",
        "route": "follows its untagged route table", "route_table_association": "follows its untagged route table",
        "iam_role_policy": "AWS::IAM::RolePolicy is not supported", "iam_role_policy_attachment": "the role's ManagedPolicyArns is ignored",
        "instance": "NetworkInterfaces and MetadataOptions are ignored",
        "bucket_versioning": "VersioningConfiguration is ignored", "bucket_public_access_block": "PublicAccessBlockConfiguration is ignored",
        "bucket_lifecycle": "LifecycleConfiguration is ignored", "alarm": "AWS::CloudWatch::Alarm is not supported",
    ]

    @Test("aws cloudformation create-stack of the export on moto: what moto's CloudFormation builds faithfully needs no change")
    func cloudFormationOnMoto() async throws {
        let moto = try await freshMoto()
        let runner = try CommandRunner(moto: moto, region: "us-east-1")
        let spec = runner.workDirectory + "/ml-workstation.yaml"
        // Without its folder markers, which CloudFormation cannot make (the export refuses them).
        try String(try ExampleSpecs.text("ml-workstation.yaml").text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("folders:") }.joined(separator: "\n")).write(toFile: spec, atomically: true, encoding: .utf8)
        let template = runner.workDirectory + "/template.yaml"
        let export = try await runner.netloom("export", "cloudformation", spec, "-o", template)
        try #require(export.status == 0, "export: \(export.stderr)")
        _ = try await runner.aws(["cloudformation", "create-stack", "--stack-name", "ml-workstation", "--template-body", "file://" + template,
                            "--capabilities", "CAPABILITY_NAMED_IAM"])
        let status = try await runner.awsList(["cloudformation", "describe-stacks", "--stack-name", "ml-workstation"], key: "Stacks").first?["StackStatus"] as? String
        try #require(status == "CREATE_COMPLETE", "stack status \(status ?? "none")")

        let plan = try await runner.netloom("plan", spec, "--format", "json")
        try #require(plan.status == 0, "plan: \(plan.stderr)")
        let document = try JSONDecoder().decode(PropertyValue.self, from: Data(plan.stdout.utf8))
        let changes = document["changes"]?.listValue ?? []
        let expanded = try JSONDecoder().decode(PropertyValue.self, from: Data(try await runner.netloom("expand", spec, "--format", "json").stdout.utf8))
        let checked = (expanded["resources"]?.listValue ?? []).filter {
            Self.builtFaithfullyByMotoCloudFormation.contains($0["type"]?.stringValue ?? "")
                && $0["properties"]?["map_public_ip_on_launch"]?.boolValue != true
        }.compactMap { $0["address"]?.stringValue }
        #expect(checked.count >= 15, "the faithful types cover the groups, rules, private subnets, logs, IAM, flow log and buckets")
        let changed = Set(changes.compactMap { $0["address"]?.stringValue })
        for address in checked {
            #expect(!changed.contains(address), "\(address) built by CloudFormation differs: \(changes.first { $0["address"]?.stringValue == address }.map(String.init(describing:)) ?? "")")
        }
        // Every other change is one of moto's recorded gaps, so a new difference fails here.
        for change in changes {
            let type = change["type"]?.stringValue ?? ""
            #expect(Self.motoCloudFormationGaps[type] != nil || change["address"]?.stringValue?.hasPrefix("subnet:public/") == true,
                    "\(change["address"]?.stringValue ?? "?") (\(type)) changes, and moto's CloudFormation has no recorded gap for it: \(change)")
        }
    }

    func stackName(_ spec: String) throws -> String {
        let text = try String(contentsOfFile: spec, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("stack:") })
        return line.dropFirst("stack:".count).trimmingCharacters(in: .whitespaces)
    }
}

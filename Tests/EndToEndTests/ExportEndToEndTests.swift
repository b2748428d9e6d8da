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
        let moto = try await SharedMotoServers.instance.server(for: #fileID)
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

        let export = try runner.netloom("export", "terraform", spec, "-o", directory)
        try #require(export.status == 0, "export: \(export.stderr)")
        let environment = runner.environment
        try TerraformMotoProvider.override(endpointURL: moto.endpointURL, accessKey: environment["AWS_ACCESS_KEY_ID"]!,
                                           secretKey: environment["AWS_SECRET_ACCESS_KEY"]!)
            .write(toFile: directory + "/" + TerraformMotoProvider.fileName, atomically: true, encoding: .utf8)
        let terraform = try TerraformRunner(workingDirectory: directory, awsEnvironment: environment)
        try terraform.initialize()
        let apply = try terraform.run(["apply", "-auto-approve", "-input=false", "-no-color"], label: "apply")
        try #require(apply.outcome.exitCode == 0, "terraform apply: \(apply.tail)")
        #expect(try runner.countTagged(stack: try stackName(spec)) == runner.expectedCounts(spec: spec))

        let plan = try runner.netloom("plan", spec, "--detailed-exitcode")
        #expect(plan.status == 0, "netloom plan against Terraform's stack:\n\(plan.stdout)\n\(plan.stderr)")
        let drift = try runner.netloom("drift", spec)
        #expect(drift.status == 0, "netloom drift against Terraform's stack:\n\(drift.stdout)\n\(drift.stderr)")
    }

    func stackName(_ spec: String) throws -> String {
        let text = try String(contentsOfFile: spec, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("stack:") })
        return line.dropFirst("stack:".count).trimmingCharacters(in: .whitespaces)
    }
}

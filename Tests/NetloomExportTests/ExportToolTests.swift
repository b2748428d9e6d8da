import Foundation
import MotoHarness
import NetloomExport
import NetloomModel
import NetloomTestSupport
import Testing

/// The exports checked by the engines' own tools: `terraform validate` (offline, with the
/// provider from the local plugin directory) and `cfn-lint`. A missing tool skips the test with
/// its reason, except under CI=true, where the test runs and fails on it.
@Suite("exports checked by terraform validate and cfn-lint")
struct ExportToolTests {
    @Test("terraform validate accepts the export of every example", .enabled(if: TerraformRunner.isInstalled() || MotoAvailability.isCI,
                                                                            "terraform or the hashicorp/aws provider in /opt/tf-plugins is missing"),
          arguments: ExampleSpecs.names)
    func terraformValidate(name: String) async throws {
        try await validate(ExportFixtures.source(example: name))
    }

    func validate(_ source: ExportSource) async throws {
        let directory = try ExportFixtures.directory("validate")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (file, contents) in try TerraformExport.make(source).files {
            try contents.write(toFile: directory + "/" + file, atomically: true, encoding: .utf8)
        }
        let terraform = try TerraformRunner(workingDirectory: directory, awsEnvironment: [:])
        try await onOwnThread { try terraform.initialize() }
        let run = try await onOwnThread { try terraform.run(["validate", "-json", "-no-color"], label: "validate") }
        let verdict = try JSONDecoder().decode(PropertyValue.self, from: Data(run.stdout.utf8))
        #expect(run.outcome.exitCode == 0, "\(run.tail)")
        #expect(verdict["valid"]?.boolValue == true && verdict["error_count"]?.intValue == 0, "\(run.stdout)")
        // The one warning allowed: aws_flow_log's log_group_name, which moto needs (TerraformExport).
        let warnings = (verdict["diagnostics"]?.listValue ?? []).filter { $0["severity"]?.stringValue == "warning" }
        #expect(warnings.allSatisfy { $0["detail"]?.stringValue?.contains("log_group_name") == true || $0["summary"]?.stringValue?.contains("deprecated") == true },
                "\(warnings)")
    }

    /// The examples CloudFormation can express, and the variants of the other two without what
    /// it cannot (ExportTranslationTests.cloudFormationGaps checks those errors).
    static let lintable: [(label: String, source: @Sendable () throws -> ExportSource)] = [
        ("inference", { try ExportFixtures.source(example: "inference.yaml") }),
        ("hyperpod-slurm-dev", { try ExportFixtures.source(example: "hyperpod-slurm-dev.yaml") }),
        ("ml-workstation without folders", { try ExportFixtures.source(example: "ml-workstation.yaml", editing: ExportFixtures.workstationWithoutFolders) }),
        ("hyperpod-eks with endpoint egress", { try ExportFixtures.source(example: "hyperpod-eks.yaml", editing: ExportFixtures.endpointsWithEgress) }),
        ("docs/spec.md's complete example", { try ExportFixtures.completeExample(editing: ExportFixtures.completeExampleForCloudFormation) }),
    ]

    @Test("terraform validate accepts the export of docs/spec.md's complete example (HTTPS, KMS, a prefix list, a placement group)",
          .enabled(if: TerraformRunner.isInstalled() || MotoAvailability.isCI, "terraform or the hashicorp/aws provider in /opt/tf-plugins is missing"))
    func terraformValidateCompleteExample() async throws {
        try await validate(ExportFixtures.completeExample())
    }

    @Test("cfn-lint finds no error and no warning in the templates", .enabled(if: ExportFixtures.locate("cfn-lint") != nil || MotoAvailability.isCI,
                                                                          "cfn-lint is not installed (pip install cfn-lint)"),
          arguments: lintable.indices)
    func cfnLint(index: Int) async throws {
        let (label, source) = Self.lintable[index]
        let cfnLint = try #require(ExportFixtures.locate("cfn-lint"), "cfn-lint is not on PATH")
        let directory = try ExportFixtures.directory("lint")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/template.yaml"
        try CloudFormationExport.make(try source()).template.write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = try await onOwnThread {
            try TimedChild.run(cfnLint, ["--format", "parseable", path], stdoutPath: directory + "/lint.out", stderrPath: directory + "/lint.err")
        }
        let findings = (try? String(contentsOfFile: directory + "/lint.out", encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: directory + "/lint.err", encoding: .utf8)) ?? ""
        // cfn-lint's exit status is a bit set: 2 errors, 4 warnings, 8 informational.
        let status = try #require(outcome.exitCode, "cfn-lint ended by a signal")
        #expect(status & (2 | 4) == 0 && status & 1 == 0, "\(label): cfn-lint exit \(status)\n\(findings)\n\(errors)")
    }
}

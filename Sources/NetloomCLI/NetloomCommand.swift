import ArgumentParser

/// `netloom`: plan, check, prove and deploy the network of ML infrastructure on AWS from one spec.
public struct NetloomCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "netloom",
        abstract: "Plan, check, prove and deploy the AWS network of ML infrastructure from one YAML spec.",
        discussion: """
        Every command reads a stack spec (see docs/spec.md), validates it first
        and stops with exit 65 and located errors (file:line:column) when it
        is invalid.

        Examples:
          netloom validate examples/hyperpod-eks.yaml
          netloom expand examples/hyperpod-eks.yaml --format text
          netloom plan --offline examples/ml-workstation.yaml
          netloom check examples/inference.yaml --format sarif > findings.sarif
          netloom report examples/inference.yaml -o inference.html

        Exit codes: 0 success, 1 runtime failure, 2 changes present
        (plan --detailed-exitcode, drift), 3 check failed, 64 usage error,
        65 invalid spec.
        """,
        version: "0.1.0",
        subcommands: [
            ValidateCommand.self, ExpandCommand.self, PlanCommand.self, ApplyCommand.self, DriftCommand.self, DestroyCommand.self,
            OutputCommand.self, CheckCommand.self, ReachCommand.self, CostCommand.self, ReportCommand.self, ImportCommand.self, ExportCommand.self, StateCommand.self,
        ]
    )

    public init() {}
}

/// The entry point the thin `netloom` executable calls.
public func run() async {
    // Spelled through the async protocol so the async `main` is the one chosen.
    let command: any AsyncParsableCommand.Type = NetloomCommand.self
    await command.main()
}

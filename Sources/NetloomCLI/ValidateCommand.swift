import ArgumentParser
import Foundation
import NetloomPlanning

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a spec and print 'ok', or every problem with its file:line:column.",
        discussion: """
        Runs every check that needs no AWS call: YAML syntax, unknown keys,
        types, names and references, CIDRs and AZs, AWS quotas, and whether
        the address plan fits the VPC.

        Examples:
          netloom validate examples/hyperpod-eks.yaml
          netloom validate spec.yaml --format json
        """
    )

    @OptionGroup var spec: SpecOptions
    @OptionGroup var output: FormatOption

    func run() async throws {
        let console = Console.current(environment: ProcessInfo.processInfo.environment)
        do {
            _ = try SpecInput.expand(spec, console: console)
        } catch let exit as ExitCode where output.format == .json && exit == ExitStatus.invalidSpec {
            console.write(#"{"valid": false}"#)
            throw exit
        }
        console.write(output.format == .json ? #"{"valid": true}"# : "ok")
    }
}

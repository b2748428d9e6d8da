import Foundation
import NetloomModel
import NetloomTestSupport

/// The terraform CLI, run offline in one working directory against moto: the provider comes
/// from a local plugin directory (`init -plugin-dir`, AWS-NOTES.md), no CLI configuration file
/// is read, and HashiCorp's version check is off, so nothing leaves 127.0.0.1.
struct TerraformRunner {
    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    let executable: String
    let workingDirectory: String
    let pluginDirectory: String
    let environment: [String: String]

    /// The first `terraform` on PATH.
    static func locate(path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/terraform"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Finds terraform and the provider, or says what is missing: a comparison that cannot run
    /// is a failure, never a silent pass.
    init(workingDirectory: String, pluginDirectory: String, awsEnvironment: [String: String]) throws {
        guard let executable = Self.locate() else {
            throw Unavailable(description: "--terraform needs terraform (1.11, with hashicorp/aws 5.x in \(pluginDirectory)) on PATH; none found, so nothing was compared")
        }
        let provider = pluginDirectory + "/registry.terraform.io/hashicorp/aws"
        guard FileManager.default.fileExists(atPath: provider) else {
            throw Unavailable(description: "--terraform needs the hashicorp/aws provider under \(provider) (terraform init -plugin-dir); it is not there, so nothing was compared")
        }
        self.executable = executable
        self.workingDirectory = workingDirectory
        self.pluginDirectory = pluginDirectory
        var environment = awsEnvironment
        for (key, value) in ["TF_CLI_CONFIG_FILE": "/dev/null", "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1", "TF_INPUT": "0",
                             "AWS_EC2_METADATA_DISABLED": "true"] {
            environment[key] = value
        }
        for key in ["TF_LOG", "TF_LOG_PATH", "TF_PLUGIN_CACHE_DIR", "TF_DATA_DIR", "TF_WORKSPACE", "TF_CLI_ARGS"] {
            environment.removeValue(forKey: key)
        }
        for key in environment.keys where key.hasPrefix("TF_CLI_ARGS_") || key.hasPrefix("TF_VAR_") {
            environment.removeValue(forKey: key)
        }
        self.environment = environment
    }

    struct Run {
        var outcome: TimedChild.Outcome
        var stdout: String
        var stderr: String

        /// The last lines of what terraform said, for a failure message.
        var tail: String {
            (stderr + "\n" + stdout).split(separator: "\n", omittingEmptySubsequences: true).suffix(12).joined(separator: "\n")
        }
    }

    /// `terraform -chdir=<working directory> <arguments>`, timed; output kept under `label`.
    func run(_ arguments: [String], label: String) throws -> Run {
        let stdoutPath = workingDirectory + "/\(label).stdout", stderrPath = workingDirectory + "/\(label).stderr"
        let outcome = try TimedChild.run(executable, ["-chdir=\(workingDirectory)"] + arguments, environment: environment,
                                         stdoutPath: stdoutPath, stderrPath: stderrPath)
        return Run(outcome: outcome, stdout: (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "",
                   stderr: (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")
    }

    /// `terraform init` from the plugin directory (not timed: it is setup, not deployment).
    func initialize() throws {
        let run = try run(["init", "-input=false", "-no-color", "-plugin-dir=\(pluginDirectory)"], label: "init")
        guard run.outcome.exitCode == 0 else {
            throw Unavailable(description: "terraform init -plugin-dir=\(pluginDirectory) failed:\n\(run.tail)")
        }
    }

    /// "terraform 1.11.4, hashicorp/aws 5.100.0" from `terraform version -json` after init.
    func versions() throws -> String {
        let run = try run(["version", "-json"], label: "version")
        guard run.outcome.exitCode == 0, let document = try? JSONDecoder().decode(PropertyValue.self, from: Data(run.stdout.utf8)) else {
            return "terraform (version not reported)"
        }
        let core = document["terraform_version"]?.stringValue ?? "?"
        let aws = document["provider_selections"]?["registry.terraform.io/hashicorp/aws"]?.stringValue ?? "?"
        return "terraform \(core), hashicorp/aws \(aws)"
    }
}

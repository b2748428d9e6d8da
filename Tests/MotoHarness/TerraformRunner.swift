import Foundation
import NetloomModel
import NetloomTestSupport

/// The terraform CLI, run offline in one working directory against moto: the provider comes
/// from a local plugin directory (`init -plugin-dir`, AWS-NOTES.md), no CLI configuration file
/// is read, and HashiCorp's version check is off, so nothing leaves 127.0.0.1. Used by
/// deploy-bench's comparison and by the export tests.
public struct TerraformRunner: Sendable {
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// Where the hashicorp/aws provider is installed here (AWS-NOTES.md).
    public static let defaultPluginDirectory = "/opt/tf-plugins"

    public let executable: String
    public let workingDirectory: String
    public let pluginDirectory: String
    public let environment: [String: String]

    /// Whether terraform and the provider are installed (the tests skip without them, except
    /// under CI=true, where they run and fail).
    public static func isInstalled(pluginDirectory: String = defaultPluginDirectory) -> Bool {
        locate() != nil && FileManager.default.fileExists(atPath: pluginDirectory + "/registry.terraform.io/hashicorp/aws")
    }

    /// The first `terraform` on PATH.
    public static func locate(path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/terraform"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Finds terraform and the provider, or says what is missing: a comparison that cannot run
    /// is a failure, never a silent pass.
    public init(workingDirectory: String, pluginDirectory: String = defaultPluginDirectory, awsEnvironment: [String: String]) throws {
        guard let executable = Self.locate() else {
            throw Unavailable(description: "terraform (1.11, with hashicorp/aws 5.x in \(pluginDirectory)) is not on PATH")
        }
        let provider = pluginDirectory + "/registry.terraform.io/hashicorp/aws"
        guard FileManager.default.fileExists(atPath: provider) else {
            throw Unavailable(description: "the hashicorp/aws provider is not under \(provider) (terraform init -plugin-dir)")
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

    public struct Run: Sendable {
        public var outcome: TimedChild.Outcome
        public var stdout: String
        public var stderr: String

        /// The last lines of what terraform said, for a failure message.
        public var tail: String {
            (stderr + "\n" + stdout).split(separator: "\n", omittingEmptySubsequences: true).suffix(12).joined(separator: "\n")
        }
    }

    /// `terraform -chdir=<working directory> <arguments>`, timed; output kept under `label`.
    public func run(_ arguments: [String], label: String) throws -> Run {
        let stdoutPath = workingDirectory + "/\(label).stdout", stderrPath = workingDirectory + "/\(label).stderr"
        let outcome = try TimedChild.run(executable, ["-chdir=\(workingDirectory)"] + arguments, environment: environment,
                                         stdoutPath: stdoutPath, stderrPath: stderrPath)
        return Run(outcome: outcome, stdout: (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "",
                   stderr: (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")
    }

    /// `terraform init` from the plugin directory (not timed: it is setup, not deployment).
    public func initialize() throws {
        let run = try run(["init", "-input=false", "-no-color", "-plugin-dir=\(pluginDirectory)"], label: "init")
        guard run.outcome.exitCode == 0 else {
            throw Unavailable(description: "terraform init -plugin-dir=\(pluginDirectory) failed:\n\(run.tail)")
        }
    }

    /// "terraform 1.11.4, hashicorp/aws 5.100.0" from `terraform version -json` after init.
    public func versions() throws -> String {
        let run = try run(["version", "-json"], label: "version")
        guard run.outcome.exitCode == 0, let document = try? JSONDecoder().decode(PropertyValue.self, from: Data(run.stdout.utf8)) else {
            return "terraform (version not reported)"
        }
        let core = document["terraform_version"]?.stringValue ?? "?"
        let aws = document["provider_selections"]?["registry.terraform.io/hashicorp/aws"]?.stringValue ?? "?"
        return "terraform \(core), hashicorp/aws \(aws)"
    }
}

/// The provider settings that send hashicorp/aws to moto (AWS-NOTES.md): every service the
/// exports use at one endpoint, STS included (`skip_requesting_account_id = true` would leave
/// a perpetual diff), path-style S3. Written as `moto_override.tf.json` beside an export:
/// Terraform merges an override file's provider block into the configuration's, so the
/// exported `main.tf.json` itself stays as users get it.
public enum TerraformMotoProvider {
    public static let fileName = "moto_override.tf.json"

    public static func override(endpointURL: String, accessKey: String, secretKey: String) -> String {
        let services = ["cloudwatch", "ec2", "elbv2", "iam", "logs", "s3", "ssm", "sts"]
        let endpoints = services.map { "\"\($0)\": \"\(endpointURL)\"" }.joined(separator: ", ")
        return """
        {"provider": {"aws": {"access_key": "\(accessKey)", "secret_key": "\(secretKey)", "skip_credentials_validation": true,
          "skip_metadata_api_check": true, "skip_requesting_account_id": false, "s3_use_path_style": true,
          "endpoints": {\(endpoints)}}}}

        """
    }
}

import Foundation
import NetloomTestSupport
import Testing

/// Runs the built `netloom` binary as a user would, capturing output and exit status.
struct NetloomRun {
    var status: Int32
    var stdout: String
    var stderr: String

    static let projectRoot = ExampleSpecs.packageRoot

    static var binary: URL {
        // `swift test` puts the test bundle beside the executables it built.
        let besideTests = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("netloom")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        return projectRoot.appendingPathComponent(".build/debug/netloom")
    }

    static func example(_ name: String) -> String {
        ExampleSpecs.path(name)
    }

    init(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil) throws {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting so a large output cannot fill the pipe and block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        status = process.terminationStatus
        stdout = String(decoding: outData, as: UTF8.self)
        stderr = String(decoding: errData, as: UTF8.self)
    }

    func json() throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
    }
}

@Suite("the netloom command line")
struct CommandLineTests {
    @Test("validate prints only ok for every shared example", arguments: ["hyperpod-eks.yaml", "hyperpod-slurm-dev.yaml", "inference.yaml", "ml-workstation.yaml"])
    func validateExamples(name: String) throws {
        let run = try NetloomRun(["validate", NetloomRun.example(name)])
        #expect(run.status == 0)
        #expect(run.stdout == "ok\n")
        #expect(run.stderr.isEmpty)
    }

    @Test("an invalid spec exits 65 with file:line:column messages and a count")
    func invalidSpec() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("netloom-invalid-\(UUID().uuidString).yaml")
        try """
        stack: demo
        region: us-east-1
        network:
          cidr: 10.0.0.0/16
          azs: [us-east-1a]
          nat: none
        subnets:
          app: { tier: private, size: /24 }
        instances:
          box: { type: t3.micro, ami: ami-0123456789abcdef0, subnet: ap }
        """.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let run = try NetloomRun(["expand", file.path])
        #expect(run.status == 65)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("\(file.path):10:62: error: subnet 'ap' is not defined (did you mean 'app'?)"))
        #expect(run.stderr.contains("1 error in the spec; nothing was sent to AWS"))
    }

    @Test("a missing spec file exits 65 naming the file")
    func missingFile() throws {
        let run = try NetloomRun(["validate", "/nonexistent/spec.yaml"])
        #expect(run.status == 65)
        #expect(run.stderr.contains("/nonexistent/spec.yaml:1:1: error: cannot read the spec"))
    }

    @Test("a bad flag value exits 64 and names the flag")
    func badFlag() throws {
        let run = try NetloomRun(["expand", NetloomRun.example("inference.yaml"), "--format", "yaml"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("--format"))
    }

    @Test("expand --format json gives the resource graph with /19 training subnets")
    func expandJSON() throws {
        let run = try NetloomRun(["expand", NetloomRun.example("hyperpod-eks.yaml"), "--format", "json"])
        #expect(run.status == 0)
        let document = try run.json()
        #expect(document["stack"] as? String == "llm-training")
        let resources = try #require(document["resources"] as? [[String: Any]])
        let training = resources.filter { ($0["address"] as? String)?.hasPrefix("subnet:training/") == true }
        #expect(training.count == 2)
        for subnet in training {
            let properties = try #require(subnet["properties"] as? [String: Any])
            #expect((properties["cidr"] as? String)?.hasSuffix("/19") == true)
            #expect(properties["usable_ips"] as? Int == 8_187)
            #expect(properties["tier"] as? String == "private")
            #expect(properties["az"] is String)
            #expect(properties["demand"] is Int)
        }
        #expect(resources.allSatisfy { $0["depends_on"] is [String] && $0["type"] is String })
    }

    @Test("expand text draws the VPC, AZ and subnet tree")
    func expandTree() throws {
        let run = try NetloomRun(["expand", NetloomRun.example("hyperpod-slurm-dev.yaml")])
        #expect(run.status == 0)
        #expect(run.stdout.contains("└─ us-east-1a"))
        #expect(run.stdout.contains("compute        10.1.0.0/23"))
        #expect(run.stdout.contains("507 usable / 402 demanded"))
        #expect(run.stdout.contains("cluster gpu: 8 × ml.p4d.24xlarge"))
        #expect(!run.stdout.contains("\u{1B}["), "no colour when NO_COLOR is set or output is not a terminal")
    }

    @Test("plan --offline lists creates by type with a summary, and --detailed-exitcode exits 2")
    func offlinePlan() throws {
        let run = try NetloomRun(["plan", "--offline", NetloomRun.example("ml-workstation.yaml"), "--detailed-exitcode"])
        #expect(run.status == 2)
        #expect(run.stdout.contains("  # subnet (4)"))
        #expect(run.stdout.contains("  +   vpc"))
        let summary = try #require(run.stdout.split(separator: "\n").last)
        #expect(summary.hasPrefix("Plan: ") && summary.hasSuffix("to add, 0 to change, 0 to replace, 0 to destroy."))
        let plain = try NetloomRun(["plan", "--offline", NetloomRun.example("ml-workstation.yaml")])
        #expect(plain.status == 0)
    }

    @Test("plan JSON has changes and a summary that agree")
    func planJSON() throws {
        let run = try NetloomRun(["plan", "--offline", NetloomRun.example("inference.yaml"), "--format", "json"])
        #expect(run.status == 0)
        let document = try run.json()
        let changes = try #require(document["changes"] as? [[String: Any]])
        let summary = try #require(document["summary"] as? [String: Int])
        #expect(summary["create"] == changes.count)
        #expect(summary["update"] == 0 && summary["replace"] == 0 && summary["delete"] == 0)
        #expect(changes.allSatisfy { $0["action"] as? String == "create" && $0["reason"] is String && $0["diff"] is [String: Any] })
    }

    @Test("a live plan without AWS credentials exits 1 and says where credentials come from, before any call")
    func livePlanWithoutCredentials() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("netloom-nocreds-\(UUID().uuidString)").path
        let spec = NetloomRun.example("inference.yaml")
        let statePath = URL(fileURLWithPath: spec).deletingLastPathComponent().appendingPathComponent(".netloom/model-api.sqlite").path
        let stateExisted = FileManager.default.fileExists(atPath: statePath)
        let run = try NetloomRun(["plan", spec], environment: [
            "HOME": home, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "",
            "AWS_CONFIG_FILE": home + "/none", "AWS_SHARED_CREDENTIALS_FILE": home + "/none",
            // Anything that did try to connect would fail fast here rather than reach a network.
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        ])
        #expect(run.status == 1)
        #expect(run.stderr.contains("no AWS credentials"))
        #expect(run.stderr.contains("AWS_ACCESS_KEY_ID"))
        #expect(FileManager.default.fileExists(atPath: statePath) == stateExisted, "a failed plan wrote a state file")
    }

    @Test("apply without a terminal and without --auto-approve is refused with exit 64")
    func applyNeedsApproval() throws {
        let run = try NetloomRun(["apply", NetloomRun.example("inference.yaml")])
        #expect(run.status == 64)
        #expect(run.stderr.contains("--auto-approve"))
    }

    @Test("help reads like documentation, with examples")
    func help() throws {
        let run = try NetloomRun(["expand", "--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("Examples:"))
        #expect(run.stdout.contains("netloom expand examples/hyperpod-eks.yaml"))
    }
}

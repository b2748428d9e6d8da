import Foundation
import Testing

/// Runs the built `netloom` binary, as a user or CI job would.
struct NetloomProcess {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binary = root.appendingPathComponent(".build/debug/netloom").path
    static var available: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    static func examplePath(_ name: String) -> String {
        let shared = root.appendingPathComponent("../shared/examples/\(name)").standardizedFileURL.path
        return FileManager.default.fileExists(atPath: shared) ? shared : root.appendingPathComponent("examples/\(name)").path
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    static func temporarySpec(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("netloom-check-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

private let openSSH = """
stack: t
region: us-east-1
network: { cidr: 10.0.0.0/16, azs: [us-east-1a], nat: none, flow_logs: { retention_days: 30 } }
subnets:
  public: { tier: public, size: /24 }
security_groups:
  ssh:  # netloom:skip=NL-SG-008 attached by the AMI pipeline
    description: ssh
    ingress:
      - { from: any, protocol: tcp, ports: 22, description: ssh }
    egress: []
"""

@Suite("netloom check", .enabled(if: NetloomProcess.available, "needs the netloom binary: run `swift build` first"))
struct ComplianceCheckCommandTests {
    @Test("a critical finding exits 3 under the default --fail-on high")
    func failsOnCritical() throws {
        let path = try NetloomProcess.temporarySpec(openSSH)
        let result = try NetloomProcess.run(["check", path])
        #expect(result.status == 3)
        #expect(result.stdout.contains("CRITICAL (1)") && result.stdout.contains("NL-SG-001"))
        #expect(result.stdout.contains("attached by the AMI pipeline"))
    }

    @Test("--skip of the only failing rule exits 0")
    func skipFlagPasses() throws {
        let path = try NetloomProcess.temporarySpec(openSSH)
        #expect(try NetloomProcess.run(["check", path, "--skip", "NL-SG-001"]).status == 0)
    }

    @Test("--fail-on low fails on a low finding")
    func failOnLow() throws {
        let result = try NetloomProcess.run(["check", NetloomProcess.examplePath("hyperpod-eks.yaml"), "--fail-on", "low"])
        #expect(result.status == 3)
    }

    @Test("an unknown --skip id is a usage error with a suggestion")
    func unknownSkipFlag() throws {
        let result = try NetloomProcess.run(["check", NetloomProcess.examplePath("ml-workstation.yaml"), "--skip", "NL-SG-01"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("did you mean 'NL-SG-001'"))
    }

    @Test("a skip comment naming an unknown rule makes the spec invalid (exit 65)")
    func unknownSkipComment() throws {
        let path = try NetloomProcess.temporarySpec(openSSH.replacingOccurrences(of: "NL-SG-008", with: "NL-SG-80"))
        let result = try NetloomProcess.run(["check", path])
        #expect(result.status == 65)
        #expect(result.stderr.contains(":7:") && result.stderr.contains("NL-SG-80"))
    }

    @Test("JSON output has findings, assertions and skipped as SPEC.md section 4 says")
    func jsonShape() throws {
        let path = try NetloomProcess.temporarySpec(openSSH)
        let result = try NetloomProcess.run(["check", path, "--format", "json"])
        let object = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let findings = try #require(object["findings"] as? [[String: Any]])
        let first = try #require(findings.first)
        #expect(Set(first.keys).isSuperset(of: ["id", "severity", "address", "message", "location"]))
        let location = try #require(first["location"] as? [String: Any])
        #expect(location["file"] as? String == path && location["line"] as? Int == 10 && location["column"] as? Int == 9)
        #expect((object["assertions"] as? [Any])?.isEmpty == true)
        let skipped = try #require(object["skipped"] as? [[String: Any]])
        #expect(skipped.first?["id"] as? String == "NL-SG-008" && skipped.first?["reason"] as? String == "attached by the AMI pipeline")
    }

    @Test("SARIF output is a 2.1.0 log with one run")
    func sarif() throws {
        let result = try NetloomProcess.run(["check", NetloomProcess.examplePath("inference.yaml"), "--format", "sarif"])
        #expect(result.status == 0)
        let object = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["version"] as? String == "2.1.0")
        #expect((object["$schema"] as? String)?.contains("sarif") == true)
        #expect((object["runs"] as? [Any])?.count == 1)
    }

    @Test("an invalid spec exits 65")
    func invalidSpec() throws {
        let path = try NetloomProcess.temporarySpec("stack: t\nregion: us-east-1\n")
        #expect(try NetloomProcess.run(["check", path]).status == 65)
    }
}

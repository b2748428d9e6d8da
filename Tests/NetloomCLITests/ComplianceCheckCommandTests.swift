import Foundation
import Testing

/// The check and cost tests' view of `NetloomRun`: a status and both outputs.
enum NetloomProcess {
    static var available: Bool { FileManager.default.isExecutableFile(atPath: NetloomRun.binary.path) }

    static func examplePath(_ name: String) -> String { NetloomRun.example(name) }

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let run = try NetloomRun(arguments)
        return (run.status, run.stdout, run.stderr)
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

    @Test("a failing assertion is reported with its reasons and makes check exit 3")
    func failingAssertion() throws {
        let spec = """
        stack: t
        region: us-east-1
        network: { cidr: 10.0.0.0/16, azs: [us-east-1a], nat: none }
        subnets:
          app: { tier: private, size: /24 }
        security_groups:
          app:
            description: closed
            ingress: []
            egress: []
        instances:
          box: { type: t3.micro, ami: ami-0123456789abcdef0, subnet: app, security_groups: [app] }
        assertions:
          - { name: box reaches the internet, from: instance:box, to: internet, protocol: tcp, port: 443, expect: reachable }
        """
        let path = try NetloomProcess.temporarySpec(spec)
        let text = try NetloomProcess.run(["check", path])
        #expect(text.status == 3)
        #expect(text.stdout.contains("FAIL  box reaches the internet"))
        #expect(text.stdout.contains("NO_ROUTE_TO_DESTINATION"))
        let json = try NetloomProcess.run(["check", path, "--format", "json"])
        #expect(json.status == 3)
        let object = try #require(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let assertions = try #require(object["assertions"] as? [[String: Any]])
        #expect(assertions.count == 1)
        #expect(assertions.first?["name"] as? String == "box reaches the internet")
        #expect(assertions.first?["passed"] as? Bool == false)
        #expect(assertions.first?["reachable"] as? Bool == false)
    }

    @Test("the shared examples' assertions all pass under check")
    func exampleAssertions() throws {
        for name in ["hyperpod-eks.yaml", "inference.yaml", "ml-workstation.yaml"] {
            let result = try NetloomProcess.run(["check", NetloomProcess.examplePath(name), "--format", "json"])
            let object = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let assertions = try #require(object["assertions"] as? [[String: Any]])
            #expect(!assertions.isEmpty)
            #expect(assertions.allSatisfy { $0["passed"] as? Bool == true }, "\(name)")
        }
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

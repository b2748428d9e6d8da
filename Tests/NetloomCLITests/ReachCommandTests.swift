import Foundation
import Testing

@Suite("netloom reach")
struct ReachCommandTests {
    @Test("JSON output has exactly the fields of SPEC.md section 4")
    func jsonShape() throws {
        let result = try NetloomRun(["reach", NetloomRun.example("inference.yaml"), "--from", "internet", "--to", "lb:public", "--protocol", "tcp", "--port", "80", "--format", "json"])
        #expect(result.status == 0)
        let document = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Set(document.keys) == ["reachable", "path", "explanations"])
        #expect(document["reachable"] as? Bool == true)
        let path = try #require(document["path"] as? [[String: String]])
        #expect(!path.isEmpty)
        #expect(path.allSatisfy { Set($0.keys) == ["component", "address", "detail"] })
        #expect(path.contains { $0["address"] == "listener:public/80" })
    }

    @Test("an unreachable verdict exits 0 and explains itself with codes")
    func unreachableExitsZero() throws {
        let result = try NetloomRun(["reach", NetloomRun.example("ml-workstation.yaml"), "--from", "ip:198.51.100.7", "--to", "instance:workstation",
                                         "--protocol", "tcp", "--port", "22", "--format", "json"])
        #expect(result.status == 0)
        let document = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(document["reachable"] as? Bool == false)
        let explanations = try #require(document["explanations"] as? [[String: String]])
        #expect(explanations.map { $0["code"] } == ["ENI_SG_RULES_MISMATCH"])
    }

    @Test("text output names the verdict and the hops")
    func textOutput() throws {
        let result = try NetloomRun(["reach", NetloomRun.example("hyperpod-eks.yaml"), "--from", "cluster:trainers", "--to", "service:s3", "--protocol", "tcp", "--port", "443"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("reachable: cluster:trainers -> service:s3 tcp/443"))
        #expect(result.stdout.contains("vpc_endpoint:s3"))
    }

    @Test("bad flags exit 64 and name the flag", arguments: [
        (["--from", "asg:apu", "--to", "internet", "--protocol", "tcp", "--port", "443"], "--from: auto scaling group 'apu' is not defined (did you mean 'api'?)"),
        (["--from", "internet", "--to", "lb:pubic", "--protocol", "tcp", "--port", "80"], "--to: load balancer 'pubic' is not defined (did you mean 'public'?)"),
        (["--from", "internet", "--to", "lb:public", "--protocol", "tpc", "--port", "80"], "--protocol 'tpc' is not one of tcp, udp, icmp, all (did you mean 'tcp'?)"),
        (["--from", "internet", "--to", "lb:public", "--protocol", "tcp"], "--protocol tcp needs --port"),
        (["--from", "internet", "--to", "lb:public", "--protocol", "all", "--port", "80"], "--port 80 does not apply to --protocol all"),
        (["--from", "internet", "--to", "lb:public", "--protocol", "tcp", "--port", "70000"], "--port 70000 is outside 0-65535"),
        (["--from", "host:web", "--to", "lb:public", "--protocol", "icmp"], "--from: 'host:' is not a kind of reachability end"),
    ])
    func badFlags(flags: [String], message: String) throws {
        let result = try NetloomRun(["reach", NetloomRun.example("inference.yaml")] + flags)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test("an invalid spec exits 65")
    func invalidSpec() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("netloom-reach-invalid-\(UUID().uuidString).yaml")
        try "stack: Bad Name\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try NetloomRun(["reach", file.path, "--from", "internet", "--to", "internet", "--protocol", "icmp"])
        #expect(result.status == 65)
    }
}

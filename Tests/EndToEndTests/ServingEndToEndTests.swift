import Foundation
import MotoHarness
import NetloomTestSupport
import Testing

/// The inference example served over HTTPS, against moto: the certificate issued through its
/// DNS validation and used by the 443 listener, port 80 redirecting, the alias record pointing
/// at the load balancer; a second apply changes nothing and destroy leaves nothing.
@Suite("serving over HTTPS against moto", .serialized, .enabled(if: MotoAvailability.shouldRun, "moto_server is not installed"))
struct ServingEndToEndTests {
    /// moto issues a DNS-validated certificate after MOTO_ACM_VALIDATION_WAIT seconds (60 by default).
    func freshMoto() async throws -> MotoServer {
        let moto = try await SharedMotoServers.instance.server(for: #fileID, extraEnvironment: ["MOTO_ACM_VALIDATION_WAIT": "1"])
        try moto.reset()
        return moto
    }

    /// The worktree's own inference example (the shared copy may still be the plain HTTP one).
    func inferenceSpec(_ runner: CommandRunner) async throws -> String {
        let text = try String(contentsOfFile: ExampleSpecs.ownDirectory.appendingPathComponent("inference.yaml").path, encoding: .utf8)
        let path = runner.workDirectory + "/inference.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func bare(_ name: String?) -> String {
        var name = (name ?? "").lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        return name
    }

    @Test("apply issues the certificate, serves it on 443, redirects 80 and aliases the name; a second apply is a no-op; destroy leaves nothing")
    func inferenceOverHTTPS() async throws {
        let moto = try await freshMoto()
        let runner = try CommandRunner(moto: moto, region: "eu-west-1")
        let spec = try await inferenceSpec(runner)

        let apply = try await runner.netloom("apply", spec, "--auto-approve", "--stats")
        try #require(apply.status == 0, "apply failed: \(apply.stdout)\n\(apply.stderr)")

        // The certificate: issued, for the name in the zone.
        let certificates = try await runner.awsList(["acm", "list-certificates", "--certificate-statuses", "ISSUED", "PENDING_VALIDATION"], key: "CertificateSummaryList")
        #expect(certificates.count == 1, "\(certificates)")
        let certificateARN = try #require(certificates.first?["CertificateArn"] as? String)
        let certificate = try #require((try await runner.aws(["acm", "describe-certificate", "--certificate-arn", certificateARN]) as? [String: Any])?["Certificate"] as? [String: Any])
        #expect(certificate["Status"] as? String == "ISSUED")
        #expect(certificate["DomainName"] as? String == "api.example.com")

        // The listeners: 443 HTTPS with that certificate and the current TLS policy; 80 redirecting.
        let balancer = try #require(try await runner.awsList(["elbv2", "describe-load-balancers"], key: "LoadBalancers")
            .first { (($0["LoadBalancerName"] as? String) ?? "").hasPrefix("model-api-") })
        let balancerARN = try #require(balancer["LoadBalancerArn"] as? String)
        let dnsName = Self.bare(balancer["DNSName"] as? String)
        let listeners = try await runner.awsList(["elbv2", "describe-listeners", "--load-balancer-arn", balancerARN], key: "Listeners")
        let https = try #require(listeners.first { $0["Port"] as? Int == 443 })
        #expect(https["Protocol"] as? String == "HTTPS")
        #expect(((https["Certificates"] as? [[String: Any]]) ?? []).first?["CertificateArn"] as? String == certificateARN)
        #expect(https["SslPolicy"] as? String == "ELBSecurityPolicy-TLS13-1-2-2021-06")
        let http = try #require(listeners.first { $0["Port"] as? Int == 80 })
        let redirect = try #require(((http["DefaultActions"] as? [[String: Any]]) ?? []).first)
        #expect(redirect["Type"] as? String == "redirect")
        let config = (redirect["RedirectConfig"] as? [String: Any]) ?? [:]
        #expect(config["Protocol"] as? String == "HTTPS" && config["Port"] as? String == "443" && config["StatusCode"] as? String == "HTTP_301", "\(config)")

        // The zone: the alias to the load balancer and the validation CNAME.
        let zones = try await runner.awsList(["route53", "list-hosted-zones"], key: "HostedZones").filter { Self.bare($0["Name"] as? String) == "example.com" }
        #expect(zones.count == 1)
        let zoneID = try #require(zones.first?["Id"] as? String)
        let records = try await runner.awsList(["route53", "list-resource-record-sets", "--hosted-zone-id", zoneID], key: "ResourceRecordSets")
        let alias = try #require(records.first { Self.bare($0["Name"] as? String) == "api.example.com" && $0["Type"] as? String == "A" })
        let target = (alias["AliasTarget"] as? [String: Any]) ?? [:]
        #expect(Self.bare(target["DNSName"] as? String) == dnsName, "\(alias)")
        #expect(target["HostedZoneId"] as? String == balancer["CanonicalHostedZoneId"] as? String)
        #expect(records.contains { $0["Type"] as? String == "CNAME" }, "no validation record: \(records)")

        let again = try await runner.netloom("apply", spec, "--auto-approve", "--stats")
        #expect(again.status == 0)
        #expect(CommandRunner.mutatingCalls(again.stderr) == 0, "second apply: \(again.stdout)\n\(again.stderr)")
        let plan = try await runner.netloom("plan", spec, "--detailed-exitcode")
        #expect(plan.status == 0, "plan: \(plan.stdout)\n\(plan.stderr)")

        let output = try await runner.netloom("output", spec)
        #expect(output.stdout.contains("urls.api.example.com = https://api.example.com"), "\(output.stdout)")
        #expect(output.stdout.lowercased().contains(dnsName), "\(output.stdout)")

        let destroy = try await runner.netloom("destroy", spec, "--auto-approve")
        #expect(destroy.status == 0, "destroy: \(destroy.stdout)\n\(destroy.stderr)")
        #expect(try await runner.awsList(["acm", "list-certificates"], key: "CertificateSummaryList").isEmpty)
        #expect(try await runner.awsList(["route53", "list-hosted-zones"], key: "HostedZones").filter { Self.bare($0["Name"] as? String) == "example.com" }.isEmpty)
        #expect(try await runner.countTagged(stack: "model-api").isEmpty)
    }

    @Test("a certificate that is not issued before --timeout ends the run with exit 1, recorded in the state, and no listener uses it")
    func timeoutWhileWaitingForIssue() async throws {
        // A moto of its own that takes ten minutes to issue a certificate.
        let moto = try await SharedMotoServers.instance.server(for: #fileID + "/slow-acm", extraEnvironment: ["MOTO_ACM_VALIDATION_WAIT": "600"])
        try moto.reset()
        let runner = try CommandRunner(moto: moto, region: "eu-west-1")
        let spec = try await inferenceSpec(runner)

        let apply = try await runner.netloom("apply", spec, "--auto-approve", "--timeout", "40s")
        #expect(apply.status == 1, "apply: \(apply.stdout)\n\(apply.stderr)")
        let state = try await runner.netloom("state", "list", spec)
        #expect(state.stdout.contains("certificate:api"), "the certificate is not in the state: \(state.stdout)")
        #expect(!state.stdout.contains("listener:public/443"), "a listener uses a certificate that is not issued: \(state.stdout)")
        let pending = try await runner.awsList(["acm", "list-certificates", "--certificate-statuses", "PENDING_VALIDATION"], key: "CertificateSummaryList")
        #expect(pending.count == 1, "\(pending)")

        let destroy = try await runner.netloom("destroy", spec, "--auto-approve")
        #expect(destroy.status == 0, "destroy: \(destroy.stdout)\n\(destroy.stderr)")
        #expect(try await runner.awsList(["acm", "list-certificates"], key: "CertificateSummaryList").isEmpty)
    }

    @Test("a private zone is associated with the stack's VPC; a second apply is a no-op; destroy deletes it")
    func privateZone() async throws {
        let moto = try await freshMoto()
        let runner = try CommandRunner(moto: moto, region: "eu-west-1")
        let spec = runner.workDirectory + "/private.yaml"
        try """
            stack: private-dns
            region: eu-west-1
            network:
              cidr: 10.2.0.0/16
              azs: [eu-west-1a]
            zones:
              internal.example.com: { private: true }
            records:
              - { name: db.internal.example.com, zone: internal.example.com, type: A, values: [10.2.0.10], ttl: 60 }
            """.write(toFile: spec, atomically: true, encoding: .utf8)
        let apply = try await runner.netloom("apply", spec, "--auto-approve")
        try #require(apply.status == 0, "apply: \(apply.stdout)\n\(apply.stderr)")
        let vpc = try #require(try await runner.awsList(["ec2", "describe-vpcs", "--filters", "Name=tag:netloom:stack,Values=private-dns"], key: "Vpcs").first?["VpcId"] as? String)
        let zone = try #require(try await runner.awsList(["route53", "list-hosted-zones"], key: "HostedZones").first { Self.bare($0["Name"] as? String) == "internal.example.com" })
        #expect((zone["Config"] as? [String: Any])?["PrivateZone"] as? Bool == true)
        let zoneID = try #require(zone["Id"] as? String)
        let details = try #require(try await runner.aws(["route53", "get-hosted-zone", "--id", zoneID]) as? [String: Any])
        #expect(((details["VPCs"] as? [[String: Any]]) ?? []).contains { $0["VPCId"] as? String == vpc }, "\(details)")
        let again = try await runner.netloom("apply", spec, "--auto-approve", "--stats")
        #expect(CommandRunner.mutatingCalls(again.stderr) == 0, "second apply: \(again.stdout)\n\(again.stderr)")
        let destroy = try await runner.netloom("destroy", spec, "--auto-approve")
        #expect(destroy.status == 0, "destroy: \(destroy.stdout)\n\(destroy.stderr)")
        #expect(try await runner.awsList(["route53", "list-hosted-zones"], key: "HostedZones").isEmpty)
    }

    @Test("an existing zone is looked up, netloom's record is written into it and destroy deletes only that record")
    func existingZoneKeepsItsOtherRecords() async throws {
        let moto = try await freshMoto()
        let runner = try CommandRunner(moto: moto, region: "eu-west-1")
        let created = try #require(try await runner.aws(["route53", "create-hosted-zone", "--name", "corp.example.org", "--caller-reference", "made-by-hand"]) as? [String: Any])
        let zoneID = try #require((created["HostedZone"] as? [String: Any])?["Id"] as? String)
        _ = try await runner.aws(["route53", "change-resource-record-sets", "--hosted-zone-id", zoneID, "--change-batch",
                            #"{"Changes":[{"Action":"CREATE","ResourceRecordSet":{"Name":"mail.corp.example.org","Type":"A","TTL":300,"ResourceRecords":[{"Value":"192.0.2.25"}]}}]}"#])
        let spec = runner.workDirectory + "/dns.yaml"
        try """
            stack: dns-only
            region: eu-west-1
            network:
              cidr: 10.1.0.0/16
              azs: [eu-west-1a]
            zones:
              corp.example.org: { existing: true }
            records:
              - { name: docs.corp.example.org, zone: corp.example.org, type: CNAME, values: [docs.example.net], ttl: 120 }
            """.write(toFile: spec, atomically: true, encoding: .utf8)

        let apply = try await runner.netloom("apply", spec, "--auto-approve", "--stats")
        try #require(apply.status == 0, "apply: \(apply.stdout)\n\(apply.stderr)")
        func names() async throws -> Set<String> {
            Set(try await runner.awsList(["route53", "list-resource-record-sets", "--hosted-zone-id", zoneID], key: "ResourceRecordSets").map { Self.bare($0["Name"] as? String) + " " + (($0["Type"] as? String) ?? "") })
        }
        #expect(try await names().isSuperset(of: ["docs.corp.example.org CNAME", "mail.corp.example.org A"]))
        let again = try await runner.netloom("apply", spec, "--auto-approve", "--stats")
        #expect(CommandRunner.mutatingCalls(again.stderr) == 0, "second apply: \(again.stdout)\n\(again.stderr)")

        // Changed by hand: drift names the record and its field, apply puts it back.
        _ = try await runner.aws(["route53", "change-resource-record-sets", "--hosted-zone-id", zoneID, "--change-batch",
                            #"{"Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"docs.corp.example.org","Type":"CNAME","TTL":120,"ResourceRecords":[{"Value":"elsewhere.example.net"}]}}]}"#])
        let drift = try await runner.netloom("drift", spec)
        #expect(drift.status == 2 && drift.stdout.contains("dns_record:corp.example.org/docs.corp.example.org/CNAME") && drift.stdout.contains("elsewhere.example.net"),
                "drift: \(drift.stdout)\n\(drift.stderr)")
        let repair = try await runner.netloom("apply", spec, "--auto-approve")
        #expect(repair.status == 0)
        #expect(try await runner.netloom("drift", spec).status == 0)

        let destroy = try await runner.netloom("destroy", spec, "--auto-approve")
        #expect(destroy.status == 0, "destroy: \(destroy.stdout)\n\(destroy.stderr)")
        let left = try await names()
        #expect(!left.contains("docs.corp.example.org CNAME") && left.contains("mail.corp.example.org A"), "\(left)")
        #expect(try await runner.awsList(["route53", "list-hosted-zones"], key: "HostedZones").contains { $0["Id"] as? String == zoneID }, "an existing zone is never deleted")
    }
}

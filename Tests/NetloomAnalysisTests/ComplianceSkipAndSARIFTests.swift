import Foundation
import NetloomAnalysis
import NetloomModel
import NetloomSpec
import Testing

private let openSSH = """
stack: t
region: us-east-1
network:
  cidr: 10.0.0.0/16
  azs: [us-east-1a]
  nat: none
  flow_logs: { retention_days: 30 }
subnets:
  public: { tier: public, size: /24 }
security_groups:
  # netloom:skip=NL-SG-001 break-glass access while the VPN is rebuilt
  bastion:
    description: bastion
    ingress:
      - { from: any, protocol: tcp, ports: 22, description: ssh }
    egress: []
  web:   # netloom:skip=NL-SG-008 attached by hand during the migration
    description: web
    ingress:
      - { from: any, protocol: tcp, ports: 22, description: ssh }
    egress: []
instances:
  host:
    type: t3.medium
    ami: ami-0123456789abcdef0
    subnet: public
    security_groups: [bastion]
    root_volume: { size_gb: 8, type: gp3, encrypted: true }
"""

@Suite("Compliance skips and SARIF")
struct ComplianceSkipAndSARIFTests {
    @Test("a skip comment above a group's name skips that group's rules and reports the reason")
    func skipByComment() throws {
        let report = try findings(openSSH)
        let skipped = report.skipped.filter { $0.finding.ruleID == "NL-SG-001" }
        #expect(skipped.map(\.finding.address) == ["sg_rule:bastion/ingress/tcp/22/any"])
        #expect(skipped.first?.reason == "break-glass access while the VPN is rebuilt")
        #expect(skipped.first?.source == .comment)
        // The same rule on another group is not covered by the bastion's comment.
        #expect(report.findings.contains { $0.ruleID == "NL-SG-001" && $0.address == "sg_rule:web/ingress/tcp/22/any" })
    }

    @Test("a skip comment on the name line itself applies to that entry")
    func skipOnNameLine() throws {
        let report = try findings(openSSH)
        #expect(report.skipped.contains { $0.finding.ruleID == "NL-SG-008" && $0.finding.address == "security_group:web" })
        #expect(!report.findings.contains { $0.ruleID == "NL-SG-008" })
    }

    @Test("--skip silences a rule everywhere")
    func skipByFlag() throws {
        let report = try findings(openSSH, skipping: ["NL-SG-001"])
        #expect(!report.findings.contains { $0.ruleID == "NL-SG-001" })
        #expect(report.skipped.filter { $0.finding.ruleID == "NL-SG-001" }.count == 2)
        #expect(report.skipped.allSatisfy { $0.source == .flag || $0.finding.ruleID != "NL-SG-001" })
    }

    @Test("fail-on compares severities: a critical finding fails high, a low one does not")
    func failOnThreshold() throws {
        let report = try findings(openSSH)
        #expect(report.hasFinding(atOrAbove: .high))
        let quiet = try findings(openSSH, skipping: ["NL-SG-001"])
        #expect(!quiet.hasFinding(atOrAbove: .high))
        #expect(Severity.critical > Severity.high && Severity.medium > Severity.low)
    }

    @Test("a skip comment naming an unknown rule is an error with a suggestion")
    func unknownSkipRule() throws {
        let spec = try SpecLoader.parse(openSSH.replacingOccurrences(of: "skip=NL-SG-001", with: "skip=NL-SG-01"), file: "test.yaml")
        #expect(throws: SpecInvalidError.self) { try ComplianceChecker.validateSkipComments(spec) }
        do {
            try ComplianceChecker.validateSkipComments(spec)
        } catch {
            #expect(error.description.contains("did you mean 'NL-SG-001'"))
            #expect(error.diagnostics.first?.location.line == 11)
        }
    }

    @Test("SARIF output carries schema, version, rules with levels and Checkov ids, and located results")
    func sarifShape() throws {
        let report = try findings(openSSH)
        let log = SARIFLog(report: report, toolVersion: "0.1.0")
        let encoder = JSONEncoder()
        let object = try #require(JSONSerialization.jsonObject(with: encoder.encode(log)) as? [String: Any])
        #expect(object["$schema"] as? String == SARIFLog.schemaURI)
        #expect(object["version"] as? String == "2.1.0")
        let runs = try #require(object["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        let driver = try #require((runs[0]["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "netloom")
        #expect(driver["version"] as? String == "0.1.0")
        #expect(driver["informationUri"] is String)
        let rules = try #require(driver["rules"] as? [[String: Any]])
        #expect(rules.count == RuleCatalog.all.count)
        let ssh = try #require(rules.first { $0["id"] as? String == "NL-SG-001" })
        #expect((ssh["shortDescription"] as? [String: Any])?["text"] is String)
        #expect((ssh["fullDescription"] as? [String: Any])?["text"] is String)
        #expect((ssh["help"] as? [String: Any])?["text"] is String)
        #expect((ssh["defaultConfiguration"] as? [String: Any])?["level"] as? String == "error")
        #expect((ssh["properties"] as? [String: Any])?["checkov"] as? [String] == ["CKV_AWS_24"])
        let results = try #require(runs[0]["results"] as? [[String: Any]])
        let open = try #require(results.first { $0["ruleId"] as? String == "NL-SG-001" && $0["suppressions"] == nil })
        #expect(open["level"] as? String == "error")
        #expect((open["message"] as? [String: Any])?["text"] is String)
        let physical = try #require(((open["locations"] as? [[String: Any]])?.first)?["physicalLocation"] as? [String: Any])
        #expect((physical["artifactLocation"] as? [String: Any])?["uri"] as? String == "test.yaml")
        let region = try #require(physical["region"] as? [String: Any])
        #expect(region["startLine"] as? Int == 20)  // the web group's SSH rule
        #expect(region["startColumn"] as? Int == 9)
        // Skipped findings stay in the log as suppressed results with their justification.
        #expect(results.contains { ($0["suppressions"] as? [[String: Any]])?.first?["justification"] as? String == "break-glass access while the VPN is rebuilt" })
    }

    @Test("severities map to SARIF levels")
    func sarifLevels() {
        #expect(Severity.critical.sarifLevel == "error")
        #expect(Severity.high.sarifLevel == "error")
        #expect(Severity.medium.sarifLevel == "warning")
        #expect(Severity.low.sarifLevel == "note")
    }
}

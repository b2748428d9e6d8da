import NetloomAnalysis
import NetloomModel
import Testing

/// A stack header with flow logs on, one AZ and a public subnet; cases add what they need.
private func stack(azs: String = "[us-east-1a]", nat: String = "none", network: String = "  flow_logs: { retention_days: 30 }\n",
                   subnets: String = "  public: { tier: public, size: /24 }\n", _ body: String) -> String {
    """
    stack: t
    region: us-east-1
    network:
      cidr: 10.0.0.0/16
      azs: \(azs)
      nat: \(nat)
    \(network)subnets:
    \(subnets)\(body)
    """
}

private let privateSubnets = "  public: { tier: public, size: /24 }\n  private: { tier: private, size: /24 }\n"

/// One instance `i` in `subnet` carrying group `g`, with the given extra fields.
private func instance(subnet: String = "public", _ extra: String = "") -> String {
    """
    instances:
      i:
        type: t3.medium
        ami: ami-0123456789abcdef0
        subnet: \(subnet)
        security_groups: [g]
        root_volume: { size_gb: 8, type: gp3, encrypted: true }
    \(extra)
    """
}

/// Group `g` with the given ingress rules and no egress, used by instance `i`.
private func group(_ ingress: String, egress: String = "    egress: []\n") -> String {
    "security_groups:\n  g:\n    description: test group\n" + (ingress.isEmpty ? "    ingress: []\n" : "    ingress:\n\(ingress)") + egress + instance()
}

private func bucket(_ fields: String) -> String { "buckets:\n  b: { \(fields) }\n" }

private func role(_ statement: String, managed: String = "[]") -> String {
    bucket("versioning: true, encryption: kms") + "roles:\n  r:\n    assumed_by: ec2\n    managed_policies: \(managed)\n    allow:\n      - \(statement)\n"
}

private func cluster(type: String = "ml.p5.48xlarge", nodes: Int = 2, subnet: String = "private", placement: String = "cluster",
                     ingress: String = "      - { from: self, protocol: all }\n", egress: String = "      - { to: self, protocol: all }\n") -> String {
    """
    security_groups:
      efa:
        description: EFA
    \(ingress.isEmpty ? "    ingress: []\n" : "    ingress:\n" + ingress)\(egress.isEmpty ? "    egress: []\n" : "    egress:\n" + egress)clusters:
      c:
        orchestrator: slurm
        instance_type: \(type)
        nodes: \(nodes)
        subnet: \(subnet)
        placement: \(placement)
        security_groups: [efa]

    """
}

struct RuleCase: Sendable, CustomTestStringConvertible {
    var id: String
    var violating: String
    var fixed: String
    var testDescription: String { id }
}

let ruleCases: [RuleCase] = [
    RuleCase(id: "NL-SG-001", violating: stack(group("      - { from: any, protocol: tcp, ports: 22, description: ssh }\n")),
             fixed: stack(group("      - { from: 203.0.113.0/24, protocol: tcp, ports: 22, description: ssh }\n"))),
    RuleCase(id: "NL-SG-002", violating: stack(group("      - { from: 0.0.0.0/0, protocol: tcp, ports: 3389, description: rdp }\n")),
             fixed: stack(group("      - { from: 203.0.113.0/24, protocol: tcp, ports: 3389, description: rdp }\n"))),
    RuleCase(id: "NL-SG-003", violating: stack(group("      - { from: any, protocol: tcp, ports: \"8000-9000\", description: notebooks }\n")),
             fixed: stack(group("      - { from: 203.0.113.0/24, protocol: tcp, ports: 8888, description: jupyter }\n"))),
    RuleCase(id: "NL-SG-004", violating: stack(group("      - { from: any, protocol: all, description: everything }\n")),
             fixed: stack(group("      - { from: vpc, protocol: all, description: inside }\n"))),
    RuleCase(id: "NL-SG-005", violating: stack(group("      - { from: any, protocol: tcp, ports: 6443, description: kube }\n")),
             fixed: stack(group("      - { from: vpc, protocol: tcp, ports: 6443, description: kube }\n"))),
    RuleCase(id: "NL-SG-006", violating: stack(group("      - { from: any, protocol: tcp, ports: 8080, description: app }\n")),
             fixed: stack(group("      - { from: vpc, protocol: tcp, ports: 8080, description: app }\n"))),
    RuleCase(id: "NL-SG-007", violating: stack(group("      - { from: vpc, protocol: tcp, ports: 443 }\n")),
             fixed: stack(group("      - { from: vpc, protocol: tcp, ports: 443, description: https }\n"))),
    RuleCase(id: "NL-SG-008",
             violating: stack("security_groups:\n  g: { description: used, ingress: [], egress: [] }\n  spare: { description: nobody, ingress: [], egress: [] }\n" + instance()),
             fixed: stack("security_groups:\n  g: { description: used, ingress: [], egress: [] }\n" + instance())),
    RuleCase(id: "NL-SG-009",
             violating: stack(group("      - { from: vpc, protocol: tcp, ports: 443, description: a }\n      - { from: 10.0.1.0/24, protocol: tcp, ports: 443, description: b }\n")),
             fixed: stack(group("      - { from: vpc, protocol: tcp, ports: 443, description: a }\n      - { from: 10.0.1.0/24, protocol: tcp, ports: 22, description: b }\n"))),
    RuleCase(id: "NL-SG-010", violating: stack(group("      - { from: vpc, protocol: tcp, ports: 443, description: a }\n", egress: "")),
             fixed: stack(group("      - { from: vpc, protocol: tcp, ports: 443, description: a }\n",
                                egress: "    egress:\n      - { to: any, protocol: tcp, ports: 443, description: https out }\n"))),

    RuleCase(id: "NL-NET-001",
             violating: stack(subnets: privateSubnets, "security_groups:\n  g: { description: g, ingress: [], egress: [] }\n" + instance(subnet: "private", "    public_ip: true\n")),
             fixed: stack(subnets: privateSubnets, "security_groups:\n  g: { description: g, ingress: [], egress: [] }\n" + instance(subnet: "private"))),
    RuleCase(id: "NL-NET-002", violating: stack(network: "", ""), fixed: stack("")),
    RuleCase(id: "NL-NET-003",
             violating: stack(azs: "[us-east-1a, us-east-1b]", nat: "single", subnets: privateSubnets,
                              "security_groups:\n  g: { description: g, ingress: [], egress: [] }\n" + instance(subnet: "private", "    count: 2\n")),
             fixed: stack(azs: "[us-east-1a, us-east-1b]", nat: "per-az", subnets: privateSubnets,
                          "security_groups:\n  g: { description: g, ingress: [], egress: [] }\n" + instance(subnet: "private", "    count: 2\n"))),
    RuleCase(id: "NL-NET-004",
             violating: stack(network: "  flow_logs: { retention_days: 30 }\n  endpoints: { interface: [ssm], security_group: ep }\n", subnets: privateSubnets,
                              "security_groups:\n  g: { description: g, ingress: [], egress: [] }\n  ep:\n    description: endpoints\n    ingress:\n      - { from: 192.168.0.0/16, protocol: tcp, ports: 443 }\n" + instance(subnet: "private")),
             fixed: stack(network: "  flow_logs: { retention_days: 30 }\n  endpoints: { interface: [ssm], security_group: ep }\n", subnets: privateSubnets,
                          "security_groups:\n  g: { description: g, ingress: [], egress: [] }\n  ep:\n    description: endpoints\n    ingress:\n      - { from: sg:g, protocol: tcp, ports: 443 }\n" + instance(subnet: "private"))),
    RuleCase(id: "NL-NET-005",
             violating: stack("network_acls:\n  a:\n    subnets: [public]\n    ingress:\n      - { rule: 100, action: allow, protocol: tcp, ports: 22, cidr: 0.0.0.0/0 }\n    egress: []\n"),
             fixed: stack("network_acls:\n  a:\n    subnets: [public]\n    ingress:\n      - { rule: 90, action: deny, protocol: tcp, ports: 22, cidr: 0.0.0.0/0 }\n      - { rule: 100, action: allow, protocol: tcp, ports: \"0-1023\", cidr: 0.0.0.0/0 }\n    egress: []\n")),

    RuleCase(id: "NL-EC2-001", violating: stack(group("", egress: "    egress: []\n").replacingOccurrences(of: "encrypted: true }", with: "encrypted: true }\n    imdsv2: optional")),
             fixed: stack(group("", egress: "    egress: []\n"))),
    RuleCase(id: "NL-EC2-002", violating: stack(group("").replacingOccurrences(of: "encrypted: true", with: "encrypted: false")), fixed: stack(group(""))),
    RuleCase(id: "NL-EC2-003", violating: stack(group("").replacingOccurrences(of: "encrypted: true }", with: "encrypted: true }\n    public_ip: true")),
             fixed: stack(group(""))),

    RuleCase(id: "NL-S3-001", violating: stack(bucket("versioning: false")), fixed: stack(bucket("versioning: false, encryption: aes256"))),
    RuleCase(id: "NL-S3-002", violating: stack(bucket("encryption: aes256")), fixed: stack(bucket("encryption: kms"))),
    RuleCase(id: "NL-S3-003", violating: stack(bucket("versioning: false, encryption: kms")), fixed: stack(bucket("versioning: true, encryption: kms"))),
    RuleCase(id: "NL-S3-004", violating: stack(bucket("encryption: kms, public_access_block: false")), fixed: stack(bucket("encryption: kms"))),
    RuleCase(id: "NL-S3-005", violating: stack(bucket("versioning: true, encryption: kms")),
             fixed: stack(bucket("versioning: true, encryption: kms, lifecycle: [{ noncurrent_transition_days: 30, storage_class: GLACIER }]"))),

    RuleCase(id: "NL-IAM-001", violating: stack(role("{ actions: [\"*\"], resources: [\"*\"] }")),
             fixed: stack(role("{ actions: [s3:GetObject], resources: [bucket:b] }"))),
    RuleCase(id: "NL-IAM-002", violating: stack(role("{ actions: [\"s3:*\"], resources: [bucket:b] }")),
             fixed: stack(role("{ actions: [s3:GetObject, s3:PutObject], resources: [bucket:b] }"))),
    RuleCase(id: "NL-IAM-003", violating: stack(role("{ actions: [s3:GetObject], resources: [\"*\"] }")),
             fixed: stack(role("{ actions: [cloudwatch:PutMetricData], resources: [\"*\"] }"))),
    RuleCase(id: "NL-IAM-004", violating: stack(role("{ actions: [s3:GetObject], resources: [bucket:b] }", managed: "[AdministratorAccess]")),
             fixed: stack(role("{ actions: [s3:GetObject], resources: [bucket:b] }", managed: "[AmazonSSMManagedInstanceCore]"))),

    RuleCase(id: "NL-LOG-001", violating: stack("log_groups:\n  app: {}\n"), fixed: stack("log_groups:\n  app: { retention_days: 30 }\n")),
    RuleCase(id: "NL-LOG-002", violating: stack(group("")),
             fixed: stack(group("") + "alarms:\n  i-status:\n    instance: i\n    metric: StatusCheckFailed\n    statistic: Maximum\n    comparison: \">\"\n    threshold: 0\n    period_s: 60\n    evaluation_periods: 2\n")),

    RuleCase(id: "NL-LB-001", violating: stack(azs: "[us-east-1a, us-east-1b]", subnets: privateSubnets, loadBalancer(scheme: "internet-facing")),
             fixed: stack(azs: "[us-east-1a, us-east-1b]", subnets: privateSubnets, loadBalancer(scheme: "internal"))),
    RuleCase(id: "NL-LB-002", violating: stack(azs: "[us-east-1a, us-east-1b]", subnets: privateSubnets, loadBalancer(scheme: "internal", publicTarget: true)),
             fixed: stack(azs: "[us-east-1a, us-east-1b]", subnets: privateSubnets, loadBalancer(scheme: "internal"))),

    RuleCase(id: "NL-LB-003", violating: stack(azs: "[us-east-1a, us-east-1b]", subnets: privateSubnets, httpsBalancer(policy: "ELBSecurityPolicy-TLS-1-1-2017-01")),
             fixed: stack(azs: "[us-east-1a, us-east-1b]", subnets: privateSubnets, httpsBalancer())),
    RuleCase(id: "NL-LB-004", violating: stack(azs: "[us-east-1a, us-east-1b]", subnets: privateSubnets, httpsBalancer(record: "www.example.com")),
             fixed: stack(azs: "[us-east-1a, us-east-1b]", subnets: privateSubnets, httpsBalancer(certificate: "'*.example.com'", record: "www.example.com"))),
    RuleCase(id: "NL-ASG-001", violating: ServingStack.oneAZ, fixed: ServingStack.yaml()),
    // A /28 holds 11: max 16 fits as 8 per AZ but not all in one AZ; max 10 fits either way.
    RuleCase(id: "NL-ASG-002", violating: ServingStack.yaml(subnetSize: "/28", group: ServingStack.group(max: 16)),
             fixed: ServingStack.yaml(subnetSize: "/28", group: ServingStack.group(max: 10))),

    RuleCase(id: "NL-ML-001", violating: stack(subnets: privateSubnets, cluster(egress: "      - { to: any, protocol: all }\n")),
             fixed: stack(subnets: privateSubnets, cluster())),
    RuleCase(id: "NL-ML-002", violating: stack(subnets: privateSubnets, cluster(placement: "none")), fixed: stack(subnets: privateSubnets, cluster())),
    RuleCase(id: "NL-ML-003",
             violating: stack(subnets: "  public: { tier: public, size: /24 }\n  private: { tier: private, size: auto, cidrs: { us-east-1a: 10.0.8.0/26 } }\n", cluster(nodes: 8)),
             fixed: stack(subnets: "  public: { tier: public, size: /24 }\n  private: { tier: private, size: auto, cidrs: { us-east-1a: 10.0.8.0/23 } }\n", cluster(nodes: 8))),
    RuleCase(id: "NL-ML-004", violating: stack(subnets: "  public: { tier: public, size: /24 }\n  private: { tier: private, size: /23 }\n", cluster(nodes: 11)),
             fixed: stack(subnets: "  public: { tier: public, size: /24 }\n  private: { tier: private, size: /22 }\n", cluster(nodes: 11))),
    RuleCase(id: "NL-ML-005", violating: stack(subnets: privateSubnets, cluster(subnet: "public")), fixed: stack(subnets: privateSubnets, cluster())),
    RuleCase(id: "NL-ML-006",
             violating: stack(subnets: "  public: { tier: public, size: /24 }\n  train: { tier: isolated, size: /24 }\n", cluster(subnet: "train")),
             fixed: stack(network: "  flow_logs: { retention_days: 30 }\n  endpoints: { gateway: [s3], interface: [ecr.api, ecr.dkr, logs, sts], subnet: train }\n",
                          subnets: "  public: { tier: public, size: /24 }\n  train: { tier: isolated, size: /24 }\n", cluster(subnet: "train"))),

    RuleCase(id: "NL-HP-001", violating: hyperPodStack(fileSystemAZ: "us-east-1b", acl: lustreACL(allowLustre: false)),
             fixed: hyperPodStack(fileSystemAZ: "us-east-1b", acl: lustreACL(allowLustre: true))),
    RuleCase(id: "NL-HP-002", violating: hyperPodStack(fileSystemAZ: "us-east-1b"), fixed: hyperPodStack()),
    RuleCase(id: "NL-HP-003", violating: hyperPodStack(extra: "      lifecycle_bucket: team-lifecycle-scripts\n"),
             fixed: hyperPodStack(extra: "      lifecycle_bucket: sagemaker-team-lifecycle-scripts\n")),
    RuleCase(id: "NL-HP-004", violating: hyperPodStack(eks: true, control: "/28"), fixed: hyperPodStack(eks: true, control: "/26")),
    RuleCase(id: "NL-HP-005", violating: hyperPodStack(nat: "none", endpoints: ""), fixed: hyperPodStack()),

    RuleCase(id: "NL-COST-001", violating: stack(nat: "single", subnets: privateSubnets, "usage: { nat_gb: 100 }\n"),
             fixed: stack(nat: "single", network: "  flow_logs: { retention_days: 30 }\n  endpoints: { gateway: [s3] }\n", subnets: privateSubnets,
                          "usage: { nat_gb: 100 }\n")),
    RuleCase(id: "NL-COST-002",
             violating: stack(azs: "[us-east-1a, us-east-1b]", nat: "per-az", subnets: privateSubnets,
                              "security_groups:\n  g: { description: g, ingress: [], egress: [] }\n" + instance(subnet: "private")),
             fixed: stack(azs: "[us-east-1a, us-east-1b]", nat: "per-az", subnets: privateSubnets,
                          "security_groups:\n  g: { description: g, ingress: [], egress: [] }\n" + instance(subnet: "private", "    count: 2\n"))),
    RuleCase(id: "NL-COST-003", violating: stack(group("").replacingOccurrences(of: "type: gp3", with: "type: gp2")), fixed: stack(group(""))),
]

/// A HyperPod cluster `c` in the private subnet set (2 AZs), Slurm with a controller and a
/// file system, or EKS with its control plane in the `control` set sized `control`.
private func hyperPodStack(nat: String = "single", endpoints: String = "  endpoints: { gateway: [s3] }\n", fileSystemAZ: String? = nil, acl: String = "",
                           extra: String = "", eks: Bool = false, control: String = "/26") -> String {
    let hyperPod = eks
        ? "    hyperpod: { threads_per_core: 1 }\n    eks: { version: \"1.31\", subnets: control }\n"
        : "    hyperpod:\n      controller: { instance_type: ml.m5.12xlarge }\n\(extra)      storage:\n        fsx_lustre: { capacity_gib: 1200\(fileSystemAZ.map { ", az: \($0)" } ?? "") }\n"
    return stack(azs: "[us-east-1a, us-east-1b]", nat: nat, network: "  flow_logs: { retention_days: 30 }\n" + endpoints,
                 subnets: "  public: { tier: public, size: /24 }\n  private: { tier: private, size: /24 }\n  control: { tier: private, size: \(control) }\n", """
    security_groups:
      efa:
        description: EFA
        ingress:
          - { from: self, protocol: all }
        egress:
          - { to: self, protocol: all }
          - { to: any, protocol: tcp, ports: 443 }
    \(acl)clusters:
      c:
        orchestrator: \(eks ? "eks" : "slurm")
        instance_type: ml.p5.48xlarge
        nodes: 2
        subnet: private
        security_groups: [efa]
    \(hyperPod)
    """)
}

/// An ACL on the cluster's subnets that lets HTTPS and replies through, and Lustre when asked.
private func lustreACL(allowLustre: Bool) -> String {
    let lustre = allowLustre
        ? "      - { rule: 110, action: allow, protocol: tcp, ports: 988, cidr: 10.0.0.0/16 }\n      - { rule: 120, action: allow, protocol: tcp, ports: \"1018-1023\", cidr: 10.0.0.0/16 }\n"
        : ""
    return """
    network_acls:
      cluster:
        subnets: [private]
        ingress:
          - { rule: 100, action: allow, protocol: tcp, ports: "1024-65535", cidr: 0.0.0.0/0 }
    \(lustre)    egress:
          - { rule: 100, action: allow, protocol: tcp, ports: 443, cidr: 0.0.0.0/0 }
          - { rule: 105, action: allow, protocol: tcp, ports: "1024-65535", cidr: 0.0.0.0/0 }
    \(lustre)
    """
}

/// An internet-facing HTTPS load balancer with a certificate for `certificate` and an alias `record` to it.
private func httpsBalancer(policy: String = "", certificate: String = "api.example.com", record: String = "api.example.com") -> String {
    loadBalancer(scheme: "internet-facing", listeners: """
          - { port: 443, protocol: HTTPS, certificate: api, forward: app\(policy.isEmpty ? "" : ", ssl_policy: \(policy)") }
          - { port: 80, protocol: HTTP, redirect: https }
    """) + """
    zones:
      example.com: {}
    certificates:
      api: { domain: \(certificate), zone: example.com }
    records:
      - { name: \(record), zone: example.com, alias: lb:web }

    """
}

private func loadBalancer(scheme: String, publicTarget: Bool = false, listeners: String = "      - { port: 80, protocol: HTTP, forward: app }") -> String {
    """
    security_groups:
      g: { description: targets, ingress: [], egress: [] }
    instances:
      i:
        type: t3.medium
        ami: ami-0123456789abcdef0
        subnet: \(publicTarget ? "public" : "private")
        public_ip: \(publicTarget)
        security_groups: [g]
        root_volume: { size_gb: 8, type: gp3, encrypted: true }
    load_balancers:
      web:
        type: application
        scheme: \(scheme)
        subnet: public
        security_groups: [g]
        listeners:
    \(listeners)
    target_groups:
      app:
        port: 8080
        protocol: HTTP
        targets: [instance:i]

    """
}

@Suite("Compliance rules")
struct ComplianceRuleTests {
    @Test("each rule fires on a spec that violates it", arguments: ruleCases)
    func fires(_ ruleCase: RuleCase) throws {
        let report = try findings(ruleCase.violating)
        let hits = report.findings.filter { $0.ruleID == ruleCase.id }
        #expect(!hits.isEmpty, "\(ruleCase.id) did not fire; found \(report.findings.map(\.ruleID))")
        for hit in hits {
            #expect(hit.location.file == "test.yaml" && hit.location.line > 0, "\(ruleCase.id) finding has no spec location")
            #expect(!hit.message.isEmpty && !hit.address.isEmpty)
        }
    }

    @Test("each rule stays quiet once the violation is fixed", arguments: ruleCases)
    func quiet(_ ruleCase: RuleCase) throws {
        let report = try findings(ruleCase.fixed)
        let hits = report.findings.filter { $0.ruleID == ruleCase.id }
        #expect(hits.isEmpty, "\(ruleCase.id) still fires: \(hits.map(\.message))")
    }

    @Test("every rule in the catalog has a firing case")
    func everyRuleIsTested() {
        let tested = Set(ruleCases.map(\.id))
        let untested = RuleCatalog.ids.filter { !tested.contains($0) }
        #expect(untested.isEmpty, "rules without a test: \(untested)")
    }

    @Test("the catalog has at least 30 rules with unique, well-formed ids and advice")
    func catalogShape() {
        #expect(RuleCatalog.all.count >= 30)
        #expect(Set(RuleCatalog.ids).count == RuleCatalog.ids.count)
        for rule in RuleCatalog.all {
            #expect(rule.id.wholeMatch(of: /NL-[A-Z0-9]+-\d{3}/) != nil, "bad id \(rule.id)")
            #expect(!rule.title.isEmpty && !rule.rationale.isEmpty && !rule.fix.isEmpty, "\(rule.id) lacks advice")
        }
    }

    @Test("admin ports open to the world map to Checkov's CKV_AWS_24 and CKV_AWS_25")
    func checkovMappings() {
        #expect(RuleCatalog.rule("NL-SG-001")?.checkov == ["CKV_AWS_24"])
        #expect(RuleCatalog.rule("NL-SG-002")?.checkov == ["CKV_AWS_25"])
        #expect(RuleCatalog.rule("NL-EC2-001")?.checkov == ["CKV_AWS_79"])
        #expect(RuleCatalog.rule("NL-NET-002")?.checkov == ["CKV2_AWS_11"])
    }

    @Test("an egress rule to 0.0.0.0/0 does not stand in for the EFA self rule")
    func efaEgressToAnyIsNotSelf() throws {
        let report = try findings(stack(subnets: privateSubnets, cluster(egress: "      - { to: any, protocol: all }\n")))
        let hit = try #require(report.findings.first { $0.ruleID == "NL-ML-001" })
        #expect(hit.address == "security_group:efa")
        #expect(hit.message.contains("does not count"))
    }

    @Test("a non-EFA cluster needs no self rules")
    func nonEFAClusterIsExempt() throws {
        let report = try findings(stack(subnets: privateSubnets, cluster(type: "ml.g5.xlarge", ingress: "", egress: "")))
        #expect(!report.findings.contains { $0.ruleID == "NL-ML-001" || $0.ruleID == "NL-ML-002" })
    }

    @Test("a single NAT gateway in front of empty private subnets is idle, not an availability risk")
    func idleSingleNAT() throws {
        let report = try findings(stack(azs: "[us-east-1a, us-east-1b]", nat: "single", subnets: privateSubnets, ""))
        #expect(report.findings.contains { $0.ruleID == "NL-COST-002" && $0.address == "nat_gateway:us-east-1a" })
        #expect(!report.findings.contains { $0.ruleID == "NL-NET-003" || $0.ruleID == "NL-COST-001" })
    }

    @Test("a range of notebook ports open to the world is one finding naming each port")
    func notebookRangeIsOneFinding() throws {
        let report = try findings(stack(group("      - { from: any, protocol: tcp, ports: \"8000-9000\", description: notebooks }\n")))
        let hits = report.findings.filter { $0.ruleID == "NL-SG-003" }
        #expect(hits.count == 1)
        #expect(hits.first.map { $0.message.contains("Jupyter (tcp 8888)") && $0.message.contains("Ray dashboard (tcp 8265)") } == true)
        #expect(!report.findings.contains { $0.ruleID == "NL-SG-006" })
    }

    @Test("the S3-through-NAT finding prices the NAT processing at usage.nat_gb")
    func s3ThroughNATNamesTheCost() throws {
        let report = try findings(stack(nat: "single", subnets: privateSubnets, "usage:\n  nat_gb: 1000\n"))
        let hit = try #require(report.findings.first { $0.ruleID == "NL-COST-001" })
        #expect(hit.message.contains("$45.00/month"))
    }
}

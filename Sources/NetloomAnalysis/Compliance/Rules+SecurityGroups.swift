import NetloomModel
import NetloomSpec

extension RuleCatalog {
    /// Ports that give a shell or a desktop: an open one is an invitation to brute force.
    static let remoteAdminPorts: [(port: Int, name: String)] = [(22, "SSH"), (3389, "RDP")]
    /// Notebook and dashboard ports of ML tools. None of them authenticate strongly by default,
    /// and an open Jupyter is remote code execution on a machine with data-bucket credentials.
    static let notebookPorts: [(port: Int, name: String)] = [
        (8888, "Jupyter"), (6006, "TensorBoard"), (8265, "Ray dashboard"), (7860, "Gradio"), (8501, "Streamlit"), (5000, "MLflow"),
    ]
    /// Control planes and data stores that should never face the internet.
    static let managementPorts: [(port: Int, name: String)] = [
        (23, "Telnet"), (2375, "Docker API"), (2376, "Docker API (TLS)"), (6443, "Kubernetes API"), (10250, "kubelet"),
        (2049, "NFS"), (3306, "MySQL"), (5432, "PostgreSQL"), (6379, "Redis"), (9200, "Elasticsearch"), (27017, "MongoDB"),
    ]

    /// Ingress rules open to the whole internet, with their group.
    static func internetIngress(_ context: ComplianceContext) -> [(group: SecurityGroupSpec, rule: SecurityGroupRuleSpec)] {
        context.spec.securityGroups.flatMap { group in group.ingress.filter { $0.peer.isInternet }.map { (group, $0) } }
    }

    static func openPortRule(_ id: String, _ severity: Severity, title: String, rationale: String, fix: String, ports: [(port: Int, name: String)],
                             checkov: [String]) -> ComplianceRule {
        ComplianceRule(id, severity, title: title, rationale: rationale, fix: fix, checkov: checkov, trivy: ["AVD-AWS-0107"]) { context in
            internetIngress(context).filter { !$0.rule.coversAllPorts }.compactMap { group, rule in
                // One finding per rule, naming every listed port its range opens.
                let open = ports.filter { rule.admits(.tcp, port: $0.port) }
                guard !open.isEmpty else { return nil }
                let names = open.map { "\($0.name) (tcp \($0.port))" }.joined(separator: ", ")
                return RuleHit(address: ComplianceContext.ruleAddress(rule, group: group.name),
                               message: "security group '\(group.name)' admits \(names) from the internet: \(rule.summary(vpc: context.spec.network.cidr))",
                               location: rule.location)
            }
        }
    }

    static let securityGroupRules: [ComplianceRule] = [
        openPortRule("NL-SG-001", .critical, title: "SSH (22) open to the internet",
                     rationale: "SSH reachable from 0.0.0.0/0 is brute-forced within minutes of launch.",
                     fix: "Restrict the rule to an office or VPN range, or drop it and use SSM Session Manager.",
                     ports: [remoteAdminPorts[0]], checkov: ["CKV_AWS_24"]),
        openPortRule("NL-SG-002", .critical, title: "RDP (3389) open to the internet",
                     rationale: "RDP reachable from 0.0.0.0/0 is a common ransomware entry point.",
                     fix: "Restrict the rule to an office or VPN range, or use SSM Fleet Manager.",
                     ports: [remoteAdminPorts[1]], checkov: ["CKV_AWS_25"]),
        openPortRule("NL-SG-003", .critical, title: "Notebook or ML dashboard port open to the internet",
                     rationale: "Jupyter, TensorBoard, Ray, Gradio, Streamlit and MLflow run code or leak data and have weak or no authentication by default.",
                     fix: "Restrict the rule to an office or VPN range, or reach the port through an SSM port-forwarding session.",
                     ports: notebookPorts, checkov: []),
        ComplianceRule("NL-SG-004", .critical, title: "All ports open to the internet",
                       rationale: "An all-ports rule from 0.0.0.0/0 exposes every service on the host, including ones started later.",
                       fix: "Replace it with rules for the ports that must be public, from the narrowest source range.",
                       checkov: ["CKV_AWS_277"], trivy: ["AVD-AWS-0107"]) { context in
            internetIngress(context).filter { $0.rule.coversAllPorts }.map { group, rule in
                RuleHit(address: ComplianceContext.ruleAddress(rule, group: group.name),
                        message: "security group '\(group.name)' admits \(rule.summary(vpc: context.spec.network.cidr))", location: rule.location)
            }
        },
        openPortRule("NL-SG-005", .high, title: "Management or data-store port open to the internet",
                     rationale: "Container, Kubernetes and database control ports give control of the host or its data when reachable.",
                     fix: "Admit the port only from the groups that need it (sg:NAME) or from the VPC.",
                     ports: managementPorts, checkov: []),
        ComplianceRule("NL-SG-006", .medium, title: "Instance port open to the internet",
                       rationale: "Ports open to 0.0.0.0/0 on instances or cluster nodes bypass the load balancer that should front them.",
                       fix: "Put the service behind a load balancer and admit the port only from its group, or narrow the source range.",
                       checkov: ["CKV_AWS_260"], trivy: ["AVD-AWS-0107"]) { context in
            let flaggedElsewhere = Set((remoteAdminPorts + notebookPorts + managementPorts).map(\.port))
            return internetIngress(context).filter { group, rule in
                // Load balancers exist to face the internet; their listeners are judged by NL-LB-001.
                let users = context.users(of: group.name)
                let onlyLoadBalancers = !users.isEmpty && users.allSatisfy { $0.isKind(.loadBalancer) }
                return !onlyLoadBalancers && !rule.coversAllPorts && rule.ipProtocol.hasPorts
                    && !flaggedElsewhere.contains { rule.admits(rule.ipProtocol, port: $0) && rule.ipProtocol == .tcp }
            }.map { group, rule in
                let users = context.users(of: group.name)
                return RuleHit(address: ComplianceContext.ruleAddress(rule, group: group.name),
                               message: "security group '\(group.name)' (on \(users.isEmpty ? "nothing yet" : users.map(\.description).joined(separator: ", "))) admits \(rule.summary(vpc: context.spec.network.cidr))",
                               location: rule.location)
            }
        },
        ComplianceRule("NL-SG-007", .low, title: "Security group or rule without a description",
                       rationale: "Reviewers and incident responders cannot tell why an undocumented rule exists, so nobody dares remove it.",
                       fix: "Add a description saying what the group or rule is for.",
                       checkov: ["CKV_AWS_23"], trivy: ["AVD-AWS-0099", "AVD-AWS-0124"]) { context in
            context.spec.securityGroups.compactMap { group in
                let undocumented = group.ingress.filter { ($0.description ?? "").isEmpty }
                    + (group.egressIsDefault ? [] : group.egress.filter { ($0.description ?? "").isEmpty })
                let groupMissing = group.description.allSatisfy(\.isWhitespace)
                guard groupMissing || !undocumented.isEmpty else { return nil }
                var parts: [String] = []
                if groupMissing { parts.append("has no description") }
                if !undocumented.isEmpty {
                    parts.append("has \(undocumented.count) rule\(undocumented.count == 1 ? "" : "s") without a description (\(undocumented.map { $0.summary(vpc: context.spec.network.cidr) }.joined(separator: "; ")))")
                }
                return RuleHit(address: .securityGroup(group.name), message: "security group '\(group.name)' \(parts.joined(separator: " and "))", location: group.location)
            }
        },
        ComplianceRule("NL-SG-008", .medium, title: "Security group not attached to anything",
                       rationale: "An unused group is dead configuration that may be attached later with rules nobody reviewed for that purpose.",
                       fix: "Remove the group, or list it in the security_groups of the instance, cluster, load balancer or endpoints that need it.",
                       checkov: ["CKV2_AWS_5"]) { context in
            context.spec.securityGroups.filter { context.users(of: $0.name).isEmpty }.map { group in
                RuleHit(address: .securityGroup(group.name),
                        message: "security group '\(group.name)' is used by no instance, cluster, load balancer or endpoint", location: group.location)
            }
        },
        ComplianceRule("NL-SG-009", .low, title: "Rule made redundant by another rule of the same group",
                       rationale: "A rule another rule already covers adds nothing but confusion, and uses one of the 60 rules a group may hold.",
                       fix: "Remove the narrower rule, or narrow the wider one if it is the mistake.") { context in
            context.spec.securityGroups.flatMap { group -> [RuleHit] in
                let lists = [group.ingress] + (group.egressIsDefault ? [] : [group.egress])
                return lists.flatMap { rules in
                    rules.compactMap { rule -> RuleHit? in
                        let cover = rules.first { other in
                            other != rule && covers(other, rule, vpc: context.spec.network.cidr)
                                // Two identical rules cover each other: report only the later one.
                                && !(covers(rule, other, vpc: context.spec.network.cidr) && other.location > rule.location)
                        }
                        guard let cover else { return nil }
                        let vpc = context.spec.network.cidr
                        return RuleHit(address: ComplianceContext.ruleAddress(rule, group: group.name),
                                       message: "in security group '\(group.name)', the rule \(rule.summary(vpc: vpc)) is already allowed by \(cover.summary(vpc: vpc)) (line \(cover.location.line))",
                                       location: rule.location)
                    }
                }
            }
        },
        ComplianceRule("NL-SG-010", .low, title: "All outbound traffic allowed to the internet",
                       rationale: "Unrestricted egress lets a compromised host exfiltrate data or reach command-and-control servers on any port.",
                       fix: "List the egress the workload needs (tcp 443 to any, prefix:s3, sg:NAME); egress: [] allows none.",
                       checkov: ["CKV_AWS_382"], trivy: ["AVD-AWS-0104"]) { context in
            context.spec.securityGroups.compactMap { group in
                guard let rule = group.egress.first(where: { $0.peer.isInternet && $0.ipProtocol == .all }) else { return nil }
                let how = group.egressIsDefault ? "has no egress rules, so AWS's default allows all traffic to 0.0.0.0/0" : "allows \(rule.summary(vpc: context.spec.network.cidr))"
                return RuleHit(address: ComplianceContext.ruleAddress(rule, group: group.name), message: "security group '\(group.name)' \(how)",
                               location: group.egressIsDefault ? group.location : rule.location)
            }
        },
    ]

    /// Whether `wide` lets through everything `narrow` does. Group references (`self`, `sg:X`) are
    /// covered only by the same reference: AWS matches them by ENI, never by CIDR, and EFA traffic
    /// in particular is admitted only by group-id rules (AWS-NOTES.md).
    static func covers(_ wide: SecurityGroupRuleSpec, _ narrow: SecurityGroupRuleSpec, vpc: CIDRBlock) -> Bool {
        guard wide.direction == narrow.direction else { return false }
        let protocolCovered = wide.ipProtocol == .all || (wide.ipProtocol == narrow.ipProtocol
            && (wide.ports == nil || (narrow.ports.map { wide.ports?.contains($0) ?? true } ?? false)))
        guard protocolCovered else { return false }
        func block(_ peer: RulePeer) -> CIDRBlock? {
            switch peer {
            case .any: .anywhere
            case .vpc: vpc
            case .cidr(let block): block
            default: nil
            }
        }
        if wide.peer == narrow.peer { return true }
        guard let wideBlock = block(wide.peer), let narrowBlock = block(narrow.peer) else { return false }
        return wideBlock.contains(narrowBlock)
    }
}

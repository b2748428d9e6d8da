import NetloomModel
import NetloomPlanning
import NetloomSpec

/// The outcome of running the catalog over one stack: data first, rendering elsewhere.
public struct ComplianceReport: Sendable {
    /// Most severe first, then in spec order.
    public var findings: [Finding]
    public var skipped: [SkippedFinding]

    /// Whether a finding at or above `threshold` remains after skips.
    public func hasFinding(atOrAbove threshold: Severity) -> Bool { findings.contains { $0.severity >= threshold } }

    public func count(_ severity: Severity) -> Int { findings.count { $0.severity == severity } }
}

/// Runs every rule of the catalog, then applies `--skip` flags and `# netloom:skip=` comments.
public struct ComplianceChecker: Sendable {
    public let rules: [ComplianceRule]

    public init(rules: [ComplianceRule] = RuleCatalog.all) {
        self.rules = rules
    }

    /// Skip comments must name a rule that exists: a typo would otherwise silently skip nothing.
    public static func validateSkipComments(_ spec: StackSpec, known: [String] = RuleCatalog.ids) throws(SpecInvalidError) {
        let unknown = spec.skips.filter { !known.contains($0.ruleID) }
        guard !unknown.isEmpty else { return }
        throw SpecInvalidError(diagnostics: unknown.map { skip in
            Diagnostic(at: skip.location, "the skip comment names rule '\(skip.ruleID)', which does not exist\(DidYouMean.hint(for: skip.ruleID, among: known)); `netloom check --help` lists the rules")
        })
    }

    /// `flagSkips` are rule ids from `--skip`, already checked against the catalog.
    public func check(_ expanded: ExpandedStack, skipping flagSkips: Set<String> = []) -> ComplianceReport {
        let context = ComplianceContext(expanded)
        var findings: [Finding] = []
        var skipped: [SkippedFinding] = []
        for rule in rules {
            var seen = Set<RuleHit>()
            for hit in rule.evaluate(context) where seen.insert(hit).inserted {
                let finding = Finding(ruleID: rule.id, severity: rule.severity, address: hit.address.description, message: hit.message, location: hit.location)
                if flagSkips.contains(rule.id) {
                    skipped.append(SkippedFinding(finding: finding, reason: "skipped with --skip \(rule.id)", source: .flag))
                } else if let directive = expanded.spec.skips.first(where: { $0.ruleID == rule.id && SkipScope(section: $0.section, name: $0.name).owns(hit.address) }) {
                    skipped.append(SkippedFinding(finding: finding, reason: directive.reason, source: .comment))
                } else {
                    findings.append(finding)
                }
            }
        }
        let order: (Finding, Finding) -> Bool = { a, b in
            (b.severity.rank, a.location, a.ruleID, a.address) < (a.severity.rank, b.location, b.ruleID, b.address)
        }
        return ComplianceReport(findings: findings.sorted(by: order),
                                skipped: skipped.sorted { order($0.finding, $1.finding) })
    }
}

/// The resource addresses a spec entry owns, so a skip comment on `security_groups: ssh:` covers
/// `security_group:ssh` and every `sg_rule:ssh/...`.
struct SkipScope: Sendable, Hashable {
    var section: String
    var name: String

    /// Address types (the part before `:`) each spec section expands into.
    static let typesBySection: [String: Set<ResourceAddress.Kind>] = [
        "security_groups": [.resource(.securityGroup), .resource(.securityGroupRule)],
        "subnets": [.resource(.subnet), .resource(.routeTable), .resource(.route), .resource(.routeTableAssociation)],
        "network_acls": [.resource(.networkACL), .resource(.networkACLEntry)],
        "clusters": [.cluster, .resource(.placementGroup)],
        "instances": [.resource(.instance)],
        "buckets": [.resource(.bucket), .resource(.bucketVersioning), .resource(.bucketEncryption), .resource(.bucketPublicAccessBlock),
                    .resource(.bucketLifecycle), .resource(.bucketObject)],
        "roles": [.resource(.iamRole), .resource(.iamRolePolicy), .resource(.iamRolePolicyAttachment), .resource(.iamInstanceProfile)],
        "log_groups": [.resource(.logGroup)],
        "alarms": [.resource(.alarm)],
        "load_balancers": [.resource(.loadBalancer), .resource(.listener)],
        "target_groups": [.resource(.targetGroup), .resource(.targetGroupAttachment)],
        "zones": [.resource(.hostedZone)],
        "certificates": [.resource(.certificate), .resource(.certificateValidation)],
        "autoscaling_groups": [.resource(.autoScalingGroup), .resource(.launchTemplate), .resource(.scalingPolicy)],
    ]

    func owns(_ address: ResourceAddress) -> Bool {
        guard !address.parts.isEmpty, let types = Self.typesBySection[section] else { return false }
        return types.contains(address.kind) && (address.path == name || address.path.hasPrefix(name + "/"))
    }
}

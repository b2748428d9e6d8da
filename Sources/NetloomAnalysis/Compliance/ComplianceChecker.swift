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
                let finding = Finding(ruleID: rule.id, severity: rule.severity, address: hit.address, message: hit.message, location: hit.location)
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
    static let typesBySection: [String: Set<String>] = [
        "security_groups": ["security_group", "sg_rule"],
        "subnets": ["subnet", "route_table", "route", "route_table_association"],
        "network_acls": ["network_acl", "network_acl_entry"],
        "clusters": ["cluster", "placement_group"],
        "instances": ["instance"],
        "buckets": ["bucket", "bucket_versioning", "bucket_encryption", "bucket_public_access_block", "bucket_lifecycle", "bucket_object"],
        "roles": ["iam_role", "iam_role_policy", "iam_role_policy_attachment", "iam_instance_profile"],
        "log_groups": ["log_group"],
        "alarms": ["alarm"],
        "load_balancers": ["load_balancer", "listener"],
        "target_groups": ["target_group", "target_group_attachment"],
    ]

    func owns(_ address: String) -> Bool {
        guard let colon = address.firstIndex(of: ":"), let types = Self.typesBySection[section] else { return false }
        let type = String(address[..<colon])
        let rest = address[address.index(after: colon)...]
        return types.contains(type) && (rest == name || rest.hasPrefix(name + "/"))
    }
}

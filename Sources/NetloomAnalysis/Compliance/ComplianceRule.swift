import NetloomModel

/// One compliance rule: stable identity and advice as data, and the check that finds violations.
public struct ComplianceRule: Sendable, Identifiable {
    /// Stable: `NL-<AREA>-<NNN>`. Never renumbered, so skips and SARIF baselines keep working.
    public let id: String
    public let severity: Severity
    /// One line: what is wrong.
    public let title: String
    /// Why it matters.
    public let rationale: String
    /// What to change in the spec.
    public let fix: String
    /// Checkov ids that check the same thing on Terraform, where one exists.
    public let checkov: [String]
    /// Trivy (AVD) ids that check the same thing, where one exists.
    public let trivy: [String]
    let evaluate: @Sendable (ComplianceContext) -> [RuleHit]

    init(_ id: String, _ severity: Severity, title: String, rationale: String, fix: String,
         checkov: [String] = [], trivy: [String] = [], evaluate: @escaping @Sendable (ComplianceContext) -> [RuleHit]) {
        self.id = id
        self.severity = severity
        self.title = title
        self.rationale = rationale
        self.fix = fix
        self.checkov = checkov
        self.trivy = trivy
        self.evaluate = evaluate
    }

    /// The area the id names: `SG`, `NET`, `ML`, ...
    public var area: String { id.split(separator: "-").dropFirst().first.map(String.init) ?? "" }
}

/// What a rule reports before the checker stamps its id and severity on it.
struct RuleHit: Sendable, Hashable {
    var address: ResourceAddress
    var message: String
    var location: SourceLocation
}

/// One violation of one rule by one resource.
public struct Finding: Sendable, Hashable {
    public var ruleID: String
    public var severity: Severity
    /// The resource address, as `netloom expand` shows it.
    public var address: String
    public var message: String
    /// Where in the spec the resource is written.
    public var location: SourceLocation
}

/// A finding a skip silenced, with the reason given for it.
public struct SkippedFinding: Sendable, Hashable {
    public var finding: Finding
    public var reason: String
    /// `comment` (from `# netloom:skip=`) or `flag` (from `--skip`).
    public var source: Source

    public enum Source: String, Sendable, Hashable { case comment, flag }
}

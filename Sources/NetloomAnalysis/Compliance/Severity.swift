/// How much a finding matters. Ordered so that `critical > high > medium > low`.
public enum Severity: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    case critical
    case high
    case medium
    case low

    var rank: Int {
        switch self {
        case .critical: 3
        case .high: 2
        case .medium: 1
        case .low: 0
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    public var description: String { rawValue }

    /// SARIF 2.1.0 has only `error`, `warning` and `note` (plus `none`).
    public var sarifLevel: String {
        switch self {
        case .critical, .high: "error"
        case .medium: "warning"
        case .low: "note"
        }
    }

    /// The `security-severity` score GitHub code scanning reads from rule properties (CVSS-like bands).
    public var securityScore: String {
        switch self {
        case .critical: "9.5"
        case .high: "8.0"
        case .medium: "5.5"
        case .low: "3.0"
        }
    }
}

import Foundation

/// A compliance report as SARIF 2.1.0, the format GitHub code scanning and most IDEs import.
/// Only the parts of the schema Netloom fills are modelled.
public struct SARIFLog: Sendable, Encodable {
    public static let schemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

    public var schema = SARIFLog.schemaURI
    public var version = "2.1.0"
    public var runs: [Run]

    enum CodingKeys: String, CodingKey {
        case schema = "$schema"
        case version, runs
    }

    public struct Run: Sendable, Encodable {
        public var tool: Tool
        public var results: [Result]
    }

    public struct Tool: Sendable, Encodable {
        public var driver: Driver
    }

    public struct Driver: Sendable, Encodable {
        public var name: String
        public var version: String
        public var informationUri: String
        public var rules: [ReportingDescriptor]
    }

    public struct Message: Sendable, Encodable {
        public var text: String
    }

    public struct ReportingDescriptor: Sendable, Encodable {
        public struct Configuration: Sendable, Encodable { public var level: String }
        public struct Properties: Sendable, Encodable {
            public var severity: String
            public var checkov: [String]
            public var trivy: [String]
            public var tags: [String]
            public var securitySeverity: String

            enum CodingKeys: String, CodingKey {
                case severity, checkov, trivy, tags
                case securitySeverity = "security-severity"
            }
        }

        public var id: String
        public var name: String
        public var shortDescription: Message
        public var fullDescription: Message
        public var help: Message
        public var defaultConfiguration: Configuration
        public var properties: Properties
    }

    public struct Result: Sendable, Encodable {
        public struct Location: Sendable, Encodable {
            public struct PhysicalLocation: Sendable, Encodable {
                public struct ArtifactLocation: Sendable, Encodable { public var uri: String }
                public struct Region: Sendable, Encodable {
                    public var startLine: Int
                    public var startColumn: Int
                }
                public var artifactLocation: ArtifactLocation
                public var region: Region
            }
            public struct LogicalLocation: Sendable, Encodable {
                public var fullyQualifiedName: String
                public var kind: String
            }
            public var physicalLocation: PhysicalLocation
            public var logicalLocations: [LogicalLocation]
        }
        public struct Suppression: Sendable, Encodable {
            public var kind: String
            public var justification: String
        }

        public var ruleId: String
        public var ruleIndex: Int
        public var level: String
        public var message: Message
        public var locations: [Location]
        /// Skipped findings stay in the log, suppressed with their reason, as SARIF intends.
        public var suppressions: [Suppression]?
    }

    public init(report: ComplianceReport, rules: [ComplianceRule] = RuleCatalog.all, toolVersion: String,
                informationURI: String = "https://github.com/netloom/netloom") {
        let descriptors = rules.map { rule in
            ReportingDescriptor(
                id: rule.id, name: Self.pascalCase(rule.title), shortDescription: Message(text: rule.title),
                fullDescription: Message(text: rule.rationale), help: Message(text: "Fix: \(rule.fix)"),
                defaultConfiguration: .init(level: rule.severity.sarifLevel),
                properties: .init(severity: rule.severity.rawValue, checkov: rule.checkov, trivy: rule.trivy,
                                  tags: ["security", rule.area.lowercased()], securitySeverity: rule.severity.securityScore))
        }
        let index = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($0.element.id, $0.offset) })
        func result(_ finding: Finding, suppression: Result.Suppression?) -> Result {
            Result(ruleId: finding.ruleID, ruleIndex: index[finding.ruleID] ?? -1, level: finding.severity.sarifLevel, message: Message(text: finding.message),
                   locations: [.init(physicalLocation: .init(artifactLocation: .init(uri: Self.uri(finding.location.file)),
                                                             region: .init(startLine: max(1, finding.location.line), startColumn: max(1, finding.location.column))),
                                     logicalLocations: [.init(fullyQualifiedName: finding.address, kind: "resource")])],
                   suppressions: suppression.map { [$0] })
        }
        let results = report.findings.map { result($0, suppression: nil) }
            + report.skipped.map { result($0.finding, suppression: .init(kind: $0.source == .comment ? "inSource" : "external", justification: $0.reason)) }
        runs = [Run(tool: Tool(driver: Driver(name: "netloom", version: toolVersion, informationUri: informationURI, rules: descriptors)), results: results)]
    }

    /// SARIF wants a URI reference: forward slashes, spaces escaped; a relative path stays relative.
    static func uri(_ path: String) -> String {
        var text = path.replacingOccurrences(of: "\\", with: "/")
        if text.hasPrefix("./") { text.removeFirst(2) }
        return text.replacingOccurrences(of: " ", with: "%20")
    }

    static func pascalCase(_ title: String) -> String {
        title.split { !$0.isLetter && !$0.isNumber }.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}

import NetloomModel

/// One difference between AWS and what netloom last applied, with the spec line that owns it.
public struct DriftItem: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// The resource exists, a field differs.
        case modified
        /// The state has it, AWS does not: deleted outside netloom.
        case deleted
        /// A rule, route or entry present in AWS in one of the stack's resources, not in the spec.
        case added
    }

    public var address: String
    public var kind: Kind
    public var field: String
    public var expected: String
    public var actual: String
    public var location: SourceLocation?
}

extension DriftItem {
    static func describe(_ item: ObservedResource) -> String {
        let fields = item.properties.keys.sorted().map { "\($0)=\(item.properties[$0]?.description ?? "")" }
        return ([item.awsID] + fields).joined(separator: " ")
    }
}

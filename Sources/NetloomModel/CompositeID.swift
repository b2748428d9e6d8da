/// An id netloom makes for a resource AWS identifies by several values (a rule by its group,
/// direction and number; an attachment by role and policy): the parts joined with `|`, which
/// no AWS id or name contains.
public struct CompositeID: Sendable, Hashable, CustomStringConvertible {
    public static let separator: Character = "|"

    public let parts: [String]

    public init(_ parts: [String]) { self.parts = parts }
    public init(_ parts: String...) { self.parts = parts }

    /// Splits `a|b|c`; with `maximumParts`, the last part keeps any further separators.
    public init(parsing text: String, maximumParts: Int = .max) {
        parts = text.split(separator: Self.separator, maxSplits: max(maximumParts - 1, 0), omittingEmptySubsequences: false).map(String.init)
    }

    public subscript(index: Int) -> String? { parts.indices.contains(index) ? parts[index] : nil }

    public var description: String { parts.joined(separator: String(Self.separator)) }
}

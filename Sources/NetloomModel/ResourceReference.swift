/// A property that names another resource, written `ref:ADDRESS`; the engine replaces it with
/// that resource's AWS id once the resource exists. `ref:ADDRESS#ATTRIBUTE` stands for another
/// value AWS gave the resource (an FSx file system's `dns_name`), known once it exists.
public struct ResourceReference: Sendable, Hashable, CustomStringConvertible {
    public static let prefix = "ref:"
    /// Separates the attribute; no name or key the spec accepts holds it.
    public static let attributeSeparator: Character = "#"

    public let address: ResourceAddress
    /// `nil`: the AWS id.
    public let attribute: String?

    public init(_ address: ResourceAddress, attribute: String? = nil) {
        self.address = address
        self.attribute = attribute
    }

    /// Reads `ref:ADDRESS` or `ref:ADDRESS#ATTRIBUTE`; `nil` for any other text.
    public init?(parsing text: String) {
        guard text.hasPrefix(Self.prefix) else { return nil }
        var body = Substring(text.dropFirst(Self.prefix.count))
        var attribute: String?
        // Only a lowercase word after the last '#' is an attribute; anything else stays part of the address.
        if let mark = body.lastIndex(of: Self.attributeSeparator) {
            let name = body[body.index(after: mark)...]
            if !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) {
                attribute = String(name)
                body = body[..<mark]
            }
        }
        guard let address = ResourceAddress(parsing: String(body)) else { return nil }
        self.address = address
        self.attribute = attribute
    }

    /// What the engine's table of known values is keyed by: the address, or `ADDRESS#ATTRIBUTE`.
    public var key: String { attribute.map { address.description + String(Self.attributeSeparator) + $0 } ?? address.description }

    public var description: String { Self.prefix + key }

    /// The key of an attribute in the engine's table of known values.
    public static func attributeKey(_ address: String, _ attribute: String) -> String { address + String(attributeSeparator) + attribute }
}

extension PropertyValue {
    /// The property value that refers to `address`.
    public static func reference(_ address: ResourceAddress) -> PropertyValue { .string(ResourceReference(address).description) }

    /// The property value that stands for `attribute` of the resource at `address`.
    public static func reference(_ address: ResourceAddress, attribute: String) -> PropertyValue {
        .string(ResourceReference(address, attribute: attribute).description)
    }

    /// The address this value refers to, when it is a reference.
    public var reference: ResourceAddress? { stringValue.flatMap { ResourceReference(parsing: $0)?.address } }
}

extension ResourceReference {
    /// `${ref:ADDRESS}` (or `${ref:ADDRESS#ATTRIBUTE}`) inside a longer string, such as an ARN
    /// that ends in a subnet's id: the engine replaces each such part once it is known.
    public var embedded: String { "${" + description + "}" }

    /// `text` with every embedded reference replaced by `lookup`'s value; `nil` when one of them
    /// has no value yet. Text without embedded references comes back as it is.
    public static func replacingEmbedded(in text: String, _ lookup: (ResourceReference) -> String?) -> String? {
        let opening = "${" + prefix
        guard firstRange(of: opening, in: Substring(text)) != nil else { return text }
        var result = ""
        var rest = Substring(text)
        while let start = firstRange(of: opening, in: rest) {
            result += rest[..<start.lowerBound]
            let afterOpening = rest[start.lowerBound...].dropFirst(2)
            guard let end = afterOpening.firstIndex(of: "}"), let reference = ResourceReference(parsing: String(afterOpening[..<end])) else {
                // Not a reference after all: kept as written.
                result += rest[start.lowerBound..<start.upperBound]
                rest = rest[start.upperBound...]
                continue
            }
            guard let value = lookup(reference) else { return nil }
            result += value
            rest = afterOpening[afterOpening.index(after: end)...]
        }
        return result + rest
    }
}

extension ResourceReference {
    /// Where `needle` first occurs in `text` (the model has no Foundation).
    static func firstRange(of needle: String, in text: Substring) -> Range<Substring.Index>? {
        guard let first = needle.first else { return nil }
        var index = text.startIndex
        while let candidate = text[index...].firstIndex(of: first) {
            if text[candidate...].hasPrefix(needle) {
                return candidate..<text.index(candidate, offsetBy: needle.count)
            }
            index = text.index(after: candidate)
        }
        return nil
    }
}

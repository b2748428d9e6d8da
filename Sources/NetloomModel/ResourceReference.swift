/// A property that names another resource, written `ref:ADDRESS`; the engine replaces it with
/// that resource's AWS id once the resource exists.
public struct ResourceReference: Sendable, Hashable, CustomStringConvertible {
    public static let prefix = "ref:"

    public let address: ResourceAddress

    public init(_ address: ResourceAddress) { self.address = address }

    /// Reads `ref:ADDRESS`; `nil` for any other text.
    public init?(parsing text: String) {
        guard text.hasPrefix(Self.prefix), let address = ResourceAddress(parsing: String(text.dropFirst(Self.prefix.count))) else { return nil }
        self.address = address
    }

    public var description: String { Self.prefix + address.description }
}

extension PropertyValue {
    /// The property value that refers to `address`.
    public static func reference(_ address: ResourceAddress) -> PropertyValue { .string(ResourceReference(address).description) }

    /// The address this value refers to, when it is a reference.
    public var reference: ResourceAddress? { stringValue.flatMap { ResourceReference(parsing: $0)?.address } }
}

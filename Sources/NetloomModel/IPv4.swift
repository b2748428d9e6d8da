/// An IPv4 address as its 32-bit value.
public struct IPv4Address: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    /// Parses dotted-quad notation strictly: four decimal octets, no leading zeros, no spaces.
    public init?(_ text: some StringProtocol) {
        var octets: [UInt32] = []
        octets.reserveCapacity(4)
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  !(part.count > 1 && part.first == "0"),
                  let octet = UInt32(part), octet <= 255 else { return nil }
            octets.append(octet)
        }
        guard octets.count == 4 else { return nil }
        value = octets[0] << 24 | octets[1] << 16 | octets[2] << 8 | octets[3]
    }

    public var description: String {
        "\(value >> 24 & 0xff).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = IPv4Address(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an IPv4 address: \(text)"))
        }
        self = parsed
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// An IPv4 network in CIDR notation. The base address never has host bits set.
public struct CIDRBlock: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let base: IPv4Address
    public let prefix: Int

    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case syntax(String)
        case hostBitsSet(String, suggestion: CIDRBlock)

        public var description: String {
            switch self {
            case .syntax(let text): "'\(text)' is not an IPv4 CIDR block (expected A.B.C.D/N)"
            case .hostBitsSet(let text, let suggestion): "'\(text)' has host bits set (did you mean '\(suggestion)'?)"
            }
        }
    }

    /// Builds a block, clearing host bits.
    public init(base: IPv4Address, prefix: Int) {
        precondition((0...32).contains(prefix), "prefix out of range")
        self.prefix = prefix
        self.base = IPv4Address(base.value & CIDRBlock.mask(prefix))
    }

    public init(parsing text: String) throws(ParseError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(parts[0]),
              !parts[1].isEmpty, parts[1].count <= 2, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
              let prefix = Int(parts[1]), (0...32).contains(prefix) else {
            throw .syntax(text)
        }
        let block = CIDRBlock(base: address, prefix: prefix)
        guard block.base == address else { throw .hostBitsSet(text, suggestion: block) }
        self = block
    }

    public static func mask(_ prefix: Int) -> UInt32 {
        prefix == 0 ? 0 : UInt32.max << UInt32(32 - prefix)
    }

    /// Number of addresses in the block.
    public var size: UInt64 { UInt64(1) << UInt64(32 - prefix) }
    public var first: UInt32 { base.value }
    public var last: UInt32 { base.value | ~CIDRBlock.mask(prefix) }

    /// Addresses a subnet of this size can hand out: AWS keeps five in every subnet.
    public var usableAddresses: Int { max(0, Int(size) - 5) }

    public func contains(_ address: IPv4Address) -> Bool {
        address.value & CIDRBlock.mask(prefix) == base.value
    }

    public func contains(_ other: CIDRBlock) -> Bool {
        other.prefix >= prefix && contains(other.base)
    }

    public func overlaps(_ other: CIDRBlock) -> Bool {
        contains(other.base) || other.contains(base)
    }

    public var description: String { "\(base)/\(prefix)" }

    public static let anywhere = CIDRBlock(base: IPv4Address(0), prefix: 0)

    public static func < (lhs: CIDRBlock, rhs: CIDRBlock) -> Bool {
        (lhs.base.value, lhs.prefix) < (rhs.base.value, rhs.prefix)
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try CIDRBlock(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

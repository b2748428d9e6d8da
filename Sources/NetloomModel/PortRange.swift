/// An inclusive range of TCP or UDP ports.
public struct PortRange: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let lower: Int
    public let upper: Int

    public static let all = PortRange(0, 65535)

    public init(_ lower: Int, _ upper: Int) {
        precondition(0 <= lower && lower <= upper && upper <= 65535, "invalid port range")
        self.lower = lower
        self.upper = upper
    }

    public init(_ port: Int) { self.init(port, port) }

    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case syntax(String)
        case outOfRange(String)
        case reversed(String)

        public var description: String {
            switch self {
            case .syntax(let text): "'\(text)' is not a port or a port range (expected 443 or \"1024-65535\")"
            case .outOfRange(let text): "port '\(text)' is outside 0-65535"
            case .reversed(let text): "port range '\(text)' ends before it starts"
            }
        }
    }

    public init(parsing text: String) throws(ParseError) {
        let trimmed = text.trimmingASCIISpaces()
        let parts = trimmed.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count),
              parts.allSatisfy({ !$0.isEmpty && $0.count <= 10 && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else {
            throw .syntax(text)
        }
        let numbers = parts.compactMap { Int($0) }
        guard numbers.count == parts.count, numbers.allSatisfy({ (0...65535).contains($0) }) else {
            throw .outOfRange(text)
        }
        let lower = numbers[0], upper = numbers.last!
        guard lower <= upper else { throw .reversed(text) }
        self.init(lower, upper)
    }

    public func contains(_ port: Int) -> Bool { lower <= port && port <= upper }
    public func contains(_ other: PortRange) -> Bool { lower <= other.lower && other.upper <= upper }
    public func overlaps(_ other: PortRange) -> Bool { lower <= other.upper && other.lower <= upper }
    public var count: Int { upper - lower + 1 }

    public var description: String { lower == upper ? "\(lower)" : "\(lower)-\(upper)" }

    public static func < (lhs: PortRange, rhs: PortRange) -> Bool { (lhs.lower, lhs.upper) < (rhs.lower, rhs.upper) }

    /// Ephemeral ranges that return traffic is addressed to (AWS-NOTES.md).
    public static let linuxEphemeral = PortRange(32768, 60999)
    public static let windowsEphemeral = PortRange(49152, 65535)
    public static let awsManagedEphemeral = PortRange(1024, 65535)
}

extension StringProtocol {
    func trimmingASCIISpaces() -> String {
        var slice = Substring(self)
        while slice.first == " " { slice.removeFirst() }
        while slice.last == " " { slice.removeLast() }
        return String(slice)
    }
}

/// The IP protocols a rule can name. `all` is AWS's `-1`.
public enum IPProtocol: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case tcp
    case udp
    case icmp
    case all

    /// Whether rules of this protocol carry ports.
    public var hasPorts: Bool { self == .tcp || self == .udp }

    /// The protocol number AWS uses in its APIs (IANA numbers; -1 for all protocols).
    public var awsNumber: String {
        switch self {
        case .tcp: "6"
        case .udp: "17"
        case .icmp: "1"
        case .all: "-1"
        }
    }

    /// The protocol AWS reports: a number (`6`) or a name (`tcp`), as EC2 answers vary;
    /// `nil` for protocols netloom does not model.
    public init?(awsNumber text: String) {
        switch text.lowercased() {
        case "6", "tcp": self = .tcp
        case "17", "udp": self = .udp
        case "1", "icmp": self = .icmp
        case "-1", "all": self = .all
        default: return nil
        }
    }

    public func matches(_ other: IPProtocol) -> Bool { self == .all || self == other }

    public var description: String { rawValue }
}

import Foundation

/// A JSON value for the JSON 1.1 protocol (CloudWatch Logs, SSM): built by callers, encoded as the
/// request body, and decoded from answers without a `Codable` type per operation.
public enum AWSJSON: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([AWSJSON])
    case object([String: AWSJSON])
    case null

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: AWSJSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, AWSJSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    public subscript(_ key: String) -> AWSJSON {
        if case .object(let members) = self { return members[key] ?? .null }
        return .null
    }

    public var string: String? { if case .string(let value) = self { return value } else { return nil } }
    public var int: Int? { if case .number(let value) = self, value.rounded() == value, abs(value) < 9e15 { return Int(value) } else { return nil } }
    public var double: Double? { if case .number(let value) = self { return value } else { return nil } }
    public var bool: Bool? { if case .bool(let value) = self { return value } else { return nil } }
    public var array: [AWSJSON] { if case .array(let values) = self { return values } else { return [] } }
    public var object: [String: AWSJSON] { if case .object(let members) = self { return members } else { return [:] } }
    public var isNull: Bool { self == .null }

    /// Removes `null` members, so optional parameters can be written inline as `.null`.
    public var compacted: AWSJSON {
        switch self {
        case .object(let members): return .object(members.filter { !$0.value.isNull }.mapValues(\.compacted))
        case .array(let values): return .array(values.map(\.compacted))
        default: return self
        }
    }

    public static func parse(_ bytes: [UInt8]) -> AWSJSON? {
        guard !bytes.isEmpty else { return nil }
        return try? JSONDecoder().decode(AWSJSON.self, from: Data(bytes))
    }

    /// Compact JSON with sorted keys (stable bytes, so signatures and tests are reproducible).
    public func encoded() -> [UInt8] {
        Array(render().utf8)
    }

    private func render() -> String {
        switch self {
        case .string(let value): return Self.quote(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 9e15 { return String(Int64(value)) }
            return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .null: return "null"
        case .array(let values): return "[" + values.map { $0.render() }.joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.keys.sorted().map { Self.quote($0) + ":" + members[$0, default: .null].render() }.joined(separator: ",") + "}"
        }
    }

    private static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let control where control.value < 0x20: out += String(format: "\\u%04x", control.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    public var description: String { render() }
}

extension AWSJSON: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Bool before Double: JSONDecoder refuses to read a number as a Bool, but not the reverse.
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([AWSJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: AWSJSON].self))
        }
    }
}

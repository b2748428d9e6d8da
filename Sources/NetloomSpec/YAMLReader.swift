import NetloomModel
import Yams

/// Reads typed values out of Yams nodes and collects every problem with its location,
/// instead of stopping at the first one.
final class YAMLReader {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []
    /// A spec with thousands of mistakes is garbage; listing them all helps nobody.
    static let diagnosticLimit = 200

    init(file: String) { self.file = file }

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    func location(_ node: Node) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    func error(_ location: SourceLocation, _ message: String) {
        guard diagnostics.count < Self.diagnosticLimit else { return }
        diagnostics.append(Diagnostic(.error, at: location, message))
        if diagnostics.count == Self.diagnosticLimit {
            diagnostics.append(Diagnostic(.error, at: location, "too many errors; stopping here"))
        }
    }

    func error(_ node: Node, _ message: String) { error(location(node), message) }

    static func kind(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            guard scalar.style == .plain || scalar.style == .any else { return "a string" }
            if scalar.isNull { return "nothing (null)" }
            if Double(scalar.string.replacingUnderscores()) != nil { return "a number" }
            if ["true", "false"].contains(scalar.string.lowercased()) { return "a boolean" }
            return "a string"
        }
    }

    /// A mapping's entries with string keys, or `nil` (and an error) when the node is not a mapping.
    func fields(_ node: Node, _ what: String, allowed: [String], required: [String] = []) -> Fields? {
        guard case .mapping(let mapping) = node else {
            error(node, "\(what) must be a mapping, found \(Self.kind(node))")
            return nil
        }
        var result = Fields(location: location(node))
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                error(keyNode, "keys of \(what) must be strings, found \(Self.kind(keyNode))")
                continue
            }
            guard allowed.contains(key.string) else {
                error(keyNode, "unknown key '\(key.string)' in \(what)\(DidYouMean.hint(for: key.string, among: allowed))")
                continue
            }
            result.entries[key.string] = (keyNode, value)
        }
        for key in required where result.entries[key] == nil {
            error(result.location, "\(what) is missing the required key '\(key)'")
        }
        return result
    }

    /// A mapping whose keys are names of things (subnets, groups, ...), in file order.
    func namedEntries(_ node: Node, _ what: String) -> [(name: String, keyNode: Node, value: Node)] {
        guard case .mapping(let mapping) = node else {
            error(node, "\(what) must be a mapping of names, found \(Self.kind(node))")
            return []
        }
        var result: [(String, Node, Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode, !key.isNull else {
                error(keyNode, "names in \(what) must be strings, found \(Self.kind(keyNode))")
                continue
            }
            if key.string.hasPrefix("netloom-") {
                error(keyNode, "'\(key.string)' in \(what): names starting with 'netloom-' are reserved for what netloom adds itself")
            } else if Self.isValidName(key.string) {
                result.append((key.string, keyNode, value))
            } else {
                error(keyNode, "'\(key.string)' is not a valid name in \(what): use lowercase letters, digits and '-', starting with a letter")
            }
        }
        return result
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z"), name.utf8.count <= 63 else { return false }
        return name.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }
    }

    /// Any scalar as text (numbers and booleans too), but not null, lists or mappings.
    func scalarText(_ node: Node, _ what: String) -> String? {
        guard case .scalar(let scalar) = node, !scalar.isNull else {
            error(node, "\(what) must be a value, found \(Self.kind(node))")
            return nil
        }
        return scalar.string
    }

    func string(_ node: Node, _ what: String) -> String? {
        guard case .scalar(let scalar) = node, !scalar.isNull else {
            error(node, "\(what) must be a string, found \(Self.kind(node))")
            return nil
        }
        // Numbers and booleans are accepted as text: a description of `123` is still a description.
        return scalar.string
    }

    func int(_ node: Node, _ what: String, in range: ClosedRange<Int>) -> Int? {
        guard case .scalar(let scalar) = node, !scalar.isNull else {
            error(node, "\(what) must be a whole number, found \(Self.kind(node))")
            return nil
        }
        let text = scalar.string.replacingUnderscores()
        guard !text.isEmpty, text.count <= 19, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }),
              let value = Int(text) else {
            error(node, "\(what) must be a whole number, found '\(scalar.string.prefix(40))'")
            return nil
        }
        guard range.contains(value) else {
            error(node, "\(what) is \(value), outside \(range.lowerBound)-\(range.upperBound)")
            return nil
        }
        return value
    }

    func double(_ node: Node, _ what: String, in range: ClosedRange<Double>) -> Double? {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any,
              let value = Double(scalar.string.replacingUnderscores()), value.isFinite else {
            error(node, "\(what) must be a number, found \(Self.kind(node))")
            return nil
        }
        guard range.contains(value) else {
            error(node, "\(what) is \(scalar.string), outside \(Self.format(range.lowerBound))-\(Self.format(range.upperBound))")
            return nil
        }
        return value
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    func bool(_ node: Node, _ what: String) -> Bool? {
        guard case .scalar(let scalar) = node else {
            error(node, "\(what) must be true or false, found \(Self.kind(node))")
            return nil
        }
        switch scalar.string.lowercased() {
        case "true": return true
        case "false": return false
        default:
            error(node, "\(what) must be true or false, found '\(scalar.string.prefix(40))'")
            return nil
        }
    }

    func list(_ node: Node, _ what: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            error(node, "\(what) must be a list, found \(Self.kind(node))")
            return nil
        }
        return Array(sequence)
    }

    func stringList(_ node: Node, _ what: String) -> [(String, Node)]? {
        guard let items = list(node, what) else { return nil }
        return items.compactMap { item in string(item, "an item of \(what)").map { ($0, item) } }
    }

    func oneOf<T: RawRepresentable & CaseIterable>(_ node: Node, _ what: String, _: T.Type) -> T? where T.RawValue == String {
        guard let text = string(node, what) else { return nil }
        if let value = T(rawValue: text) { return value }
        let options = T.allCases.map(\.rawValue)
        error(node, "\(what) must be one of \(options.joined(separator: ", ")), found '\(text.prefix(40))'\(DidYouMean.hint(for: text, among: options))")
        return nil
    }

    func oneOf(_ node: Node, _ what: String, _ options: [String]) -> String? {
        guard let text = string(node, what) else { return nil }
        if options.contains(text) { return text }
        error(node, "\(what) must be one of \(options.joined(separator: ", ")), found '\(text.prefix(40))'\(DidYouMean.hint(for: text, among: options))")
        return nil
    }

    func cidr(_ node: Node, _ what: String) -> CIDRBlock? {
        guard let text = string(node, what) else { return nil }
        do { return try CIDRBlock(parsing: text) } catch {
            self.error(node, "\(what): \(error.description)")
            return nil
        }
    }

    func ports(_ node: Node, _ what: String) -> PortRange? {
        guard let text = scalarText(node, what) else { return nil }
        do { return try PortRange(parsing: text) } catch {
            self.error(node, "\(what): \(error.description)")
            return nil
        }
    }
}

/// The entries of one YAML mapping by key, each with its key node for locations.
struct Fields {
    var location: SourceLocation
    var entries: [String: (key: Node, value: Node)] = [:]

    subscript(_ key: String) -> Node? { entries[key]?.value }
    func keyNode(_ key: String) -> Node? { entries[key]?.key }
    func has(_ key: String) -> Bool { entries[key] != nil }
}

extension String {
    /// YAML 1.1 allows `1_000` in numbers.
    func replacingUnderscores() -> String { filter { $0 != "_" } }
}

extension Node.Scalar {
    /// The resolved tag (`int`, `bool`, `null`, `str`, ...) of a plain or quoted scalar.
    /// YAML's null (`~`, `null`, or nothing at all), told apart without the regex-based tag resolver.
    var isNull: Bool {
        guard style == .plain || style == .any else { return false }
        switch string {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }
}

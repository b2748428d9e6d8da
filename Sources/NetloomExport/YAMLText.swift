import NetloomModel

/// Writes a `PropertyValue` as block-style YAML: every string double-quoted with JSON's escapes
/// (a YAML double-quoted scalar accepts them), keys in a given order first and then sorted, so
/// the same template is always the same bytes. CloudFormation's intrinsic functions are written
/// in their long form (`Ref:`, `Fn::GetAtt:`), which needs no YAML tags.
enum YAMLText {
    static func render(_ value: PropertyValue, keyOrder: [String] = []) -> String {
        var lines: [String] = []
        let rank = Dictionary(keyOrder.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        emit(value, indent: 0, rank: rank, into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    static func scalar(_ value: PropertyValue) -> String? {
        switch value {
        case .string(let text): return JSONText.quoted(text)
        case .int(let number): return String(number)
        case .double(let number): return number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        case .list(let items) where items.isEmpty: return "[]"
        case .map(let members) where members.isEmpty: return "{}"
        default: return nil
        }
    }

    static func key(_ text: String) -> String {
        let plain = !text.isEmpty && text.first!.isLetter && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == ":" || $0 == "_" || $0 == "-") }
            && !text.hasSuffix(":") && !["true", "false", "null", "yes", "no", "on", "off", "y", "n"].contains(text.lowercased())
        return plain ? text : JSONText.quoted(text)
    }

    static func emit(_ value: PropertyValue, indent: Int, rank: [String: Int], into lines: inout [String]) {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .map(let members):
            let keys = members.keys.sorted { (rank[$0] ?? Int.max, $0) < (rank[$1] ?? Int.max, $1) }
            for name in keys {
                let member = members[name]!
                if let text = scalar(member) {
                    lines.append(pad + key(name) + ": " + text)
                } else {
                    lines.append(pad + key(name) + ":")
                    emit(member, indent: indent + 2, rank: rank, into: &lines)
                }
            }
        case .list(let items):
            for item in items {
                if let text = scalar(item) {
                    lines.append(pad + "- " + text)
                    continue
                }
                var nested: [String] = []
                emit(item, indent: indent + 2, rank: rank, into: &nested)
                if case .map = item, let first = nested.first {
                    // The first member goes on the dash's line.
                    nested[0] = pad + "- " + first.dropFirst(indent + 2)
                    lines.append(contentsOf: nested)
                } else {
                    lines.append(pad + "-")
                    lines.append(contentsOf: nested)
                }
            }
        default:
            lines.append(pad + (scalar(value) ?? "null"))
        }
    }
}

/// The topology as a Mermaid flowchart: the VPC, AZs, tiers and subnets as nested subgraphs,
/// gateways, endpoints and load balancers as nodes, routes as labelled edges.
public struct MermaidRenderer: Sendable {
    public init() {}

    public func render(_ diagram: TopologyDiagram) -> String {
        let outline = DiagramOutline(diagram)
        var lines = ["flowchart TB", "  %% \(Self.comment(outline.title))"]
        for node in outline.top { lines += Self.node(node, indent: "  ") }
        Self.append(outline.root, indent: "  ", to: &lines)
        for edge in outline.edges {
            let arrow = edge.dashed ? "-.->" : "-->"
            lines.append(edge.label.isEmpty ? "  \(edge.from) \(arrow) \(edge.to)" : "  \(edge.from) \(arrow)|\"\(Self.label(edge.label))\"| \(edge.to)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func append(_ group: DiagramOutline.Group, indent: String, to lines: inout [String]) {
        lines.append("\(indent)subgraph \(group.id) [\"\(label(group.label))\"]")
        for node in group.nodes { lines += self.node(node, indent: indent + "  ") }
        for inner in group.groups { append(inner, indent: indent + "  ", to: &lines) }
        lines.append("\(indent)end")
    }

    /// The node, after a comment line with its netloom address (Mermaid comments must stand
    /// on a line of their own).
    static func node(_ node: DiagramOutline.Node, indent: String) -> [String] {
        let text = "\"" + node.lines.map(label).joined(separator: "<br/>") + "\""
        let shaped = switch node.shape {
        case .box: "[\(text)]"
        case .rounded: "(\(text))"
        case .cylinder: "[(\(text))]"
        case .ellipse: "((\(text)))"
        case .note: "[/\(text)/]"
        }
        return ["\(indent)%% \(comment(node.address))", "\(indent)\(node.id)\(shaped)"]
    }

    /// Text inside a quoted Mermaid label: quotes, angle brackets and `#` become Mermaid's
    /// entity codes (`#quot;`), so no spec text can end the label or open markup.
    static func label(_ text: String) -> String {
        var out = ""
        for character in text.unicodeScalars {
            switch character {
            case "\"": out += "#quot;"
            case "#": out += "#35;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "&": out += "#amp;"
            case "|": out += "#124;"
            case "\n", "\r": out += " "
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// A `%%` comment runs to the end of the line: keep it on one line.
    static func comment(_ text: String) -> String {
        String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}

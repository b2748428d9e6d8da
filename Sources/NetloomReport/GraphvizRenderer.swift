/// The topology as a Graphviz `digraph` for `dot -Tsvg`: the VPC, AZs, tiers and subnets as
/// nested clusters, routes as labelled edges. Node ids are generated; each node's netloom
/// address is its `tooltip`.
public struct GraphvizRenderer: Sendable {
    public init() {}

    public func render(_ diagram: TopologyDiagram) -> String {
        let outline = DiagramOutline(diagram)
        var lines = [
            "digraph \(Self.quoted(outline.title)) {",
            "  graph [rankdir=TB, compound=true, fontname=\"Helvetica\", label=\(Self.quoted(outline.title)), labelloc=t];",
            "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\", fontsize=10];",
            "  edge [fontname=\"Helvetica\", fontsize=9];",
        ]
        for node in outline.top { lines.append("  " + Self.node(node)) }
        Self.append(outline.root, depth: 0, indent: "  ", to: &lines)
        for edge in outline.edges {
            var attributes: [String] = []
            if !edge.label.isEmpty { attributes.append("label=\(Self.quoted(edge.label))") }
            if edge.dashed { attributes.append("style=dashed") }
            lines.append("  \(edge.from) -> \(edge.to)" + (attributes.isEmpty ? ";" : " [\(attributes.joined(separator: ", "))];"))
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    static let fills = ["#eef4ff", "#f6f8fa", "#ffffff", "#fffbe6"]

    static func append(_ group: DiagramOutline.Group, depth: Int, indent: String, to lines: inout [String]) {
        // Graphviz draws a subgraph as a box only when its name starts with "cluster".
        lines.append("\(indent)subgraph cluster_\(group.id) {")
        lines.append("\(indent)  label=\(quoted(group.label)); style=\"rounded,filled\"; fillcolor=\"\(fills[min(depth, fills.count - 1)])\";")
        for node in group.nodes { lines.append(indent + "  " + self.node(node)) }
        for inner in group.groups { append(inner, depth: depth + 1, indent: indent + "  ", to: &lines) }
        lines.append("\(indent)}")
    }

    static func node(_ node: DiagramOutline.Node) -> String {
        let shape = switch node.shape {
        case .box: "box"
        case .rounded: "box"
        case .cylinder: "cylinder"
        case .ellipse: "ellipse"
        case .note: "note"
        }
        return "\(node.id) [label=\(quoted(node.lines.joined(separator: "\n"))), shape=\(shape), tooltip=\(quoted(node.address))];"
    }

    /// A DOT quoted string: backslash and quote are escaped, and a newline becomes dot's `\n`
    /// (centred line break), so no spec text can leave the string.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": break
            default: out.append(character)
            }
        }
        return out + "\""
    }
}

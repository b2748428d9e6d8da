import SWXMLHash

/// A parsed XML element that callers walk by name: `node["vpcSet"].items`, `node.text("vpcId")`.
///
/// Namespaces are ignored (AWS puts one on the root), missing children read as an empty node,
/// and lists come as `item` (EC2) or `member` (other Query services) children.
public struct AWSXMLNode: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var attributes: [String: String]
    public var children: [AWSXMLNode]
    /// Text directly inside this element (not its children's), whitespace kept.
    public var ownText: String

    public init(name: String, attributes: [String: String] = [:], children: [AWSXMLNode] = [], text: String = "") {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.ownText = text
    }

    public static let empty = AWSXMLNode(name: "")

    /// Parses a document and returns its root element, or nil when the bytes are not XML with
    /// a root element (an HTML error page parses as nil too, unless it is well-formed XHTML).
    public static func parse(_ bytes: [UInt8]) -> AWSXMLNode? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.drop(while: { $0.isWhitespace }).first == "<" else { return nil }
        let document = XMLHash.config { $0.detectParsingErrors = true }.parse(text)
        if case .parsingError = document { return nil }
        guard let root = document.children.first, let element = root.element else { return nil }
        return convert(element: element, indexer: root)
    }

    private static func convert(element: XMLElement, indexer: XMLIndexer) -> AWSXMLNode {
        var node = AWSXMLNode(name: localName(element.name))
        for attribute in element.allAttributes.values {
            node.attributes[attribute.name] = attribute.text
        }
        for content in element.children {
            if let child = content as? XMLElement {
                node.children.append(convert(element: child, indexer: indexer))
            } else if let text = content as? TextElement {
                node.ownText += text.text
            }
        }
        return node
    }

    private static func localName(_ name: String) -> String {
        name.split(separator: ":").last.map(String.init) ?? name
    }

    /// The first child with that name, or `.empty`.
    public subscript(_ childName: String) -> AWSXMLNode {
        children.first { $0.name == childName } ?? .empty
    }

    /// Follows a path of child names.
    public subscript(path names: String...) -> AWSXMLNode {
        names.reduce(self) { $0[$1] }
    }

    public func all(_ childName: String) -> [AWSXMLNode] {
        children.filter { $0.name == childName }
    }

    public var exists: Bool { !name.isEmpty }

    /// The trimmed text of this element.
    public var text: String { ownText.trimmingWhitespace() }

    /// Trimmed text of a child, nil when absent or empty.
    public func text(_ childName: String) -> String? {
        let value = self[childName].text
        return value.isEmpty ? nil : value
    }

    public func bool(_ childName: String) -> Bool? {
        text(childName).map { $0 == "true" }
    }

    public func int(_ childName: String) -> Int? {
        text(childName).flatMap { Int($0) }
    }

    /// List elements: the `item` children (EC2), else the `member` children (IAM, ELBv2, STS,
    /// CloudWatch).
    public var items: [AWSXMLNode] {
        let itemChildren = all("item")
        return itemChildren.isEmpty ? all("member") : itemChildren
    }

    /// Depth-first search for the first descendant with that name (itself included).
    public func first(named target: String) -> AWSXMLNode? {
        if name == target { return self }
        for child in children {
            if let found = child.first(named: target) { return found }
        }
        return nil
    }

    public var description: String {
        if children.isEmpty { return "<\(name)>\(text)</\(name)>" }
        return "<\(name)>" + children.map(\.description).joined() + "</\(name)>"
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}

import Foundation

/// What a successful answer of one call must look like. A 2xx answer that does not fit is an
/// error naming the endpoint and the action, never data: a login page or a proxy's page with
/// status 200 must not read as "no VPCs" or as a create that returned no id.
public enum AWSExpectedAnswer: Sendable, Hashable {
    /// Any body (S3 GetObject: the object's own bytes).
    case anyBody
    /// An XML document with this root element (Query `<DescribeVpcsResponse>`, S3
    /// `<ListBucketResult>`), or one of `alternatives`.
    case xmlRoot(String, alternatives: [String] = [])
    /// No body, or an XML document (S3 calls that answer nothing, or something they ignore).
    case emptyOrXML
    /// A JSON object; an empty body only where AWS sends none (`allowEmpty`).
    case jsonObject(allowEmpty: Bool)

    /// Nil when `response` fits; otherwise what it was instead, for the message.
    public func mismatch(_ response: AWSHTTPResponse) -> String? {
        // An object's own bytes may well be an HTML page.
        if case .anyBody = self { return nil }
        let text = response.bodyText
        let isBlank = text.allSatisfy(\.isWhitespace)
        if AWSAnswerDescription.isHTML(text) { return AWSAnswerDescription.describe(response) }
        switch self {
        case .anyBody:
            return nil
        case .emptyOrXML:
            if isBlank { return nil }
            guard let root = AWSXMLNode.parse(response.body) else { return AWSAnswerDescription.describe(response) }
            return root.name.lowercased() == "html" ? AWSAnswerDescription.describe(response) : nil
        case .xmlRoot(let expected, let alternatives):
            if isBlank { return AWSAnswerDescription.describe(response) }
            guard let root = AWSXMLNode.parse(response.body) else { return AWSAnswerDescription.describe(response) }
            guard root.name == expected || alternatives.contains(root.name) else {
                return "an XML document <\(root.name)> where <\(expected)> was expected (status \(response.status))"
            }
            return nil
        case .jsonObject(let allowEmpty):
            if isBlank { return allowEmpty ? nil : AWSAnswerDescription.describe(response, expecting: "JSON") }
            guard let json = AWSJSON.parse(response.body), case .object = json else {
                return "a body that is not a JSON object (status \(response.status), \(AWSAnswerDescription.snippet(text)))"
            }
            return nil
        }
    }
}

/// Says in a few words what a foreign answer was: `an HTML page (status 200, title "Sign in")`.
enum AWSAnswerDescription {
    static func isHTML(_ text: String) -> Bool {
        let head = text.prefix(1024).lowercased()
        return head.contains("<html") || head.contains("<!doctype html")
    }

    /// `format` is what the protocol answers in ("XML", "JSON"), named when the body is neither
    /// empty nor a web page.
    static func describe(_ response: AWSHTTPResponse, expecting format: String = "XML") -> String {
        let text = response.bodyText
        if text.allSatisfy(\.isWhitespace) { return "an empty body (status \(response.status))" }
        if isHTML(text) {
            if let title = title(of: text), !title.isEmpty {
                return "an HTML page (status \(response.status), title \"\(title)\")"
            }
            return "an HTML page (status \(response.status))"
        }
        return "a body that is not \(format) (status \(response.status), \(snippet(text)))"
    }

    /// The page's `<title>`, whitespace collapsed and cut short.
    static func title(of text: String) -> String? {
        guard let open = text.range(of: "<title", options: .caseInsensitive),
              let openEnd = text.range(of: ">", range: open.upperBound..<text.endIndex),
              let close = text.range(of: "</title>", options: .caseInsensitive, range: openEnd.upperBound..<text.endIndex)
        else { return nil }
        return shorten(String(text[openEnd.upperBound..<close.lowerBound]), to: 80)
    }

    /// The start of a body, on one line: `starts "hello wor..."`.
    static func snippet(_ text: String) -> String {
        "starts \"\(shorten(text, to: 60))\""
    }

    static func shorten(_ text: String, to limit: Int) -> String {
        let words = text.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).joined(separator: " ")
        return words.count > limit ? String(words.prefix(limit)) + "..." : words
    }
}

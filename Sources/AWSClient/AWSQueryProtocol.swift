import AWSSigV4

/// Parameters of an AWS Query call, kept in insertion order.
///
/// Lists are flattened differently by EC2 (`Name.N`) and the other Query services
/// (`Name.member.N`); `AWSQueryParameters` offers both so each service says which it uses.
public struct AWSQueryParameters: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    public var pairs: [(name: String, value: String)] { storage.map { ($0.name, $0.value) } }
    private var storage: [SigV4Request.QueryItem] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { set(name, value) }
    }

    public subscript(_ name: String) -> String? {
        get { storage.last { $0.name == name }?.value }
        set {
            storage.removeAll { $0.name == name }
            if let newValue { storage.append(.init(name, newValue)) }
        }
    }

    public mutating func set(_ name: String, _ value: String?) {
        self[name] = value
    }

    public mutating func set(_ name: String, _ value: Int?) {
        self[name] = value.map(String.init)
    }

    public mutating func set(_ name: String, _ value: Bool?) {
        self[name] = value.map { $0 ? "true" : "false" }
    }

    public mutating func merge(_ other: AWSQueryParameters) {
        for item in other.storage { self[item.name] = item.value }
    }

    /// EC2 style: `Prefix.1`, `Prefix.2`.
    public mutating func setEC2List(_ prefix: String, _ values: [String]) {
        for (index, value) in values.enumerated() { set("\(prefix).\(index + 1)", value) }
    }

    /// IAM/ELBv2/CloudWatch style: `Prefix.member.1`.
    public mutating func setMemberList(_ prefix: String, _ values: [String]) {
        for (index, value) in values.enumerated() { set("\(prefix).member.\(index + 1)", value) }
    }

    /// EC2 `Filter.N.Name` / `Filter.N.Value.M`.
    public mutating func setFilters(_ filters: [AWSFilter]) {
        for (index, filter) in filters.enumerated() {
            set("Filter.\(index + 1).Name", filter.name)
            for (valueIndex, value) in filter.values.enumerated() {
                set("Filter.\(index + 1).Value.\(valueIndex + 1)", value)
            }
        }
    }

    /// EC2 `TagSpecification.1.ResourceType` plus `TagSpecification.1.Tag.M.Key/Value`, which
    /// tags a resource in the same call that creates it.
    public mutating func setTagSpecification(resourceType: String, tags: [AWSTag]) {
        guard !tags.isEmpty else { return }
        set("TagSpecification.1.ResourceType", resourceType)
        for (index, tag) in tags.enumerated() {
            set("TagSpecification.1.Tag.\(index + 1).Key", tag.key)
            set("TagSpecification.1.Tag.\(index + 1).Value", tag.value)
        }
    }

    /// EC2 `Tag.N.Key` / `Tag.N.Value` (CreateTags, DeleteTags).
    public mutating func setEC2Tags(_ tags: [AWSTag], prefix: String = "Tag") {
        for (index, tag) in tags.enumerated() {
            set("\(prefix).\(index + 1).Key", tag.key)
            set("\(prefix).\(index + 1).Value", tag.value)
        }
    }

    /// `Tags.member.N.Key` / `Tags.member.N.Value` (IAM, ELBv2, CloudWatch).
    public mutating func setMemberTags(_ tags: [AWSTag], prefix: String = "Tags") {
        for (index, tag) in tags.enumerated() {
            set("\(prefix).member.\(index + 1).Key", tag.key)
            set("\(prefix).member.\(index + 1).Value", tag.value)
        }
    }

    var queryItems: [SigV4Request.QueryItem] { storage }

    /// `application/x-www-form-urlencoded` body, encoded with the SigV4 rules (so `%20` for
    /// space, never `+`).
    public var formEncoded: String {
        storage.map { SigV4URIEncoding.encode($0.name) + "=" + SigV4URIEncoding.encode($0.value) }.joined(separator: "&")
    }

    public static func == (lhs: AWSQueryParameters, rhs: AWSQueryParameters) -> Bool { lhs.storage == rhs.storage }
    public func hash(into hasher: inout Hasher) { hasher.combine(storage) }
}

/// A key/value tag, as every service spells it.
public struct AWSTag: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }

    public static func < (lhs: AWSTag, rhs: AWSTag) -> Bool { (lhs.key, lhs.value) < (rhs.key, rhs.value) }

    public var description: String { "\(key)=\(value)" }
}

extension Array where Element == AWSTag {
    /// Tags as a dictionary; a repeated key keeps its last value.
    public var dictionary: [String: String] {
        Dictionary(map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    public func value(_ key: String) -> String? { last { $0.key == key }?.value }
}

/// An EC2/ELBv2 describe filter: `tag:netloom:stack` = `dev`, `vpc-id` = ..., `group-id` = ...
public struct AWSFilter: Sendable, Hashable {
    public var name: String
    public var values: [String]

    public init(_ name: String, _ values: [String]) {
        self.name = name
        self.values = values
    }

    public init(_ name: String, _ value: String) {
        self.init(name, [value])
    }

    /// `tag:<key>` = value.
    public static func tag(_ key: String, _ value: String) -> AWSFilter { AWSFilter("tag:\(key)", value) }
}

/// The AWS Query protocol: form-encoded POST of `Action`, `Version` and parameters; XML answers.
public enum AWSQueryProtocol {
    public static func request(action: String, version: String, parameters: AWSQueryParameters, endpoint: AWSEndpoint) -> (SigV4Request, [UInt8]) {
        var all = AWSQueryParameters()
        all.set("Action", action)
        all.set("Version", version)
        all.merge(parameters)
        let request = SigV4Request(
            method: "POST", host: endpoint.hostHeader, path: endpoint.basePath + "/",
            headers: [.init("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")])
        return (request, Array(all.formEncoded.utf8))
    }

    /// EC2: `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`.
    /// Others: `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
    /// Anything else (an HTML page) is a foreign document.
    public static func parseError(_ response: AWSHTTPResponse) -> AWSErrorDetails {
        guard let root = AWSXMLNode.parse(response.body) else { return .fromStatusOnly(response) }
        let error: AWSXMLNode
        let requestID: String?
        switch root.name {
        case "Response":
            error = root["Errors"]["Error"]
            requestID = root.text("RequestID") ?? root.text("RequestId")
        case "ErrorResponse":
            // moto answers signature failures as <ErrorResponse><Errors><Error>.
            error = root["Error"].exists ? root["Error"] : root["Errors"]["Error"]
            requestID = root.text("RequestId") ?? root.text("RequestID")
        case "Error":
            error = root
            requestID = root.text("RequestId")
        default:
            return .fromStatusOnly(response)
        }
        guard let code = error.text("Code") else { return .fromStatusOnly(response) }
        return AWSErrorDetails(code: code, message: error.text("Message") ?? "", requestID: requestID ?? response.header("x-amzn-requestid"))
    }

    /// The useful part of a non-EC2 answer: `<XResponse><XResult>...`; EC2 answers have no
    /// Result wrapper, so the root is returned.
    public static func result(of root: AWSXMLNode, action: String) -> AWSXMLNode {
        let wrapped = root["\(action)Result"]
        return wrapped.exists ? wrapped : root
    }
}

/// The parts of an HTTP request that Signature Version 4 covers.
///
/// `path` is the path as it goes on the wire (already percent-encoded by the caller, see
/// `SigV4URIEncoding.encodePath`); `query` holds decoded names and values, which the signer encodes
/// with AWS's rules both for the canonical request and for `encodedQuery`, so that what is sent
/// is exactly what was signed.
public struct SigV4Request: Sendable, Hashable, CustomStringConvertible {
    public struct QueryItem: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public struct HeaderField: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public var method: String
    /// Host name, with `:port` when the port is not the scheme's default (it is signed that way).
    public var host: String
    public var path: String
    public var query: [QueryItem]
    public var headers: [HeaderField]

    public init(method: String, host: String, path: String = "/", query: [QueryItem] = [], headers: [HeaderField] = []) {
        self.method = method
        self.host = host
        self.path = path.isEmpty ? "/" : path
        self.query = query
        self.headers = headers
    }

    /// The query string as sent, in the given order, encoded as the canonical request encodes it.
    public var encodedQuery: String {
        query.map { SigV4URIEncoding.encode($0.name) + "=" + SigV4URIEncoding.encode($0.value) }.joined(separator: "&")
    }

    /// `path?query`, for building the URL to send.
    public var pathAndQuery: String {
        query.isEmpty ? path : path + "?" + encodedQuery
    }

    /// All values of a header, case-insensitively.
    public func headerValues(_ name: String) -> [String] {
        let lowered = name.lowercased()
        return headers.filter { $0.name.lowercased() == lowered }.map(\.value)
    }

    public mutating func setHeader(_ name: String, _ value: String) {
        removeHeader(name)
        headers.append(HeaderField(name, value))
    }

    public mutating func removeHeader(_ name: String) {
        let lowered = name.lowercased()
        headers.removeAll { $0.name.lowercased() == lowered }
    }

    /// Shows the request with the Authorization header, the session token and a presigned
    /// signature replaced, so a request can be logged or put into an error.
    public var description: String {
        let shownHeaders = headers.map { field -> String in
            SigV4Redaction.isSensitiveHeader(field.name) ? "\(field.name): <redacted>" : "\(field.name): \(field.value)"
        }
        let shownQuery = query.map { item -> String in
            SigV4Redaction.isSensitiveQueryName(item.name) ? "\(item.name)=<redacted>" : "\(item.name)=\(item.value)"
        }
        let queryPart = shownQuery.isEmpty ? "" : "?" + shownQuery.joined(separator: "&")
        return "\(method) \(host)\(path)\(queryPart) [\(shownHeaders.joined(separator: ", "))]"
    }
}

/// Which header and query names hold credentials or signatures, for redaction anywhere.
public enum SigV4Redaction {
    public static func isSensitiveHeader(_ name: String) -> Bool {
        ["authorization", "x-amz-security-token", "x-amz-s3session-token"].contains(name.lowercased())
    }

    public static func isSensitiveQueryName(_ name: String) -> Bool {
        ["x-amz-signature", "x-amz-security-token", "x-amz-credential"].contains(name.lowercased())
    }
}

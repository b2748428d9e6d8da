/// One HTTP request as the client core hands it to a transport: already signed.
public struct AWSHTTPRequest: Sendable, Hashable, CustomStringConvertible {
    public var method: String
    /// Absolute URL, its path and query already in wire (percent-encoded) form.
    public var url: String
    public var headers: [(name: String, value: String)] {
        get { headerFields.map { ($0.name, $0.value) } }
        set { headerFields = newValue.map { HeaderField(name: $0.name, value: $0.value) } }
    }
    public var body: [UInt8]
    /// The longest this attempt may take, connecting and answering: the core sizes it from the
    /// call's answer timeout and what is left of its deadline. Nil leaves it to the transport.
    public var timeout: Duration?

    struct HeaderField: Sendable, Hashable {
        var name: String
        var value: String
    }
    private var headerFields: [HeaderField]

    public init(method: String, url: String, headers: [(name: String, value: String)], body: [UInt8], timeout: Duration? = nil) {
        self.method = method
        self.url = url
        self.headerFields = headers.map { HeaderField(name: $0.name, value: $0.value) }
        self.body = body
        self.timeout = timeout
    }

    public func headerValue(_ name: String) -> String? {
        headerFields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Method and URL only: headers carry the signature and maybe a session token.
    public var description: String { "\(method) \(AWSRedaction.redactingQuery(url))" }
}

/// Status, headers and the whole body of an answer.
public struct AWSHTTPResponse: Sendable, Hashable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    /// `headers` keys are lower-cased.
    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Sends one request and returns the whole answer, whatever its status.
///
/// Thrown errors are for the exchange itself (connection refused or reset, timeouts) and should
/// be `AWSTransportError` so the retry policy can tell them apart.
public protocol HTTPTransport: Sendable {
    func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse
}

/// Why an HTTP exchange did not produce an answer. `message` is one short line for people
/// (`connection refused`, `connection closed by the server`, `no answer within 30 s`), never a
/// socket library's raw text.
public struct AWSTransportError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable {
        case connectTimeout
        case readTimeout
        case connectionClosed
        case connectionFailed
        case other
    }

    public var reason: Reason
    public var message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var isTimeout: Bool { reason == .connectTimeout || reason == .readTimeout }

    public var description: String { message }

    /// The request never left: no connection was made.
    public var requestWasNotSent: Bool { reason == .connectionFailed || reason == .connectTimeout }

    public static func noAnswer(within limit: Duration) -> AWSTransportError {
        AWSTransportError(.readTimeout, "no answer within \(AWSDurationText.seconds(limit))")
    }

    public static func noConnection(within limit: Duration) -> AWSTransportError {
        AWSTransportError(.connectTimeout, "no connection within \(AWSDurationText.seconds(limit))")
    }

    public static let connectionRefused = AWSTransportError(.connectionFailed, "connection refused")
    public static let connectionClosed = AWSTransportError(.connectionClosed, "connection closed by the server")
}

/// Keeps signatures and tokens out of anything printed.
enum AWSRedaction {
    static let sensitiveQueryNames: Set<String> = ["x-amz-signature", "x-amz-security-token", "x-amz-credential"]

    static func redactingQuery(_ url: String) -> String {
        guard let questionMark = url.firstIndex(of: "?") else { return url }
        let base = url[..<questionMark]
        let pairs = url[url.index(after: questionMark)...].split(separator: "&").map { pair -> String in
            let name = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            return sensitiveQueryNames.contains(name.lowercased()) ? "\(name)=<redacted>" : String(pair)
        }
        return base + "?" + pairs.joined(separator: "&")
    }
}

/// Every failure of an AWS call, whichever the service and protocol.
///
/// The description holds the service, action, status, AWS error code, message and request id;
/// never a header, a signature or a credential (messages come from the service's error body,
/// which AWS does not fill with the caller's secrets).
public struct AWSError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// Rate limited: retried with backoff.
        case throttling
        /// 5xx or a service-side error code: retried.
        case server
        /// The request was wrong or refused (4xx): not retried.
        case client
        /// No answer: connection refused, reset or closed. Retried.
        case transport
        /// No answer in time. Retried.
        case timeout
        /// The endpoint answered something that is not an AWS error document, such as moto's
        /// HTML 500 page for an action it does not implement. Never retried: it will not change.
        case notImplemented
    }

    public var kind: Kind
    public var service: String
    public var action: String
    /// 0 when no HTTP answer arrived.
    public var statusCode: Int
    /// AWS's error code (`InvalidVpcID.NotFound`, `NoSuchBucket`, `ResourceNotFoundException`),
    /// empty when there is none.
    public var code: String
    public var message: String
    public var requestID: String?
    /// Set by the retry policy when an earlier attempt of this call got no answer or a server
    /// error: that attempt may have done the work, and this error may only say so (a conflict
    /// with what it made, or a thing it deleted not being found).
    public var followsUncertainAttempt = false

    public init(kind: Kind, service: String, action: String, statusCode: Int = 0, code: String = "", message: String, requestID: String? = nil) {
        self.kind = kind
        self.service = service
        self.action = action
        self.statusCode = statusCode
        self.code = code
        self.message = message
        self.requestID = requestID
    }

    public var description: String {
        var text = "\(service) \(action) failed"
        if statusCode != 0 { text += " (HTTP \(statusCode))" }
        text += ": "
        if !code.isEmpty { text += "\(code): " }
        text += message
        if let requestID, !requestID.isEmpty { text += " [request id \(requestID)]" }
        if followsUncertainAttempt { text += " (after an earlier attempt that got no answer and may have taken effect)" }
        return text
    }

    /// True for the codes AWS uses for "this thing does not exist" in the services used here,
    /// so a delete or describe can treat it as already gone.
    public var isNotFound: Bool {
        statusCode == 404 || code.hasSuffix(".NotFound") || code.hasSuffix("NotFound") || code.hasPrefix("NoSuch")
            || code == "ResourceNotFoundException" || code == "ParameterNotFound"
    }

    /// Codes services use for a bad or unknown signature or key.
    public var isAuthFailure: Bool {
        ["SignatureDoesNotMatch", "InvalidClientTokenId", "AuthFailure", "InvalidAccessKeyId", "UnrecognizedClientException",
         "IncompleteSignature", "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "ExpiredToken"].contains(code)
    }

    /// Classifies an AWS error answer by its code and status.
    static func kind(statusCode: Int, code: String) -> Kind {
        if AWSRetryPolicy.throttlingCodes.contains(code) || statusCode == 429 { return .throttling }
        if AWSRetryPolicy.serverErrorCodes.contains(code) || statusCode >= 500 { return .server }
        return .client
    }
}

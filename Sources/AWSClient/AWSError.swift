/// Every failure of an AWS call, whichever the service and protocol.
///
/// The description holds the service, action, status, AWS error code, message and request id;
/// never a header, a signature or a credential: the core removes the caller's secrets from
/// whatever the server sent before it makes an `AWSError` (see `AWSSecretRedactor`).
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
        /// The endpoint answered an error status with something that is not an AWS error
        /// document, such as moto's HTML 500 page for an action it does not implement. Never
        /// retried: it will not change.
        case notImplemented
        /// A success status whose body is not the answer the protocol promises (an HTML login
        /// page, an empty body, another action's document), or an answer without a field the
        /// caller needs (a create without the new id). Never retried, and nothing from it is
        /// returned to callers.
        case invalidAnswer
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
    /// with what it made, or a thing it deleted not being found). Never set for read-only calls.
    public var followsUncertainAttempt = false
    /// `scheme://host[:port]` the call went to, when known.
    public var endpoint = ""
    /// True when the answer was not an AWS document at all: `message` then says what it was
    /// (`an HTML page (status 200, title "Sign in")`).
    public var isForeignAnswer = false
    /// How many attempts were made, when more than one.
    public var attempts = 1
    /// Set when a deadline ended the call: why it stopped (the call's own limit or the run's).
    public var deadlineExplanation: String?
    /// True when the request never left (no connection was made): it cannot have done anything.
    public var requestWasNotSent = false
    /// True for `notImplemented` read from a server error page (HTML 500) rather than an AWS
    /// error code: moto answers an action it lacks that way, but also a request it crashed on
    /// (two concurrent EC2 calls can trip it), so the retry policy asks again before believing it.
    public var notImplementedIsGuessed = false

    public init(kind: Kind, service: String, action: String, statusCode: Int = 0, code: String = "", message: String, requestID: String? = nil) {
        self.kind = kind
        self.service = service
        self.action = action
        self.statusCode = statusCode
        self.code = code
        self.message = message
        self.requestID = requestID
    }

    /// A decoded answer lacks a value the caller cannot do without (a create's new id).
    public static func missingField(_ field: String, service: String, action: String) -> AWSError {
        AWSError(kind: .invalidAnswer, service: service, action: action, statusCode: 200,
                 message: "the answer has no \(field); nothing can be recorded for it")
    }

    /// `value` when present and not empty; otherwise `missingField`. For the ids a create
    /// returns: an empty one must never be recorded as the resource's id.
    @discardableResult
    public static func require(_ value: String?, field: String, service: String, action: String) throws -> String {
        guard let value, !value.trimmingWhitespace().isEmpty else { throw missingField(field, service: service, action: action) }
        return value
    }

    public var description: String {
        var text: String
        if isForeignAnswer {
            text = "\(service) \(action): \(endpoint.isEmpty ? "the endpoint" : endpoint) answered with \(message), not an AWS answer"
        } else {
            text = "\(service) \(action) failed"
            if statusCode != 0 { text += " (HTTP \(statusCode))" }
            text += ": "
            if !code.isEmpty { text += "\(code): " }
            text += message
            if (kind == .transport || kind == .timeout), !endpoint.isEmpty {
                text += " (\(endpoint)\(attempts > 1 ? ", \(attempts) attempts" : ""))"
            }
        }
        if let requestID, !requestID.isEmpty { text += " [request id \(requestID)]" }
        if let deadlineExplanation { text += "; \(deadlineExplanation)" }
        if followsUncertainAttempt { text += " (after an earlier attempt that got no answer and may have taken effect)" }
        return text
    }

    /// One short phrase for a retry line: `connection refused`, `RequestLimitExceeded`,
    /// `HTTP 503`.
    public var shortReason: String {
        if !code.isEmpty { return code }
        switch kind {
        case .transport, .timeout: return message
        default: return statusCode != 0 ? "HTTP \(statusCode)" : kind.rawValue
        }
    }

    /// True for the codes AWS uses for "this thing does not exist" in the services used here,
    /// so a delete or describe can treat it as already gone.
    /// A conditional write whose condition did not hold (S3's `If-None-Match`/`If-Match`).
    public var isPreconditionFailed: Bool {
        statusCode == 412 || code == "PreconditionFailed" || code == "ConditionalRequestConflict"
    }

    public var isNotFound: Bool {
        guard !isForeignAnswer else { return false }
        if statusCode == 404 || code.hasSuffix(".NotFound") || code.hasSuffix("NotFound") || code.hasPrefix("NoSuch")
            || code.hasSuffix("NotFoundException") || code == "ResourceNotFoundException" || code == "ParameterNotFound" {
            return true
        }
        // Auto Scaling has no not-found code: a missing group or policy is a `ValidationError`
        // whose message says so ("AutoScalingGroup name not found - ...", "Policy ... not found").
        if service == "autoscaling" && code == "ValidationError" && message.lowercased().contains("not found") { return true }
        // SageMaker names a missing HyperPod cluster `ResourceNotFound` (caught above); moto
        // 5.2.1 answers `ValidationException` "Could not find cluster 'x'." instead (and the
        // same for a missing node or a tagged resource).
        return service == "sagemaker" && code == "ValidationException" && message.lowercased().contains("could not find")
    }

    /// The endpoint does not implement this operation (moto's HTML 500 page for an unknown
    /// action, its HTML 404 for an unknown REST route such as EKS add-ons, or AWS's
    /// `UnknownOperationException`): it will not change on a retry.
    public var isNotImplemented: Bool { kind == .notImplemented }

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

import AWSSigV4
import Foundation
import Logging

/// What every service client shares: transport, credentials, region, endpoints, retry policy
/// and logger. A value passed to each service client; nothing global.
public struct AWSClientCore: Sendable, CustomStringConvertible {
    public var transport: any HTTPTransport
    public var credentials: AWSCredentials
    public var region: String
    public var endpoints: AWSEndpointResolver
    public var retry: AWSRetryPolicy
    public var logger: Logger
    /// The signing time source; injected so tests can fix it.
    public var now: @Sendable () -> Date
    public var userAgent: String
    /// How long each attempt waits for its answer, and each call in all.
    public var timeouts: AWSCallTimeouts
    /// The end of the whole run (`--timeout`): every call's deadline is the earlier of its own
    /// and this one.
    public var runDeadline: AWSRunDeadline?
    /// Told of every attempt (call counting); nil for none.
    public var observer: (any AWSCallObserver)?
    /// Told before each retry, so a command can show that it is waiting and why.
    public var onRetry: (@Sendable (AWSRetryNotice) -> Void)?

    public init(
        transport: any HTTPTransport,
        credentials: AWSCredentials,
        region: String,
        endpoints: AWSEndpointResolver = AWSEndpointResolver(environment: [:]),
        retry: AWSRetryPolicy = AWSRetryPolicy(),
        logger: Logger = Logger(label: "netloom.aws"),
        now: @escaping @Sendable () -> Date = { Date() },
        userAgent: String = "netloom/0.1",
        timeouts: AWSCallTimeouts = AWSCallTimeouts(),
        runDeadline: AWSRunDeadline? = nil,
        observer: (any AWSCallObserver)? = nil,
        onRetry: (@Sendable (AWSRetryNotice) -> Void)? = nil
    ) {
        self.transport = transport
        self.credentials = credentials
        self.region = region
        self.endpoints = endpoints
        self.retry = retry
        self.logger = logger
        self.now = now
        self.userAgent = userAgent
        self.timeouts = timeouts
        self.runDeadline = runDeadline
        self.observer = observer
        self.onRetry = onRetry
    }

    /// Every service at one URL (moto, LocalStack): the same as `AWS_ENDPOINT_URL=<url>`.
    public init(transport: any HTTPTransport, credentials: AWSCredentials, region: String, endpointURL: String,
                retry: AWSRetryPolicy = AWSRetryPolicy(), logger: Logger = Logger(label: "netloom.aws")) {
        self.init(transport: transport, credentials: credentials, region: region,
                  endpoints: AWSEndpointResolver(environment: ["AWS_ENDPOINT_URL": endpointURL]), retry: retry, logger: logger)
    }

    public var description: String { "AWSClientCore(region: \(region), credentials: \(credentials))" }

    /// Removes this core's secret key and session token from text (signatures are added per
    /// request where the core builds its errors).
    public var redactor: AWSSecretRedactor { AWSSecretRedactor(credentials: credentials) }

    public enum SetupError: Error, Sendable, Hashable, CustomStringConvertible {
        case noCredentials(profile: String)
        case noRegion(profile: String)

        public var description: String {
            switch self {
            case .noCredentials(let profile):
                return "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or configure profile '\(profile)' in ~/.aws/credentials"
            case .noRegion(let profile):
                return "no AWS region: set AWS_REGION, or `region` for profile '\(profile)' in ~/.aws/config"
            }
        }
    }

    /// Credentials, region and endpoints the way the AWS CLI finds them, from an injected
    /// environment and file reader (`--profile` as `profile`, `--region` as `region`).
    public static func resolve(
        environment: [String: String],
        readFile: @escaping AWSConfigurationResolver.FileReader,
        profile: String? = nil,
        region explicitRegion: String? = nil,
        transport: any HTTPTransport,
        retry: AWSRetryPolicy = AWSRetryPolicy(),
        logger: Logger = Logger(label: "netloom.aws")
    ) throws -> AWSClientCore {
        let resolved = try AWSConfigurationResolver(environment: environment, readFile: readFile).resolve(profile: profile)
        guard let credentials = resolved.credentials?.credentials else { throw SetupError.noCredentials(profile: resolved.profile) }
        guard let region = explicitRegion ?? resolved.region else { throw SetupError.noRegion(profile: resolved.profile) }
        return AWSClientCore(transport: transport, credentials: credentials, region: region,
                             endpoints: AWSEndpointResolver(environment: environment), retry: retry, logger: logger)
    }

    public func endpoint(for service: AWSService) throws -> AWSEndpoint {
        try endpoints.endpoint(for: service, region: region)
    }

    /// Signs `request` for `service` (re-signed on every attempt, so a retry carries a fresh
    /// date), sends it with the retry policy within the call's deadline, and returns a 2xx
    /// answer that fits `expect`; anything else becomes an `AWSError` (what `parseError` makes
    /// of an error answer), with the caller's secrets and the request's signature removed.
    ///
    /// `request.host` and `request.path` are the wire values for `endpoint` (including its base
    /// path); the signer adds the date, token, payload hash and Authorization headers.
    public func send(
        service: AWSService,
        action: String,
        request: SigV4Request,
        body: [UInt8],
        endpoint: AWSEndpoint,
        expect: AWSExpectedAnswer = .anyBody,
        acceptStatus: (Int) -> Bool = { (200..<300).contains($0) },
        parseError: @Sendable (AWSHTTPResponse) -> AWSErrorDetails
    ) async throws -> AWSHTTPResponse {
        let signer = SigV4Signer(credentials: credentials, region: endpoint.signingRegion, service: service.signingName)
        let call = AWSCall(service: service.signingName, action: action, method: request.method)
        let origin = "\(endpoint.scheme)://\(endpoint.hostHeader)"
        let clock = retry.now
        let started = clock()
        let deadline = AWSCallDeadline.earliest(start: started, callLimit: timeouts.call, run: runDeadline)
        var callLogger = logger
        callLogger[metadataKey: "aws.service"] = "\(service.signingName)"
        callLogger[metadataKey: "aws.action"] = "\(action)"
        if let resource = AWSCallContext.resource { callLogger[metadataKey: "resource"] = "\(resource)" }
        let logger = callLogger
        let baseRedactor = redactor
        let onRetry = self.onRetry
        let maxAttempts = retry.maxAttempts
        do {
            let response = try await retry.run(readOnly: call.isReadOnly, deadline: deadline, { attempt in
                var unsigned = request
                unsigned.setHeader("User-Agent", userAgent)
                let signed = signer.sign(unsigned, payload: .bytes(body), date: now())
                var redactor = baseRedactor
                if let signature = signed.headerValues("Authorization").first?.components(separatedBy: "Signature=").last {
                    redactor.add(signature)
                }
                let remaining = deadline.instant - clock()
                guard remaining > .zero else {
                    var error = AWSError(kind: .timeout, service: call.service, action: action, message: "no time left to send it")
                    error.endpoint = origin
                    error.requestWasNotSent = true
                    throw error
                }
                let outgoing = AWSHTTPRequest(
                    method: signed.method, url: endpoint.url(pathAndQuery: signed.pathAndQuery),
                    headers: signed.headers.filter { $0.name.lowercased() != "host" }.map { ($0.name, $0.value) }, body: body,
                    timeout: min(timeouts.answer(for: call), remaining))
                let attemptStarted = clock()
                observer?.attemptStarted(call)
                let response: AWSHTTPResponse
                do {
                    response = try await transport.send(outgoing)
                } catch let error as AWSTransportError {
                    observer?.attemptEnded(call, outcome: error.requestWasNotSent ? .notConnected : .answerLost)
                    var failure = AWSError(kind: error.isTimeout ? .timeout : .transport, service: call.service, action: action,
                                           message: redactor.redact(error.message))
                    failure.endpoint = origin
                    failure.requestWasNotSent = error.requestWasNotSent
                    throw failure
                } catch is CancellationError {
                    observer?.attemptEnded(call, outcome: .answerLost)
                    throw CancellationError()
                } catch let error as AWSError {
                    observer?.attemptEnded(call, outcome: .answerLost)
                    throw error
                } catch {
                    observer?.attemptEnded(call, outcome: .answerLost)
                    var failure = AWSError(kind: .transport, service: call.service, action: action,
                                           message: redactor.redact(AWSAnswerDescription.shorten(String(describing: error), to: 120)))
                    failure.endpoint = origin
                    throw failure
                }
                observer?.attemptEnded(call, outcome: .answered(status: response.status))
                logger.debug("aws call attempt", metadata: [
                    "aws.attempt": "\(attempt)", "http.status": "\(response.status)",
                    "duration_ms": "\(Self.milliseconds(clock() - attemptStarted))",
                ])
                if acceptStatus(response.status), expect.mismatch(response) == nil { return response }
                // Errors are made from the answer with the secrets taken out first, before any
                // part of it is cut short for a message (a cut token would no longer match).
                let visible = AWSHTTPResponse(status: response.status, headers: response.headers.mapValues(redactor.redact),
                                              body: Array(redactor.redact(response.bodyText).utf8))
                if acceptStatus(response.status) {
                    let requestID = visible.header("x-amzn-requestid") ?? visible.header("x-amz-request-id")
                    var failure = AWSError(kind: .invalidAnswer, service: call.service, action: action, statusCode: response.status,
                                           message: redactor.redact(expect.mismatch(visible) ?? AWSAnswerDescription.describe(visible)),
                                           requestID: requestID)
                    failure.endpoint = origin
                    failure.isForeignAnswer = true
                    throw failure
                }
                var failure = parseError(visible).makeError(service: call.service, action: action, statusCode: response.status)
                failure.endpoint = origin
                failure.message = redactor.redact(failure.message)
                failure.code = redactor.redact(failure.code)
                failure.requestID = failure.requestID.map(redactor.redact)
                throw failure
            }, onRetry: { attempt, error, delay in
                logger.debug("aws call retry", metadata: [
                    "aws.attempt": "\(attempt)", "aws.error": "\(error.code.isEmpty ? error.kind.rawValue : error.code)",
                    "delay_ms": "\(Self.milliseconds(delay))",
                ])
                onRetry?(AWSRetryNotice(call: call, reason: error.shortReason, nextAttempt: attempt + 1, maxAttempts: maxAttempts, delay: delay))
            })
            logger.debug("aws call done", metadata: ["duration_ms": "\(Self.milliseconds(clock() - started))"])
            return response
        } catch let error as AWSError {
            logger.debug("aws call failed", metadata: [
                "aws.error": "\(error.code.isEmpty ? error.kind.rawValue : error.code)",
                "duration_ms": "\(Self.milliseconds(clock() - started))",
            ])
            throw error
        }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}

/// An error answer as a protocol's parser reads it, before service/action/status are attached.
public struct AWSErrorDetails: Sendable, Hashable {
    public var code: String
    public var message: String
    public var requestID: String?
    /// Set when the answer is not an AWS error document at all (HTML page, garbage).
    public var isForeignDocument: Bool
    /// Set when the answer says the endpoint has no such operation (REST-JSON: no route for the
    /// method and path): the error is then `.notImplemented`, whatever its status.
    public var isUnknownOperation = false

    public init(code: String, message: String, requestID: String? = nil, isForeignDocument: Bool = false) {
        self.code = code
        self.message = message
        self.requestID = requestID
        self.isForeignDocument = isForeignDocument
    }

    public func makeError(service: String, action: String, statusCode: Int) -> AWSError {
        let kind: AWSError.Kind
        if isUnknownOperation || (isForeignDocument && statusCode >= 500) {
            kind = .notImplemented
        } else {
            kind = AWSError.kind(statusCode: statusCode, code: code)
        }
        var error = AWSError(kind: kind, service: service, action: action, statusCode: statusCode, code: code, message: message, requestID: requestID)
        error.isForeignAnswer = isForeignDocument
        error.notImplementedIsGuessed = kind == .notImplemented && !isUnknownOperation
        return error
    }

    /// For answers without a parseable error document: HTML pages, empty bodies (S3 HEAD).
    static func fromStatusOnly(_ response: AWSHTTPResponse, expecting format: String = "XML") -> AWSErrorDetails {
        let text = response.bodyText.trimmingWhitespace()
        let requestID = response.header("x-amzn-requestid") ?? response.header("x-amz-request-id")
        if text.isEmpty {
            let code: String
            switch response.status {
            case 301: code = "PermanentRedirect"
            case 400: code = "BadRequest"
            case 403: code = "Forbidden"
            case 404: code = "NotFound"
            case 409: code = "Conflict"
            case 429: code = "TooManyRequestsException"
            case 500: code = "InternalError"
            case 503: code = "ServiceUnavailable"
            default: code = "HTTP\(response.status)"
            }
            return AWSErrorDetails(code: code, message: "HTTP \(response.status) with an empty body", requestID: requestID)
        }
        // Keep the message short and free of markup: an HTML page's <title> says enough.
        return AWSErrorDetails(code: "", message: AWSAnswerDescription.describe(response, expecting: format), requestID: requestID, isForeignDocument: true)
    }
}

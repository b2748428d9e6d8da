import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `HTTPTransport` over AsyncHTTPClient.
///
/// Either wraps an `HTTPClient` the caller owns (and shuts down), or owns one made with the given
/// timeouts, in which case `shutdown()` must be awaited before the transport is dropped
/// (AsyncHTTPClient asserts on a client that is deinitialised while still running).
public final class AsyncHTTPClientTransport: HTTPTransport {
    public let httpClient: HTTPClient
    private let ownsClient: Bool
    /// Upper bound for one whole exchange, on top of the client's connect and read timeouts.
    public let requestTimeout: TimeAmount
    /// Larger answers are refused rather than buffered without limit.
    public let maximumBodyBytes: Int
    /// For messages: the client's connect and read (idle) timeouts.
    let connectTimeout: TimeAmount
    let readTimeout: TimeAmount?

    public init(httpClient: HTTPClient, requestTimeout: TimeAmount = .seconds(120), maximumBodyBytes: Int = 64 << 20) {
        self.httpClient = httpClient
        self.ownsClient = false
        self.requestTimeout = requestTimeout
        self.maximumBodyBytes = maximumBodyBytes
        // Only for messages: the caller's client keeps its own settings.
        self.connectTimeout = .seconds(10)
        self.readTimeout = nil
    }

    /// Owns a new `HTTPClient`; call `shutdown()` when done.
    ///
    /// A refused connection fails at once (AsyncHTTPClient would otherwise keep reconnecting
    /// until `connectTimeout`, silently, on every attempt): the client core's retry policy
    /// retries it with backoff and says so.
    public init(connectTimeout: TimeAmount = .seconds(5), readTimeout: TimeAmount = .seconds(60),
                requestTimeout: TimeAmount = .seconds(120), maximumBodyBytes: Int = 64 << 20) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: connectTimeout, read: readTimeout)
        configuration.connectionPool.retryConnectionEstablishment = false
        // AWS answers redirects for S3 with a 301 and an error body naming the right region;
        // following it would re-send a request signed for another host.
        configuration.redirectConfiguration = .disallow
        self.httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.ownsClient = true
        self.requestTimeout = requestTimeout
        self.maximumBodyBytes = maximumBodyBytes
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
    }

    /// Shuts the owned client down; does nothing for a client passed in.
    public func shutdown() async throws {
        if ownsClient {
            try await httpClient.shutdown()
        }
    }

    public func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers {
            outgoing.headers.add(name: name, value: value)
        }
        if !request.body.isEmpty || request.method == "POST" || request.method == "PUT" {
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        // The request's own limit (sized by the core per attempt) when it is the tighter one.
        var limit = requestTimeout
        if let timeout = request.timeout {
            let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
            limit = min(limit, .nanoseconds(max(nanoseconds, 1_000_000)))
        }
        do {
            let response = try await httpClient.execute(outgoing, timeout: limit)
            var headers: [String: String] = [:]
            for header in response.headers {
                let name = header.name.lowercased()
                headers[name] = headers[name].map { $0 + "," + header.value } ?? header.value
            }
            let body = try await response.body.collect(upTo: maximumBodyBytes)
            return AWSHTTPResponse(status: Int(response.status.code), headers: headers, body: Array(buffer: body))
        } catch let error as HTTPClientError {
            throw transportError(error, limit: limit)
        } catch let error as AWSTransportError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw Self.transportError(other: error, connectTimeout: connectTimeout)
        }
    }

    /// NIO socket errors: a reset or closed connection (the request may have reached the
    /// server) versus a connection that never opened. Messages are short phrases of ours:
    /// NIO's own text (`Connection refused) (errno: 111)`) is not for people.
    static func transportError(other error: any Error, connectTimeout: TimeAmount = .seconds(5)) -> AWSTransportError {
        let text = String(describing: error).lowercased()
        if let channelError = error as? ChannelError {
            switch channelError {
            case .connectTimeout: return .noConnection(within: duration(connectTimeout))
            case .ioOnClosedChannel, .eof, .alreadyClosed, .outputClosed, .inputClosed: return .connectionClosed
            default: return AWSTransportError(.other, "connection failed (\(channelError))")
            }
        }
        if let ioError = error as? IOError {
            switch ioError.errnoCode {
            case ECONNRESET, EPIPE, ECONNABORTED: return AWSTransportError(.connectionClosed, "connection reset by the server")
            case ECONNREFUSED: return .connectionRefused
            case EHOSTUNREACH, ENETUNREACH: return AWSTransportError(.connectionFailed, "host unreachable")
            case ETIMEDOUT: return .noConnection(within: duration(connectTimeout))
            default: return AWSTransportError(.other, "connection failed (errno \(ioError.errnoCode))")
            }
        }
        // Connection attempts to every resolved address failed (NIOPosix's NIOConnectionError,
        // which lists refusals per address).
        if String(describing: type(of: error)).contains("ConnectionError") {
            if text.contains("refused") { return .connectionRefused }
            if text.contains("unreachable") { return AWSTransportError(.connectionFailed, "host unreachable") }
            if text.contains("resolve") || text.contains("dns") { return AWSTransportError(.connectionFailed, "host name not found") }
            return AWSTransportError(.connectionFailed, "could not connect")
        }
        return AWSTransportError(.other, "transport failure (\(type(of: error)))")
    }

    func transportError(_ error: HTTPClientError, limit: TimeAmount) -> AWSTransportError {
        switch error {
        case .connectTimeout: return .noConnection(within: Self.duration(connectTimeout))
        case .readTimeout: return .noAnswer(within: Self.duration(readTimeout.map { min($0, limit) } ?? limit))
        case .deadlineExceeded, .getConnectionFromPoolTimeout: return .noAnswer(within: Self.duration(limit))
        case .remoteConnectionClosed: return .connectionClosed
        case .cancelled: return AWSTransportError(.other, "request cancelled")
        default: return AWSTransportError(.other, "HTTP failure (\(error.shortDescription))")
        }
    }

    static func duration(_ amount: TimeAmount) -> Duration {
        .nanoseconds(amount.nanoseconds)
    }
}

extension HTTPClientError {
    /// AsyncHTTPClient's error names are short and hold no request data.
    var shortDescription: String {
        String(describing: self).replacingOccurrences(of: "HTTPClientError.", with: "")
    }
}

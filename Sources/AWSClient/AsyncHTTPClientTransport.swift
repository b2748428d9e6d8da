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

    public init(httpClient: HTTPClient, requestTimeout: TimeAmount = .seconds(120), maximumBodyBytes: Int = 64 << 20) {
        self.httpClient = httpClient
        self.ownsClient = false
        self.requestTimeout = requestTimeout
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// Owns a new `HTTPClient`; call `shutdown()` when done.
    public init(connectTimeout: TimeAmount = .seconds(10), readTimeout: TimeAmount = .seconds(60),
                requestTimeout: TimeAmount = .seconds(120), maximumBodyBytes: Int = 64 << 20) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: connectTimeout, read: readTimeout)
        // AWS answers redirects for S3 with a 301 and an error body naming the right region;
        // following it would re-send a request signed for another host.
        configuration.redirectConfiguration = .disallow
        self.httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.ownsClient = true
        self.requestTimeout = requestTimeout
        self.maximumBodyBytes = maximumBodyBytes
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
        do {
            let response = try await httpClient.execute(outgoing, timeout: requestTimeout)
            var headers: [String: String] = [:]
            for header in response.headers {
                let name = header.name.lowercased()
                headers[name] = headers[name].map { $0 + "," + header.value } ?? header.value
            }
            let body = try await response.body.collect(upTo: maximumBodyBytes)
            return AWSHTTPResponse(status: Int(response.status.code), headers: headers, body: Array(buffer: body))
        } catch let error as HTTPClientError {
            throw Self.transportError(error)
        } catch let error as AWSTransportError {
            throw error
        } catch {
            throw Self.transportError(other: error)
        }
    }

    /// NIO socket errors: a reset or closed connection (the request may have reached the
    /// server) versus a connection that never opened. Their text names the errno or the
    /// address, never the request's headers.
    static func transportError(other error: any Error) -> AWSTransportError {
        let text = String(describing: error)
        if let channelError = error as? ChannelError {
            switch channelError {
            case .connectTimeout: return AWSTransportError(.connectTimeout, "connect timed out")
            case .ioOnClosedChannel, .eof, .alreadyClosed, .outputClosed, .inputClosed:
                return AWSTransportError(.connectionClosed, text)
            default: return AWSTransportError(.other, text)
            }
        }
        if let ioError = error as? IOError {
            switch ioError.errnoCode {
            case ECONNRESET, EPIPE, ECONNABORTED: return AWSTransportError(.connectionClosed, text)
            case ECONNREFUSED, EHOSTUNREACH, ENETUNREACH: return AWSTransportError(.connectionFailed, text)
            case ETIMEDOUT: return AWSTransportError(.connectTimeout, text)
            default: return AWSTransportError(.other, text)
            }
        }
        // Connection attempts to every resolved address failed (NIOPosix's NIOConnectionError,
        // which lists refusals per address).
        if String(describing: type(of: error)).contains("ConnectionError") {
            return AWSTransportError(.connectionFailed, text)
        }
        return AWSTransportError(.other, text)
    }

    static func transportError(_ error: HTTPClientError) -> AWSTransportError {
        switch error {
        case .connectTimeout: return AWSTransportError(.connectTimeout, "connect timed out")
        case .readTimeout, .deadlineExceeded: return AWSTransportError(.readTimeout, "read timed out")
        case .remoteConnectionClosed: return AWSTransportError(.connectionClosed, "connection closed by peer")
        default: return AWSTransportError(.other, String(describing: error))
        }
    }
}

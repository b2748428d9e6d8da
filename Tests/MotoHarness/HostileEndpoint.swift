import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP endpoint on 127.0.0.1 that is not AWS and misbehaves in one way, for checking that
/// netloom fails clearly, in bounded time, and without printing a secret.
public final class HostileEndpoint: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        /// Every request gets a login page (well-formed XHTML) with status 200, as a captive
        /// portal or a single-sign-on proxy answers.
        case loginPage
        /// Connections are accepted and requests read, but nothing is ever answered.
        case silent
        /// Every connection is closed as soon as it is accepted.
        case closeAtOnce
        /// Every request gets a 403 whose body echoes the request line and headers (signature
        /// and session token included), as some debugging proxies do.
        case echoForbidden
    }

    public let mode: Mode
    public let port: Int
    public var endpointURL: String { "http://127.0.0.1:\(port)" }

    private let serverChannel: any Channel
    private let connections: NIOLockedValueBox<[any Channel]>

    /// Everything runs on NIO's event loops, never on the Swift concurrency pool: a test that
    /// blocks pool threads while a subprocess runs must not starve the server, which would turn
    /// "closes at once" into "never answers".
    public init(mode: Mode) async throws {
        self.mode = mode
        let connections = NIOLockedValueBox<[any Channel]>([])
        self.connections = connections
        serverChannel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                if mode == .closeAtOnce { return channel.close() }
                connections.withLockedValue { $0.append(channel) }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(HostileHandler(mode: mode))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = serverChannel.localAddress?.port ?? 0
    }

    /// Closes the listening socket and every connection still open.
    public func stop() async {
        try? await serverChannel.close()
        for connection in connections.withLockedValue({ $0 }) {
            try? await connection.close()
        }
    }

    /// Runs `body` with a fresh endpoint and stops it afterwards, whatever `body` does.
    public static func with<Result>(_ mode: Mode, _ body: (HostileEndpoint) async throws -> Result) async throws -> Result {
        let endpoint = try await HostileEndpoint(mode: mode)
        do {
            let result = try await body(endpoint)
            await endpoint.stop()
            return result
        } catch {
            await endpoint.stop()
            throw error
        }
    }

    static let loginPage = """
        <html><head><title>Sign in</title></head><body><form action="/login" method="post"><p>Sign in to continue</p>\
        <input name="user"/><input name="password" type="password"/></form></body></html>
        """

    /// The request as received: the token and the signature first, so they would be in any
    /// shortened message too.
    static func echo(_ request: HTTPRequestHead) -> String {
        var lines = ["Forbidden. You sent:"]
        for name in ["x-amz-security-token", "authorization"] {
            for value in request.headers[name] { lines.append("\(name): \(value)") }
        }
        lines.append("\(request.method) \(request.uri)")
        for (name, value) in request.headers { lines.append("\(name): \(value)") }
        return lines.joined(separator: "\n")
    }

}

/// Answers each complete request as the endpoint's mode says (or not at all).
private final class HostileHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let mode: HostileEndpoint.Mode
    private var head: HTTPRequestHead?

    init(mode: HostileEndpoint.Mode) {
        self.mode = mode
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
        case .body:
            break
        case .end:
            guard let request = head else { return }
            switch mode {
            case .silent, .closeAtOnce:
                break
            case .loginPage:
                respond(context, status: .ok, contentType: "text/html; charset=utf-8", body: HostileEndpoint.loginPage)
            case .echoForbidden:
                respond(context, status: .forbidden, contentType: "text/plain", body: HostileEndpoint.echo(request))
            }
        }
    }

    private func respond(_ context: ChannelHandlerContext, status: HTTPResponseStatus, contentType: String, body: String) {
        let buffer = context.channel.allocator.buffer(string: body)
        let headers = HTTPHeaders([("content-type", contentType), ("content-length", String(buffer.readableBytes))])
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

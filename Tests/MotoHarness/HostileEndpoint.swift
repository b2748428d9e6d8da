import Foundation
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
    private let serving: Task<Void, Never>

    public init(mode: Mode) async throws {
        self.mode = mode
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        serverChannel = server.channel
        port = server.channel.localAddress?.port ?? 0
        serving = Task {
            try? await server.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in connections {
                            group.addTask { await Self.serve(connection, mode: mode) }
                        }
                    } catch {
                        // The listening socket closed: stop() was called.
                    }
                }
            }
        }
    }

    /// Closes the listening socket and every open connection, and waits until all are closed.
    public func stop() async {
        try? await serverChannel.close()
        serving.cancel()
        _ = await serving.value
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

    static func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, mode: Mode) async {
        try? await connection.executeThenClose { inbound, outbound in
            if mode == .closeAtOnce { return }
            var head: HTTPRequestHead?
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                case .body:
                    continue
                case .end:
                    guard let request = head else { continue }
                    switch mode {
                    case .silent, .closeAtOnce:
                        continue
                    case .loginPage:
                        try await write(status: .ok, contentType: "text/html; charset=utf-8", body: loginPage, to: outbound)
                    case .echoForbidden:
                        try await write(status: .forbidden, contentType: "text/plain", body: echo(request), to: outbound)
                    }
                }
            }
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

    static func write(status: HTTPResponseStatus, contentType: String, body: String,
                      to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        let buffer = ByteBuffer(string: body)
        let headers = HTTPHeaders([("content-type", contentType), ("content-length", String(buffer.readableBytes))])
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
        try await outbound.write(.body(.byteBuffer(buffer)))
        try await outbound.write(.end(nil))
    }
}

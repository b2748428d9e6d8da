import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NetloomTestSupport

/// An HTTP forwarder on 127.0.0.1 between netloom and moto that misbehaves on purpose: a share of
/// the calls get a throttling error, an HTTP 500 or a connection closed without an answer, some of
/// those after moto has already done the work (the answer is lost, as on a real network). Used to
/// show that `apply` converges anyway. Decisions come from a seeded generator, so a failure replays.
public final class FaultInjectingProxy: Sendable {
    public enum Fault: String, Sendable, CaseIterable {
        case throttle, serverError, resetBeforeForwarding
        /// moto does the work and the answer is lost. A retried create that AWS would make
        /// idempotent with ClientToken (which moto ignores), or that has no token at all
        /// (CreateRouteTable, CreateVpc, ...), then leaves a duplicate for apply to find by tag.
        case resetAfterForwarding
    }

    /// How many calls got each treatment so far.
    public struct Counts: Sendable, Hashable {
        public var forwarded = 0
        public var faults: [Fault: Int] = [:]
        public var total: Int { forwarded + faults.values.reduce(0, +) }
    }

    public let port: Int
    public var endpointURL: String { "http://127.0.0.1:\(port)" }

    private let upstream: String
    private let faultRate: Double
    private let state: NIOLockedValueBox<(dice: SplitMix64, counts: Counts)>
    private let client: HTTPClient
    private let serverChannel: any Channel
    private let serving: Task<Void, Never>
    /// The proxy serves from threads of its own: a test waiting for a child process on the
    /// cooperative pool (one thread per core) must not leave it none.
    private let executor = DedicatedTaskExecutor(label: "netloom.fault-injecting-proxy")

    /// `faultRate` of the calls fail, spread evenly over the kinds in `faults`.
    ///
    /// moto makes NAT gateways `available` and load balancers `active` at once, where AWS takes
    /// a minute or more. With `pendingPolls` > 0, the first that many describes of one NAT
    /// gateway (or load balancer) by id answer `pending` (`provisioning`), so a run waits as it
    /// would on AWS. `latency` delays every forwarded call, so a run lasts long enough to watch.
    public init(upstream: String, faultRate: Double = 0.3, seed: UInt64 = 1, faults: [Fault] = Fault.allCases,
                pendingPolls: Int = 0, latency: Duration = .zero) async throws {
        self.upstream = upstream.hasSuffix("/") ? String(upstream.dropLast()) : upstream
        self.faultRate = faultRate
        state = NIOLockedValueBox((SplitMix64(seed: seed), Counts()))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(timeout: .init(connect: .seconds(5), read: .seconds(60))))
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
        let polls = NIOLockedValueBox<[String: Int]>([:])
        let proxy = Forwarder(upstream: self.upstream, client: client, latency: latency, provisioning: { body, answer in
            guard pendingPolls > 0, let (id, ready, pending) = Forwarder.provisioningPoll(body) else { return }
            let count = polls.withLockedValue { counts in
                counts[id, default: 0] += 1
                return counts[id] ?? 0
            }
            guard count <= pendingPolls else { return }
            var text = String(buffer: answer.body)
            text = text.replacingOccurrences(of: ready, with: pending)
            answer.body = ByteBuffer(string: text)
        }, decide: { [state, faultRate, faults] in
            state.withLockedValue { value in
                let roll = value.dice.nextUnit()
                guard roll < faultRate else {
                    value.counts.forwarded += 1
                    return nil
                }
                let fault = faults[min(Int(roll / faultRate * Double(faults.count)), faults.count - 1)]
                value.counts.faults[fault, default: 0] += 1
                return fault
            }
        })
        serving = Task(executorPreference: executor) {
            try? await server.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in connections {
                            group.addTask { await proxy.serve(connection) }
                        }
                    } catch {
                        // The listening socket closed: stop() was called.
                    }
                }
            }
        }
    }

    public var counts: Counts { state.withLockedValue { $0.counts } }

    public func stop() async {
        try? await serverChannel.close()
        serving.cancel()
        _ = await serving.value
        try? await client.shutdown()
    }
}

/// Serves one client connection: reads each request, then fails it or forwards it to moto.
private struct Forwarder: Sendable {
    let upstream: String
    let client: HTTPClient
    let latency: Duration
    /// May change a forwarded answer, given the request's body.
    let provisioning: @Sendable (String, inout Answer) -> Void
    let decide: @Sendable () -> FaultInjectingProxy.Fault?

    /// A describe of one NAT gateway or load balancer by id (what a readiness wait sends): the
    /// id, the ready state as moto writes it, and what to write instead.
    static func provisioningPoll(_ body: String) -> (id: String, ready: String, pending: String)? {
        var parameters: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            parameters[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        switch parameters["Action"] {
        case "DescribeNatGateways":
            guard let id = parameters["NatGatewayId.1"] else { return nil }
            return (id, "<state>available</state>", "<state>pending</state>")
        case "DescribeLoadBalancers":
            guard let id = parameters["LoadBalancerArns.member.1"] else { return nil }
            return (id, "<Code>active</Code>", "<Code>provisioning</Code>")
        default:
            return nil
        }
    }

    func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body = ByteBuffer()
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                    body.clear()
                case .body(var chunk):
                    body.writeBuffer(&chunk)
                case .end:
                    guard let request = head else { continue }
                    switch decide() {
                    case .resetBeforeForwarding?:
                        return
                    case .throttle?:
                        try await write(Self.throttling(for: request), to: outbound)
                    case .serverError?:
                        try await write(Self.internalError(for: request), to: outbound)
                    case .resetAfterForwarding?:
                        // moto does the work; the answer never reaches the caller.
                        _ = try? await forward(request, body)
                        return
                    case nil:
                        if latency > .zero { try await Task.sleep(for: latency) }
                        var response = try await forward(request, body)
                        provisioning(String(buffer: body), &response)
                        try await write(response, to: outbound)
                    }
                }
            }
        }
    }

    struct Answer {
        var status: Int
        var headers: [(String, String)]
        var body: ByteBuffer
    }

    func forward(_ request: HTTPRequestHead, _ body: ByteBuffer) async throws -> Answer {
        var outgoing = HTTPClientRequest(url: upstream + request.uri)
        outgoing.method = request.method
        for (name, value) in request.headers where !["connection", "content-length", "transfer-encoding"].contains(name.lowercased()) {
            outgoing.headers.add(name: name, value: value)
        }
        outgoing.body = .bytes(body)
        let response = try await client.execute(outgoing, timeout: .seconds(60))
        let payload = try await response.body.collect(upTo: 64 << 20)
        let headers = response.headers.filter { !["connection", "content-length", "transfer-encoding"].contains($0.name.lowercased()) }
        return Answer(status: Int(response.status.code), headers: headers.map { ($0.name, $0.value) }, body: payload)
    }

    func write(_ answer: Answer, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        var headers = HTTPHeaders(answer.headers)
        headers.replaceOrAdd(name: "content-length", value: String(answer.body.readableBytes))
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: answer.status), headers: headers)))
        try await outbound.write(.body(.byteBuffer(answer.body)))
        try await outbound.write(.end(nil))
    }

    /// The service a request is for, from the credential scope of its SigV4 Authorization header.
    static func service(of request: HTTPRequestHead) -> String {
        let authorization = request.headers.first(name: "authorization") ?? ""
        guard let scope = authorization.split(separator: "Credential=").last?.split(separator: ",").first else { return "" }
        let parts = scope.split(separator: "/")
        return parts.count >= 4 ? String(parts[3]) : ""
    }

    /// Each protocol's own throttling answer, as AWS sends it.
    static func throttling(for request: HTTPRequestHead) -> Answer {
        if request.headers.first(name: "x-amz-target") != nil {
            return answer(400, "application/x-amz-json-1.1", #"{"__type":"ThrottlingException","message":"Rate exceeded (injected)"}"#)
        }
        switch service(of: request) {
        case "eks":
            // REST-JSON: the code travels in a header, the body holds only the message.
            return answer(429, "application/json", #"{"message":"Rate exceeded (injected)"}"#,
                          errorType: "ThrottlingException")
        case "ec2":
            return answer(503, "text/xml", "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded (injected).</Message></Error></Errors><RequestID>fault</RequestID></Response>")
        case "s3":
            return answer(503, "application/xml", "<Error><Code>SlowDown</Code><Message>Please reduce your request rate (injected).</Message></Error>")
        default:
            return answer(400, "text/xml", "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded (injected)</Message></Error><RequestId>fault</RequestId></ErrorResponse>")
        }
    }

    static func internalError(for request: HTTPRequestHead) -> Answer {
        if request.headers.first(name: "x-amz-target") != nil {
            return answer(500, "application/x-amz-json-1.1", #"{"__type":"InternalFailure","message":"injected"}"#)
        }
        switch service(of: request) {
        case "eks":
            return answer(500, "application/json", #"{"message":"injected"}"#, errorType: "ServerException")
        case "ec2":
            return answer(500, "text/xml", "<Response><Errors><Error><Code>InternalError</Code><Message>An internal error has occurred (injected).</Message></Error></Errors><RequestID>fault</RequestID></Response>")
        case "s3":
            return answer(500, "application/xml", "<Error><Code>InternalError</Code><Message>We encountered an internal error (injected).</Message></Error>")
        default:
            return answer(500, "text/xml", "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>injected</Message></Error><RequestId>fault</RequestId></ErrorResponse>")
        }
    }

    static func answer(_ status: Int, _ contentType: String, _ text: String, errorType: String? = nil) -> Answer {
        var headers = [("content-type", contentType)]
        if let errorType { headers.append(("x-amzn-errortype", errorType)) }
        return Answer(status: status, headers: headers, body: ByteBuffer(string: text))
    }
}

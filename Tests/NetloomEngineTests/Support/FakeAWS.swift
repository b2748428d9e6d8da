import AWSClient
import AWSSigV4
import Foundation
import NetloomModel
@testable import NetloomEngine

/// One request as a provider test reads it: which service and action, and its parameters.
struct SentRequest: Sendable, CustomStringConvertible {
    var service: String
    var method: String
    /// The Query `Action`, the JSON target's operation, or for S3 the method and sub-resource
    /// (`PUT tagging`, `DELETE object`, `GET versions`).
    var action: String
    /// Query form parameters, or S3's query items.
    var parameters: [String: String]
    /// The URL path (S3: `/bucket/key`).
    var path: String
    var body: String

    subscript(_ name: String) -> String? { parameters[name] }

    /// Parameters whose name starts with `prefix`, in index order of their values.
    func values(_ prefix: String) -> [String] {
        parameters.filter { $0.key.hasPrefix(prefix) }.sorted { $0.key.localizedStandardCompare($1.key) == .orderedAscending }.map(\.value)
    }

    /// The JSON body of a JSON 1.1 call.
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }

    var description: String { "\(service) \(action)" }
}

/// A transport that plays AWS for provider tests: each request is read back into a
/// `SentRequest` and recorded, and `answer` says what AWS replies (nil: a plain success of that
/// protocol). Safe to call from many tasks at once, as the engine does.
final class FakeAWS: HTTPTransport, @unchecked Sendable {
    typealias Answer = @Sendable (SentRequest) -> AWSHTTPResponse?
    // Guarded by `lock`.
    private var sent: [SentRequest] = []
    private let lock = NSLock()
    private let answer: Answer

    init(_ answer: @escaping Answer = { _ in nil }) {
        self.answer = answer
    }

    var requests: [SentRequest] { lock.withLock { sent } }
    var actions: [String] { requests.map(\.action) }
    func requests(for action: String) -> [SentRequest] { requests.filter { $0.action == action } }

    func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        let read = Self.read(request)
        lock.withLock { sent.append(read) }
        return answer(read) ?? Self.success(read)
    }

    static func read(_ request: AWSHTTPRequest) -> SentRequest {
        let body = String(decoding: request.body, as: UTF8.self)
        let authorization = request.headerValue("Authorization") ?? ""
        // Credential=AKID/date/region/service/aws4_request
        let scope = authorization.components(separatedBy: "Credential=").last?.split(separator: ",").first?.split(separator: "/") ?? []
        let service = scope.count >= 4 ? String(scope[3]) : ""
        let components = URLComponents(string: request.url)
        let path = components?.percentEncodedPath.removingPercentEncoding ?? ""
        if let target = request.headerValue("X-Amz-Target") {
            return SentRequest(service: service, method: request.method, action: String(target.split(separator: ".").last ?? ""),
                               parameters: [:], path: path, body: body)
        }
        if service == "s3" {
            var query: [String: String] = [:]
            for item in components?.queryItems ?? [] { query[item.name] = item.value ?? "" }
            let subresource = ["versions", "tagging", "versioning", "encryption", "publicAccessBlock", "lifecycle", "list-type"].first { query[$0] != nil }
            let segments = path.split(separator: "/", omittingEmptySubsequences: true)
            let target = subresource ?? (segments.count > 1 ? "object" : segments.isEmpty ? "service" : "bucket")
            return SentRequest(service: service, method: request.method, action: "\(request.method) \(target)", parameters: query, path: path, body: body)
        }
        var parameters: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            parameters[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return SentRequest(service: service, method: request.method, action: parameters["Action"] ?? "", parameters: parameters, path: path, body: body)
    }

    /// What AWS answers a call that returns nothing of interest.
    static func success(_ request: SentRequest) -> AWSHTTPResponse {
        switch request.service {
        case "ec2": ec2(request.action, "<return>true</return>")
        case "s3": AWSHTTPResponse(status: request.method == "DELETE" ? 204 : 200, headers: [:], body: [])
        case "logs", "ssm": json("{}")
        default: query(request.action, "")
        }
    }

    // MARK: answers

    static func xml(_ status: Int, _ text: String) -> AWSHTTPResponse {
        AWSHTTPResponse(status: status, headers: ["content-type": "text/xml"], body: Array(text.utf8))
    }

    /// `<ActionResponse>` with `inner`, as EC2 answers.
    static func ec2(_ action: String, _ inner: String) -> AWSHTTPResponse {
        xml(200, "<\(action)Response xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r-1</requestId>\(inner)</\(action)Response>")
    }

    /// `<ActionResponse><ActionResult>` with `inner`, as IAM, ELBv2, CloudWatch and STS answer.
    static func query(_ action: String, _ inner: String) -> AWSHTTPResponse {
        xml(200, "<\(action)Response><\(action)Result>\(inner)</\(action)Result><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></\(action)Response>")
    }

    static func ec2Error(_ code: String, status: Int = 400, _ message: String = "refused") -> AWSHTTPResponse {
        xml(status, "<Response><Errors><Error><Code>\(code)</Code><Message>\(message)</Message></Error></Errors><RequestID>r-1</RequestID></Response>")
    }

    static func queryError(_ code: String, status: Int = 400, _ message: String = "refused") -> AWSHTTPResponse {
        xml(status, "<ErrorResponse><Error><Type>Sender</Type><Code>\(code)</Code><Message>\(message)</Message></Error><RequestId>r-1</RequestId></ErrorResponse>")
    }

    static func s3Error(_ code: String, status: Int, _ message: String = "refused") -> AWSHTTPResponse {
        xml(status, "<Error><Code>\(code)</Code><Message>\(message)</Message><RequestId>r-1</RequestId></Error>")
    }

    static func json(_ text: String, status: Int = 200) -> AWSHTTPResponse {
        AWSHTTPResponse(status: status, headers: ["content-type": "application/x-amz-json-1.1"], body: Array(text.utf8))
    }

    static func jsonError(_ type: String, status: Int = 400) -> AWSHTTPResponse {
        json("{\"__type\":\"\(type)\",\"message\":\"refused\"}", status: status)
    }

    /// EC2 `<tagSet>` of the stack `s` and one address.
    static func ec2Tags(_ address: String, stack: String = "s") -> String {
        "<tagSet><item><key>netloom:stack</key><value>\(stack)</value></item><item><key>netloom:address</key><value>\(address)</value></item></tagSet>"
    }
}

/// What every provider test builds on.
enum ProviderFixture {
    static let stack = "s"

    static func context(_ fake: FakeAWS) -> ProviderContext {
        let core = AWSClientCore(transport: fake, credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "not-a-secret"),
                                 region: "us-east-1", endpointURL: "http://127.0.0.1:9", retry: AWSRetryPolicy(maxAttempts: 1))
        var context = ProviderContext(services: AWSServices(core: core), stack: stack, region: "us-east-1", clock: RecordingClock(),
                                      readinessTimeout: .seconds(30))
        context.accountID = "123456789012"
        return context
    }

    /// A desired resource with the stack's tags, its properties already resolved.
    static func desired(_ address: String, _ type: ResourceType, _ properties: [String: PropertyValue], tags: Bool = true) -> DesiredResource {
        var all = properties
        if tags { all["tags"] = ["netloom:stack": .string(stack), "netloom:address": .string(address)] }
        return DesiredResource(resource: Resource(address: address, type: type, properties: all), properties: all)
    }

    static func observed(_ address: String, _ type: ResourceType, _ id: String, _ properties: [String: PropertyValue] = [:],
                         attributes: [String: String] = [:]) -> ObservedResource {
        ObservedResource(address: address, type: type, awsID: id, properties: properties, attributes: attributes)
    }

    static func scope(_ desired: [DesiredResource] = [], observed: [ObservedResource] = [], state: [StateRecord] = []) -> ReadScope {
        ReadScope(desired: desired, observed: Dictionary(observed.map { ($0.address, $0) }, uniquingKeysWith: { first, _ in first }),
                  state: Dictionary(state.map { ($0.address, $0) }, uniquingKeysWith: { first, _ in first }))
    }

    /// The error a call threw, as AWS's.
    static func awsError(_ body: () async throws -> Void) async -> AWSError? {
        do {
            try await body()
            return nil
        } catch let error as AWSError {
            return error
        } catch {
            return nil
        }
    }
}

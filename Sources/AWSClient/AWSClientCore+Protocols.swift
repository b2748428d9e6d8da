import AWSSigV4

extension AWSClientCore {
    /// One AWS Query call; returns the answer's root element (`<DescribeVpcsResponse>`; for
    /// non-EC2 services use `AWSQueryProtocol.result(of:action:)` or `queryResult`).
    public func queryCall(service: AWSService, action: String, parameters: AWSQueryParameters = AWSQueryParameters()) async throws -> AWSXMLNode {
        guard case .query(let version) = service.wireProtocol else {
            throw AWSError(kind: .client, service: service.signingName, action: action, message: "\(service) does not use the Query protocol")
        }
        let endpoint = try endpoint(for: service)
        let (request, body) = AWSQueryProtocol.request(action: action, version: version, parameters: parameters, endpoint: endpoint)
        // Every Query answer's root is `<ActionResponse>`; anything else (a login page, another
        // action's answer) is refused by `send` before it can read as data.
        let response = try await send(service: service, action: action, request: request, body: body, endpoint: endpoint,
                                      expect: .xmlRoot("\(action)Response"), parseError: AWSQueryProtocol.parseError)
        guard let root = AWSXMLNode.parse(response.body) else {
            throw AWSError(kind: .invalidAnswer, service: service.signingName, action: action, statusCode: response.status,
                           message: "answer is not XML", requestID: response.header("x-amzn-requestid"))
        }
        return root
    }

    /// A Query call's `<ActionResult>` element (IAM, STS, ELBv2, CloudWatch).
    public func queryResult(service: AWSService, action: String, parameters: AWSQueryParameters = AWSQueryParameters()) async throws -> AWSXMLNode {
        AWSQueryProtocol.result(of: try await queryCall(service: service, action: action, parameters: parameters), action: action)
    }

    /// One JSON 1.1 call. The answer must be a JSON object; an empty body (read as an empty
    /// object) only for calls that change something, which AWS answers without one
    /// (CreateLogGroup, PutRetentionPolicy): a read always gets a document.
    public func jsonCall(service: AWSService, action: String, body: AWSJSON = [:]) async throws -> AWSJSON {
        guard case .json11(let targetPrefix) = service.wireProtocol else {
            throw AWSError(kind: .client, service: service.signingName, action: action, message: "\(service) does not use JSON 1.1")
        }
        let endpoint = try endpoint(for: service)
        let (request, payload) = AWSJSONProtocol.request(targetPrefix: targetPrefix, action: action, body: body, endpoint: endpoint)
        let readOnly = AWSCall.isReadOnly(action: action)
        let response = try await send(service: service, action: action, request: request, body: payload, endpoint: endpoint,
                                      expect: .jsonObject(allowEmpty: !readOnly), parseError: AWSJSONProtocol.parseError)
        if response.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [:] }
        guard let json = AWSJSON.parse(response.body) else {
            throw AWSError(kind: .invalidAnswer, service: service.signingName, action: action, statusCode: response.status,
                           message: "answer is not JSON", requestID: response.header("x-amzn-requestid"))
        }
        return json
    }
}

extension AWSClientCore {
    /// One REST-JSON call: `method` on `path` (members already encoded with
    /// `AWSRESTJSONProtocol.pathSegment`), with `query` and an optional JSON body. The answer must
    /// be a JSON object; an empty body reads as an empty object only for calls that change
    /// something. `action` is the operation's name (`CreateCluster`), for errors, logs and
    /// deciding whether the call only reads.
    public func restJSONCall(service: AWSService, action: String, method: String, path: String,
                             query: [SigV4Request.QueryItem] = [], body: AWSJSON? = nil) async throws -> AWSJSON {
        guard case .restJSON = service.wireProtocol else {
            throw AWSError(kind: .client, service: service.signingName, action: action, message: "\(service) does not use REST-JSON")
        }
        let endpoint = try endpoint(for: service)
        let (request, payload) = AWSRESTJSONProtocol.request(method: method, path: path, query: query, body: body, endpoint: endpoint)
        let readOnly = AWSCall.isReadOnly(action: action, method: method)
        let response = try await send(service: service, action: action, request: request, body: payload, endpoint: endpoint,
                                      expect: .jsonObject(allowEmpty: !readOnly), parseError: AWSRESTJSONProtocol.parseError)
        if response.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [:] }
        guard let json = AWSJSON.parse(response.body) else {
            throw AWSError(kind: .invalidAnswer, service: service.signingName, action: action, statusCode: response.status,
                           message: "answer is not JSON", requestID: response.header("x-amzn-requestid"))
        }
        return json
    }
}

/// Collects every page of a paged API.
public enum AWSPaging {
    /// Calls `fetchPage` with nil, then with each returned token until none is returned (an
    /// empty string counts as none: EC2 and Logs send it so on their last page). `maxPages`
    /// guards against a service that repeats its token.
    public static func collect<Item: Sendable>(
        maxPages: Int = 1000,
        _ fetchPage: (_ token: String?) async throws -> (items: [Item], nextToken: String?)
    ) async throws -> [Item] {
        var items: [Item] = []
        var token: String?
        var seen: Set<String> = []
        for _ in 0..<maxPages {
            let page = try await fetchPage(token)
            items += page.items
            guard let next = page.nextToken, !next.isEmpty, seen.insert(next).inserted else { return items }
            token = next
        }
        return items
    }
}

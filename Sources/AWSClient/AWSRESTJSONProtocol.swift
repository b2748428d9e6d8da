import AWSSigV4

/// The AWS REST-JSON protocol (EKS): the HTTP method and path name the operation, members go
/// into the path, the query string or a JSON body (`application/json`), and the answer is a
/// JSON object. Errors name their code in the `x-amzn-ErrorType` header
/// (`ResourceNotFoundException:http://internal.amazon.com/...`) and/or the body's `code` or
/// `__type`, with the text in `message`.
public enum AWSRESTJSONProtocol {
    /// `path` is the wire path after the endpoint's base path, each member already
    /// URI-encoded (`pathSegment`). A body of nil sends none (GET and DELETE).
    public static func request(method: String, path: String, query: [SigV4Request.QueryItem] = [], body: AWSJSON?,
                               endpoint: AWSEndpoint) -> (SigV4Request, [UInt8]) {
        var headers: [SigV4Request.HeaderField] = []
        var payload: [UInt8] = []
        if let body {
            headers.append(.init("Content-Type", "application/json"))
            payload = body.compacted.encoded()
        }
        let request = SigV4Request(method: method, host: endpoint.hostHeader, path: endpoint.basePath + path, query: query, headers: headers)
        return (request, payload)
    }

    /// One member as a path segment: every byte but the unreserved ones percent-encoded, so a
    /// name with `/` or a space stays one segment.
    public static func pathSegment(_ value: String) -> String {
        SigV4URIEncoding.encode(value)
    }

    /// Reads an error answer. A 404 or 405 that is not an AWS error document at all (no error
    /// type header, no JSON code) means the endpoint has no such route: moto 5.2.1 answers
    /// Werkzeug's HTML "404 Not Found" page for every EKS add-on call. That is reported as an
    /// operation the endpoint does not implement, not as a missing resource. AWS's own name
    /// for an unknown route, `UnknownOperationException`, is read the same way.
    public static func parseError(_ response: AWSHTTPResponse) -> AWSErrorDetails {
        let requestID = response.header("x-amzn-requestid")
        let headerCode = response.header("x-amzn-errortype").map(AWSJSONProtocol.shortCode) ?? ""
        let json = AWSJSON.parse(response.body)
        let bodyCode = (json?["code"].string ?? json?["__type"].string ?? json?["Code"].string).map(AWSJSONProtocol.shortCode) ?? ""
        let code = headerCode.isEmpty ? bodyCode : headerCode
        guard !code.isEmpty else {
            var details = AWSErrorDetails.fromStatusOnly(response, expecting: "JSON")
            if response.status == 404 || response.status == 405 {
                details.isUnknownOperation = true
                details.isForeignDocument = true
            }
            return details
        }
        let message = json?["message"].string ?? json?["Message"].string ?? ""
        var details = AWSErrorDetails(code: code, message: message, requestID: requestID)
        details.isUnknownOperation = code == "UnknownOperationException"
        return details
    }
}

import AWSSigV4

/// The AWS JSON 1.1 protocol (CloudWatch Logs, SSM): POST `/` with
/// `X-Amz-Target: <prefix>.<Action>` and `Content-Type: application/x-amz-json-1.1`.
public enum AWSJSONProtocol {
    public static func request(targetPrefix: String, action: String, body: AWSJSON, endpoint: AWSEndpoint) -> (SigV4Request, [UInt8]) {
        let request = SigV4Request(
            method: "POST", host: endpoint.hostHeader, path: endpoint.basePath + "/",
            headers: [.init("Content-Type", "application/x-amz-json-1.1"), .init("X-Amz-Target", "\(targetPrefix).\(action)")])
        return (request, body.compacted.encoded())
    }

    /// `{"__type": "com.amazonaws.logs#ResourceNotFoundException", "message": "..."}`; the code
    /// may also come in the `x-amzn-ErrorType` header (`Code:http://...`).
    public static func parseError(_ response: AWSHTTPResponse) -> AWSErrorDetails {
        let requestID = response.header("x-amzn-requestid")
        guard let json = AWSJSON.parse(response.body), !json.object.isEmpty else {
            if let header = response.header("x-amzn-errortype") {
                return AWSErrorDetails(code: shortCode(header), message: "", requestID: requestID)
            }
            return .fromStatusOnly(response, expecting: "JSON")
        }
        let rawCode = json["__type"].string ?? json["code"].string ?? response.header("x-amzn-errortype") ?? ""
        let message = json["message"].string ?? json["Message"].string ?? json["errorMessage"].string ?? ""
        guard !rawCode.isEmpty else { return .fromStatusOnly(response, expecting: "JSON") }
        return AWSErrorDetails(code: shortCode(rawCode), message: message, requestID: requestID)
    }

    /// `aws.protocoltests#FooError` -> `FooError`; `FooError:http://internal` -> `FooError`.
    static func shortCode(_ raw: String) -> String {
        var code = Substring(raw)
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        return String(code).trimmingWhitespace()
    }
}

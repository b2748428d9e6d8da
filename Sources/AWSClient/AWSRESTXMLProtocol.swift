/// REST-XML error answers: S3's `<Error><Code/><Message/><RequestId/></Error>` and Route 53's
/// `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`, whose
/// request id sits beside the error rather than in it. HEAD answers have no body, so their code
/// comes from the status alone.
public enum AWSRESTXMLProtocol {
    public static func parseError(_ response: AWSHTTPResponse) -> AWSErrorDetails {
        guard let root = AWSXMLNode.parse(response.body) else { return .fromStatusOnly(response) }
        let error = root.name == "Error" ? root : root["Error"]
        guard let code = error.text("Code") else { return .fromStatusOnly(response) }
        return AWSErrorDetails(code: code, message: error.text("Message") ?? "",
                               requestID: error.text("RequestId") ?? root.text("RequestId") ?? response.header("x-amz-request-id")
                                   ?? response.header("x-amzn-requestid"))
    }
}

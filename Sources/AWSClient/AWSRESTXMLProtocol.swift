/// REST-XML error answers as S3 sends them: `<Error><Code/><Message/><RequestId/></Error>`;
/// HEAD answers have no body, so their code comes from the status alone.
public enum AWSRESTXMLProtocol {
    public static func parseError(_ response: AWSHTTPResponse) -> AWSErrorDetails {
        guard let root = AWSXMLNode.parse(response.body) else { return .fromStatusOnly(response) }
        let error = root.name == "Error" ? root : root["Error"]
        guard let code = error.text("Code") else { return .fromStatusOnly(response) }
        return AWSErrorDetails(code: code, message: error.text("Message") ?? "",
                               requestID: error.text("RequestId") ?? response.header("x-amz-request-id"))
    }
}

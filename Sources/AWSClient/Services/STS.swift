/// AWS STS over the Query protocol.
public struct STS: Sendable {
    public let core: AWSClientCore

    public init(core: AWSClientCore) {
        self.core = core
    }

    /// Any STS action; returns the `<ActionResult>` element.
    public func call(action: String, parameters: AWSQueryParameters = AWSQueryParameters()) async throws -> AWSXMLNode {
        try await core.queryResult(service: .sts, action: action, parameters: parameters)
    }

    public struct CallerIdentity: Sendable, Hashable {
        public var account: String
        public var arn: String
        public var userID: String
    }

    public func getCallerIdentity() async throws -> CallerIdentity {
        let result = try await call(action: "GetCallerIdentity")
        return CallerIdentity(account: result.text("Account") ?? "", arn: result.text("Arn") ?? "", userID: result.text("UserId") ?? "")
    }
}

/// AWS Systems Manager Parameter Store over JSON 1.1 (target prefix `AmazonSSM`).
public struct SSM: Sendable {
    public let core: AWSClientCore

    public init(core: AWSClientCore) {
        self.core = core
    }

    public func call(action: String, body: AWSJSON = [:]) async throws -> AWSJSON {
        try await core.jsonCall(service: .ssm, action: action, body: body)
    }

    public struct Parameter: Sendable, Hashable {
        public var name: String
        public var value: String
        public var type: String
        public var version: Int
    }

    /// Reads one parameter, for example the latest Amazon Linux AMI id under
    /// `/aws/service/ami-amazon-linux-latest/`.
    public func getParameter(name: String, withDecryption: Bool = false) async throws -> Parameter {
        let answer = try await call(action: "GetParameter", body: ["Name": .string(name), "WithDecryption": .bool(withDecryption)])
        let parameter = answer["Parameter"]
        return Parameter(name: parameter["Name"].string ?? name, value: parameter["Value"].string ?? "",
                         type: parameter["Type"].string ?? "", version: parameter["Version"].int ?? 0)
    }
}

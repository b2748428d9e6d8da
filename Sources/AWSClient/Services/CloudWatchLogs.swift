/// Amazon CloudWatch Logs over JSON 1.1 (target prefix `Logs_20140328`).
public struct CloudWatchLogs: Sendable {
    public let core: AWSClientCore

    public init(core: AWSClientCore) {
        self.core = core
    }

    public func call(action: String, body: AWSJSON = [:]) async throws -> AWSJSON {
        try await core.jsonCall(service: .cloudWatchLogs, action: action, body: body)
    }

    public struct LogGroup: Sendable, Hashable {
        public var name: String
        public var arn: String
        public var retentionInDays: Int?
        public var kmsKeyID: String?
    }

    public func createLogGroup(name: String, kmsKeyID: String? = nil, tags: [AWSTag] = []) async throws {
        var body: [String: AWSJSON] = ["logGroupName": .string(name)]
        if let kmsKeyID { body["kmsKeyId"] = .string(kmsKeyID) }
        if !tags.isEmpty { body["tags"] = .object(tags.dictionary.mapValues { AWSJSON.string($0) }) }
        _ = try await call(action: "CreateLogGroup", body: .object(body))
    }

    public func deleteLogGroup(name: String) async throws {
        _ = try await call(action: "DeleteLogGroup", body: ["logGroupName": .string(name)])
    }

    /// Groups whose name starts with `prefix`, all pages (`nextToken`).
    public func describeLogGroups(prefix: String? = nil) async throws -> [LogGroup] {
        try await AWSPaging.collect { token in
            var body: [String: AWSJSON] = [:]
            if let prefix { body["logGroupNamePrefix"] = .string(prefix) }
            if let token { body["nextToken"] = .string(token) }
            let answer = try await call(action: "DescribeLogGroups", body: .object(body))
            let groups = answer["logGroups"].array.map { group in
                LogGroup(name: group["logGroupName"].string ?? "", arn: group["arn"].string ?? "",
                         retentionInDays: group["retentionInDays"].int, kmsKeyID: group["kmsKeyId"].string)
            }
            return (groups, answer["nextToken"].string)
        }
    }

    public func putRetentionPolicy(logGroupName: String, days: Int) async throws {
        _ = try await call(action: "PutRetentionPolicy", body: ["logGroupName": .string(logGroupName), "retentionInDays": .number(Double(days))])
    }

    public func deleteRetentionPolicy(logGroupName: String) async throws {
        _ = try await call(action: "DeleteRetentionPolicy", body: ["logGroupName": .string(logGroupName)])
    }

    public func tagLogGroup(name: String, tags: [AWSTag]) async throws {
        _ = try await call(action: "TagLogGroup", body: ["logGroupName": .string(name), "tags": .object(tags.dictionary.mapValues { AWSJSON.string($0) })])
    }

    public func untagLogGroup(name: String, keys: [String]) async throws {
        _ = try await call(action: "UntagLogGroup", body: ["logGroupName": .string(name), "tags": .array(keys.map { AWSJSON.string($0) })])
    }

    public func listTagsLogGroup(name: String) async throws -> [AWSTag] {
        let answer = try await call(action: "ListTagsLogGroup", body: ["logGroupName": .string(name)])
        return answer["tags"].object.map { AWSTag($0.key, $0.value.string ?? "") }.sorted()
    }
}

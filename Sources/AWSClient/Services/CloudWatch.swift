/// Amazon CloudWatch metric alarms over the Query protocol (signing name `monitoring`).
public struct CloudWatch: Sendable {
    public let core: AWSClientCore

    public init(core: AWSClientCore) {
        self.core = core
    }

    /// Any CloudWatch action; returns the `<ActionResult>` element.
    public func call(action: String, parameters: AWSQueryParameters = AWSQueryParameters()) async throws -> AWSXMLNode {
        try await core.queryResult(service: .cloudWatch, action: action, parameters: parameters)
    }

    public struct MetricAlarm: Sendable, Hashable {
        public var alarmName: String
        public var alarmARN: String?
        public var namespace: String
        public var metricName: String
        public var statistic: String
        public var period: Int
        public var evaluationPeriods: Int
        public var threshold: Double
        public var comparisonOperator: String
        public var dimensions: [String: String]
        public var alarmActions: [String]
        public var treatMissingData: String?

        public init(alarmName: String, alarmARN: String? = nil, namespace: String, metricName: String, statistic: String, period: Int,
                    evaluationPeriods: Int, threshold: Double, comparisonOperator: String, dimensions: [String: String] = [:],
                    alarmActions: [String] = [], treatMissingData: String? = nil) {
            self.alarmName = alarmName
            self.alarmARN = alarmARN
            self.namespace = namespace
            self.metricName = metricName
            self.statistic = statistic
            self.period = period
            self.evaluationPeriods = evaluationPeriods
            self.threshold = threshold
            self.comparisonOperator = comparisonOperator
            self.dimensions = dimensions
            self.alarmActions = alarmActions
            self.treatMissingData = treatMissingData
        }

        init(xml: AWSXMLNode) {
            self.init(
                alarmName: xml.text("AlarmName") ?? "", alarmARN: xml.text("AlarmArn"), namespace: xml.text("Namespace") ?? "",
                metricName: xml.text("MetricName") ?? "", statistic: xml.text("Statistic") ?? "", period: xml.int("Period") ?? 0,
                evaluationPeriods: xml.int("EvaluationPeriods") ?? 0, threshold: Double(xml.text("Threshold") ?? "") ?? 0,
                comparisonOperator: xml.text("ComparisonOperator") ?? "",
                dimensions: Dictionary(xml["Dimensions"].items.map { ($0.text("Name") ?? "", $0.text("Value") ?? "") }, uniquingKeysWith: { $1 }),
                alarmActions: xml["AlarmActions"].items.map(\.text), treatMissingData: xml.text("TreatMissingData"))
        }
    }

    /// Creates or replaces an alarm (PutMetricAlarm is an upsert); tags apply on creation only.
    public func putMetricAlarm(_ alarm: MetricAlarm, tags: [AWSTag] = []) async throws {
        var parameters: AWSQueryParameters = [
            "AlarmName": alarm.alarmName, "Namespace": alarm.namespace, "MetricName": alarm.metricName, "Statistic": alarm.statistic,
            "Period": String(alarm.period), "EvaluationPeriods": String(alarm.evaluationPeriods),
            "Threshold": String(alarm.threshold), "ComparisonOperator": alarm.comparisonOperator,
        ]
        for (index, dimension) in alarm.dimensions.sorted(by: { $0.key < $1.key }).enumerated() {
            parameters.set("Dimensions.member.\(index + 1).Name", dimension.key)
            parameters.set("Dimensions.member.\(index + 1).Value", dimension.value)
        }
        parameters.setMemberList("AlarmActions", alarm.alarmActions)
        parameters.set("TreatMissingData", alarm.treatMissingData)
        parameters.setMemberTags(tags)
        _ = try await call(action: "PutMetricAlarm", parameters: parameters)
    }

    /// Alarms whose name starts with `namePrefix`, all pages (`NextToken`).
    public func describeAlarms(namePrefix: String? = nil, names: [String] = []) async throws -> [MetricAlarm] {
        try await AWSPaging.collect { token in
            var parameters = AWSQueryParameters()
            parameters.set("AlarmNamePrefix", namePrefix)
            parameters.setMemberList("AlarmNames", names)
            parameters.set("NextToken", token)
            let result = try await call(action: "DescribeAlarms", parameters: parameters)
            return (result["MetricAlarms"].items.map(MetricAlarm.init(xml:)), result.text("NextToken"))
        }
    }

    public func deleteAlarms(names: [String]) async throws {
        var parameters = AWSQueryParameters()
        parameters.setMemberList("AlarmNames", names)
        _ = try await call(action: "DeleteAlarms", parameters: parameters)
    }

    public func listTagsForResource(arn: String) async throws -> [AWSTag] {
        try await call(action: "ListTagsForResource", parameters: ["ResourceARN": arn])["Tags"].items
            .map { AWSTag($0.text("Key") ?? "", $0.text("Value") ?? "") }
    }
}

/// Every compliance rule Netloom knows, in id order.
public enum RuleCatalog {
    public static let all: [ComplianceRule] = (securityGroupRules + networkRules + instanceRules + bucketRules
        + identityRules + loggingRules + loadBalancerRules + servingRules + machineLearningRules + hyperPodRules + costRules + autoScalingRules).sorted { $0.id < $1.id }

    public static let ids: [String] = all.map(\.id)

    public static func rule(_ id: String) -> ComplianceRule? { all.first { $0.id == id } }
}

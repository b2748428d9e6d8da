/// Amazon EC2 Auto Scaling over the Query protocol (version 2011-01-01, `Name.member.N` lists,
/// signing name `autoscaling`): groups launched from launch templates behind target groups,
/// and target-tracking policies.
public struct AutoScaling: Sendable {
    public let core: AWSClientCore

    public init(core: AWSClientCore) {
        self.core = core
    }

    private func call(_ action: String, _ parameters: AWSQueryParameters) async throws -> AWSXMLNode {
        try await core.queryResult(service: .autoScaling, action: action, parameters: parameters)
    }

    private static func require(_ value: String?, _ field: String, _ action: String) throws -> String {
        try AWSError.require(value, field: field, service: "autoscaling", action: action)
    }

    /// Which launch template and which of its versions a group launches: a number, `$Latest` or
    /// `$Default`.
    public struct LaunchTemplateReference: Sendable, Hashable {
        public var id: String?
        public var name: String?
        public var version: String?

        public init(id: String, version: String? = nil) {
            self.id = id
            self.version = version
        }

        public init(name: String, version: String? = nil) {
            self.name = name
            self.version = version
        }

        public init(id: String?, name: String?, version: String?) {
            self.id = id
            self.name = name
            self.version = version
        }

        func write(to parameters: inout AWSQueryParameters) {
            parameters.set("LaunchTemplate.LaunchTemplateId", id)
            parameters.set("LaunchTemplate.LaunchTemplateName", name)
            parameters.set("LaunchTemplate.Version", version)
        }
    }

    /// A group tag; `propagateAtLaunch` copies it onto the instances the group launches.
    public struct Tag: Sendable, Hashable {
        public var key: String
        public var value: String
        public var propagateAtLaunch: Bool

        public init(_ key: String, _ value: String, propagateAtLaunch: Bool = true) {
            self.key = key
            self.value = value
            self.propagateAtLaunch = propagateAtLaunch
        }
    }

    // MARK: CreateAutoScalingGroup / UpdateAutoScalingGroup

    public struct CreateGroupInput: Sendable, Hashable {
        public var name: String
        public var launchTemplate: LaunchTemplateReference
        public var minSize: Int
        public var maxSize: Int
        public var desiredCapacity: Int?
        /// Subnet ids; sent comma-separated as `VPCZoneIdentifier`.
        public var subnetIDs: [String]
        public var targetGroupARNs: [String]
        /// `EC2` or `ELB` (replace instances the load balancer finds unhealthy).
        public var healthCheckType: String?
        public var healthCheckGracePeriod: Int?
        public var tags: [Tag]

        public init(name: String, launchTemplate: LaunchTemplateReference, minSize: Int, maxSize: Int, desiredCapacity: Int? = nil,
                    subnetIDs: [String], targetGroupARNs: [String] = [], healthCheckType: String? = nil,
                    healthCheckGracePeriod: Int? = nil, tags: [Tag] = []) {
            self.name = name
            self.launchTemplate = launchTemplate
            self.minSize = minSize
            self.maxSize = maxSize
            self.desiredCapacity = desiredCapacity
            self.subnetIDs = subnetIDs
            self.targetGroupARNs = targetGroupARNs
            self.healthCheckType = healthCheckType
            self.healthCheckGracePeriod = healthCheckGracePeriod
            self.tags = tags
        }

        var parameters: AWSQueryParameters {
            var parameters: AWSQueryParameters = ["AutoScalingGroupName": name]
            launchTemplate.write(to: &parameters)
            parameters.set("MinSize", minSize)
            parameters.set("MaxSize", maxSize)
            parameters.set("DesiredCapacity", desiredCapacity)
            parameters.set("VPCZoneIdentifier", subnetIDs.joined(separator: ","))
            parameters.setMemberList("TargetGroupARNs", targetGroupARNs)
            parameters.set("HealthCheckType", healthCheckType)
            parameters.set("HealthCheckGracePeriod", healthCheckGracePeriod)
            for (index, tag) in tags.enumerated() {
                let prefix = "Tags.member.\(index + 1)"
                parameters.set("\(prefix).Key", tag.key)
                parameters.set("\(prefix).Value", tag.value)
                parameters.set("\(prefix).PropagateAtLaunch", tag.propagateAtLaunch)
                parameters.set("\(prefix).ResourceId", name)
                parameters.set("\(prefix).ResourceType", "auto-scaling-group")
            }
            return parameters
        }
    }

    /// Creates a group; AWS answers nothing but success (read it back with
    /// `describeAutoScalingGroups`).
    public func createAutoScalingGroup(_ input: CreateGroupInput) async throws {
        _ = try await call("CreateAutoScalingGroup", input.parameters)
    }

    /// The settings an update may change; nil leaves one as it is.
    public struct UpdateGroupInput: Sendable, Hashable {
        public var name: String
        public var launchTemplate: LaunchTemplateReference?
        public var minSize: Int?
        public var maxSize: Int?
        public var desiredCapacity: Int?
        public var subnetIDs: [String]?
        public var healthCheckType: String?
        public var healthCheckGracePeriod: Int?

        public init(name: String, launchTemplate: LaunchTemplateReference? = nil, minSize: Int? = nil, maxSize: Int? = nil,
                    desiredCapacity: Int? = nil, subnetIDs: [String]? = nil, healthCheckType: String? = nil, healthCheckGracePeriod: Int? = nil) {
            self.name = name
            self.launchTemplate = launchTemplate
            self.minSize = minSize
            self.maxSize = maxSize
            self.desiredCapacity = desiredCapacity
            self.subnetIDs = subnetIDs
            self.healthCheckType = healthCheckType
            self.healthCheckGracePeriod = healthCheckGracePeriod
        }

        var parameters: AWSQueryParameters {
            var parameters: AWSQueryParameters = ["AutoScalingGroupName": name]
            launchTemplate?.write(to: &parameters)
            parameters.set("MinSize", minSize)
            parameters.set("MaxSize", maxSize)
            parameters.set("DesiredCapacity", desiredCapacity)
            parameters.set("VPCZoneIdentifier", subnetIDs?.joined(separator: ","))
            parameters.set("HealthCheckType", healthCheckType)
            parameters.set("HealthCheckGracePeriod", healthCheckGracePeriod)
            return parameters
        }
    }

    public func updateAutoScalingGroup(_ input: UpdateGroupInput) async throws {
        _ = try await call("UpdateAutoScalingGroup", input.parameters)
    }

    // MARK: DescribeAutoScalingGroups

    public struct Instance: Sendable, Hashable {
        public var instanceID: String
        public var availabilityZone: String?
        /// `Pending`, `InService`, `Terminating` ...
        public var lifecycleState: String
        /// `Healthy` or `Unhealthy`.
        public var healthStatus: String?
    }

    public struct Group: Sendable, Hashable {
        public var name: String
        public var arn: String?
        public var launchTemplate: LaunchTemplateReference?
        public var minSize: Int
        public var maxSize: Int
        public var desiredCapacity: Int
        public var subnetIDs: [String]
        public var targetGroupARNs: [String]
        public var healthCheckType: String?
        public var healthCheckGracePeriod: Int?
        public var instances: [Instance]
        public var tags: [Tag]
        /// Set while a delete is under way (`Delete in progress`).
        public var status: String?

        init(xml: AWSXMLNode) throws {
            let action = "DescribeAutoScalingGroups"
            name = try AutoScaling.require(xml.text("AutoScalingGroupName"), "AutoScalingGroupName", action)
            arn = xml.text("AutoScalingGroupARN")
            let template = xml["LaunchTemplate"]
            launchTemplate = template.exists
                ? LaunchTemplateReference(id: template.text("LaunchTemplateId"), name: template.text("LaunchTemplateName"), version: template.text("Version"))
                : nil
            guard let minSize = xml.int("MinSize"), let maxSize = xml.int("MaxSize"), let desired = xml.int("DesiredCapacity") else {
                throw AWSError.missingField("MinSize, MaxSize or DesiredCapacity", service: "autoscaling", action: action)
            }
            self.minSize = minSize
            self.maxSize = maxSize
            desiredCapacity = desired
            subnetIDs = (xml.text("VPCZoneIdentifier") ?? "").split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
            targetGroupARNs = xml["TargetGroupARNs"].items.map(\.text)
            healthCheckType = xml.text("HealthCheckType")
            healthCheckGracePeriod = xml.int("HealthCheckGracePeriod")
            instances = try xml["Instances"].items.map { item in
                Instance(instanceID: try AutoScaling.require(item.text("InstanceId"), "InstanceId", action),
                         availabilityZone: item.text("AvailabilityZone"),
                         lifecycleState: try AutoScaling.require(item.text("LifecycleState"), "LifecycleState", action),
                         healthStatus: item.text("HealthStatus"))
            }
            tags = try xml["Tags"].items.map { item in
                Tag(try AutoScaling.require(item.text("Key"), "Tag Key", action), item.text("Value") ?? "",
                    propagateAtLaunch: item.bool("PropagateAtLaunch") ?? false)
            }
            status = xml.text("Status")
        }
    }

    /// Groups by name (all groups when `names` is empty), narrowed by `filters` (`tag:KEY`,
    /// `tag-key`, `tag-value`), all pages (`NextToken`).
    public func describeAutoScalingGroups(names: [String] = [], filters: [AWSFilter] = []) async throws -> [Group] {
        try await AWSPaging.collect { token in
            var parameters = AWSQueryParameters()
            parameters.setMemberList("AutoScalingGroupNames", names)
            for (index, filter) in filters.enumerated() {
                parameters.set("Filters.member.\(index + 1).Name", filter.name)
                parameters.setMemberList("Filters.member.\(index + 1).Values", filter.values)
            }
            parameters.set("NextToken", token)
            let result = try await call("DescribeAutoScalingGroups", parameters)
            return (try result["AutoScalingGroups"].items.map(Group.init(xml:)), result.text("NextToken"))
        }
    }

    // MARK: Delete, capacity

    /// `forceDelete` terminates the group's instances with it; without it a group that still
    /// has instances is refused (`ResourceInUse`).
    public func deleteAutoScalingGroup(name: String, forceDelete: Bool = false) async throws {
        var parameters: AWSQueryParameters = ["AutoScalingGroupName": name]
        parameters.set("ForceDelete", forceDelete)
        _ = try await call("DeleteAutoScalingGroup", parameters)
    }

    // MARK: Target groups and tags of a group

    /// Registers the group's instances (now and later) in the target groups.
    public func attachLoadBalancerTargetGroups(groupName: String, targetGroupARNs: [String]) async throws {
        var parameters: AWSQueryParameters = ["AutoScalingGroupName": groupName]
        parameters.setMemberList("TargetGroupARNs", targetGroupARNs)
        _ = try await call("AttachLoadBalancerTargetGroups", parameters)
    }

    /// Deregisters the group's instances from the target groups and stops registering new ones.
    public func detachLoadBalancerTargetGroups(groupName: String, targetGroupARNs: [String]) async throws {
        var parameters: AWSQueryParameters = ["AutoScalingGroupName": groupName]
        parameters.setMemberList("TargetGroupARNs", targetGroupARNs)
        _ = try await call("DetachLoadBalancerTargetGroups", parameters)
    }

    /// Adds or overwrites tags of a group.
    public func createOrUpdateTags(groupName: String, tags: [Tag]) async throws {
        guard !tags.isEmpty else { return }
        var parameters = AWSQueryParameters()
        for (index, tag) in tags.enumerated() {
            let prefix = "Tags.member.\(index + 1)"
            parameters.set("\(prefix).Key", tag.key)
            parameters.set("\(prefix).Value", tag.value)
            parameters.set("\(prefix).PropagateAtLaunch", tag.propagateAtLaunch)
            parameters.set("\(prefix).ResourceId", groupName)
            parameters.set("\(prefix).ResourceType", "auto-scaling-group")
        }
        _ = try await call("CreateOrUpdateTags", parameters)
    }

    /// Removes tags of a group by key.
    public func deleteTags(groupName: String, keys: [String]) async throws {
        guard !keys.isEmpty else { return }
        var parameters = AWSQueryParameters()
        for (index, key) in keys.enumerated() {
            let prefix = "Tags.member.\(index + 1)"
            parameters.set("\(prefix).Key", key)
            parameters.set("\(prefix).ResourceId", groupName)
            parameters.set("\(prefix).ResourceType", "auto-scaling-group")
        }
        _ = try await call("DeleteTags", parameters)
    }

    public func setDesiredCapacity(groupName: String, desiredCapacity: Int, honorCooldown: Bool? = nil) async throws {
        var parameters: AWSQueryParameters = ["AutoScalingGroupName": groupName]
        parameters.set("DesiredCapacity", desiredCapacity)
        parameters.set("HonorCooldown", honorCooldown)
        _ = try await call("SetDesiredCapacity", parameters)
    }

    // MARK: Scaling policies

    /// The metric a target-tracking policy holds at its target value.
    public enum PredefinedMetric: Sendable, Hashable {
        /// `ASGAverageCPUUtilization`, in percent.
        case averageCPUUtilization
        /// `ALBRequestCountPerTarget`; the resource label is
        /// `app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id>`.
        case albRequestCountPerTarget(resourceLabel: String)
        /// Any other predefined metric type (`ASGAverageNetworkIn` ...).
        case other(type: String, resourceLabel: String?)

        public var type: String {
            switch self {
            case .averageCPUUtilization: return "ASGAverageCPUUtilization"
            case .albRequestCountPerTarget: return "ALBRequestCountPerTarget"
            case .other(let type, _): return type
            }
        }

        public var resourceLabel: String? {
            switch self {
            case .averageCPUUtilization: return nil
            case .albRequestCountPerTarget(let label): return label
            case .other(_, let label): return label
            }
        }

        init(type: String, resourceLabel: String?) {
            switch (type, resourceLabel) {
            case ("ASGAverageCPUUtilization", nil): self = .averageCPUUtilization
            case ("ALBRequestCountPerTarget", let label?): self = .albRequestCountPerTarget(resourceLabel: label)
            default: self = .other(type: type, resourceLabel: resourceLabel)
            }
        }
    }

    public struct TargetTracking: Sendable, Hashable {
        public var metric: PredefinedMetric
        public var targetValue: Double
        public var disableScaleIn: Bool?

        public init(metric: PredefinedMetric, targetValue: Double, disableScaleIn: Bool? = nil) {
            self.metric = metric
            self.targetValue = targetValue
            self.disableScaleIn = disableScaleIn
        }
    }

    public struct PutPolicyResult: Sendable, Hashable {
        /// AWS always returns it; moto 5.2.1 answers PutScalingPolicy with an empty result, so
        /// it is optional here. Nothing depends on it: a policy is named by its group and name,
        /// and `describePolicies` reads the ARN (moto returns it there).
        public var policyARN: String?
        /// The CloudWatch alarms Auto Scaling made for the policy.
        public var alarmNames: [String]
    }

    /// Creates or replaces (by group and name) a target-tracking policy.
    public func putTargetTrackingPolicy(groupName: String, policyName: String, _ tracking: TargetTracking,
                                        estimatedInstanceWarmup: Int? = nil) async throws -> PutPolicyResult {
        var parameters: AWSQueryParameters = ["AutoScalingGroupName": groupName, "PolicyName": policyName, "PolicyType": "TargetTrackingScaling"]
        let prefix = "TargetTrackingConfiguration"
        parameters.set("\(prefix).PredefinedMetricSpecification.PredefinedMetricType", tracking.metric.type)
        parameters.set("\(prefix).PredefinedMetricSpecification.ResourceLabel", tracking.metric.resourceLabel)
        parameters.set("\(prefix).TargetValue", Self.number(tracking.targetValue))
        parameters.set("\(prefix).DisableScaleIn", tracking.disableScaleIn)
        parameters.set("EstimatedInstanceWarmup", estimatedInstanceWarmup)
        let result = try await call("PutScalingPolicy", parameters)
        return PutPolicyResult(policyARN: result.text("PolicyARN"),
                               alarmNames: result["Alarms"].items.compactMap { $0.text("AlarmName") })
    }

    public struct Policy: Sendable, Hashable {
        public var name: String
        public var arn: String
        public var groupName: String
        /// `TargetTrackingScaling`, `SimpleScaling`, `StepScaling` or `PredictiveScaling`.
        public var policyType: String?
        /// Set for target-tracking policies with a predefined metric.
        public var targetTracking: TargetTracking?

        init(xml: AWSXMLNode) throws {
            let action = "DescribePolicies"
            name = try AutoScaling.require(xml.text("PolicyName"), "PolicyName", action)
            arn = try AutoScaling.require(xml.text("PolicyARN"), "PolicyARN", action)
            groupName = try AutoScaling.require(xml.text("AutoScalingGroupName"), "AutoScalingGroupName", action)
            policyType = xml.text("PolicyType")
            let configuration = xml["TargetTrackingConfiguration"]
            let specification = configuration["PredefinedMetricSpecification"]
            if let type = specification.text("PredefinedMetricType") {
                guard let target = configuration.text("TargetValue").flatMap(Double.init) else {
                    throw AWSError.missingField("TargetValue", service: "autoscaling", action: action)
                }
                targetTracking = TargetTracking(metric: PredefinedMetric(type: type, resourceLabel: specification.text("ResourceLabel")),
                                                targetValue: target, disableScaleIn: configuration.bool("DisableScaleIn"))
            }
        }
    }

    /// A group's policies (all groups' when nil), all pages.
    public func describePolicies(groupName: String? = nil, policyNames: [String] = []) async throws -> [Policy] {
        try await AWSPaging.collect { token in
            var parameters = AWSQueryParameters()
            parameters.set("AutoScalingGroupName", groupName)
            parameters.setMemberList("PolicyNames", policyNames)
            parameters.set("NextToken", token)
            let result = try await call("DescribePolicies", parameters)
            return (try result["ScalingPolicies"].items.map(Policy.init(xml:)), result.text("NextToken"))
        }
    }

    public func deletePolicy(groupName: String, policyName: String) async throws {
        _ = try await call("DeletePolicy", ["AutoScalingGroupName": groupName, "PolicyName": policyName])
    }

    /// `50` rather than `50.0`: both are valid, the short form reads better in logs.
    static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

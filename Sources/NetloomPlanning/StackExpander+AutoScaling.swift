import NetloomModel
import NetloomSpec

extension ResourceBuilder {
    /// The policy name of a group's one target-tracking policy (unique within its group).
    static let scalingPolicyName = "netloom-target-tracking"

    /// Per group: a launch template with what an instance of the spec would get (type, image,
    /// groups, instance profile, IMDSv2, root volume, tags), the group over every subnet of its
    /// set registered with its target groups, and a target-tracking policy.
    mutating func buildAutoScalingGroups() {
        for group in spec.autoScalingGroups {
            guard let subnet = spec.subnet(named: group.subnet) else { continue }
            let launch = group.launch
            let template = ResourceAddress.launchTemplate(group.name), address = ResourceAddress.autoScalingGroup(group.name)
            let groupName = derivedName(.autoScalingGroup, group.name, address: address)
            let groups = launch.securityGroups.map(ResourceAddress.securityGroup)
            // The instances carry the spec's tags and a Name, not netloom's own: they belong to the
            // group, and netloom must never take one for an instance of its own to delete.
            var instanceTags = spec.tags.mapValues { PropertyValue.string($0) }
            if instanceTags["Name"] == nil { instanceTags["Name"] = .string("\(spec.stack)-\(group.name)") }
            var properties: [String: PropertyValue] = [
                "name": derivedName(.launchTemplate, group.name, address: template).name,
                "instance_type": .string(launch.type), "ami": .string(launch.ami.description), "security_groups": .list(groups.map(ref)),
                "root_volume": ["size_gb": .int(launch.rootVolume.sizeGB), "type": .string(launch.rootVolume.type), "encrypted": .bool(launch.rootVolume.encrypted)],
                "metadata_http_tokens": .string(launch.imdsv2Required ? "required" : "optional"),
                "instance_tags": .map(instanceTags), "autoscaling_group_name": groupName.name,
            ]
            var templateDependencies = groups
            if let role = launch.role, let roleSpec = spec.role(named: role) {
                properties["instance_profile"] = ref(.iamInstanceProfile(role))
                templateDependencies.append(.iamInstanceProfile(role))
                if !roleSpec.allow.isEmpty { templateDependencies.append(.iamRolePolicy(role)) }
            }
            add(template, .launchTemplate, properties, dependsOn: templateDependencies, location: group.location)

            let subnets = spec.azs(of: subnet).map { SubnetKey(subnet: group.subnet, az: $0) }
            let targetGroups = group.targetGroups.filter { spec.targetGroup(named: $0) != nil }.map(ResourceAddress.targetGroup)
            var groupProperties: [String: PropertyValue] = [
                "name": groupName.name, "launch_template": ref(template), "min": .int(group.min), "max": .int(group.max),
                "subnets": .list(subnets.map { ref(.subnet($0)) }), "target_groups": .list(targetGroups.map(ref)),
                // ELB health checks when a load balancer sends traffic: an instance whose server
                // stopped answering is replaced, not only one whose hardware failed.
                "health_check_type": .string(targetGroups.isEmpty ? "EC2" : "ELB"), "health_check_grace_s": .int(group.healthCheckGraceSeconds),
            ]
            if let desired = group.desired { groupProperties["desired"] = .int(desired) }
            var dependencies = [template] + subnets.map(ResourceAddress.subnet) + targetGroups
            // Instances in a private subnet need their route out before boot scripts run.
            if subnet.tier != .isolated { dependencies += subnets.map(ResourceAddress.routeTableAssociation) }
            add(address, .autoScalingGroup, groupProperties, dependsOn: dependencies, location: group.location)

            guard let scale = group.scale else { continue }
            var policy: [String: PropertyValue] = ["group": ref(address), "name": .string(Self.scalingPolicyName), "target": .double(scale.target)]
            var policyDependencies = [address]
            switch scale.metric {
            case .cpu:
                policy["metric"] = "ASGAverageCPUUtilization"
            case .requestsPerTarget:
                policy["metric"] = "ALBRequestCountPerTarget"
                guard let targetGroup = scale.targetGroup, let balancer = scale.loadBalancer.flatMap(spec.loadBalancer(named:)) else { continue }
                // The resource label names both; AWS checks the target group is behind the balancer.
                policy["load_balancer"] = ref(.loadBalancer(balancer.name))
                policy["target_group"] = ref(.targetGroup(targetGroup))
                policyDependencies += balancer.listeners.filter { $0.forward == targetGroup }.map { .listener(loadBalancer: balancer.name, port: $0.port) }
            }
            add(.scalingPolicy(group.name), .scalingPolicy, policy, dependsOn: policyDependencies, location: scale.location, taggable: false)
        }
    }
}

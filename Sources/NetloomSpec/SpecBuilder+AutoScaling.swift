import NetloomModel
import Yams

extension SpecBuilder {
    /// What `health_check_grace_s` is when the spec leaves it out: five minutes, long enough for
    /// a model server to boot and load its weights before the load balancer's health check may
    /// have the instance replaced. (AWS's own default through the API is 0, which replaces a
    /// server that is still loading.)
    static let defaultHealthCheckGraceSeconds = 300

    func readAutoScalingGroups(_ node: Node) -> [AutoScalingGroupSpec] {
        reader.namedEntries(node, "autoscaling_groups").compactMap { name, keyNode, value in
            namedLines.append(("autoscaling_groups", name, reader.location(keyNode)))
            let what = "auto scaling group '\(name)'"
            guard let fields = reader.fields(value, what, allowed: Self.launchKeys + ["min", "max", "desired", "target_groups", "scale", "health_check_grace_s"],
                                             required: ["type", "ami", "subnet", "min", "max"]) else { return nil }
            let launch = readLaunchSettings(fields, name: name, what: what, location: reader.location(keyNode))
            let min = fields["min"].flatMap { reader.int($0, "\(what) min", in: 0...1000) }
            let max = fields["max"].flatMap { reader.int($0, "\(what) max", in: 1...1000) }
            if let min, let max, max < min, let maxNode = fields["max"] {
                reader.error(maxNode, "\(what) max \(max) is below min \(min): AWS refuses a group that cannot hold its own minimum")
            }
            var desired: Int?
            if let desiredNode = fields["desired"], let value = reader.int(desiredNode, "\(what) desired", in: 0...1000) {
                if let min, let max, min <= max, !(min...max).contains(value) {
                    reader.error(desiredNode, "\(what) desired \(value) is outside min..max (\(min)..\(max))")
                } else {
                    desired = value
                }
            }
            var targetGroups: [String] = []
            if let list = fields["target_groups"].flatMap({ reader.stringList($0, "\(what) target_groups") }) {
                for (group, itemNode) in list {
                    refer(.targetGroup, group, itemNode)
                    if targetGroups.contains(group) {
                        reader.error(itemNode, "target group '\(group)' is listed twice")
                    } else {
                        targetGroups.append(group)
                        autoScalingTargetGroupNodes.append((group: name, targetGroup: group, location: reader.location(itemNode)))
                    }
                }
            }
            var scale: ScalingSpec?
            if let scaleNode = fields["scale"], let scaleFields = reader.fields(scaleNode, "\(what) scale", allowed: ["metric", "target"], required: ["metric", "target"]) {
                let metric = scaleFields["metric"].flatMap { reader.oneOf($0, "\(what) scale metric", ScalingMetric.self) }
                let range: ClosedRange<Double> = metric == .cpu ? 1...100 : 1...1_000_000
                let target = scaleFields["target"].flatMap { reader.double($0, "\(what) scale target\(metric == .cpu ? " (percent CPU)" : "")", in: range) }
                if let metric, let target {
                    scale = ScalingSpec(metric: metric, target: target, targetGroup: nil, loadBalancer: nil, location: scaleFields.location)
                }
            }
            let grace = fields["health_check_grace_s"].flatMap { reader.int($0, "\(what) health_check_grace_s", in: 0...7200) } ?? Self.defaultHealthCheckGraceSeconds
            guard let launch, let min, let max, min <= max else { return nil }
            return AutoScalingGroupSpec(name: name, launch: launch, min: min, max: max, desired: desired, targetGroups: targetGroups.sorted(),
                                        scale: scale, healthCheckGraceSeconds: grace, location: reader.location(keyNode))
        }
    }

    /// `requests_per_target` tracks the request count of one target group behind an application
    /// load balancer (AWS's `ALBRequestCountPerTarget` names both): the first of the group's
    /// target groups, by name, that an application load balancer's listener forwards to.
    func resolveScaling(_ groups: [AutoScalingGroupSpec], spec: StackSpec) -> [AutoScalingGroupSpec] {
        groups.map { group in
            guard var scale = group.scale, scale.metric == .requestsPerTarget else { return group }
            let balancers = spec.loadBalancers.filter { $0.type == "application" }
            for targetGroup in group.targetGroups {
                if let balancer = balancers.first(where: { $0.listeners.contains { $0.forward == targetGroup } }) {
                    scale.targetGroup = targetGroup
                    scale.loadBalancer = balancer.name
                    var resolved = group
                    resolved.scale = scale
                    return resolved
                }
            }
            let listed = group.targetGroups.isEmpty ? "it lists no target_groups" : "none of its target groups (\(group.targetGroups.joined(separator: ", "))) is forwarded to by an application load balancer's listener"
            reader.error(scale.location, "auto scaling group '\(group.name)' scales on requests_per_target, which counts requests an application load balancer sends to a target group, but \(listed); use metric: cpu or add the target group to an application load balancer")
            return group
        }
    }
}

extension SpecCrossChecks {
    func checkAutoScalingGroups() {
        for group in spec.autoScalingGroups {
            if let roleName = group.launch.role, let role = spec.role(named: roleName), role.assumedBy != "ec2" {
                reader.error(group.location, "auto scaling group '\(group.name)' uses role '\(roleName)', which is assumed by \(role.assumedBy), not ec2")
            }
        }
        // A target group fed by a group gets its instances from Auto Scaling: listing targets of
        // its own as well would have netloom and Auto Scaling register and remove the same
        // target group's instances, each undoing the other.
        for claim in builder.autoScalingTargetGroupNodes {
            guard let targetGroup = spec.targetGroup(named: claim.targetGroup), !targetGroup.targets.isEmpty else { continue }
            reader.error(claim.location, "target group '\(targetGroup.name)' gets its instances from auto scaling group '\(claim.group)', so it cannot also list targets (\(targetGroup.targets.map { ResourceAddress.instance($0).description }.joined(separator: ", "))); move them into the group or use another target group")
        }
    }
}

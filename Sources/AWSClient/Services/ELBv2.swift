/// Elastic Load Balancing v2 (ALB/NLB) over the Query protocol (`Name.member.N` lists;
/// signing name `elasticloadbalancing`, shared with the classic ELB API and told apart by
/// `Version`).
public struct ELBv2: Sendable {
    public let core: AWSClientCore

    public init(core: AWSClientCore) {
        self.core = core
    }

    /// Any ELBv2 action; returns the `<ActionResult>` element.
    public func call(action: String, parameters: AWSQueryParameters = AWSQueryParameters()) async throws -> AWSXMLNode {
        try await core.queryResult(service: .elasticLoadBalancingV2, action: action, parameters: parameters)
    }

    /// A Describe* over all pages (`Marker` in, `NextMarker` out).
    public func describeAll(action: String, listName: String, parameters: AWSQueryParameters) async throws -> [AWSXMLNode] {
        try await AWSPaging.collect { marker in
            var page = parameters
            page.set("Marker", marker)
            let result = try await call(action: action, parameters: page)
            return (result[listName].items, result.text("NextMarker"))
        }
    }

    public struct LoadBalancer: Sendable, Hashable {
        public var arn: String
        public var name: String
        public var dnsName: String
        /// `internet-facing` or `internal`.
        public var scheme: String
        /// `application`, `network` or `gateway`.
        public var type: String
        public var vpcID: String
        public var state: String
        public var subnetIDs: [String]
        public var securityGroupIDs: [String]

        init(xml: AWSXMLNode) {
            arn = xml.text("LoadBalancerArn") ?? ""
            name = xml.text("LoadBalancerName") ?? ""
            dnsName = xml.text("DNSName") ?? ""
            // AWS always reports the scheme. moto reports none for a balancer created without
            // one (Terraform's aws_lb sends Scheme only when internal), which AWS makes
            // internet-facing, CreateLoadBalancer's default.
            scheme = xml.text("Scheme").flatMap { $0.isEmpty || $0 == "None" ? nil : $0 } ?? "internet-facing"
            type = xml.text("Type") ?? ""
            vpcID = xml.text("VpcId") ?? ""
            state = xml["State"].text("Code") ?? ""
            subnetIDs = xml["AvailabilityZones"].items.compactMap { $0.text("SubnetId") }
            securityGroupIDs = xml["SecurityGroups"].items.map(\.text)
        }
    }

    public func createLoadBalancer(name: String, type: String = "application", scheme: String = "internet-facing", subnetIDs: [String],
                                   securityGroupIDs: [String] = [], tags: [AWSTag] = []) async throws -> LoadBalancer {
        var parameters: AWSQueryParameters = ["Name": name, "Type": type, "Scheme": scheme]
        parameters.setMemberList("Subnets", subnetIDs)
        parameters.setMemberList("SecurityGroups", securityGroupIDs)
        parameters.setMemberTags(tags)
        let created = LoadBalancer(xml: try await call(action: "CreateLoadBalancer", parameters: parameters)["LoadBalancers"].items.first ?? .empty)
        try AWSError.require(created.arn, field: "LoadBalancerArn", service: "elasticloadbalancing", action: "CreateLoadBalancer")
        return created
    }

    public func describeLoadBalancers(arns: [String] = [], names: [String] = []) async throws -> [LoadBalancer] {
        var parameters = AWSQueryParameters()
        parameters.setMemberList("LoadBalancerArns", arns)
        parameters.setMemberList("Names", names)
        return try await describeAll(action: "DescribeLoadBalancers", listName: "LoadBalancers", parameters: parameters).map(LoadBalancer.init(xml:))
    }

    /// The subnets (and so the AZs) of a load balancer.
    public func setSubnets(loadBalancerARN: String, subnetIDs: [String]) async throws {
        var parameters: AWSQueryParameters = ["LoadBalancerArn": loadBalancerARN]
        parameters.setMemberList("Subnets", subnetIDs)
        _ = try await call(action: "SetSubnets", parameters: parameters)
    }

    public func setSecurityGroups(loadBalancerARN: String, securityGroupIDs: [String]) async throws {
        var parameters: AWSQueryParameters = ["LoadBalancerArn": loadBalancerARN]
        parameters.setMemberList("SecurityGroups", securityGroupIDs)
        _ = try await call(action: "SetSecurityGroups", parameters: parameters)
    }

    public func deleteLoadBalancer(arn: String) async throws {
        _ = try await call(action: "DeleteLoadBalancer", parameters: ["LoadBalancerArn": arn])
    }

    public struct TargetGroup: Sendable, Hashable {
        public var arn: String
        public var name: String
        public var targetProtocol: String
        public var port: Int
        public var vpcID: String
        /// `instance`, `ip` or `lambda`.
        public var targetType: String
        public var healthCheckPath: String?
        public var loadBalancerARNs: [String]

        init(xml: AWSXMLNode) {
            arn = xml.text("TargetGroupArn") ?? ""
            name = xml.text("TargetGroupName") ?? ""
            targetProtocol = xml.text("Protocol") ?? ""
            port = xml.int("Port") ?? 0
            vpcID = xml.text("VpcId") ?? ""
            targetType = xml.text("TargetType") ?? ""
            healthCheckPath = xml.text("HealthCheckPath")
            loadBalancerARNs = xml["LoadBalancerArns"].items.map(\.text)
        }
    }

    /// `healthCheckPort` and `healthCheckIntervalSeconds` left nil keep AWS's defaults (the
    /// traffic port, 30 s). Idempotent by name with identical settings: a rerun gets the same ARN.
    public func createTargetGroup(name: String, targetProtocol: String, port: Int, vpcID: String, targetType: String = "instance",
                                  healthCheckPath: String? = nil, healthCheckPort: Int? = nil, healthCheckIntervalSeconds: Int? = nil,
                                  tags: [AWSTag] = []) async throws -> TargetGroup {
        var parameters: AWSQueryParameters = ["Name": name, "Protocol": targetProtocol, "Port": String(port), "VpcId": vpcID, "TargetType": targetType]
        parameters.set("HealthCheckPath", healthCheckPath)
        parameters.set("HealthCheckPort", healthCheckPort.map(String.init))
        parameters.set("HealthCheckIntervalSeconds", healthCheckIntervalSeconds)
        parameters.setMemberTags(tags)
        let created = TargetGroup(xml: try await call(action: "CreateTargetGroup", parameters: parameters)["TargetGroups"].items.first ?? .empty)
        try AWSError.require(created.arn, field: "TargetGroupArn", service: "elasticloadbalancing", action: "CreateTargetGroup")
        return created
    }

    public func describeTargetGroups(arns: [String] = [], loadBalancerARN: String? = nil) async throws -> [TargetGroup] {
        var parameters = AWSQueryParameters()
        parameters.setMemberList("TargetGroupArns", arns)
        parameters.set("LoadBalancerArn", loadBalancerARN)
        return try await describeAll(action: "DescribeTargetGroups", listName: "TargetGroups", parameters: parameters).map(TargetGroup.init(xml:))
    }

    public func deleteTargetGroup(arn: String) async throws {
        _ = try await call(action: "DeleteTargetGroup", parameters: ["TargetGroupArn": arn])
    }

    public struct Listener: Sendable, Hashable {
        public var arn: String
        public var loadBalancerARN: String
        public var port: Int
        public var listenerProtocol: String
        public var defaultTargetGroupARNs: [String]

        init(xml: AWSXMLNode) {
            arn = xml.text("ListenerArn") ?? ""
            loadBalancerARN = xml.text("LoadBalancerArn") ?? ""
            port = xml.int("Port") ?? 0
            listenerProtocol = xml.text("Protocol") ?? ""
            defaultTargetGroupARNs = xml["DefaultActions"].items.compactMap { $0.text("TargetGroupArn") }
        }
    }

    /// A listener whose default action forwards to one target group.
    public func createListener(loadBalancerARN: String, listenerProtocol: String, port: Int, forwardTo targetGroupARN: String,
                               certificateARN: String? = nil, sslPolicy: String? = nil, tags: [AWSTag] = []) async throws -> Listener {
        var parameters: AWSQueryParameters = [
            "LoadBalancerArn": loadBalancerARN, "Protocol": listenerProtocol, "Port": String(port),
            "DefaultActions.member.1.Type": "forward", "DefaultActions.member.1.TargetGroupArn": targetGroupARN,
        ]
        parameters.set("Certificates.member.1.CertificateArn", certificateARN)
        parameters.set("SslPolicy", sslPolicy)
        parameters.setMemberTags(tags)
        let created = Listener(xml: try await call(action: "CreateListener", parameters: parameters)["Listeners"].items.first ?? .empty)
        try AWSError.require(created.arn, field: "ListenerArn", service: "elasticloadbalancing", action: "CreateListener")
        return created
    }

    public func describeListeners(loadBalancerARN: String) async throws -> [Listener] {
        try await describeAll(action: "DescribeListeners", listName: "Listeners", parameters: ["LoadBalancerArn": loadBalancerARN]).map(Listener.init(xml:))
    }

    /// Changes a listener's protocol, port and the target group its default action forwards to.
    public func modifyListener(arn: String, listenerProtocol: String, port: Int, forwardTo targetGroupARN: String) async throws {
        _ = try await call(action: "ModifyListener", parameters: [
            "ListenerArn": arn, "Protocol": listenerProtocol, "Port": String(port),
            "DefaultActions.member.1.Type": "forward", "DefaultActions.member.1.TargetGroupArn": targetGroupARN,
        ])
    }

    public func deleteListener(arn: String) async throws {
        _ = try await call(action: "DeleteListener", parameters: ["ListenerArn": arn])
    }

    public struct Target: Sendable, Hashable {
        public var id: String
        public var port: Int?
        public init(id: String, port: Int? = nil) {
            self.id = id
            self.port = port
        }
    }

    public func registerTargets(targetGroupARN: String, targets: [Target]) async throws {
        _ = try await call(action: "RegisterTargets", parameters: targetParameters(targetGroupARN, targets))
    }

    public func deregisterTargets(targetGroupARN: String, targets: [Target]) async throws {
        _ = try await call(action: "DeregisterTargets", parameters: targetParameters(targetGroupARN, targets))
    }

    private func targetParameters(_ targetGroupARN: String, _ targets: [Target]) -> AWSQueryParameters {
        var parameters: AWSQueryParameters = ["TargetGroupArn": targetGroupARN]
        for (index, target) in targets.enumerated() {
            parameters.set("Targets.member.\(index + 1).Id", target.id)
            parameters.set("Targets.member.\(index + 1).Port", target.port)
        }
        return parameters
    }

    public func addTags(resourceARNs: [String], tags: [AWSTag]) async throws {
        var parameters = AWSQueryParameters()
        parameters.setMemberList("ResourceArns", resourceARNs)
        parameters.setMemberTags(tags)
        _ = try await call(action: "AddTags", parameters: parameters)
    }

    public func removeTags(resourceARNs: [String], keys: [String]) async throws {
        var parameters = AWSQueryParameters()
        parameters.setMemberList("ResourceArns", resourceARNs)
        parameters.setMemberList("TagKeys", keys)
        _ = try await call(action: "RemoveTags", parameters: parameters)
    }

    /// Tags per resource ARN (at most 20 ARNs per call, as the API allows).
    public func describeTags(resourceARNs: [String]) async throws -> [String: [AWSTag]] {
        var parameters = AWSQueryParameters()
        parameters.setMemberList("ResourceArns", resourceARNs)
        let result = try await call(action: "DescribeTags", parameters: parameters)
        var tags: [String: [AWSTag]] = [:]
        for description in result["TagDescriptions"].items {
            tags[description.text("ResourceArn") ?? ""] = description["Tags"].items.map { AWSTag($0.text("Key") ?? "", $0.text("Value") ?? "") }
        }
        return tags
    }

    /// ARNs among `resourceARNs` whose tag `key` has `value`. ELBv2 describes cannot filter by
    /// tag, so this reads the tags in batches of 20 (DescribeTags' limit).
    public func arns(_ resourceARNs: [String], taggedWith key: String, _ value: String) async throws -> [String] {
        var matching: [String] = []
        var start = 0
        while start < resourceARNs.count {
            let batch = Array(resourceARNs[start..<min(start + 20, resourceARNs.count)])
            let tags = try await describeTags(resourceARNs: batch)
            matching += batch.filter { tags[$0]?.value(key) == value }
            start += 20
        }
        return matching
    }

    /// Load balancers whose tag `key` is `value`, for example `netloom:stack`.
    public func describeLoadBalancers(taggedWith key: String, _ value: String) async throws -> [LoadBalancer] {
        let all = try await describeLoadBalancers()
        let wanted = Set(try await arns(all.map(\.arn), taggedWith: key, value))
        return all.filter { wanted.contains($0.arn) }
    }

    /// Target groups whose tag `key` is `value`.
    public func describeTargetGroups(taggedWith key: String, _ value: String) async throws -> [TargetGroup] {
        let all = try await describeTargetGroups()
        let wanted = Set(try await arns(all.map(\.arn), taggedWith: key, value))
        return all.filter { wanted.contains($0.arn) }
    }

    public struct TargetHealth: Sendable, Hashable {
        public var targetID: String
        public var port: Int?
        /// `initial`, `healthy`, `unhealthy`, `unused`, `draining`, `unavailable`.
        public var state: String
    }

    /// Every registered target of a group; a description without a target id is a decode error.
    public func describeTargetHealth(targetGroupARN: String) async throws -> [TargetHealth] {
        try await call(action: "DescribeTargetHealth", parameters: ["TargetGroupArn": targetGroupARN])["TargetHealthDescriptions"].items.map {
            TargetHealth(targetID: try AWSError.require($0["Target"].text("Id"), field: "Target Id", service: "elasticloadbalancing", action: "DescribeTargetHealth"),
                         port: $0["Target"].int("Port"), state: $0["TargetHealth"].text("State") ?? "")
        }
    }
}

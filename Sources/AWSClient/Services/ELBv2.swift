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
        /// The zone of the load balancer's DNS name: what a Route 53 alias record to it names
        /// as `HostedZoneId`.
        public var canonicalHostedZoneID: String?

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
            canonicalHostedZoneID = xml.text("CanonicalHostedZoneId")
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

    /// A listener's default action: forward to a target group, or redirect (HTTP to HTTPS).
    public enum ListenerAction: Sendable, Hashable {
        case forward(targetGroupARN: String)
        case redirect(Redirect)
        /// An action type this client does not model (`fixed-response`, `authenticate-oidc` ...).
        case other(type: String)

        /// A redirect's parts; nil ones keep the request's own (`#{host}`, `#{path}`, `#{query}`).
        public struct Redirect: Sendable, Hashable {
            public var redirectProtocol: String?
            public var port: String?
            public var host: String?
            public var path: String?
            public var query: String?
            /// `HTTP_301` (permanent) or `HTTP_302`.
            public var statusCode: String

            public init(redirectProtocol: String? = nil, port: String? = nil, host: String? = nil, path: String? = nil, query: String? = nil,
                        statusCode: String) {
                self.redirectProtocol = redirectProtocol
                self.port = port
                self.host = host
                self.path = path
                self.query = query
                self.statusCode = statusCode
            }

            /// `https://#{host}:443/#{path}?#{query}` with a permanent redirect.
            public static let toHTTPS = Redirect(redirectProtocol: "HTTPS", port: "443", statusCode: "HTTP_301")
        }

        func write(to parameters: inout AWSQueryParameters, prefix: String = "DefaultActions.member.1") {
            switch self {
            case .forward(let targetGroupARN):
                parameters.set("\(prefix).Type", "forward")
                parameters.set("\(prefix).TargetGroupArn", targetGroupARN)
            case .redirect(let redirect):
                parameters.set("\(prefix).Type", "redirect")
                let base = "\(prefix).RedirectConfig"
                parameters.set("\(base).Protocol", redirect.redirectProtocol)
                parameters.set("\(base).Port", redirect.port)
                parameters.set("\(base).Host", redirect.host)
                parameters.set("\(base).Path", redirect.path)
                parameters.set("\(base).Query", redirect.query)
                parameters.set("\(base).StatusCode", redirect.statusCode)
            case .other(let type):
                parameters.set("\(prefix).Type", type)
            }
        }

        init(xml: AWSXMLNode, action: String) throws {
            let type = try AWSError.require(xml.text("Type"), field: "DefaultActions Type", service: "elasticloadbalancing", action: action)
            switch type {
            case "forward":
                // A forward action names its group directly or (weighted) in ForwardConfig.
                let arn = xml.text("TargetGroupArn") ?? xml[path: "ForwardConfig", "TargetGroups"].items.first?.text("TargetGroupArn")
                self = .forward(targetGroupARN: try AWSError.require(arn, field: "TargetGroupArn", service: "elasticloadbalancing", action: action))
            case "redirect":
                let config = xml["RedirectConfig"]
                self = .redirect(Redirect(
                    redirectProtocol: config.text("Protocol"), port: config.text("Port"), host: config.text("Host"), path: config.text("Path"),
                    query: config.text("Query"),
                    statusCode: try AWSError.require(config.text("StatusCode"), field: "RedirectConfig StatusCode", service: "elasticloadbalancing", action: action)))
            default:
                self = .other(type: type)
            }
        }
    }

    public struct Listener: Sendable, Hashable {
        public var arn: String
        public var loadBalancerARN: String
        public var port: Int
        public var listenerProtocol: String
        public var defaultTargetGroupARNs: [String]
        public var defaultActions: [ListenerAction]
        /// The default certificate first (HTTPS and TLS listeners).
        public var certificateARNs: [String]
        /// `ELBSecurityPolicy-TLS13-1-2-2021-06` ...; nil for HTTP listeners.
        public var sslPolicy: String?

        init(xml: AWSXMLNode, action: String) throws {
            arn = try AWSError.require(xml.text("ListenerArn"), field: "ListenerArn", service: "elasticloadbalancing", action: action)
            loadBalancerARN = xml.text("LoadBalancerArn") ?? ""
            port = xml.int("Port") ?? 0
            listenerProtocol = xml.text("Protocol") ?? ""
            defaultActions = try xml["DefaultActions"].items.map { try ListenerAction(xml: $0, action: action) }
            defaultTargetGroupARNs = defaultActions.compactMap {
                if case .forward(let arn) = $0 { return arn }
                return nil
            }
            certificateARNs = xml["Certificates"].items.compactMap { $0.text("CertificateArn") }
            sslPolicy = xml.text("SslPolicy")
        }
    }

    public struct CreateListenerInput: Sendable, Hashable {
        public var loadBalancerARN: String
        /// `HTTP`, `HTTPS`, `TCP`, `TLS` ...
        public var listenerProtocol: String
        public var port: Int
        public var defaultAction: ListenerAction
        /// Required for HTTPS and TLS: an ACM certificate that exists (and is issued, on AWS).
        public var certificateARN: String?
        public var sslPolicy: String?
        public var tags: [AWSTag]

        public init(loadBalancerARN: String, listenerProtocol: String, port: Int, defaultAction: ListenerAction, certificateARN: String? = nil,
                    sslPolicy: String? = nil, tags: [AWSTag] = []) {
            self.loadBalancerARN = loadBalancerARN
            self.listenerProtocol = listenerProtocol
            self.port = port
            self.defaultAction = defaultAction
            self.certificateARN = certificateARN
            self.sslPolicy = sslPolicy
            self.tags = tags
        }
    }

    public func createListener(_ input: CreateListenerInput) async throws -> Listener {
        var parameters: AWSQueryParameters = ["LoadBalancerArn": input.loadBalancerARN, "Protocol": input.listenerProtocol, "Port": String(input.port)]
        input.defaultAction.write(to: &parameters)
        parameters.set("Certificates.member.1.CertificateArn", input.certificateARN)
        parameters.set("SslPolicy", input.sslPolicy)
        parameters.setMemberTags(input.tags)
        guard let created = try await call(action: "CreateListener", parameters: parameters)["Listeners"].items.first else {
            throw AWSError.missingField("Listeners", service: "elasticloadbalancing", action: "CreateListener")
        }
        return try Listener(xml: created, action: "CreateListener")
    }

    /// A listener whose default action forwards to one target group.
    public func createListener(loadBalancerARN: String, listenerProtocol: String, port: Int, forwardTo targetGroupARN: String,
                               certificateARN: String? = nil, sslPolicy: String? = nil, tags: [AWSTag] = []) async throws -> Listener {
        try await createListener(CreateListenerInput(loadBalancerARN: loadBalancerARN, listenerProtocol: listenerProtocol, port: port,
                                                     defaultAction: .forward(targetGroupARN: targetGroupARN), certificateARN: certificateARN,
                                                     sslPolicy: sslPolicy, tags: tags))
    }

    public func describeListeners(loadBalancerARN: String) async throws -> [Listener] {
        try await describeAll(action: "DescribeListeners", listName: "Listeners", parameters: ["LoadBalancerArn": loadBalancerARN])
            .map { try Listener(xml: $0, action: "DescribeListeners") }
    }

    /// What a ModifyListener changes; nil leaves a setting as it is.
    public struct ModifyListenerInput: Sendable, Hashable {
        public var arn: String
        public var listenerProtocol: String?
        public var port: Int?
        public var defaultAction: ListenerAction?
        public var certificateARN: String?
        public var sslPolicy: String?

        public init(arn: String, listenerProtocol: String? = nil, port: Int? = nil, defaultAction: ListenerAction? = nil,
                    certificateARN: String? = nil, sslPolicy: String? = nil) {
            self.arn = arn
            self.listenerProtocol = listenerProtocol
            self.port = port
            self.defaultAction = defaultAction
            self.certificateARN = certificateARN
            self.sslPolicy = sslPolicy
        }

        var parameters: AWSQueryParameters {
            var parameters: AWSQueryParameters = ["ListenerArn": arn]
            parameters.set("Protocol", listenerProtocol)
            parameters.set("Port", port)
            defaultAction?.write(to: &parameters)
            parameters.set("Certificates.member.1.CertificateArn", certificateARN)
            parameters.set("SslPolicy", sslPolicy)
            return parameters
        }
    }

    /// Returns the listener as changed.
    @discardableResult
    public func modifyListener(_ input: ModifyListenerInput) async throws -> Listener {
        guard let modified = try await call(action: "ModifyListener", parameters: input.parameters)["Listeners"].items.first else {
            throw AWSError.missingField("Listeners", service: "elasticloadbalancing", action: "ModifyListener")
        }
        return try Listener(xml: modified, action: "ModifyListener")
    }

    /// Changes a listener's protocol, port and the target group its default action forwards to.
    public func modifyListener(arn: String, listenerProtocol: String, port: Int, forwardTo targetGroupARN: String) async throws {
        // The answer is not read: this form has always only sent the change.
        let input = ModifyListenerInput(arn: arn, listenerProtocol: listenerProtocol, port: port, defaultAction: .forward(targetGroupARN: targetGroupARN))
        _ = try await call(action: "ModifyListener", parameters: input.parameters)
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

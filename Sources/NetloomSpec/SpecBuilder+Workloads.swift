import Foundation
import NetloomModel
import Yams

extension SpecBuilder {
    // MARK: instances

    func readInstances(_ node: Node) -> [InstanceSpec] {
        reader.namedEntries(node, "instances").compactMap { name, keyNode, value in
            namedLines.append(("instances", name, reader.location(keyNode)))
            let what = "instance '\(name)'"
            guard let fields = reader.fields(value, what, allowed: Self.launchKeys + ["az", "count", "public_ip"],
                                             required: ["type", "ami", "subnet"]) else { return nil }
            let launch = readLaunchSettings(fields, name: name, what: what, location: reader.location(keyNode))
            let az = fields["az"].flatMap { reader.string($0, "\(what) az") }
            if let az, let azNode = fields["az"] { instanceAZNodes[name] = (az, reader.location(azNode)) }
            let count = fields["count"].flatMap { reader.int($0, "\(what) count", in: 1...1000) } ?? 1
            let publicIP = fields["public_ip"].flatMap { reader.bool($0, "\(what) public_ip") } ?? false
            guard var instance = launch else { return nil }
            instance.az = az
            instance.count = count
            instance.publicIP = publicIP
            return instance
        }
    }

    /// The keys an instance and an Auto Scaling group's launch template share.
    static let launchKeys = ["type", "ami", "subnet", "security_groups", "role", "root_volume", "imdsv2"]

    /// What an instance launches with (type, image, subnet set, groups, role, root volume,
    /// IMDSv2), read the same way for `instances` and `autoscaling_groups`; one instance, no
    /// public IP, spread over the set's AZs until the caller says otherwise.
    func readLaunchSettings(_ fields: Fields, name: String, what: String, location: SourceLocation) -> InstanceSpec? {
        let type = fields["type"].flatMap { readInstanceType($0, what) }
        let ami = fields["ami"].flatMap { readAMI($0, what) }
        let subnet = fields["subnet"].flatMap { subnetNode in reader.string(subnetNode, "\(what) subnet").map { refer(.subnet, $0, subnetNode); return $0 } }
        let groups = fields["security_groups"].map { readGroupList($0, what) } ?? []
        let role = fields["role"].flatMap { roleNode in reader.string(roleNode, "\(what) role").map { refer(.role, $0, roleNode); return $0 } }
        var volume = RootVolumeSpec(sizeGB: 8, type: "gp3", encrypted: true)
        if let volumeNode = fields["root_volume"], let volumeFields = reader.fields(volumeNode, "\(what) root_volume", allowed: ["size_gb", "type", "encrypted"]) {
            if let size = volumeFields["size_gb"].flatMap({ reader.int($0, "root_volume size_gb", in: 1...65536) }) { volume.sizeGB = size }
            if let type = volumeFields["type"].flatMap({ reader.oneOf($0, "root_volume type", AWSServices.volumeTypes) }) { volume.type = type }
            if let encrypted = volumeFields["encrypted"].flatMap({ reader.bool($0, "root_volume encrypted") }) { volume.encrypted = encrypted }
        }
        let imdsv2 = fields["imdsv2"].flatMap { reader.oneOf($0, "\(what) imdsv2", ["required", "optional"]) } ?? "required"
        guard let type, let ami, let subnet else { return nil }
        return InstanceSpec(name: name, type: type, ami: ami, subnet: subnet, az: nil, count: 1, securityGroups: groups,
                            publicIP: false, role: role, rootVolume: volume, imdsv2Required: imdsv2 == "required", location: location)
    }

    func readAMI(_ node: Node, _ what: String) -> AMIReference? {
        guard let text = reader.string(node, "\(what) ami") else { return nil }
        if text.hasPrefix("ssm:") {
            let path = String(text.dropFirst(4))
            guard path.hasPrefix("/"), path.count > 1, path.count <= 2048, !path.contains(" ") else {
                reader.error(node, "\(what) ami 'ssm:' must be followed by a parameter path such as /aws/service/ami-amazon-linux-latest/...")
                return nil
            }
            return .ssmParameter(path)
        }
        let hex = text.dropFirst(4)
        guard text.hasPrefix("ami-"), (8...17).contains(hex.count), hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            reader.error(node, "\(what) ami '\(text.prefix(40))' is neither an AMI id (ami-0123456789abcdef0) nor ssm:<parameter path>")
            return nil
        }
        return .id(text)
    }

    // MARK: buckets

    func readBuckets(_ node: Node, stack: String?) -> [BucketSpec] {
        reader.namedEntries(node, "buckets").compactMap { name, keyNode, value in
            namedLines.append(("buckets", name, reader.location(keyNode)))
            let what = "bucket '\(name)'"
            guard let fields = reader.fields(value, what, allowed: ["versioning", "encryption", "public_access_block", "lifecycle", "folders", "bucket_name"]) else { return nil }
            let versioning = fields["versioning"].flatMap { reader.bool($0, "\(what) versioning") } ?? false
            let encryption = fields["encryption"].flatMap { reader.oneOf($0, "\(what) encryption", BucketEncryption.self) }
            let block = fields["public_access_block"].flatMap { reader.bool($0, "\(what) public_access_block") } ?? true
            var bucketName: String?
            if let nameNode = fields["bucket_name"], let given = reader.string(nameNode, "\(what) bucket_name") {
                if let problem = Self.bucketNameProblem(given) { reader.error(nameNode, "\(what) bucket_name '\(given.prefix(70))' \(problem)") } else { bucketName = given }
            }
            var lifecycle: [LifecycleRuleSpec] = []
            if let lifecycleNode = fields["lifecycle"], let items = reader.list(lifecycleNode, "\(what) lifecycle") {
                for item in items {
                    guard let rule = reader.fields(item, "a lifecycle rule of \(what)", allowed: ["prefix", "transition_days", "storage_class", "expire_days", "noncurrent_transition_days"]) else { continue }
                    let transition = rule["transition_days"].flatMap { reader.int($0, "transition_days", in: 0...36500) }
                    let noncurrent = rule["noncurrent_transition_days"].flatMap { reader.int($0, "noncurrent_transition_days", in: 1...36500) }
                    let expire = rule["expire_days"].flatMap { reader.int($0, "expire_days", in: 1...36500) }
                    let storageClass = rule["storage_class"].flatMap { reader.oneOf($0, "storage_class", AWSServices.storageClasses) }
                    if (transition != nil || noncurrent != nil), storageClass == nil, rule["storage_class"] == nil {
                        reader.error(rule.location, "a lifecycle transition of \(what) needs a storage_class (\(AWSServices.storageClasses.joined(separator: ", ")))")
                    }
                    if rule["transition_days"] == nil, rule["noncurrent_transition_days"] == nil, rule["expire_days"] == nil {
                        reader.error(rule.location, "a lifecycle rule of \(what) does nothing: give transition_days, noncurrent_transition_days or expire_days")
                    }
                    lifecycle.append(LifecycleRuleSpec(prefix: rule["prefix"].flatMap { reader.string($0, "prefix") } ?? "",
                                                       transitionDays: transition, storageClass: storageClass, expireDays: expire,
                                                       noncurrentTransitionDays: noncurrent, location: rule.location))
                }
            }
            var folders: [String] = []
            if let foldersNode = fields["folders"], let list = reader.stringList(foldersNode, "\(what) folders") {
                for (folder, itemNode) in list {
                    if !folder.hasSuffix("/") || folder.hasPrefix("/") || folder.count < 2 || folder.count > 1024 {
                        reader.error(itemNode, "folder '\(folder.prefix(60))' must be a key prefix ending in '/', such as raw/")
                    } else if folders.contains(folder) {
                        reader.error(itemNode, "folder '\(folder)' is listed twice")
                    } else {
                        folders.append(folder)
                    }
                }
            }
            return BucketSpec(name: name, bucketName: bucketName, versioning: versioning, encryption: encryption, publicAccessBlock: block,
                              lifecycle: lifecycle, folders: folders.sorted(), location: reader.location(keyNode))
        }
    }

    /// S3's naming rules for general purpose buckets, or `nil` when the name is fine.
    static func bucketNameProblem(_ name: String) -> String? {
        guard (3...63).contains(name.count) else { return "must be 3-63 characters" }
        guard name.allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" || $0 == "." }) else {
            return "may hold only lowercase letters, digits, '.' and '-'"
        }
        guard let first = name.first, let last = name.last, first.isLetter || first.isNumber, last.isLetter || last.isNumber else {
            return "must begin and end with a letter or digit"
        }
        if name.contains("..") { return "must not contain '..'" }
        if IPv4Address(name) != nil { return "must not look like an IP address" }
        return nil
    }

    // MARK: roles and logs

    func readRoles(_ node: Node) -> [RoleSpec] {
        reader.namedEntries(node, "roles").compactMap { name, keyNode, value in
            namedLines.append(("roles", name, reader.location(keyNode)))
            let what = "role '\(name)'"
            guard let fields = reader.fields(value, what, allowed: ["assumed_by", "managed_policies", "allow"], required: ["assumed_by"]) else { return nil }
            let assumedBy = fields["assumed_by"].flatMap { reader.oneOf($0, "\(what) assumed_by", AWSServices.rolePrincipals) }
            var managed: [String] = []
            if let list = fields["managed_policies"].flatMap({ reader.stringList($0, "\(what) managed_policies") }) {
                for (policy, itemNode) in list {
                    if policy.isEmpty || policy.contains(" ") || policy.count > 2048 {
                        reader.error(itemNode, "'\(policy.prefix(60))' is not a managed policy name or ARN")
                    } else { managed.append(policy) }
                }
            }
            var statements: [PolicyStatementSpec] = []
            if let items = fields["allow"].flatMap({ reader.list($0, "\(what) allow") }) {
                for item in items {
                    guard let statement = reader.fields(item, "a statement of \(what) allow", allowed: ["actions", "resources"], required: ["actions", "resources"]) else { continue }
                    var actions: [String] = []
                    for (action, actionNode) in statement["actions"].flatMap({ reader.stringList($0, "actions") }) ?? [] {
                        if action == "*" || Self.isIAMAction(action) { actions.append(action) } else {
                            reader.error(actionNode, "'\(action.prefix(60))' is not an IAM action (expected service:Action, such as s3:GetObject)")
                        }
                    }
                    var resources: [String] = []
                    for (resource, resourceNode) in statement["resources"].flatMap({ reader.stringList($0, "resources") }) ?? [] {
                        let named = ResourceAddress(parsing: resource)
                        if let named, named.isKind(.bucket) {
                            refer(.bucket, named.path, resourceNode)
                        } else if let named, named.isKind(.logGroup) {
                            refer(.logGroup, named.path, resourceNode)
                        } else if !(resource == "*" || resource.hasPrefix("arn:")) {
                            reader.error(resourceNode, "resource '\(resource.prefix(60))' must be bucket:NAME, log_group:NAME, an ARN or *")
                            continue
                        }
                        resources.append(resource)
                    }
                    let written = [statement["actions"], statement["resources"]].map { node -> Int? in
                        if case .sequence(let items)? = node { return items.count } else { return nil }
                    }
                    if written.contains(0) {
                        reader.error(statement.location, "a statement of \(what) needs at least one action and one resource")
                    }
                    statements.append(PolicyStatementSpec(actions: actions, resources: resources, location: statement.location))
                }
            }
            guard let assumedBy else { return nil }
            return RoleSpec(name: name, assumedBy: assumedBy, managedPolicies: managed.sorted(), allow: statements, location: reader.location(keyNode))
        }
    }

    static func isIAMAction(_ action: String) -> Bool {
        let parts = action.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        return parts[0].allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
            && parts[1].allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "*" || $0 == "?" }
    }

    func readLogGroups(_ node: Node) -> [LogGroupSpec] {
        reader.namedEntries(node, "log_groups").compactMap { name, keyNode, value in
            namedLines.append(("log_groups", name, reader.location(keyNode)))
            let what = "log group '\(name)'"
            if case .scalar(let scalar) = value, scalar.isNull {
                return LogGroupSpec(name: name, retentionDays: nil, location: reader.location(keyNode))
            }
            guard let fields = reader.fields(value, what, allowed: ["retention_days"]) else { return nil }
            let retention = fields["retention_days"].flatMap { readRetention($0, "\(what) retention_days") }
            return LogGroupSpec(name: name, retentionDays: retention, location: reader.location(keyNode))
        }
    }

    func readAlarms(_ node: Node) -> [AlarmSpec] {
        reader.namedEntries(node, "alarms").compactMap { name, keyNode, value in
            namedLines.append(("alarms", name, reader.location(keyNode)))
            let what = "alarm '\(name)'"
            guard let fields = reader.fields(value, what, allowed: ["instance", "metric", "statistic", "comparison", "threshold", "period_s", "evaluation_periods"],
                                             required: ["instance", "metric", "comparison", "threshold"]) else { return nil }
            let instance = fields["instance"].flatMap { instanceNode in reader.string(instanceNode, "\(what) instance").map { refer(.instance, $0, instanceNode); return $0 } }
            let metric = fields["metric"].flatMap { reader.oneOf($0, "\(what) metric", AWSServices.ec2Metrics) }
            let statistic = fields["statistic"].flatMap { reader.oneOf($0, "\(what) statistic", AWSServices.alarmStatistics) } ?? "Average"
            let comparison = fields["comparison"].flatMap { reader.oneOf($0, "\(what) comparison", [">", ">=", "<", "<="]) }
            let threshold = fields["threshold"].flatMap { reader.double($0, "\(what) threshold", in: -1e12...1e12) }
            let period = fields["period_s"].flatMap { periodNode -> Int? in
                guard let period = reader.int(periodNode, "\(what) period_s", in: 10...86400) else { return nil }
                guard [10, 20, 30].contains(period) || period % 60 == 0 else {
                    reader.error(periodNode, "\(what) period_s must be 10, 20, 30 or a multiple of 60 (CloudWatch's rule), found \(period)")
                    return nil
                }
                return period
            } ?? 300
            let evaluations = fields["evaluation_periods"].flatMap { reader.int($0, "\(what) evaluation_periods", in: 1...100) } ?? 1
            guard let instance, let metric, let comparison, let threshold else { return nil }
            return AlarmSpec(name: name, instance: instance, metric: metric, statistic: statistic, comparison: comparison, threshold: threshold,
                             periodSeconds: period, evaluationPeriods: evaluations, location: reader.location(keyNode))
        }
    }

    // MARK: load balancing

    func readLoadBalancers(_ node: Node) -> [LoadBalancerSpec] {
        reader.namedEntries(node, "load_balancers").compactMap { name, keyNode, value in
            namedLines.append(("load_balancers", name, reader.location(keyNode)))
            let what = "load balancer '\(name)'"
            guard let fields = reader.fields(value, what, allowed: ["type", "scheme", "subnet", "security_groups", "listeners", "aws_name"],
                                             required: ["type", "subnet", "listeners"]) else { return nil }
            let awsName = fields["aws_name"].flatMap { readELBName($0, what: what, loadBalancer: true) }
            if name.count > 32 { reader.error(keyNode, "\(what): AWS load balancer names are at most 32 characters") }
            let type = fields["type"].flatMap { reader.oneOf($0, "\(what) type", ["application", "network"]) }
            let scheme = fields["scheme"].flatMap { reader.oneOf($0, "\(what) scheme", ["internet-facing", "internal"]) } ?? "internet-facing"
            let subnet = fields["subnet"].flatMap { subnetNode in reader.string(subnetNode, "\(what) subnet").map { refer(.subnet, $0, subnetNode); return $0 } }
            let groups = fields["security_groups"].map { readGroupList($0, what) } ?? []
            var listeners: [ListenerSpec] = []
            var ports: [Int: SourceLocation] = [:]
            if let items = fields["listeners"].flatMap({ reader.list($0, "\(what) listeners") }) {
                if items.isEmpty { reader.error(fields["listeners"]!, "\(what) needs at least one listener") }
                for item in items {
                    guard let listener = readListener(item, of: what, type: type) else { continue }
                    if let first = ports[listener.port] {
                        reader.error(listener.location, "\(what) has two listeners on port \(listener.port) (first on line \(first.line))")
                    }
                    ports[listener.port] = listener.location
                    listeners.append(listener)
                }
                // A redirect sends clients to HTTPS on port 443, which this balancer must serve.
                if !listeners.contains(where: { $0.port == 443 && $0.protocol == "HTTPS" }) {
                    for listener in listeners where listener.redirectsToHTTPS {
                        reader.error(listener.location, "listener \(listener.port) of \(what) redirects to HTTPS on port 443, but \(what) has no HTTPS listener on port 443")
                    }
                }
            }
            guard let type, let subnet else { return nil }
            return LoadBalancerSpec(name: name, type: type, scheme: scheme, subnet: subnet, securityGroups: groups,
                                    listeners: listeners.sorted { $0.port < $1.port }, location: reader.location(keyNode), awsName: awsName)
        }
    }

    func readTargetGroups(_ node: Node) -> [TargetGroupSpec] {
        reader.namedEntries(node, "target_groups").compactMap { name, keyNode, value in
            namedLines.append(("target_groups", name, reader.location(keyNode)))
            let what = "target group '\(name)'"
            guard let fields = reader.fields(value, what, allowed: ["port", "protocol", "health", "targets", "aws_name"], required: ["port", "protocol"]) else { return nil }
            let awsName = fields["aws_name"].flatMap { readELBName($0, what: what, loadBalancer: false) }
            if name.count > 32 { reader.error(keyNode, "\(what): AWS target group names are at most 32 characters") }
            let port = fields["port"].flatMap { reader.int($0, "\(what) port", in: 1...65535) }
            let proto = fields["protocol"].flatMap { reader.oneOf($0, "\(what) protocol", ["HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP"]) }
            var health = HealthCheckSpec(path: nil, port: nil, intervalSeconds: 30)
            if let healthNode = fields["health"], let healthFields = reader.fields(healthNode, "\(what) health", allowed: ["path", "port", "interval_s"]) {
                if let pathNode = healthFields["path"], let path = reader.string(pathNode, "health path") {
                    if path.hasPrefix("/") { health.path = path } else { reader.error(pathNode, "health path must start with '/'") }
                }
                health.port = healthFields["port"].flatMap { reader.int($0, "health port", in: 1...65535) }
                if let interval = healthFields["interval_s"].flatMap({ reader.int($0, "health interval_s", in: 5...300) }) { health.intervalSeconds = interval }
            }
            var targets: [String] = []
            if let list = fields["targets"].flatMap({ reader.stringList($0, "\(what) targets") }) {
                for (target, itemNode) in list {
                    guard let named = ResourceAddress(parsing: target), named.isKind(.instance) else {
                        reader.error(itemNode, "target '\(target.prefix(60))' must be instance:NAME")
                        continue
                    }
                    let instance = named.path
                    refer(.instance, instance, itemNode)
                    targets.append(instance)
                }
            }
            guard let port, let proto else { return nil }
            return TargetGroupSpec(name: name, port: port, protocol: proto, health: health, targets: Array(Set(targets)).sorted(), location: reader.location(keyNode),
                                   awsName: awsName)
        }
    }

    /// ELB's rules for load balancer and target group names: 1-32 letters, digits and '-', not
    /// beginning or ending with '-' (and a load balancer's not beginning with `internal-`).
    func readELBName(_ node: Node, what: String, loadBalancer: Bool) -> String? {
        guard let name = reader.string(node, "\(what) aws_name") else { return nil }
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-") }
        guard (1...32).contains(name.count), allowed, !name.hasPrefix("-"), !name.hasSuffix("-"),
              !(loadBalancer && name.lowercased().hasPrefix("internal-")) else {
            reader.error(node, "\(what) aws_name must be 1 to 32 letters, digits and '-', not beginning or ending with '-'\(loadBalancer ? " nor beginning with 'internal-'" : "")")
            return nil
        }
        return name
    }

    // MARK: assertions and usage

    func readAssertions(_ node: Node) -> [AssertionSpec] {
        guard let items = reader.list(node, "assertions") else { return [] }
        var names = Set<String>()
        return items.compactMap { item in
            guard let fields = reader.fields(item, "an assertion", allowed: ["name", "from", "to", "protocol", "port", "expect"],
                                             required: ["name", "from", "to", "protocol", "expect"]) else { return nil }
            let name = fields["name"].flatMap { reader.string($0, "assertion name") }
            if let name, !names.insert(name).inserted { reader.error(fields["name"]!, "two assertions are named '\(name)'") }
            let from = fields["from"].flatMap { readEndpoint($0) }
            let to = fields["to"].flatMap { readEndpoint($0) }
            let ipProtocol = fields["protocol"].flatMap { reader.oneOf($0, "assertion protocol", IPProtocol.self) }
            let port = fields["port"].flatMap { reader.int($0, "assertion port", in: 0...65535) }
            if let ipProtocol, ipProtocol.hasPorts, fields["port"] == nil {
                reader.error(fields.location, "a \(ipProtocol) assertion needs a port")
            }
            let expect = fields["expect"].flatMap { reader.oneOf($0, "assertion expect", ["reachable", "unreachable"]) }.flatMap(Expectation.init(rawValue:))
            guard let name, let from, let to, let ipProtocol, let expect else { return nil }
            return AssertionSpec(name: name, from: from, to: to, ipProtocol: ipProtocol, port: port, expect: expect, location: fields.location)
        }
    }

    func readEndpoint(_ node: Node) -> Endpoint? {
        guard let text = reader.string(node, "an assertion end") else { return nil }
        switch Endpoint.parse(text) {
        case .failure(let error):
            reader.error(node, error.message)
            return nil
        case .success(let endpoint):
            switch endpoint {
            case .instance(let name): refer(.instance, name, node)
            case .cluster(let name), .clusterGroup(let name, _), .fileSystem(let name): refer(.cluster, name, node)
            case .subnet(let name): refer(.subnet, name, node)
            case .loadBalancer(let name): refer(.loadBalancer, name, node)
            case .interfaceEndpoint(let name): refer(.interfaceEndpoint, name, node)
            case .autoScalingGroup(let name): refer(.autoScalingGroup, name, node)
            case .service, .internet, .ip: break
            }
            return endpoint
        }
    }

    func readUsage(_ node: Node) -> UsageSpec {
        var usage = UsageSpec.defaults(at: reader.location(node))
        guard let fields = reader.fields(node, "usage", allowed: ["nat_gb", "endpoint_gb", "s3_gb", "logs_gb", "internet_egress_gb", "lb_lcu", "hours", "dns_queries_m"]) else { return usage }
        func number(_ key: String, _ range: ClosedRange<Double> = 0...1e9) -> Double? { fields[key].flatMap { reader.double($0, "usage.\(key)", in: range) } }
        usage.natGB = number("nat_gb") ?? 0
        usage.endpointGB = number("endpoint_gb") ?? 0
        usage.s3GB = number("s3_gb") ?? 0
        usage.logsGB = number("logs_gb") ?? 0
        usage.internetEgressGB = number("internet_egress_gb") ?? 0
        usage.lbLCU = number("lb_lcu", 0...1e6) ?? 0
        usage.hours = number("hours", 0...744) ?? 730
        usage.dnsQueriesMillions = number("dns_queries_m", 0...1e7) ?? 0
        return usage
    }
}

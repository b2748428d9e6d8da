import NetloomModel
import Yams

/// A name used somewhere in the spec that must resolve to something defined elsewhere.
struct PendingReference {
    enum Kind: String {
        case subnet, securityGroup = "security group", role, targetGroup = "target group", instance, cluster
        case autoScalingGroup = "auto scaling group"
        case loadBalancer = "load balancer", bucket, logGroup = "log group", interfaceEndpoint = "interface endpoint"
        case zone, certificate
    }
    var kind: Kind
    var name: String
    var location: SourceLocation
}

/// Builds a `StackSpec` from the YAML tree: every section, then the checks that need
/// more than one section (references, AZs, address overlaps, AWS quotas).
final class SpecBuilder {
    let reader: YAMLReader
    let text: String
    var references: [PendingReference] = []
    /// Named entries with the line of their name, for `# netloom:skip=` comments.
    var namedLines: [(section: String, name: String, location: SourceLocation)] = []
    /// Each name a certificate covers, where it is written (checked against the zone later).
    var certificateNameNodes: [(certificate: String, name: String, location: SourceLocation)] = []
    /// Each record's name and zone, where the name is written.
    var recordNameNodes: [(name: String, zone: String, location: SourceLocation)] = []
    /// Each `target_groups` item of an Auto Scaling group, for the checks that need the target groups.
    var autoScalingTargetGroupNodes: [(group: String, targetGroup: String, location: SourceLocation)] = []

    init(reader: YAMLReader, text: String) {
        self.reader = reader
        self.text = text
    }

    static let topLevelKeys = [
        "stack", "region", "tags", "network", "subnets", "security_groups", "network_acls", "clusters", "instances",
        "buckets", "roles", "log_groups", "alarms", "load_balancers", "target_groups", "assertions", "usage", "state",
        "zones", "certificates", "records",
        "buckets", "roles", "log_groups", "alarms", "load_balancers", "target_groups", "assertions", "usage", "state", "autoscaling_groups",
    ]

    func refer(_ kind: PendingReference.Kind, _ name: String, _ node: Node) {
        references.append(PendingReference(kind: kind, name: name, location: reader.location(node)))
    }

    func build(_ root: Node) -> StackSpec? {
        guard let top = reader.fields(root, "the spec", allowed: Self.topLevelKeys, required: ["stack", "region", "network"]) else {
            return nil
        }
        let stack = top["stack"].flatMap { node -> String? in
            guard let name = reader.string(node, "stack") else { return nil }
            guard Self.isStackName(name) else {
                reader.error(node, "stack name '\(name.prefix(60))' must match [a-z][a-z0-9-]{0,39}")
                return nil
            }
            return name
        }
        let region = top["region"].flatMap { node -> String? in
            guard let region = reader.string(node, "region") else { return nil }
            guard AWSRegions.availabilityZones[region] != nil else {
                reader.error(node, "region '\(region.prefix(40))' is not one netloom knows\(DidYouMean.hint(for: region, among: AWSRegions.knownRegions)); known regions: \(AWSRegions.knownRegions.joined(separator: ", "))")
                return nil
            }
            return region
        }
        let tags = top["tags"].map { readTags($0) } ?? [:]
        let state = top["state"].flatMap { node -> StateLocation? in
            guard let text = reader.string(node, "state") else { return nil }
            do {
                return try StateLocation(parsing: text)
            } catch {
                reader.error(node, String(describing: error))
                return nil
            }
        }
        var subnets = top["subnets"].map { readSubnets($0) } ?? []
        let securityGroups = top["security_groups"].map { readSecurityGroups($0) } ?? []
        let networkACLs = top["network_acls"].map { readNetworkACLs($0) } ?? []
        var clusters = top["clusters"].map { readClusters($0) } ?? []
        let instances = top["instances"].map { readInstances($0) } ?? []
        let buckets = top["buckets"].map { readBuckets($0, stack: stack) } ?? []
        let roles = top["roles"].map { readRoles($0) } ?? []
        let logGroups = top["log_groups"].map { readLogGroups($0) } ?? []
        let alarms = top["alarms"].map { readAlarms($0) } ?? []
        let loadBalancers = top["load_balancers"].map { readLoadBalancers($0) } ?? []
        let targetGroups = top["target_groups"].map { readTargetGroups($0) } ?? []
        let autoScalingGroups = top["autoscaling_groups"].map { readAutoScalingGroups($0) } ?? []
        let assertions = top["assertions"].map { readAssertions($0) } ?? []
        let zones = top["zones"].map { readZones($0) } ?? []
        let certificates = top["certificates"].map { readCertificates($0) } ?? []
        let records = top["records"].map { readRecords($0) } ?? []
        let usage = top["usage"].map { readUsage($0) } ?? .defaults()
        let hasPrivateSubnet = subnets.contains { $0.tier == .private }
        let network = top["network"].flatMap { readNetwork($0, region: region, hasPrivateSubnet: hasPrivateSubnet) }

        let location = top.keyNode("stack").map(reader.location) ?? top.location
        guard let stack, let region, let network else { return nil }
        subnets.sort { $0.name < $1.name }
        var spec = StackSpec(
            file: reader.file, stack: stack, region: region, tags: tags, network: network,
            subnets: subnets, securityGroups: securityGroups.sorted { $0.name < $1.name },
            networkACLs: networkACLs.sorted { $0.name < $1.name }, clusters: clusters,
            instances: instances.sorted { $0.name < $1.name }, buckets: buckets.sorted { $0.name < $1.name },
            roles: roles.sorted { $0.name < $1.name }, logGroups: logGroups.sorted { $0.name < $1.name },
            alarms: alarms.sorted { $0.name < $1.name }, loadBalancers: loadBalancers.sorted { $0.name < $1.name },
            targetGroups: targetGroups.sorted { $0.name < $1.name }, assertions: assertions, usage: usage,
            skips: [], location: location)
        spec.state = state
        spec.zones = zones.sorted { $0.name < $1.name }
        spec.certificates = certificates.sorted { $0.name < $1.name }
        spec.records = records
        spec.autoScalingGroups = resolveScaling(autoScalingGroups.sorted { $0.name < $1.name }, spec: spec)
        clusters = resolveClusterAZs(clusters, spec: spec)
        spec.clusters = clusters.sorted { $0.name < $1.name }
        resolveHyperPod(&spec)
        spec.network.endpointSubnet = resolveEndpointSubnet(spec, node: top["network"])
        if !spec.network.interfaceEndpoints.isEmpty, spec.network.endpointSecurityGroup == nil {
            spec.securityGroups.append(Self.defaultEndpointGroup(spec.network))
            spec.securityGroups.sort { $0.name < $1.name }
            spec.network.endpointSecurityGroup = Self.defaultEndpointGroupName
        }
        SpecCrossChecks(reader: reader, spec: spec, builder: self).run()
        spec.skips = SkipComments(reader: reader, text: text, namedLines: namedLines).directives()
        return spec
    }

    /// Names starting with `netloom-` belong to what netloom adds itself.
    static let defaultEndpointGroupName = "netloom-endpoints"

    /// SPEC.md: without `endpoints.security_group`, interface endpoints get a group allowing tcp 443 from the VPC.
    static func defaultEndpointGroup(_ network: NetworkSpec) -> SecurityGroupSpec {
        SecurityGroupSpec(
            name: defaultEndpointGroupName, description: "Interface endpoints: HTTPS from the VPC",
            ingress: [SecurityGroupRuleSpec(direction: .ingress, peer: .vpc, ipProtocol: .tcp, ports: PortRange(443),
                                            description: "HTTPS from the VPC", location: network.location)],
            egress: [], egressIsDefault: false, location: network.location)
    }

    static func isStackName(_ name: String) -> Bool {
        YAMLReader.isValidName(name) && name.count <= 40
    }

    // MARK: tags

    func readTags(_ node: Node) -> [String: String] {
        guard case .mapping(let mapping) = node else {
            reader.error(node, "tags must be a mapping of key: value, found \(YAMLReader.kind(node))")
            return [:]
        }
        var tags: [String: String] = [:]
        for (keyNode, valueNode) in mapping {
            guard let key = reader.string(keyNode, "a tag key"), let value = reader.scalarText(valueNode, "tag '\(keyNode.scalar?.string ?? "")'") else { continue }
            if key.lowercased().hasPrefix("aws:") || key.hasPrefix("netloom:") {
                reader.error(keyNode, "tag key '\(key.prefix(60))' uses a reserved prefix (aws: belongs to AWS, netloom: to netloom)")
            } else if key.isEmpty || key.count > 128 {
                reader.error(keyNode, "tag keys must be 1-128 characters")
            } else if value.count > 256 {
                reader.error(valueNode, "tag values must be at most 256 characters")
            } else {
                tags[key] = value
            }
        }
        // netloom adds netloom:stack, netloom:address and, unless the spec gives one, Name.
        let added = tags["Name"] == nil ? 3 : 2
        if tags.count + added > 50 {
            reader.error(node, "\(tags.count) tags: AWS allows 50 per resource and netloom adds \(added) (netloom:stack, netloom:address\(added == 3 ? ", Name" : ""))")
        }
        return tags
    }

    // MARK: network

    func readNetwork(_ node: Node, region: String?, hasPrivateSubnet: Bool) -> NetworkSpec? {
        guard let fields = reader.fields(node, "network", allowed: ["cidr", "azs", "nat", "flow_logs", "endpoints"], required: ["cidr", "azs"]) else { return nil }
        var cidr: CIDRBlock?
        if let cidrNode = fields["cidr"], let block = reader.cidr(cidrNode, "network.cidr") {
            if (16...28).contains(block.prefix) { cidr = block } else {
                reader.error(cidrNode, "network.cidr prefix /\(block.prefix) is outside /16-/28, the sizes AWS allows for a VPC")
            }
        }
        var azs: [String] = []
        if let azsNode = fields["azs"], let items = reader.stringList(azsNode, "network.azs") {
            if items.isEmpty { reader.error(azsNode, "network.azs must name at least one availability zone") }
            var seen = Set<String>()
            for (az, itemNode) in items {
                guard seen.insert(az).inserted else {
                    reader.error(itemNode, "availability zone '\(az)' is listed twice")
                    continue
                }
                if let region, let known = AWSRegions.availabilityZones[region], !known.contains(az) {
                    reader.error(itemNode, "'\(az.prefix(40))' is not an availability zone of \(region)\(DidYouMean.hint(for: az, among: known)); \(region) has \(known.joined(separator: ", "))")
                    continue
                }
                azs.append(az)
            }
        }
        let nat: NATMode = fields["nat"].flatMap { reader.oneOf($0, "network.nat", NATMode.self) } ?? (hasPrivateSubnet ? .single : .none)
        var flowLogsEnabled = false
        var retention: Int?
        if let flowNode = fields["flow_logs"] {
            if case .mapping = flowNode {
                flowLogsEnabled = true
                if let flow = reader.fields(flowNode, "network.flow_logs", allowed: ["retention_days"]), let days = flow["retention_days"] {
                    retention = readRetention(days, "network.flow_logs.retention_days")
                }
            } else if let enabled = reader.bool(flowNode, "network.flow_logs") {
                flowLogsEnabled = enabled
            }
        }
        var gateway: [String] = [], interface: [String] = []
        var endpointSubnet: String?, endpointGroup: String?
        if let endpointsNode = fields["endpoints"], let endpoints = reader.fields(endpointsNode, "network.endpoints", allowed: ["gateway", "interface", "subnet", "security_group"]) {
            if let list = endpoints["gateway"].flatMap({ reader.stringList($0, "network.endpoints.gateway") }) {
                gateway = uniqueServices(list, known: AWSServices.gatewayEndpointServices, what: "gateway endpoint")
            }
            if let list = endpoints["interface"].flatMap({ reader.stringList($0, "network.endpoints.interface") }) {
                interface = uniqueServices(list, known: AWSServices.interfaceEndpointServices, what: "interface endpoint")
            }
            if let subnetNode = endpoints["subnet"], let name = reader.string(subnetNode, "network.endpoints.subnet") {
                endpointSubnet = name
                refer(.subnet, name, subnetNode)
            }
            if let groupNode = endpoints["security_group"], let name = reader.string(groupNode, "network.endpoints.security_group") {
                endpointGroup = name
                refer(.securityGroup, name, groupNode)
            }
        }
        guard let cidr else { return nil }
        return NetworkSpec(cidr: cidr, azs: azs.sorted(), nat: nat, flowLogRetentionDays: retention, flowLogsEnabled: flowLogsEnabled,
                           gatewayEndpoints: gateway, interfaceEndpoints: interface, endpointSubnet: endpointSubnet,
                           endpointSecurityGroup: endpointGroup, location: reader.location(node),
                           cidrLocation: fields["cidr"].map(reader.location) ?? reader.location(node))
    }

    func uniqueServices(_ list: [(String, Node)], known: [String], what: String) -> [String] {
        var result = Set<String>()
        for (service, node) in list {
            if !known.contains(service) {
                reader.error(node, "'\(service.prefix(40))' is not a \(what) service netloom knows\(DidYouMean.hint(for: service, among: known)); known: \(known.joined(separator: ", "))")
            } else if !result.insert(service).inserted {
                reader.error(node, "\(what) '\(service)' is listed twice")
            }
        }
        return result.sorted()
    }

    func readRetention(_ node: Node, _ what: String) -> Int? {
        guard let days = reader.int(node, what, in: 1...3653) else { return nil }
        guard AWSServices.logRetentionDays.contains(days) else {
            let nearest = AWSServices.logRetentionDays.min { abs($0 - days) < abs($1 - days) }!
            reader.error(node, "\(what) is \(days); CloudWatch Logs accepts only \(AWSServices.logRetentionDays.map(String.init).joined(separator: ", ")) (nearest: \(nearest))")
            return nil
        }
        return days
    }

    // MARK: subnets

    func readSubnets(_ node: Node) -> [SubnetSpec] {
        let subnets = readSubnetEntries(node)
        if case .mapping(let mapping) = node, mapping.count != subnets.count { incompleteSections.insert("subnets") }
        return subnets
    }

    private func readSubnetEntries(_ node: Node) -> [SubnetSpec] {
        reader.namedEntries(node, "subnets").compactMap { name, keyNode, value in
            namedLines.append(("subnets", name, reader.location(keyNode)))
            let what = "subnet '\(name)'"
            guard let fields = reader.fields(value, what, allowed: ["tier", "size", "azs", "cidrs"], required: ["tier"]) else { return nil }
            let tier = fields["tier"].flatMap { reader.oneOf($0, "\(what) tier", SubnetTier.self) }
            var size: SubnetSize = .auto
            if let sizeNode = fields["size"], let text = reader.scalarText(sizeNode, "\(what) size") {
                if text == "auto" {
                    size = .auto
                } else if text.hasPrefix("/"), let length = Int(text.dropFirst()), text.count <= 3 {
                    if (16...28).contains(length) { size = .prefix(length) } else {
                        reader.error(sizeNode, "\(what) size /\(length) is outside /16-/28, the sizes AWS allows for a subnet")
                    }
                } else {
                    reader.error(sizeNode, "\(what) size must be /N (16-28) or auto, found '\(text.prefix(40))'")
                }
            }
            var azs: [String]?
            if let azsNode = fields["azs"], let list = reader.stringList(azsNode, "\(what) azs") {
                if list.isEmpty { reader.error(azsNode, "\(what) azs must name at least one availability zone") }
                var seen = Set<String>()
                for (az, itemNode) in list where !seen.insert(az).inserted {
                    reader.error(itemNode, "availability zone '\(az)' is listed twice")
                }
                azs = seen.sorted()
                for (az, itemNode) in list { azReferences.append((az, reader.location(itemNode), what)) }
            }
            var cidrs: [String: CIDRBlock] = [:]
            var cidrLocations: [String: SourceLocation] = [:]
            if let cidrsNode = fields["cidrs"] {
                if case .mapping(let mapping) = cidrsNode {
                    for (azNode, cidrNode) in mapping {
                        guard let az = reader.string(azNode, "an AZ in \(what) cidrs") else { continue }
                        azReferences.append((az, reader.location(azNode), what))
                        if let block = reader.cidr(cidrNode, "\(what) cidr for \(az)") {
                            if (16...28).contains(block.prefix) {
                                cidrs[az] = block
                                cidrLocations[az] = reader.location(cidrNode)
                            } else {
                                reader.error(cidrNode, "\(what) cidr \(block) has prefix /\(block.prefix), outside /16-/28, the sizes AWS allows for a subnet")
                            }
                        }
                    }
                } else {
                    reader.error(cidrsNode, "\(what) cidrs must be a mapping of AZ: CIDR, found \(YAMLReader.kind(cidrsNode))")
                }
            }
            guard let tier else { return nil }
            if fields["size"] == nil, let pinnedPrefix = Set(cidrs.values.map(\.prefix)).first, Set(cidrs.values.map(\.prefix)).count == 1 {
                size = .prefix(pinnedPrefix)
            }
            return SubnetSpec(name: name, tier: tier, size: size, azs: azs, cidrs: cidrs,
                              location: reader.location(keyNode), cidrLocations: cidrLocations)
        }
    }

    /// AZ names written under subnets, checked against the network's AZs once those are known.
    var azReferences: [(az: String, location: SourceLocation, owner: String)] = []

    // MARK: security groups

    func readSecurityGroups(_ node: Node) -> [SecurityGroupSpec] {
        reader.namedEntries(node, "security_groups").compactMap { name, keyNode, value in
            namedLines.append(("security_groups", name, reader.location(keyNode)))
            let what = "security group '\(name)'"
            guard let fields = reader.fields(value, what, allowed: ["description", "ingress", "egress", "aws_name"]) else { return nil }
            let awsName = fields["aws_name"].flatMap { node -> String? in
                guard let text = reader.string(node, "\(what) aws_name") else { return nil }
                // EC2's rules for group names: 1-255 characters, not starting with sg-.
                guard (1...255).contains(text.count), !text.lowercased().hasPrefix("sg-") else {
                    reader.error(node, "\(what) aws_name must be 1 to 255 characters and must not start with 'sg-'")
                    return nil
                }
                checkDescription(text, node: node, what: "\(what) aws_name")
                return text
            }
            let description = fields["description"].flatMap { reader.string($0, "\(what) description") } ?? "Managed by netloom"
            if let node = fields["description"] { checkDescription(description, node: node, what: "\(what) description") }
            let ingress = fields["ingress"].map { readRules($0, group: name, direction: .ingress) } ?? []
            let egressIsDefault = fields["egress"] == nil
            let egress: [SecurityGroupRuleSpec]
            if let egressNode = fields["egress"] {
                egress = readRules(egressNode, group: name, direction: .egress)
            } else {
                egress = [SecurityGroupRuleSpec(direction: .egress, peer: .any, ipProtocol: .all, ports: nil,
                                                description: "AWS default egress", location: reader.location(keyNode))]
            }
            return SecurityGroupSpec(name: name, description: description, ingress: ingress, egress: egress,
                                     egressIsDefault: egressIsDefault, location: reader.location(keyNode), awsName: awsName)
        }
    }

    func readRules(_ node: Node, group: String, direction: RuleDirection) -> [SecurityGroupRuleSpec] {
        let what = "security group '\(group)' \(direction.rawValue)"
        guard let items = reader.list(node, what) else { return [] }
        let peerKey = direction == .ingress ? "from" : "to"
        let wrongKey = direction == .ingress ? "to" : "from"
        var rules: [SecurityGroupRuleSpec] = []
        var seen: [String: SourceLocation] = [:]
        for item in items {
            guard let fields = reader.fields(item, "a rule of \(what)", allowed: [peerKey, wrongKey, "protocol", "ports", "description"]) else { continue }
            if let wrong = fields.keyNode(wrongKey) {
                reader.error(wrong, "\(direction.rawValue) rules name the \(direction == .ingress ? "source" : "destination") with '\(peerKey)', not '\(wrongKey)'")
                continue
            }
            guard let peerNode = fields[peerKey] else {
                reader.error(fields.location, "a rule of \(what) is missing the required key '\(peerKey)'")
                continue
            }
            guard let protocolNode = fields["protocol"] else {
                reader.error(fields.location, "a rule of \(what) is missing the required key 'protocol'")
                continue
            }
            guard let peer = readPeer(peerNode, what: what),
                  let ipProtocol = reader.oneOf(protocolNode, "protocol", IPProtocol.self) else { continue }
            guard let ports = readRulePorts(fields, ipProtocol: ipProtocol, what: "a \(ipProtocol) rule of \(what)") else { continue }
            let description = fields["description"].flatMap { reader.string($0, "rule description") }
            if let description, let node = fields["description"] { checkDescription(description, node: node, what: "a rule description of \(what)") }
            let rule = SecurityGroupRuleSpec(direction: direction, peer: peer, ipProtocol: ipProtocol, ports: ports.range,
                                             description: description, location: fields.location)
            let key = rule.key(group: group)
            if let first = seen[key] {
                reader.error(fields.location, "duplicate rule in \(what): same protocol, ports and \(peerKey) as the rule on line \(first.line)")
                continue
            }
            seen[key] = fields.location
            rules.append(rule)
        }
        if rules.count > 60 {
            reader.error(reader.location(node), "\(what) has \(rules.count) rules; AWS's default quota is 60 \(direction == .ingress ? "inbound" : "outbound") rules per security group")
        }
        return rules
    }

    /// Ports are required for tcp and udp and meaningless otherwise. Wrapped so `nil` can mean "error".
    struct RulePorts { var range: PortRange? }

    func readRulePorts(_ fields: Fields, ipProtocol: IPProtocol, what: String) -> RulePorts? {
        if ipProtocol.hasPorts {
            guard let portsNode = fields["ports"] else {
                reader.error(fields.location, "\(what) needs 'ports' (a port such as 443 or a range such as \"1024-65535\")")
                return nil
            }
            return reader.ports(portsNode, "ports").map { RulePorts(range: $0) }
        }
        if let portsNode = fields["ports"] {
            reader.error(portsNode, "\(what) takes no 'ports': protocol \(ipProtocol) covers every port")
            return nil
        }
        return RulePorts(range: nil)
    }

    func readPeer(_ node: Node, what: String) -> RulePeer? {
        guard let text = reader.string(node, "a rule peer") else { return nil }
        switch text {
        case "self": return .self
        case "vpc": return .vpc
        case "any": return .any
        default: break
        }
        if text.hasPrefix("sg:") {
            let name = String(text.dropFirst(3))
            refer(.securityGroup, name, node)
            return .securityGroup(name)
        }
        if text.hasPrefix("prefix:") {
            let service = String(text.dropFirst(7))
            guard AWSServices.gatewayEndpointServices.contains(service) else {
                reader.error(node, "'\(text.prefix(40))' names no AWS prefix list netloom knows; use prefix:s3 or prefix:dynamodb")
                return nil
            }
            return .prefixList(service)
        }
        if text.first?.isNumber == true {
            do { return .cidr(try CIDRBlock(parsing: text)) } catch {
                reader.error(node, "\(error.description)")
                return nil
            }
        }
        reader.error(node, "'\(text.prefix(40))' is not a rule peer: use self, vpc, any, sg:NAME, prefix:s3 or a CIDR\(DidYouMean.hint(for: text, among: ["self", "vpc", "any"]))")
        return nil
    }

    // MARK: network ACLs

    func readNetworkACLs(_ node: Node) -> [NetworkACLSpec] {
        reader.namedEntries(node, "network_acls").compactMap { name, keyNode, value in
            namedLines.append(("network_acls", name, reader.location(keyNode)))
            let what = "network ACL '\(name)'"
            guard let fields = reader.fields(value, what, allowed: ["subnets", "ingress", "egress"], required: ["subnets"]) else { return nil }
            var subnets: [String] = []
            if let subnetsNode = fields["subnets"], let list = reader.stringList(subnetsNode, "\(what) subnets") {
                for (subnet, itemNode) in list {
                    refer(.subnet, subnet, itemNode)
                    aclSubnetClaims.append((subnet, name, reader.location(itemNode)))
                    subnets.append(subnet)
                }
            }
            let ingress = fields["ingress"].map { readACLEntries($0, acl: name, direction: .ingress) } ?? []
            let egress = fields["egress"].map { readACLEntries($0, acl: name, direction: .egress) } ?? []
            return NetworkACLSpec(name: name, subnets: Array(Set(subnets)).sorted(), ingress: ingress, egress: egress,
                                  location: reader.location(keyNode))
        }
    }

    var aclSubnetClaims: [(subnet: String, acl: String, location: SourceLocation)] = []

    func readACLEntries(_ node: Node, acl: String, direction: RuleDirection) -> [NetworkACLEntrySpec] {
        let what = "network ACL '\(acl)' \(direction.rawValue)"
        guard let items = reader.list(node, what) else { return [] }
        var entries: [NetworkACLEntrySpec] = []
        var numbers: [Int: SourceLocation] = [:]
        for item in items {
            guard let fields = reader.fields(item, "an entry of \(what)", allowed: ["rule", "action", "protocol", "ports", "cidr"],
                                             required: ["rule", "action", "protocol", "cidr"]) else { continue }
            let number = fields["rule"].flatMap { numberNode -> Int? in
                guard let number = reader.int(numberNode, "rule number", in: Int.min...Int.max) else { return nil }
                guard (1...32766).contains(number) else {
                    reader.error(numberNode, "rule number \(number) is outside 1-32766 (32767 is AWS's own default deny)")
                    return nil
                }
                if let first = numbers[number] {
                    reader.error(numberNode, "rule number \(number) is used twice in \(what) (first on line \(first.line))")
                    return nil
                }
                numbers[number] = reader.location(numberNode)
                return number
            }
            let action = fields["action"].flatMap { reader.oneOf($0, "action", ACLAction.self) }
            let ipProtocol = fields["protocol"].flatMap { reader.oneOf($0, "protocol", IPProtocol.self) }
            let cidr = fields["cidr"].flatMap { reader.cidr($0, "cidr") }
            guard let number, let action, let ipProtocol, let cidr,
                  let ports = readRulePorts(fields, ipProtocol: ipProtocol, what: "a \(ipProtocol) entry of \(what)") else { continue }
            entries.append(NetworkACLEntrySpec(direction: direction, ruleNumber: number, action: action, ipProtocol: ipProtocol,
                                               ports: ports.range, cidr: cidr, location: fields.location))
        }
        if entries.count > 20 {
            reader.error(reader.location(node), "\(what) has \(entries.count) entries; AWS's default quota is 20 rules per network ACL direction")
        }
        return entries.sorted { $0.ruleNumber < $1.ruleNumber }
    }

    // MARK: clusters

    func readClusters(_ node: Node) -> [ClusterSpec] {
        reader.namedEntries(node, "clusters").compactMap { name, keyNode, value in
            namedLines.append(("clusters", name, reader.location(keyNode)))
            let what = "cluster '\(name)'"
            guard let fields = reader.fields(value, what, allowed: ["orchestrator", "instance_type", "nodes", "subnet", "az", "placement", "headroom", "ips_per_node", "security_groups",
                                                                    "hyperpod", "eks"],
                                             required: ["orchestrator", "instance_type", "nodes", "subnet"]) else { return nil }
            let orchestrator = fields["orchestrator"].flatMap { reader.oneOf($0, "\(what) orchestrator", Orchestrator.self) }
            let instanceType = fields["instance_type"].flatMap { readInstanceType($0, what) }
            let nodes = fields["nodes"].flatMap { reader.int($0, "\(what) nodes", in: 1...100_000) }
            let subnet = fields["subnet"].flatMap { subnetNode in reader.string(subnetNode, "\(what) subnet").map { refer(.subnet, $0, subnetNode); return $0 } }
            let az = fields["az"].flatMap { reader.string($0, "\(what) az") }
            if let az, let azNode = fields["az"] { clusterAZNodes[name] = (az, reader.location(azNode)) }
            let placement = fields["placement"].flatMap { reader.oneOf($0, "\(what) placement", PlacementStrategy.self) }
            let headroom = fields["headroom"].flatMap { readHeadroom($0, what) } ?? 0.25
            let ipsPerNode = fields["ips_per_node"].flatMap { reader.int($0, "\(what) ips_per_node", in: 1...1024) }
            let groups = fields["security_groups"].map { readGroupList($0, what) } ?? []
            let hyperPod = fields["hyperpod"].flatMap { readHyperPod($0, cluster: name, orchestrator: orchestrator) }
            if fields["hyperpod"] != nil, let typeNode = fields["instance_type"], let instanceType, !instanceType.hasPrefix("ml.") {
                reader.error(typeNode, "\(what) instance_type '\(instanceType.prefix(40))' is not a SageMaker type: a cluster with hyperpod: takes ml.* types (ml.\(instanceType.prefix(36)))")
            }
            let eks = fields["eks"].flatMap { readEKSControlPlane($0, cluster: name) }
            if let eksKey = fields.keyNode("eks") {
                if let orchestrator, orchestrator != .eks {
                    reader.error(eksKey, "\(what) eks: is for orchestrator eks only (this cluster's orchestrator is \(orchestrator.rawValue))")
                } else if fields["hyperpod"] == nil {
                    reader.error(eksKey, "\(what) eks: describes the control plane netloom creates with the HyperPod cluster; add hyperpod: too")
                }
            } else if orchestrator == .eks, let hyperPodKey = fields.keyNode("hyperpod") {
                reader.error(hyperPodKey, "\(what) with orchestrator eks and hyperpod: needs eks: { version: \"1.31\", subnets: SET } for its control plane")
            }
            guard let orchestrator, let instanceType, let nodes, let subnet else { return nil }
            var cluster = ClusterSpec(name: name, orchestrator: orchestrator, instanceType: instanceType, nodes: nodes, subnet: subnet,
                                      az: az ?? "", placement: placement ?? (InstanceTypes.supportsEFA(instanceType) ? .cluster : .none),
                                      headroom: headroom, ipsPerNode: ipsPerNode ?? orchestrator.defaultIPsPerNode,
                                      securityGroups: groups, location: reader.location(keyNode))
            cluster.hyperPod = hyperPod
            cluster.eks = orchestrator == .eks && hyperPod != nil ? eks : nil
            return cluster
        }
    }

    var clusterAZNodes: [String: (az: String, location: SourceLocation)] = [:]
    /// Where each cluster's `eks.subnets` is written, for the two-AZ check.
    var eksSubnetNodes: [String: SourceLocation] = [:]
    /// Where each cluster's `storage.fsx_lustre.az` is written, checked once the subnets are known.
    var fileSystemAZNodes: [String: SourceLocation] = [:]
    var instanceAZNodes: [String: (az: String, location: SourceLocation)] = [:]
    /// Sections where some entry failed to load; checks that need the whole section skip them.
    var incompleteSections: Set<String> = []

    func readHeadroom(_ node: Node, _ what: String) -> Double? {
        guard let text = reader.scalarText(node, "\(what) headroom") else { return nil }
        let value: Double?
        if text.hasSuffix("%") { value = Double(text.dropLast()).map { $0 / 100 } } else { value = Double(text) }
        guard let value, value.isFinite, (0...10).contains(value) else {
            reader.error(node, "\(what) headroom must be a percentage such as 25% (0%-1000%), found '\(text.prefix(40))'")
            return nil
        }
        return value
    }

    func readInstanceType(_ node: Node, _ what: String) -> String? {
        guard let type = reader.string(node, "\(what) instance type") else { return nil }
        guard InstanceTypes.isWellFormed(type) else {
            reader.error(node, "'\(type.prefix(40))' is not an instance type (expected family.size such as p5.48xlarge or ml.p5.48xlarge)")
            return nil
        }
        return type
    }

    func readGroupList(_ node: Node, _ what: String) -> [String] {
        guard let list = reader.stringList(node, "\(what) security_groups") else { return [] }
        var names = Set<String>()
        for (name, itemNode) in list {
            refer(.securityGroup, name, itemNode)
            if !names.insert(name).inserted { reader.error(itemNode, "security group '\(name)' is listed twice") }
        }
        if names.count > 5 {
            reader.error(node, "\(what) has \(names.count) security groups; AWS allows 5 per network interface by default")
        }
        return names.sorted()
    }

    // MARK: cross-section resolution

    func resolveClusterAZs(_ clusters: [ClusterSpec], spec: StackSpec) -> [ClusterSpec] {
        clusters.map { cluster in
            var cluster = cluster
            guard let subnet = spec.subnet(named: cluster.subnet) else { return cluster }
            let azs = spec.azs(of: subnet)
            if let (az, location) = clusterAZNodes[cluster.name] {
                if !azs.contains(az) {
                    let placement = cluster.placement == .cluster ? " (placement: cluster keeps every node in this one AZ)" : ""
                    reader.error(location, "cluster '\(cluster.name)' az '\(az)' is not one of the AZs of subnet '\(subnet.name)' (\(azs.joined(separator: ", ")))\(placement)\(DidYouMean.hint(for: az, among: azs))")
                }
            } else {
                cluster.az = azs.first ?? ""
            }
            return cluster
        }
    }

    func resolveEndpointSubnet(_ spec: StackSpec, node: Node?) -> String? {
        if let given = spec.network.endpointSubnet { return given }
        guard !spec.network.interfaceEndpoints.isEmpty else { return nil }
        if let subnet = spec.subnets.first(where: { $0.tier == .private }) ?? spec.subnets.first(where: { $0.tier == .isolated }) {
            return subnet.name
        }
        reader.error(node.map(reader.location) ?? spec.location, "interface endpoints need a private or isolated subnet to live in; add one or set network.endpoints.subnet")
        return nil
    }
}

extension SpecBuilder {
    /// The characters EC2 takes in group and rule descriptions; anything else (control
    /// characters, bidirectional overrides, non-ASCII) is refused by AWS at apply time.
    static let descriptionCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._-:/()#,@[]+=&;{}!$*")

    func checkDescription(_ text: String, node: Node, what: String) {
        if text.count > 255 {
            reader.error(node, "\(what) is longer than 255 characters")
        } else if let bad = text.unicodeScalars.first(where: { !Self.descriptionCharacters.contains(Character($0)) }) {
            let hex = String(bad.value, radix: 16, uppercase: true)
            let shown = bad.value < 0x21 || bad.value >= 0x7F ? "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex : "'\(bad)'"
            reader.error(node, "\(what) holds \(shown), which AWS does not accept; use letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*")
        }
    }
}

import NetloomModel

/// Checks that need the whole spec: names resolve, AZs belong to the network, pinned
/// addresses fit, and the combinations AWS refuses are caught before any call.
struct SpecCrossChecks {
    let reader: YAMLReader
    let spec: StackSpec
    let builder: SpecBuilder

    func run() {
        checkReferences()
        checkSubnets()
        checkNetworkACLClaims()
        checkInstances()
        checkNAT()
        checkLoadBalancers()
        checkAutoScalingGroups()
        checkBucketNames()
        checkLogGroupNames()
        checkClusterPartEnds()
        checkServing()
    }

    /// `cluster:NAME/GROUP` and `fsx:NAME` in assertions: the cluster itself is checked as a
    /// reference; here, that it has that group or a file system.
    func checkClusterPartEnds() {
        for assertion in spec.assertions {
            for end in [assertion.from, assertion.to] {
                switch end {
                case .clusterGroup(let name, _), .fileSystem(let name):
                    guard spec.cluster(named: name) != nil, let problem = end.undefinedName(in: spec) else { continue }
                    reader.error(assertion.location, "assertion '\(assertion.name.prefix(60))': \(problem)")
                default: continue
                }
            }
        }
    }

    /// Every name written in a section, including entries whose body has errors of its own:
    /// those errors are already reported, and a reference to them is not dangling.
    func names(_ kind: PendingReference.Kind) -> [String] {
        let section: String
        switch kind {
        case .subnet: section = "subnets"
        case .securityGroup: return builder.namedLines.filter { $0.section == "security_groups" }.map(\.name) + spec.securityGroups.map(\.name)
        case .role: section = "roles"
        case .targetGroup: section = "target_groups"
        case .instance: section = "instances"
        case .cluster: section = "clusters"
        case .loadBalancer: section = "load_balancers"
        case .bucket: section = "buckets"
        case .logGroup: section = "log_groups"
        case .interfaceEndpoint: return spec.network.interfaceEndpoints
        case .zone: section = "zones"
        case .certificate: section = "certificates"
        case .autoScalingGroup: section = "autoscaling_groups"
        }
        return builder.namedLines.filter { $0.section == section }.map(\.name)
    }

    func checkReferences() {
        var known: [PendingReference.Kind: Set<String>] = [:]
        for reference in builder.references {
            let candidates = known[reference.kind] ?? Set(names(reference.kind))
            known[reference.kind] = candidates
            guard !candidates.contains(reference.name) else { continue }
            let hint = DidYouMean.hint(for: reference.name, among: candidates.sorted())
            let where_ = reference.kind == .interfaceEndpoint ? " in network.endpoints.interface" : ""
            reader.error(reference.location, "\(reference.kind.rawValue) '\(reference.name.prefix(60))' is not defined\(where_)\(hint)")
        }
    }

    func checkSubnets() {
        let vpc = spec.network.cidr
        let networkAZs = Set(spec.network.azs)
        for (az, location, owner) in builder.azReferences where !networkAZs.contains(az) && !spec.network.azs.isEmpty {
            reader.error(location, "\(owner): '\(az.prefix(40))' is not one of network.azs (\(spec.network.azs.joined(separator: ", ")))\(DidYouMean.hint(for: az, among: spec.network.azs))")
        }
        var pinned: [(block: CIDRBlock, owner: String, location: SourceLocation)] = []
        for subnet in spec.subnets {
            if case .prefix(let length) = subnet.size, length < vpc.prefix {
                reader.error(subnet.location, "subnet '\(subnet.name)' size /\(length) is larger than the VPC (\(vpc))")
            }
            let azs = Set(spec.azs(of: subnet))
            for az in subnet.cidrs.keys.sorted() {
                let block = subnet.cidrs[az]!, location = subnet.cidrLocations[az] ?? subnet.location
                if networkAZs.contains(az), !azs.contains(az) {
                    reader.error(location, "subnet '\(subnet.name)' pins a CIDR for \(az), which is not one of its azs (\(azs.sorted().joined(separator: ", ")))")
                }
                if !vpc.contains(block) {
                    reader.error(location, "subnet '\(subnet.name)' cidr \(block) for \(az) is outside the VPC \(vpc)")
                    continue
                }
                if case .prefix(let length) = subnet.size, length != block.prefix {
                    reader.error(location, "subnet '\(subnet.name)' cidr \(block) for \(az) is a /\(block.prefix) but the subnet's size is /\(length)")
                }
                if let clash = pinned.first(where: { $0.block.overlaps(block) }) {
                    reader.error(location, "subnet '\(subnet.name)' cidr \(block) for \(az) overlaps \(clash.block) of \(clash.owner) (line \(clash.location.line))")
                }
                pinned.append((block, "subnet '\(subnet.name)' in \(az)", location))
            }
        }
    }

    func checkNetworkACLClaims() {
        var owner: [String: (acl: String, location: SourceLocation)] = [:]
        for claim in builder.aclSubnetClaims {
            if let first = owner[claim.subnet], first.acl != claim.acl {
                reader.error(claim.location, "subnet '\(claim.subnet)' is already associated with network ACL '\(first.acl)' (line \(first.location.line)); a subnet has exactly one network ACL")
            } else {
                owner[claim.subnet] = (claim.acl, claim.location)
            }
        }
    }

    func checkInstances() {
        for instance in spec.instances {
            guard let subnet = spec.subnet(named: instance.subnet) else { continue }
            let azs = spec.azs(of: subnet)
            if let (az, location) = builder.instanceAZNodes[instance.name], !azs.contains(az) {
                reader.error(location, "instance '\(instance.name)' az '\(az.prefix(40))' is not one of the AZs of subnet '\(subnet.name)' (\(azs.joined(separator: ", ")))\(DidYouMean.hint(for: az, among: azs))")
            }
            if let roleName = instance.role, let role = spec.role(named: roleName), role.assumedBy != "ec2" {
                reader.error(instance.location, "instance '\(instance.name)' uses role '\(roleName)', which is assumed by \(role.assumedBy), not ec2")
            }
        }
    }

    /// The AZs that hold a private subnet, each of which needs a NAT gateway's public subnet.
    func checkNAT() {
        // With a subnet that failed to load, the NAT placement cannot be judged; its own error says why.
        guard !builder.incompleteSections.contains("subnets") else { return }
        let privateAZs = Set(spec.subnets.filter { $0.tier == .private }.flatMap { spec.azs(of: $0) })
        let publicAZs = Set(spec.subnets.filter { $0.tier == .public }.flatMap { spec.azs(of: $0) })
        switch spec.network.nat {
        case .none:
            return
        case .single:
            if publicAZs.isEmpty {
                reader.error(spec.network.location, "network.nat is single but there is no public subnet to hold the NAT gateway")
            } else if let first = spec.network.azs.first, !publicAZs.contains(first) {
                reader.error(spec.network.location, "network.nat single puts the NAT gateway in the first AZ, \(first), but no public subnet covers \(first)")
            }
        case .perAZ:
            for az in privateAZs.sorted() where !publicAZs.contains(az) {
                reader.error(spec.network.location, "network.nat per-az needs a public subnet in \(az) for its NAT gateway")
            }
        }
    }

    /// Derived names carry a hash of the stack and the address, so only names the spec gives
    /// (`bucket_name`) can meet another bucket's.
    func checkBucketNames() {
        var derivedPattern: [String: BucketSpec] = [:]
        for bucket in spec.buckets where bucket.bucketName == nil {
            derivedPattern[DerivedName.make(.bucket, stack: spec.stack, name: bucket.name, identity: ResourceAddress.bucket(bucket.name).description)] = bucket
        }
        var given: [String: BucketSpec] = [:]
        for bucket in spec.buckets {
            guard let name = bucket.bucketName else { continue }
            if let first = given[name] {
                reader.error(bucket.location, "bucket '\(bucket.name)': bucket_name '\(name)' is also the name of bucket '\(first.name)' (\(first.location)); S3 bucket names are unique")
                continue
            }
            given[name] = bucket
            let withoutAccount = String(name.dropLast(12)) + "${account_id}"
            if name.count > 12, name.suffix(12).allSatisfy(\.isNumber), let other = derivedPattern[withoutAccount] {
                reader.error(bucket.location, "bucket '\(bucket.name)': bucket_name '\(name)' is the name netloom derives for bucket '\(other.name)' (\(other.location)); choose another")
            }
        }
    }

    /// The flow logs' log group is `/netloom/<stack>/flow-logs`, the name a spec log group
    /// called `flow-logs` would get.
    func checkLogGroupNames() {
        guard spec.network.flowLogsEnabled, let clash = spec.logGroups.first(where: { $0.name == "flow-logs" }) else { return }
        reader.error(clash.location, "log group 'flow-logs': its AWS name /netloom/\(spec.stack)/flow-logs is the one the VPC's flow logs use; choose another name")
    }

    func checkLoadBalancers() {
        var typeOfTargetGroup: [String: (type: String, lb: String)] = [:]
        for lb in spec.loadBalancers {
            if let subnet = spec.subnet(named: lb.subnet) {
                let azs = spec.azs(of: subnet)
                if lb.type == "application", azs.count < 2 {
                    reader.error(lb.location, "application load balancer '\(lb.name)' needs subnets in at least two AZs; subnet '\(subnet.name)' covers only \(azs.joined(separator: ", "))")
                }
            }
            for listener in lb.listeners {
                guard let group = listener.forward.flatMap(spec.targetGroup(named:)) else { continue }
                let compatible = lb.type == "application" ? ["HTTP", "HTTPS"] : ["TCP", "TLS", "UDP", "TCP_UDP"]
                if !compatible.contains(group.protocol) {
                    reader.error(listener.location, "listener \(listener.port) of \(lb.type) load balancer '\(lb.name)' forwards to target group '\(group.name)', whose protocol \(group.protocol) a \(lb.type) load balancer cannot use")
                }
                if let other = typeOfTargetGroup[group.name], other.type != lb.type {
                    reader.error(listener.location, "target group '\(group.name)' is already used by \(other.type) load balancer '\(other.lb)'")
                }
                typeOfTargetGroup[group.name] = (lb.type, lb.name)
            }
        }
    }
}

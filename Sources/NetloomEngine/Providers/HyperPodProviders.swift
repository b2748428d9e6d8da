import AWSClient
import Foundation
import NetloomModel

// A HyperPod cluster's own pieces: the FSx for Lustre file system, the EKS control plane and
// its add-ons, and the SageMaker HyperPod cluster. Each is found by its tags (set in the
// create call itself, so a run killed after the call still finds what it made), and each
// create waits for the resource to be ready through the engine's readiness waiter.

/// A client token from the stack, the address and what is asked for: a retry of the same
/// create returns the first one's resource; a different request (a replacement) gets a new one.
func clientToken(stack: String, address: String, request: PropertyValue) -> String {
    "netloom-" + DerivedName.hash(stack: stack, identity: address + " " + request.description)
}

/// A resource that can never become ready (failed): the wait stops with AWS's reason.
struct ResourceFailed: Error, CustomStringConvertible {
    var what: String
    var state: String
    var reason: String?
    var description: String { "\(what) is \(state)\(reason.map { ": \($0)" } ?? "")" }
}

// MARK: FSx for Lustre

struct FSxFileSystemProvider: ResourceProvider {
    let type = ResourceType.fsxFileSystem
    let replacedOn = [
        "subnet": "a file system cannot move to another subnet", "security_groups": "netloom recreates a file system whose groups changed",
        "deployment_type": "a file system's deployment type is fixed",
        "storage_capacity_gib": "netloom does not resize file systems in place (FSx only grows them); the file system is made again, without its data",
        "throughput_mb_per_tib": "netloom does not change a file system's throughput in place; the file system is made again, without its data",
    ]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        let systems = try await context.services.fsx.describeFileSystems().filter { !["DELETING", "FAILED"].contains($0.lifecycle ?? "") }
        return ProviderSupport.byAddressTag(systems, stack: context.stack, adoption: context.adoption, type: type, id: \.id, tags: \.tags) { system in
            Self.observed(system, desired: scope.desired)
        }
    }

    static func observed(_ system: FSx.FileSystem, desired: [DesiredResource]) -> ObservedResource {
        var properties: [String: PropertyValue] = [
            "subnet": .string(system.subnetIDs.first ?? ""), "storage_capacity_gib": .int(system.storageCapacity ?? 0),
            "deployment_type": .string(system.deploymentType ?? ""), "throughput_mb_per_tib": .int(system.perUnitStorageThroughput ?? 0),
            "tags": comparableTags(system.tags),
        ]
        // FSx reports a file system's groups only through its network interfaces; AWS's
        // DescribeFileSystems has no SecurityGroupIds. What was asked for is what it has.
        let wanted = desired.first { $0.address == system.tags.value(forKey: "netloom:address") }
        properties["security_groups"] = system.securityGroupIDs.isEmpty ? ProviderSupport.sortedIDs(wanted?.strings("security_groups") ?? [])
            : ProviderSupport.sortedIDs(system.securityGroupIDs)
        var attributes: [String: String] = [:]
        if let arn = system.arn { attributes["arn"] = arn }
        if let dns = system.dnsName { attributes["dns_name"] = dns }
        // AWS gives every PERSISTENT_2 file system a MountName; moto 5.2.1 gives none. `fsx`
        // is the mount name FSx uses where it has no other (SCRATCH_1), so scripts still work.
        attributes["mount_name"] = system.mountName ?? "fsx"
        return ObservedResource(address: "", type: .fsxFileSystem, awsID: system.id, properties: properties, attributes: attributes)
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["subnet": .string(desired.string("subnet")), "storage_capacity_gib": .int(desired.int("storage_capacity_gib") ?? 0),
         "deployment_type": .string(desired.string("deployment_type")), "throughput_mb_per_tib": .int(desired.int("throughput_mb_per_tib") ?? 0),
         "security_groups": ProviderSupport.sortedIDs(desired.strings("security_groups")), "tags": desired.tags.propertyMap]
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let input = FSx.CreateLustreFileSystemInput(
            storageCapacity: desired.int("storage_capacity_gib") ?? 1200, subnetIDs: [desired.string("subnet")],
            securityGroupIDs: desired.strings("security_groups"), tags: desired.tags,
            // moto 5.2.1 ignores the token; the tags (in this same call) find a file system a killed run made.
            clientRequestToken: clientToken(stack: context.stack, address: desired.address, request: .map(comparable(desired))),
            lustre: FSx.LustreConfiguration(deploymentType: desired.string("deployment_type"), perUnitStorageThroughput: desired.int("throughput_mb_per_tib")))
        let created = try await context.services.fsx.createLustreFileSystem(input)
        var latest = created
        do {
            try await context.waiter.wait(for: "FSx for Lustre \(created.id) (\(desired.address))") {
                latest = try await context.services.fsx.describeFileSystems(ids: [created.id]).first ?? latest
                let state = latest.lifecycle ?? "AVAILABLE"
                if state == "FAILED" || state == "MISCONFIGURED" {
                    throw ResourceFailed(what: "FSx for Lustre \(created.id)", state: state, reason: latest.failureMessage)
                }
                // moto 5.2.1 reports no Lifecycle: a file system it answers for exists and is usable.
                return (latest.lifecycle == nil || latest.isAvailable, state)
            }
        } catch {
            var made = Self.observed(latest, desired: [desired])
            made.properties = comparable(desired)
            throw MadeButNotReady(made: made, cause: error)
        }
        var observed = Self.observed(latest, desired: [desired])
        observed.address = desired.address
        observed.properties = comparable(desired)
        return observed
    }

    /// Only the tags change in place; every other field replaces the file system.
    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        guard changed.contains("tags") else { return updated(observed, to: desired) }
        guard let arn = observed.attributes["arn"] else {
            throw AWSError(kind: .invalidAnswer, service: "fsx", action: "DescribeFileSystems", statusCode: 200,
                           message: "file system \(observed.awsID) was described without a ResourceARN to tag it by")
        }
        try await ProviderSupport.updateTags(desired, observed: observed,
                                             tag: { try await context.services.fsx.tagResource(arn: arn, tags: $0) },
                                             untag: { try await context.services.fsx.untagResource(arn: arn, keys: $0) })
        return updated(observed, to: desired)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        // moto 5.2.1 answers a delete of an unknown id with a server error: ask first.
        let present = try await context.services.fsx.describeFileSystems().contains { $0.id == observed.awsID }
        guard present else { return }
        try await ProviderSupport.ignoringNotFound { _ = try await context.services.fsx.deleteFileSystem(id: observed.awsID) }
        try await context.waiter.wait(for: "deletion of FSx for Lustre \(observed.awsID)") {
            let system = try await context.services.fsx.describeFileSystems().first { $0.id == observed.awsID }
            return (system == nil, system?.lifecycle ?? "deleted")
        }
    }
}

// MARK: EKS

struct EKSClusterProvider: ResourceProvider {
    let type = ResourceType.eksCluster
    let replacedOn = [
        "name": "an EKS cluster cannot be renamed", "subnets": "netloom recreates a control plane whose subnets changed",
        "security_groups": "netloom recreates a control plane whose groups changed", "role_arn": "an EKS cluster keeps its role for life",
        "version": "netloom does not upgrade a control plane in place", "authentication_mode": "netloom does not change the authentication mode in place",
        "status": "a FAILED control plane cannot be repaired in place",
    ]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        // EKS lists names only; each is described (its tags say whose it is).
        var clusters: [EKS.Cluster] = []
        for name in try await context.services.eks.listClusters() {
            do {
                let cluster = try await context.services.eks.describeCluster(name: name)
                if cluster.status != "DELETING" { clusters.append(cluster) }
            } catch let error as AWSError where error.isNotFound { continue }
        }
        return ProviderSupport.byAddressTag(clusters, stack: context.stack, adoption: context.adoption, type: type, id: \.name, tags: \.tags) { cluster in
            Self.observed(cluster)
        }
    }

    static func observed(_ cluster: EKS.Cluster) -> ObservedResource {
        ObservedResource(address: "", type: .eksCluster, awsID: cluster.name, properties: [
            "name": .string(cluster.name), "version": .string(cluster.version ?? ""), "role_arn": .string(cluster.roleArn ?? ""),
            "subnets": ProviderSupport.sortedIDs(cluster.vpcConfig?.subnetIDs ?? []),
            "security_groups": ProviderSupport.sortedIDs(cluster.vpcConfig?.securityGroupIDs ?? []),
            "authentication_mode": .string(cluster.authenticationMode ?? "API"), "status": .string(cluster.status),
            "tags": comparableTags(cluster.tags),
        ], attributes: ["arn": cluster.arn])
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["name": .string(desired.string("name")), "version": .string(desired.string("version")), "role_arn": .string(desired.string("role_arn")),
         "subnets": ProviderSupport.sortedIDs(desired.strings("subnets")), "security_groups": ProviderSupport.sortedIDs(desired.strings("security_groups")),
         "authentication_mode": .string(desired.string("authentication_mode")), "status": "ACTIVE", "tags": desired.tags.propertyMap]
    }

    /// Only the tags change in place; every other field replaces the control plane.
    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        guard changed.contains("tags"), let arn = observed.attributes["arn"] else { return updated(observed, to: desired) }
        try await ProviderSupport.updateTags(desired, observed: observed,
                                             tag: { try await context.services.eks.tagResource(arn: arn, tags: $0) },
                                             untag: { try await context.services.eks.untagResource(arn: arn, keys: $0) })
        return updated(observed, to: desired)
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let input = EKS.CreateClusterInput(
            name: desired.string("name"), version: desired.string("version"), roleArn: desired.string("role_arn"),
            vpcConfig: EKS.VpcConfigRequest(subnetIDs: desired.strings("subnets"), securityGroupIDs: desired.strings("security_groups")),
            authenticationMode: desired.string("authentication_mode"), tags: desired.tags,
            clientRequestToken: clientToken(stack: context.stack, address: desired.address, request: .map(comparable(desired))))
        let created = try await context.services.eks.createCluster(input)
        var latest = created
        do {
            // A control plane takes about ten minutes on AWS; moto 5.2.1 is ACTIVE at once.
            try await context.waiter.wait(for: "EKS cluster \(created.name) (\(desired.address))") {
                latest = try await context.services.eks.describeCluster(name: created.name)
                if latest.isFailed { throw ResourceFailed(what: "EKS cluster \(created.name)", state: latest.status, reason: nil) }
                return (latest.isActive, latest.status)
            }
        } catch {
            var made = Self.observed(latest)
            made.properties = comparable(desired)
            throw MadeButNotReady(made: made, cause: error)
        }
        var observed = Self.observed(latest)
        observed.address = desired.address
        observed.properties = comparable(desired)
        return observed
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        try await ProviderSupport.ignoringNotFound { try await context.services.eks.deleteCluster(name: observed.awsID) }
        try await context.waiter.wait(for: "deletion of EKS cluster \(observed.awsID)") {
            do {
                let cluster = try await context.services.eks.describeCluster(name: observed.awsID)
                return (false, cluster.status)
            } catch let error as AWSError where error.isNotFound {
                return (true, "deleted")
            }
        }
    }
}

struct EKSAddonProvider: ResourceProvider {
    let type = ResourceType.eksAddon
    let readsAfterParents = true
    let replacedOn = ["cluster": "an add-on belongs to one cluster", "addon_name": "an add-on is one named add-on"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        var items: [(identity: String, observed: ObservedResource)] = []
        for cluster in scope.observed.values where cluster.type == .eksCluster && !cluster.isUnmanaged {
            let names: [String]
            do {
                names = try await context.services.eks.listAddons(clusterName: cluster.awsID)
            } catch let error as AWSError where error.isNotImplemented {
                // moto 5.2.1 has no add-on routes (404): there is nothing to read; creating one
                // then fails with "the endpoint does not implement CreateAddon".
                continue
            }
            for name in names {
                let addon = try await context.services.eks.describeAddon(clusterName: cluster.awsID, addonName: name)
                let id = CompositeID(cluster.awsID, name).description
                items.append((id, ObservedResource(address: "", type: type, awsID: id, properties: [
                    "cluster": .string(cluster.awsID), "addon_name": .string(name), "status": .string(Self.health(addon.status)),
                ])))
            }
        }
        // Add-ons the spec does not name (installed by hand) are the cluster owner's: left alone.
        return ProviderSupport.matchByIdentity(items, desired: scope.desired, identity: { CompositeID($0.string("cluster"), $0.string("addon_name")).description },
                                               state: scope.state).filter { !$0.isUnmanaged }
    }

    /// `ACTIVE` while it works or is being changed; a failed or degraded add-on shows as such in drift.
    static func health(_ status: String) -> String { ["CREATING", "UPDATING", "ACTIVE"].contains(status) ? "ACTIVE" : status }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["cluster": .string(desired.string("cluster")), "addon_name": .string(desired.string("addon_name")), "status": "ACTIVE"]
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let cluster = desired.string("cluster"), name = desired.string("addon_name")
        _ = try await context.services.eks.createAddon(EKS.CreateAddonInput(
            clusterName: cluster, addonName: name, resolveConflicts: "OVERWRITE", tags: desired.tags,
            clientRequestToken: clientToken(stack: context.stack, address: desired.address, request: .map(comparable(desired)))))
        try await context.waiter.wait(for: "EKS add-on \(name) of \(cluster)") {
            let addon = try await context.services.eks.describeAddon(clusterName: cluster, addonName: name)
            if ["CREATE_FAILED", "DEGRADED"].contains(addon.status) {
                throw ResourceFailed(what: "EKS add-on \(name)", state: addon.status, reason: addon.healthIssues.first)
            }
            return (addon.isActive, addon.status)
        }
        return ObservedResource(address: desired.address, type: type, awsID: CompositeID(cluster, name).description, properties: comparable(desired))
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        let parts = CompositeID(parsing: observed.awsID, maximumParts: 2).parts
        guard parts.count == 2 else { return }
        try await ProviderSupport.ignoringNotFound { try await context.services.eks.deleteAddon(clusterName: parts[0], addonName: parts[1]) }
        try await context.waiter.wait(for: "deletion of EKS add-on \(parts[1])") {
            do {
                let addon = try await context.services.eks.describeAddon(clusterName: parts[0], addonName: parts[1])
                return (false, addon.status)
            } catch let error as AWSError where error.isNotFound {
                return (true, "deleted")
            }
        }
    }
}

// MARK: the HyperPod cluster

struct HyperPodClusterProvider: ResourceProvider {
    let type = ResourceType.hyperPodCluster
    let replacedOn = [
        "name": "a HyperPod cluster cannot be renamed", "instance_types": "an instance group's instance type cannot change in place",
        "threads_per_core": "an instance group's threads per core cannot change in place",
        "subnet": "a HyperPod cluster cannot move to another subnet", "security_groups": "a HyperPod cluster keeps its VpcConfig for life",
        "orchestrator": "a cluster's orchestrator is fixed", "eks_cluster_arn": "a cluster's EKS control plane is fixed",
        "status": "SageMaker cannot repair a Failed cluster in place",
    ]
    /// A group short of nodes is repaired by SageMaker's node recovery or by the user
    /// (`aws sagemaker batch-replace-cluster-nodes`); an UpdateCluster to the same counts would
    /// not bring a node back.
    let reportedOnly: Set<String> = ["running_nodes"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        let prefix = DerivedName.stackPrefix(.hyperPodCluster, stack: context.stack)
        let wanted = Set(scope.desired.map { $0.string("name") })
        var clusters: [(cluster: SageMaker.Cluster, tags: [AWSTag])] = []
        for summary in try await context.services.sageMaker.listClusters() where summary.name.hasPrefix(prefix) || wanted.contains(summary.name) {
            guard summary.status != "Deleting" else { continue }
            let tags = try await context.services.sageMaker.listTags(arn: summary.arn)
            guard context.belongs(tags, id: summary.name) else { continue }
            do {
                clusters.append((try await context.services.sageMaker.describeCluster(name: summary.name), tags))
            } catch let error as AWSError where error.isNotFound { continue }
        }
        return ProviderSupport.byAddressTag(clusters, stack: context.stack, adoption: context.adoption, type: type, id: \.cluster.name, tags: \.tags) { item in
            Self.observed(item.cluster, tags: item.tags, desired: scope.desired)
        }
    }

    static func groupMap(_ groups: [PropertyValue], _ key: String) -> PropertyValue {
        .map(Dictionary(groups.compactMap { group in group["name"]?.stringValue.map { ($0, group[key] ?? .null) } }, uniquingKeysWith: { first, _ in first }))
    }

    static func settings(_ group: PropertyValue) -> PropertyValue {
        ["execution_role": group["execution_role"] ?? .null, "source_s3_uri": group["lifecycle"]?["source_s3_uri"] ?? .null,
         "on_create": group["lifecycle"]?["on_create"] ?? .null]
    }

    static func observed(_ cluster: SageMaker.Cluster, tags: [AWSTag], desired: [DesiredResource]) -> ObservedResource {
        let wanted = desired.first { $0.address == tags.value(forKey: "netloom:address") }
        let groups: [PropertyValue] = cluster.instanceGroups.map { group in
            ["name": .string(group.name), "instance_type": .string(group.instanceType ?? ""), "count": .int(group.targetCount ?? group.currentCount ?? 0),
             "threads_per_core": .int(group.threadsPerCore ?? 0), "execution_role": .string(group.executionRole ?? ""),
             "lifecycle": ["source_s3_uri": .string(group.lifeCycleConfig?.sourceS3Uri ?? ""), "on_create": .string(group.lifeCycleConfig?.onCreate ?? "")]]
        }
        // moto 5.2.1 drops Orchestrator and NodeRecovery from DescribeCluster; AWS always
        // returns them. A missing one means the endpoint does not report it, not that it differs.
        let orchestrator = cluster.eksClusterArn != nil ? "eks" : (wanted?.string("orchestrator") ?? "slurm")
        let status = cluster.isFailed ? "Failed" : "InService"
        // Degraded: in service with a group running fewer nodes than its target. While the
        // cluster is created or updated the counts lag by design, so only InService is read.
        // A full group reads as the spec's count, so a count changed in the spec shows once,
        // as `instance_counts`, and not again here.
        let specCounts = groupMap(wanted?.properties["instance_groups"]?.listValue ?? [], "count").mapValue ?? [:]
        let running: [String: PropertyValue] = Dictionary(cluster.instanceGroups.map { group in
            let target = group.targetCount ?? group.currentCount ?? 0
            let current = group.currentCount ?? target
            if cluster.isInService, current < target { return (group.name, PropertyValue.int(current)) }
            return (group.name, specCounts[group.name] ?? .int(target))
        }, uniquingKeysWith: { first, _ in first })
        var properties: [String: PropertyValue] = [
            "name": .string(cluster.name), "instance_types": groupMap(groups, "instance_type"), "instance_counts": groupMap(groups, "count"),
            "threads_per_core": groupMap(groups, "threads_per_core"), "running_nodes": .map(running),
            "instance_settings": .map(Dictionary(groups.compactMap { group in group["name"]?.stringValue.map { ($0, settings(group)) } }, uniquingKeysWith: { first, _ in first })),
            "subnet": .string(cluster.vpcConfig?.subnetIDs.first ?? ""), "security_groups": ProviderSupport.sortedIDs(cluster.vpcConfig?.securityGroupIDs ?? []),
            "orchestrator": .string(orchestrator),
            "eks_cluster_arn": .string(cluster.eksClusterArn ?? (wanted?.string("eks_cluster_arn") ?? "")),
            "node_recovery": .string(cluster.nodeRecovery?.rawValue ?? wanted?.string("node_recovery") ?? ""),
            "status": .string(status), "tags": comparableTags(tags),
        ]
        if cluster.isFailed, let message = cluster.failureMessage { properties["failure_message"] = .string(message) }
        return ObservedResource(address: "", type: .hyperPodCluster, awsID: cluster.name, properties: properties, attributes: ["arn": cluster.arn])
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        let groups = desired.properties["instance_groups"]?.listValue ?? []
        return [
            "name": .string(desired.string("name")), "instance_types": Self.groupMap(groups, "instance_type"), "instance_counts": Self.groupMap(groups, "count"),
            "threads_per_core": Self.groupMap(groups, "threads_per_core"), "running_nodes": Self.groupMap(groups, "count"),
            "instance_settings": .map(Dictionary(groups.compactMap { group in group["name"]?.stringValue.map { ($0, Self.settings(group)) } }, uniquingKeysWith: { first, _ in first })),
            "subnet": .string(desired.string("subnet")), "security_groups": ProviderSupport.sortedIDs(desired.strings("security_groups")),
            "orchestrator": .string(desired.string("orchestrator")), "eks_cluster_arn": .string(desired.string("eks_cluster_arn")),
            "node_recovery": .string(desired.string("node_recovery")), "status": "InService", "tags": desired.tags.propertyMap,
        ]
    }

    /// The instance groups as CreateCluster and UpdateCluster take them. Every group carries
    /// ThreadsPerCore, ExecutionRole and LifeCycleConfig: moto 5.2.1 needs all three on each
    /// group (a missing one is a server error that leaves a half-made cluster), and it takes
    /// only a SourceS3Uri starting with `s3://sagemaker-`, which the derived lifecycle bucket does.
    static func groupSpecifications(_ desired: DesiredResource) -> [SageMaker.InstanceGroupSpecification] {
        (desired.properties["instance_groups"]?.listValue ?? []).map { group in
            SageMaker.InstanceGroupSpecification(
                name: group["name"]?.stringValue ?? "", instanceType: group["instance_type"]?.stringValue ?? "", instanceCount: group["count"]?.intValue ?? 0,
                lifeCycleConfig: SageMaker.LifeCycleConfig(sourceS3Uri: group["lifecycle"]?["source_s3_uri"]?.stringValue ?? "",
                                                           onCreate: group["lifecycle"]?["on_create"]?.stringValue ?? ""),
                executionRole: group["execution_role"]?.stringValue ?? "", threadsPerCore: group["threads_per_core"]?.intValue ?? 1)
        }
    }

    static func createInput(_ desired: DesiredResource) -> SageMaker.CreateClusterInput {
        let eks = desired.string("eks_cluster_arn")
        return SageMaker.CreateClusterInput(
            name: desired.string("name"), instanceGroups: groupSpecifications(desired),
            vpcConfig: SageMaker.VpcConfig(securityGroupIDs: desired.strings("security_groups"), subnetIDs: [desired.string("subnet")]),
            tags: desired.tags, eksClusterArn: eks.isEmpty ? nil : eks, nodeRecovery: SageMaker.NodeRecovery(rawValue: desired.string("node_recovery")))
    }

    static func updateInput(_ desired: DesiredResource) -> SageMaker.UpdateClusterInput {
        SageMaker.UpdateClusterInput(name: desired.string("name"), instanceGroups: groupSpecifications(desired),
                                     nodeRecovery: SageMaker.NodeRecovery(rawValue: desired.string("node_recovery")))
    }

    func waitInService(_ name: String, what: String, context: ProviderContext) async throws -> SageMaker.Cluster {
        var latest: SageMaker.Cluster?
        // Creating takes many minutes on AWS (nodes boot and run the lifecycle scripts); moto 5.2.1 is InService at once.
        try await context.waiter.wait(for: what) {
            let cluster = try await context.services.sageMaker.describeCluster(name: name)
            latest = cluster
            if cluster.isFailed { throw ResourceFailed(what: "HyperPod cluster \(name)", state: cluster.status, reason: cluster.failureMessage) }
            return (cluster.isInService, cluster.status)
        }
        guard let latest else { throw ResourceFailed(what: "HyperPod cluster \(name)", state: "missing", reason: nil) }
        return latest
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        // CreateCluster has no client token; the name is unique in the account and region, and
        // the tags travel in this call, so a run killed after it finds the cluster by them.
        let arn = try await context.services.sageMaker.createCluster(Self.createInput(desired))
        let name = desired.string("name")
        let made = ObservedResource(address: desired.address, type: type, awsID: name, properties: comparable(desired), attributes: ["arn": arn])
        do {
            _ = try await waitInService(name, what: "HyperPod cluster \(name) (\(desired.address))", context: context)
        } catch {
            // `--timeout` or a Failed cluster: the cluster exists; the state records it.
            throw MadeButNotReady(made: made, cause: error)
        }
        return made
    }

    /// A changed count, node recovery or lifecycle setting is one UpdateCluster with every group
    /// (moto 5.2.1 does not implement it: the run then says so and keeps what it did).
    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        let name = desired.string("name")
        if !changed.subtracting(["tags"]).isEmpty {
            _ = try await context.services.sageMaker.updateCluster(Self.updateInput(desired))
            _ = try await waitInService(name, what: "update of HyperPod cluster \(name)", context: context)
        }
        if changed.contains("tags"), let arn = observed.attributes["arn"] {
            try await ProviderSupport.updateTags(desired, observed: observed,
                                                 tag: { try await context.services.sageMaker.addTags(arn: arn, tags: $0) },
                                                 untag: { try await context.services.sageMaker.deleteTags(arn: arn, keys: $0) })
        }
        return updated(observed, to: desired)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        try await ProviderSupport.ignoringNotFound { try await context.services.sageMaker.deleteCluster(name: observed.awsID) }
        try await context.waiter.wait(for: "deletion of HyperPod cluster \(observed.awsID)") {
            do {
                let cluster = try await context.services.sageMaker.describeCluster(name: observed.awsID)
                return (false, cluster.status)
            } catch let error as AWSError where error.isNotFound {
                return (true, "deleted")
            }
        }
    }
}

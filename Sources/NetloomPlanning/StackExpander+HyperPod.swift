import NetloomModel
import NetloomSpec

/// The HyperPod blueprint: for a cluster with `hyperpod:`, its execution role, lifecycle bucket
/// and scripts, FSx for Lustre file system, EKS control plane (orchestrator eks) and the
/// SageMaker cluster itself, in that dependency order.
extension ResourceBuilder {
    static let clusterInstancePolicy = "AmazonSageMakerClusterInstanceRolePolicy"
    static let eksClusterPolicy = "AmazonEKSClusterPolicy"

    mutating func buildHyperPod() {
        for cluster in spec.clusters {
            guard let hyperPod = cluster.hyperPod, spec.subnet(named: cluster.subnet) != nil else { continue }
            let role = buildExecutionRole(cluster)
            let objects = buildLifecycleBucket(cluster, hyperPod)
            let fileSystem = buildFileSystem(cluster, hyperPod)
            let eks = buildEKS(cluster)
            buildHyperPodCluster(cluster, hyperPod, role: role, objects: objects, fileSystem: fileSystem, eks: eks)
        }
    }

    func roleARN(_ name: PropertyValue) -> String {
        "arn:aws:iam::${account_id}:role/netloom/\(spec.stack)/\(name.stringValue ?? "")"
    }

    func clusterSubnet(_ cluster: ClusterSpec) -> ResourceAddress { .subnet(SubnetKey(subnet: cluster.subnet, az: cluster.az)) }

    // MARK: execution role

    /// The role every node runs as: SageMaker's managed policy (S3 `sagemaker-*`, logs, metrics,
    /// SSM) and an inline policy for the network interfaces HyperPod makes in the cluster's
    /// subnet with the cluster's groups. Returns what the cluster must wait for and the role's ARN.
    mutating func buildExecutionRole(_ cluster: ClusterSpec) -> (dependencies: [ResourceAddress], arn: String) {
        let roleKey = HyperPodNames.executionRole(cluster.name)
        let address = ResourceAddress.iamRole(roleKey)
        let roleName = derivedName(.iamRole, "\(cluster.name)-hyperpod", address: address)
        let location = cluster.hyperPod?.location ?? cluster.location
        add(address, .iamRole, [
            "name": roleName.name, "path": .string("/netloom/\(spec.stack)/"),
            "assume_role_policy": assumeRolePolicy(service: "sagemaker.amazonaws.com"),
        ], location: location, previousNames: ["name": roleName.previous])
        let attachment = ResourceAddress.iamRolePolicyAttachment(role: roleKey, policy: Self.clusterInstancePolicy)
        add(attachment, .iamRolePolicyAttachment, ["role": ref(address), "policy_arn": .string("arn:aws:iam::aws:policy/\(Self.clusterInstancePolicy)")],
            dependsOn: [address], location: location, taggable: false)
        let subnet = clusterSubnet(cluster)
        let groups = cluster.securityGroups.map(ResourceAddress.securityGroup)
        let ec2 = "arn:aws:ec2:\(spec.region):${account_id}"
        // Creating an interface is authorised against the interface, the subnet and every group:
        // those are the cluster's own, so the role cannot place interfaces anywhere else.
        let placed = ["\(ec2):network-interface/*", "\(ec2):subnet/\(ResourceReference(subnet).embedded)"]
            + groups.map { "\(ec2):security-group/\(ResourceReference($0).embedded)" }
        var statements: [([String], [String])] = [
            (["ec2:CreateNetworkInterface"], placed),
            (["ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission",
              "ec2:DetachNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses", "ec2:CreateTags"],
             ["\(ec2):network-interface/*"]),
            // Describe calls take no resource-level permissions in EC2: "*" is the only resource AWS allows.
            (["ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeDhcpOptions"], ["*"]),
        ]
        let bucket = lifecycleBucketName(cluster)
        // The managed policy reads only `sagemaker-*` buckets; a lifecycle_bucket named otherwise needs this.
        statements.append((["s3:GetObject", "s3:ListBucket"], ["arn:aws:s3:::\(bucket)", "arn:aws:s3:::\(bucket)/*"]))
        if cluster.eks != nil {
            statements.append((["eks-auth:AssumeRoleForPodIdentity"], ["arn:aws:eks:\(spec.region):${account_id}:cluster/\(eksClusterName(cluster))"]))
        }
        let policy = ResourceAddress.iamRolePolicy(roleKey)
        add(policy, .iamRolePolicy, ["role": ref(address), "name": "hyperpod-network", "document": policyDocument(statements)],
            dependsOn: [address, subnet] + groups, location: location, taggable: false)
        return ([address, attachment, policy], roleARN(roleName.name))
    }

    // MARK: lifecycle bucket and scripts

    func lifecycleBucketName(_ cluster: ClusterSpec) -> String {
        cluster.hyperPod?.lifecycleBucket ?? HyperPodNames.lifecycleBucketName(cluster: cluster.name, stack: spec.stack)
    }

    /// The bucket as the spec's buckets are made (versioned, encrypted, public access blocked),
    /// holding the lifecycle directory or netloom's generated scripts under `lifecycle/`.
    mutating func buildLifecycleBucket(_ cluster: ClusterSpec, _ hyperPod: HyperPodSpec) -> [ResourceAddress] {
        let key = HyperPodNames.lifecycleBucket(cluster.name)
        let address = ResourceAddress.bucket(key)
        let name = lifecycleBucketName(cluster)
        add(address, .bucket, ["bucket_name": .string(name), "region": .string(spec.region)], location: hyperPod.location)
        add(.bucketVersioning(key), .bucketVersioning, ["bucket": ref(address), "status": "Enabled"], dependsOn: [address], location: hyperPod.location, taggable: false)
        add(.bucketEncryption(key), .bucketEncryption, ["bucket": ref(address), "algorithm": "AES256"], dependsOn: [address], location: hyperPod.location, taggable: false)
        add(.bucketPublicAccessBlock(key), .bucketPublicAccessBlock, [
            "bucket": ref(address), "block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true, "restrict_public_buckets": true,
        ], dependsOn: [address], location: hyperPod.location, taggable: false)
        var objects: [ResourceAddress] = [address, .bucketVersioning(key), .bucketEncryption(key), .bucketPublicAccessBlock(key)]
        let bucketSettled: [ResourceAddress] = [address, .bucketVersioning(key), .bucketEncryption(key)]
        if hyperPod.lifecycleDirectory != nil {
            for file in hyperPod.lifecycleFiles {
                let object = ResourceAddress.bucketObject(bucket: key, key: HyperPodNames.lifecyclePrefix + file.key)
                add(object, .bucketObject, ["bucket": ref(address), "key": .string(HyperPodNames.lifecyclePrefix + file.key), "content": .string(file.content)],
                    dependsOn: bucketSettled, location: hyperPod.location, taggable: false)
                objects.append(object)
            }
        } else {
            let script = ResourceAddress.bucketObject(bucket: key, key: HyperPodNames.lifecyclePrefix + HyperPodSpec.onCreateScript)
            add(script, .bucketObject, ["bucket": ref(address), "key": .string(HyperPodNames.lifecyclePrefix + HyperPodSpec.onCreateScript),
                                        "content": .string(LifecycleScripts.onCreate)],
                dependsOn: bucketSettled, location: hyperPod.location, taggable: false)
            let parametersKey = HyperPodNames.lifecyclePrefix + LifecycleScripts.parametersFile
            let parameters = ResourceAddress.bucketObject(bucket: key, key: parametersKey)
            var dependencies = bucketSettled
            if hyperPod.fsxLustre != nil { dependencies.append(.fsxFileSystem(cluster.name)) }
            add(parameters, .bucketObject, ["bucket": ref(address), "key": .string(parametersKey), "json": provisioningParameters(cluster, hyperPod)],
                dependsOn: dependencies, location: hyperPod.location, taggable: false)
            objects += [script, parameters]
        }
        return objects
    }

    /// `provisioning_parameters.json`, the file HyperPod's lifecycle scripts read: the group
    /// names and, with a file system, its DNS and mount names (known once it exists).
    func provisioningParameters(_ cluster: ClusterSpec, _ hyperPod: HyperPodSpec) -> PropertyValue {
        var parameters: [String: PropertyValue] = [
            "version": "1.0.0",
            "worker_groups": [["instance_group_name": .string(HyperPodSpec.workerGroup), "partition_name": .string(cluster.instanceType)]],
        ]
        if cluster.orchestrator == .slurm {
            parameters["workload_manager"] = "slurm"
            parameters["controller_group"] = .string(HyperPodSpec.controllerGroup)
        }
        if hyperPod.login != nil { parameters["login_group"] = .string(HyperPodSpec.loginGroup) }
        if hyperPod.fsxLustre != nil {
            let fileSystem = ResourceAddress.fsxFileSystem(cluster.name)
            parameters["fsx_dns_name"] = .reference(fileSystem, attribute: "dns_name")
            parameters["fsx_mountname"] = .reference(fileSystem, attribute: "mount_name")
        }
        return .map(parameters)
    }

    // MARK: FSx for Lustre

    /// PERSISTENT_2 in the cluster's subnet set, in the cluster's AZ unless `az:` says otherwise, with its own group that holds the Lustre ports.
    mutating func buildFileSystem(_ cluster: ClusterSpec, _ hyperPod: HyperPodSpec) -> ResourceAddress? {
        guard let fsx = hyperPod.fsxLustre else { return nil }
        let address = ResourceAddress.fsxFileSystem(cluster.name)
        let fileSystemAZ = cluster.fileSystemAZ ?? cluster.az
        let fileSystemSubnet = ResourceAddress.subnet(SubnetKey(subnet: cluster.subnet, az: fileSystemAZ))
        let groupName = HyperPodNames.fileSystemGroup(cluster.name)
        let group = ResourceAddress.securityGroup(groupName)
        // FSx checks at creation that its group lets Lustre through: every rule of the group first.
        let rules = spec.securityGroup(named: groupName)?.rules.map { $0.address(group: groupName) } ?? []
        add(address, .fsxFileSystem, [
            "file_system_type": "LUSTRE", "deployment_type": "PERSISTENT_2",
            "storage_capacity_gib": .int(fsx.capacityGiB), "throughput_mb_per_tib": .int(fsx.throughputMBPerTiB),
            "subnet": ref(fileSystemSubnet), "az": .string(fileSystemAZ), "security_groups": [ref(group)],
        ], dependsOn: [fileSystemSubnet, group] + rules, location: fsx.location)
        return address
    }

    // MARK: EKS

    func eksClusterName(_ cluster: ClusterSpec) -> String { HyperPodNames.eksClusterName(cluster: cluster.name, stack: spec.stack) }

    /// The control plane: its role, the cluster in `eks.subnets` with API authentication, and the add-ons HyperPod needs.
    mutating func buildEKS(_ cluster: ClusterSpec) -> (cluster: ResourceAddress, addons: [ResourceAddress])? {
        guard let eks = cluster.eks, let subnetSet = spec.subnet(named: eks.subnets) else { return nil }
        let roleKey = HyperPodNames.eksRole(cluster.name)
        let role = ResourceAddress.iamRole(roleKey)
        let roleName = derivedName(.iamRole, "\(cluster.name)-eks", address: role)
        add(role, .iamRole, [
            "name": roleName.name, "path": .string("/netloom/\(spec.stack)/"), "assume_role_policy": assumeRolePolicy(service: "eks.amazonaws.com"),
        ], location: eks.location, previousNames: ["name": roleName.previous])
        let attachment = ResourceAddress.iamRolePolicyAttachment(role: roleKey, policy: Self.eksClusterPolicy)
        add(attachment, .iamRolePolicyAttachment, ["role": ref(role), "policy_arn": .string("arn:aws:iam::aws:policy/\(Self.eksClusterPolicy)")],
            dependsOn: [role], location: eks.location, taggable: false)
        let subnets = spec.azs(of: subnetSet).map { ResourceAddress.subnet(SubnetKey(subnet: eks.subnets, az: $0)) }
        let groups = cluster.securityGroups.map(ResourceAddress.securityGroup)
        let address = ResourceAddress.eksCluster(cluster.name)
        add(address, .eksCluster, [
            "name": .string(eksClusterName(cluster)), "version": .string(eks.version), "role_arn": .string(roleARN(roleName.name)),
            "subnets": .list(subnets.map(ref)), "security_groups": .list(groups.map(ref)), "authentication_mode": "API",
        ], dependsOn: [role, attachment] + subnets + groups, location: eks.location)
        var addons: [ResourceAddress] = []
        for addon in EKSControlPlaneSpec.addons {
            let addonAddress = ResourceAddress.eksAddon(cluster: cluster.name, addon: addon)
            // After the HyperPod cluster: EKS's CreateCluster already installs self-managed
            // vpc-cni, kube-proxy and coredns (bootstrapSelfManagedAddons, on by default), so
            // nodes join without them; netloom then makes them managed add-ons. An endpoint
            // without add-ons (moto 5.2.1) thus still gets every other piece before the run
            // stops on CreateAddon.
            add(addonAddress, .eksAddon, ["cluster": ref(address), "cluster_name": .string(eksClusterName(cluster)), "addon_name": .string(addon)],
                dependsOn: [address, .hyperPodCluster(cluster.name)], location: eks.location)
            addons.append(addonAddress)
        }
        return (address, addons)
    }

    // MARK: the HyperPod cluster

    mutating func buildHyperPodCluster(_ cluster: ClusterSpec, _ hyperPod: HyperPodSpec, role: (dependencies: [ResourceAddress], arn: String),
                                       objects: [ResourceAddress], fileSystem: ResourceAddress?, eks: (cluster: ResourceAddress, addons: [ResourceAddress])?) {
        let address = ResourceAddress.hyperPodCluster(cluster.name)
        let bucket = lifecycleBucketName(cluster)
        let lifecycle: PropertyValue = ["source_s3_uri": .string("s3://\(bucket)/\(HyperPodNames.lifecyclePrefix)"), "on_create": .string(HyperPodSpec.onCreateScript)]
        func group(_ name: String, _ type: String, _ count: Int) -> PropertyValue {
            ["name": .string(name), "instance_type": .string(type), "count": .int(count), "threads_per_core": .int(hyperPod.threadsPerCore),
             "execution_role": .string(role.arn), "lifecycle": lifecycle]
        }
        var groups: [PropertyValue] = []
        if let controller = hyperPod.controller { groups.append(group(HyperPodSpec.controllerGroup, controller.instanceType, controller.count)) }
        if let login = hyperPod.login { groups.append(group(HyperPodSpec.loginGroup, login.instanceType, login.count)) }
        groups.append(group(HyperPodSpec.workerGroup, cluster.instanceType, cluster.nodes))
        let subnet = clusterSubnet(cluster)
        let securityGroups = cluster.securityGroups.map(ResourceAddress.securityGroup)
        var properties: [String: PropertyValue] = [
            "name": .string(HyperPodNames.hyperPodClusterName(cluster: cluster.name, stack: spec.stack)),
            "orchestrator": .string(cluster.orchestrator.rawValue), "instance_groups": .list(groups),
            "subnet": ref(subnet), "az": .string(cluster.az), "security_groups": .list(securityGroups.map(ref)),
            "node_recovery": .string(hyperPod.nodeRecovery.awsValue),
        ]
        var dependencies = [subnet] + securityGroups + role.dependencies + objects
        // Nodes run the lifecycle scripts at boot: their route out (NAT or the S3 endpoint) must exist first.
        if let tier = spec.subnet(named: cluster.subnet)?.tier, tier != .isolated {
            dependencies.append(.routeTableAssociation(SubnetKey(subnet: cluster.subnet, az: cluster.az)))
        }
        for service in spec.network.gatewayEndpoints { dependencies.append(.vpcEndpoint(service)) }
        if let fileSystem { dependencies.append(fileSystem) }
        if let eks {
            properties["eks_cluster_arn"] = .string("arn:aws:eks:\(spec.region):${account_id}:cluster/\(eksClusterName(cluster))")
            // Not the add-ons: they come after the cluster (see buildEKS).
            dependencies.append(eks.cluster)
        }
        add(address, .hyperPodCluster, properties, dependsOn: dependencies, location: hyperPod.location)
    }
}

/// netloom's lifecycle scripts for a cluster without `lifecycle:`: enough for nodes to join
/// and mount the file system; a real training setup brings its own directory.
public enum LifecycleScripts {
    public static let parametersFile = "provisioning_parameters.json"

    /// Runs as root on every new node. It reads the parameters beside it, mounts the FSx
    /// file system when there is one, and leaves the rest to the orchestrator's own setup.
    public static let onCreate = """
        #!/bin/bash
        # Written by netloom: the minimal lifecycle script of a HyperPod cluster.
        # Replace it by giving hyperpod.lifecycle: a directory with your own on_create.sh.
        set -euo pipefail
        here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
        parameters="$here/provisioning_parameters.json"
        log() { echo "[netloom on_create] $*"; }

        read_parameter() {
            python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$parameters" "$1"
        }

        dns_name="$(read_parameter fsx_dns_name)"
        mount_name="$(read_parameter fsx_mountname)"
        if [[ -n "$dns_name" && -n "$mount_name" ]]; then
            log "mounting FSx for Lustre $dns_name@tcp:/$mount_name on /fsx"
            mkdir -p /fsx
            if ! mountpoint -q /fsx; then
                mount -t lustre -o relatime,flock "$dns_name@tcp:/$mount_name" /fsx
            fi
            grep -q " /fsx lustre " /etc/fstab || echo "$dns_name@tcp:/$mount_name /fsx lustre defaults,relatime,flock,_netdev,x-systemd.automount 0 0" >> /etc/fstab
        else
            log "no file system in $parameters"
        fi
        log "done"

        """
}

import Foundation
import NetloomModel
import Yams

/// `hyperpod:` and `eks:` of a cluster: netloom creates the SageMaker HyperPod cluster, its
/// lifecycle scripts, its file system and (for EKS) its control plane.
extension SpecBuilder {
    /// Lifecycle directories are scripts, not data sets: past these, the spec is refused.
    static let lifecycleFileLimit = 200
    static let lifecycleFileBytes = 1024 * 1024

    func readHyperPod(_ node: Node, cluster name: String, orchestrator: Orchestrator?) -> HyperPodSpec? {
        let what = "cluster '\(name)' hyperpod"
        guard let fields = reader.fields(node, what, allowed: ["controller", "login", "threads_per_core", "node_recovery", "lifecycle", "lifecycle_bucket", "storage"]) else {
            return nil
        }
        let controller = fields["controller"].flatMap { readHyperPodGroup($0, "\(what) controller", countAllowed: false) }
        if let orchestrator, let controllerNode = fields["controller"], orchestrator == .eks {
            reader.error(fields.keyNode("controller") ?? controllerNode,
                         "\(what) controller is for Slurm only: with orchestrator eks, the EKS control plane is the controller (give eks: instead)")
        }
        if orchestrator == .slurm, fields["controller"] == nil {
            reader.error(fields.location, "\(what) needs a controller ({ instance_type: ml.m5.12xlarge } for example): a Slurm cluster has one controller node")
        }
        let login = fields["login"].flatMap { readHyperPodGroup($0, "\(what) login", countAllowed: true) }
        let threads = fields["threads_per_core"].flatMap { node -> Int? in
            guard let value = reader.int(node, "\(what) threads_per_core", in: 1...2) else { return nil }
            return value
        } ?? 1
        let recovery = fields["node_recovery"].flatMap { reader.oneOf($0, "\(what) node_recovery", NodeRecovery.self) } ?? .automatic
        var directory: String?
        var files: [LifecycleFile] = []
        if let directoryNode = fields["lifecycle"], let given = reader.string(directoryNode, "\(what) lifecycle") {
            directory = given
            files = readLifecycleDirectory(given, node: directoryNode, what: what) ?? []
        }
        var bucket: String?
        if let bucketNode = fields["lifecycle_bucket"], let given = reader.string(bucketNode, "\(what) lifecycle_bucket") {
            if let problem = Self.bucketNameProblem(given) {
                reader.error(bucketNode, "\(what) lifecycle_bucket '\(given.prefix(70))' \(problem)")
            } else {
                bucket = given
            }
        }
        var fsx: FSxLustreSpec?
        if let storageNode = fields["storage"], let storage = reader.fields(storageNode, "\(what) storage", allowed: ["fsx_lustre"]),
           let fsxNode = storage["fsx_lustre"],
           let lustre = reader.fields(fsxNode, "\(what) storage.fsx_lustre", allowed: ["capacity_gib", "throughput_mb_per_tib", "az"], required: ["capacity_gib"]) {
            let capacity = lustre["capacity_gib"].flatMap { node -> Int? in
                guard let gib = reader.int(node, "\(what) storage.fsx_lustre capacity_gib", in: 1...2_400_000) else { return nil }
                if let problem = FSxLustreSpec.capacityProblem(gib) {
                    reader.error(node, "\(what) storage.fsx_lustre capacity_gib \(problem)")
                    return nil
                }
                return gib
            }
            let throughput = lustre["throughput_mb_per_tib"].flatMap { node -> Int? in
                guard let value = reader.int(node, "\(what) storage.fsx_lustre throughput_mb_per_tib", in: 1...100_000) else { return nil }
                guard FSxLustreSpec.throughputTiers.contains(value) else {
                    reader.error(node, "\(what) storage.fsx_lustre throughput_mb_per_tib must be one of \(FSxLustreSpec.throughputTiers.map(String.init).joined(separator: ", ")) (PERSISTENT_2), found \(value)")
                    return nil
                }
                return value
            } ?? 250
            let az = lustre["az"].flatMap { azNode in
                reader.string(azNode, "\(what) storage.fsx_lustre az").map { az in
                    fileSystemAZNodes[name] = reader.location(azNode)
                    return az
                }
            }
            if let capacity { fsx = FSxLustreSpec(capacityGiB: capacity, throughputMBPerTiB: throughput, az: az, location: lustre.location) }
        }
        return HyperPodSpec(controller: controller, login: login, threadsPerCore: threads, nodeRecovery: recovery, lifecycleDirectory: directory,
                            lifecycleFiles: files, lifecycleBucket: bucket, fsxLustre: fsx, location: fields.location)
    }

    func readHyperPodGroup(_ node: Node, _ what: String, countAllowed: Bool) -> HyperPodGroupSpec? {
        guard let fields = reader.fields(node, what, allowed: countAllowed ? ["instance_type", "count"] : ["instance_type"], required: ["instance_type"]) else {
            return nil
        }
        let type = fields["instance_type"].flatMap { readHyperPodInstanceType($0, what) }
        let count = countAllowed ? fields["count"].flatMap { reader.int($0, "\(what) count", in: 1...100) } ?? 1 : 1
        guard let type else { return nil }
        return HyperPodGroupSpec(instanceType: type, count: count, location: fields.location)
    }

    /// HyperPod takes SageMaker's `ml.` instance types only.
    func readHyperPodInstanceType(_ node: Node, _ what: String) -> String? {
        guard let type = readInstanceType(node, what) else { return nil }
        guard type.hasPrefix("ml.") else {
            reader.error(node, "\(what) instance type '\(type.prefix(40))' is not a SageMaker type: HyperPod takes ml.* types (ml.\(type.prefix(36)))")
            return nil
        }
        return type
    }

    /// The files of `lifecycle:`, a directory beside the spec file, by key; `nil` after an error.
    func readLifecycleDirectory(_ given: String, node: Node, what: String) -> [LifecycleFile]? {
        let specDirectory = URL(fileURLWithPath: reader.file).deletingLastPathComponent()
        let root = given.hasPrefix("/") ? URL(fileURLWithPath: given) : specDirectory.appendingPathComponent(given)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
            reader.error(node, "\(what) lifecycle '\(given.prefix(80))': no such directory (a relative path is read from the spec file's directory)")
            return nil
        }
        guard isDirectory.boolValue else {
            reader.error(node, "\(what) lifecycle '\(given.prefix(80))' is a file; give the directory that holds \(HyperPodSpec.onCreateScript)")
            return nil
        }
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey], options: [.skipsHiddenFiles]) else {
            reader.error(node, "\(what) lifecycle '\(given.prefix(80))' cannot be read")
            return nil
        }
        let rootPath = root.standardizedFileURL.resolvingSymlinksInPath().path
        var files: [LifecycleFile] = []
        for case let url as URL in walker {
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
            guard values?.isRegularFile == true else { continue }
            let path = url.standardizedFileURL.resolvingSymlinksInPath().path
            guard path.hasPrefix(rootPath + "/") else { continue }
            let key = String(path.dropFirst(rootPath.count + 1))
            guard files.count < Self.lifecycleFileLimit else {
                reader.error(node, "\(what) lifecycle '\(given.prefix(80))' holds more than \(Self.lifecycleFileLimit) files; lifecycle scripts belong there, data in a bucket")
                return nil
            }
            guard (values?.fileSize ?? 0) <= Self.lifecycleFileBytes else {
                reader.error(node, "\(what) lifecycle file '\(key.prefix(80))' is larger than 1 MiB; lifecycle scripts belong there, data in a bucket")
                return nil
            }
            guard let data = try? Data(contentsOf: url), let content = String(data: data, encoding: .utf8) else {
                reader.error(node, "\(what) lifecycle file '\(key.prefix(80))' is not UTF-8 text (netloom uploads scripts and configuration files)")
                return nil
            }
            guard key.utf8.count <= 900, !key.contains("#") else {
                reader.error(node, "\(what) lifecycle file '\(key.prefix(80))' cannot be an S3 key netloom uploads (at most 900 bytes, no '#')")
                return nil
            }
            files.append(LifecycleFile(key: key, content: content))
        }
        guard files.contains(where: { $0.key == HyperPodSpec.onCreateScript }) else {
            reader.error(node, "\(what) lifecycle '\(given.prefix(80))' has no \(HyperPodSpec.onCreateScript): HyperPod runs that script on every new node (LifeCycleConfig.OnCreate)")
            return nil
        }
        return files.sorted { $0.key < $1.key }
    }

    func readEKSControlPlane(_ node: Node, cluster name: String) -> EKSControlPlaneSpec? {
        let what = "cluster '\(name)' eks"
        guard let fields = reader.fields(node, what, allowed: ["version", "subnets"], required: ["version", "subnets"]) else { return nil }
        let version = fields["version"].flatMap { node -> String? in
            guard let text = reader.scalarText(node, "\(what) version") else { return nil }
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == "1", let minor = Int(parts[1]), (23...99).contains(minor), parts[1].first != "0" else {
                reader.error(node, "\(what) version must be a Kubernetes version EKS offers, written as a string such as \"1.31\", found '\(text.prefix(20))'")
                return nil
            }
            return text
        }
        let subnets = fields["subnets"].flatMap { subnetNode in
            reader.string(subnetNode, "\(what) subnets").map { subnet in
                refer(.subnet, subnet, subnetNode)
                eksSubnetNodes[name] = reader.location(subnetNode)
                return subnet
            }
        }
        guard let version, let subnets else { return nil }
        return EKSControlPlaneSpec(version: version, subnets: subnets, location: fields.location)
    }

    /// Checks that need the whole spec: the control plane's subnet set spans two AZs, and the
    /// derived AWS names fit. Then adds each file system's security group and the Lustre rules
    /// between it and the cluster's groups that the spec lacks.
    func resolveHyperPod(_ spec: inout StackSpec) {
        for cluster in spec.clusters {
            guard let hyperPod = cluster.hyperPod else { continue }
            if let eks = cluster.eks, let subnet = spec.subnet(named: eks.subnets) {
                let azs = spec.azs(of: subnet)
                if azs.count < 2 {
                    reader.error(eksSubnetNodes[cluster.name] ?? eks.location,
                                 "cluster '\(cluster.name)' eks subnets '\(subnet.name)' is in \(azs.count) AZ (\(azs.joined(separator: ", "))); the EKS control plane needs subnets in at least two AZs")
                }
            }
            if let fsx = hyperPod.fsxLustre, let az = fsx.az, let subnet = spec.subnet(named: cluster.subnet) {
                let azs = spec.azs(of: subnet)
                if !azs.contains(az) {
                    reader.error(fileSystemAZNodes[cluster.name] ?? fsx.location,
                                 "cluster '\(cluster.name)' storage.fsx_lustre az '\(az.prefix(40))' is not one of the AZs of subnet '\(subnet.name)' (\(azs.joined(separator: ", "))): the file system sits in the cluster's subnet set\(DidYouMean.hint(for: az, among: azs))")
                }
            }
            for name in HyperPodNames.derived(cluster: cluster, stack: spec.stack) {
                if let problem = name.problem {
                    reader.error(hyperPod.location, "cluster '\(cluster.name)': the \(name.what) '\(name.value)' \(problem)")
                }
            }
        }
        let added = HyperPodNames.fileSystemGroups(spec)
        guard !added.isEmpty else { return }
        spec.securityGroups = HyperPodNames.withLustreRules(spec.securityGroups + added, spec: spec).sorted { $0.name < $1.name }
    }
}

/// The names netloom gives a HyperPod cluster's pieces, shared by validation and expansion.
public enum HyperPodNames {
    public struct Derived: Sendable, Hashable {
        public var what: String
        public var value: String
        /// AWS's rule for the name, when the name breaks it.
        public var problem: String?
    }

    /// `netloom-hyperpod-<cluster>`: the execution role the nodes run as.
    public static func executionRole(_ cluster: String) -> String { "netloom-hyperpod-\(cluster)" }
    /// `netloom-eks-<cluster>`: the EKS control plane's role.
    public static func eksRole(_ cluster: String) -> String { "netloom-eks-\(cluster)" }
    /// `netloom-lifecycle-<cluster>`: the bucket of lifecycle scripts.
    public static func lifecycleBucket(_ cluster: String) -> String { "netloom-lifecycle-\(cluster)" }
    /// `netloom-fsx-<cluster>`: the file system's security group.
    public static func fileSystemGroup(_ cluster: String) -> String { "netloom-fsx-\(cluster)" }
    /// The key prefix of the lifecycle scripts in their bucket (`LifeCycleConfig.SourceS3Uri`).
    public static let lifecyclePrefix = "lifecycle/"

    /// The AWS names of a cluster's HyperPod cluster, EKS cluster and lifecycle bucket.
    public static func derived(cluster: ClusterSpec, stack: String) -> [Derived] {
        var names: [Derived] = []
        let hyperPodName = DerivedName.make(.hyperPodCluster, stack: stack, name: cluster.name, identity: ResourceAddress.hyperPodCluster(cluster.name).description)
        names.append(Derived(what: "HyperPod cluster name", value: hyperPodName, problem: hyperPodNameProblem(hyperPodName)))
        if cluster.eks != nil {
            let eksName = DerivedName.make(.eksCluster, stack: stack, name: cluster.name, identity: ResourceAddress.eksCluster(cluster.name).description)
            names.append(Derived(what: "EKS cluster name", value: eksName, problem: eksNameProblem(eksName)))
        }
        if cluster.hyperPod?.lifecycleBucket == nil {
            let bucket = lifecycleBucketName(cluster: cluster.name, stack: stack)
            // The account id (12 digits) replaces the placeholder at apply time.
            let sample = bucket.replacingOccurrences(of: "${account_id}", with: "123456789012")
            names.append(Derived(what: "lifecycle bucket name", value: bucket, problem: SpecBuilder.bucketNameProblem(sample)))
        }
        return names
    }

    public static func hyperPodClusterName(cluster: String, stack: String) -> String {
        DerivedName.make(.hyperPodCluster, stack: stack, name: cluster, identity: ResourceAddress.hyperPodCluster(cluster).description)
    }

    public static func eksClusterName(cluster: String, stack: String) -> String {
        DerivedName.make(.eksCluster, stack: stack, name: cluster, identity: ResourceAddress.eksCluster(cluster).description)
    }

    /// `sagemaker-<stack>-<cluster>-lifecycle-<hash>-${account_id}`, cut to 63 characters.
    public static func lifecycleBucketName(cluster: String, stack: String) -> String {
        DerivedName.make(.lifecycleBucket, stack: stack, name: "\(cluster)-lifecycle", identity: ResourceAddress.bucket(lifecycleBucket(cluster)).description)
    }

    /// SageMaker's ClusterName: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$.
    static func hyperPodNameProblem(_ name: String) -> String? {
        guard (1...63).contains(name.count) else { return "must be 1-63 characters (SageMaker ClusterName)" }
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }), name.first?.isLetter == true || name.first?.isNumber == true,
              name.last?.isLetter == true || name.last?.isNumber == true else {
            return "may hold only letters, digits and '-', beginning and ending with a letter or digit (SageMaker ClusterName)"
        }
        return nil
    }

    /// EKS: 1-100 characters of [0-9A-Za-z_-], beginning with a letter or digit.
    static func eksNameProblem(_ name: String) -> String? {
        guard (1...100).contains(name.count) else { return "must be 1-100 characters (EKS cluster name)" }
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }), name.first?.isLetter == true || name.first?.isNumber == true else {
            return "may hold only letters, digits, '-' and '_', beginning with a letter or digit (EKS cluster name)"
        }
        return nil
    }

    /// Lustre's ports: 988 for the LNet acceptor, 1018-1023 for the connections it makes back.
    public static let lustrePorts = [PortRange(988), PortRange(1018, 1023)]

    /// One security group per file system, holding the Lustre ports from itself and from the cluster's groups.
    static func fileSystemGroups(_ spec: StackSpec) -> [SecurityGroupSpec] {
        spec.clusters.compactMap { cluster -> SecurityGroupSpec? in
            guard let fsx = cluster.hyperPod?.fsxLustre else { return nil }
            let name = fileSystemGroup(cluster.name)
            let peers: [RulePeer] = [.self] + cluster.securityGroups.map { .securityGroup($0) }
            var ingress: [SecurityGroupRuleSpec] = []
            var egress: [SecurityGroupRuleSpec] = []
            for peer in peers {
                let isSelf: Bool = if case .self = peer { true } else { false }
                for ports in lustrePorts {
                    ingress.append(SecurityGroupRuleSpec(direction: .ingress, peer: peer, ipProtocol: .tcp, ports: ports,
                                                         description: "Lustre from \(isSelf ? "the file system" : "the cluster")", location: fsx.location))
                    egress.append(SecurityGroupRuleSpec(direction: .egress, peer: peer, ipProtocol: .tcp, ports: ports,
                                                        description: "Lustre to \(isSelf ? "the file system" : "the cluster")", location: fsx.location))
                }
            }
            return SecurityGroupSpec(name: name, description: "FSx for Lustre of cluster \(cluster.name): Lustre ports with the cluster",
                                     ingress: ingress, egress: egress, egressIsDefault: false, location: fsx.location)
        }
    }

    /// The cluster's groups, with the Lustre rules to and from the file system's group that they
    /// do not already allow (a group that allows all traffic to anywhere gets no egress rule).
    static func withLustreRules(_ groups: [SecurityGroupSpec], spec: StackSpec) -> [SecurityGroupSpec] {
        var groups = groups
        for cluster in spec.clusters {
            guard let fsx = cluster.hyperPod?.fsxLustre else { continue }
            let fileSystemGroupName = fileSystemGroup(cluster.name)
            for groupName in cluster.securityGroups {
                guard let index = groups.firstIndex(where: { $0.name == groupName }) else { continue }
                var group = groups[index]
                for ports in lustrePorts {
                    if !allows(group.ingress, ports: ports, peer: fileSystemGroupName, group: groupName, spec: spec) {
                        group.ingress.append(SecurityGroupRuleSpec(direction: .ingress, peer: .securityGroup(fileSystemGroupName), ipProtocol: .tcp, ports: ports,
                                                                   description: "Lustre from the file system (added by netloom)", location: fsx.location))
                    }
                    if !group.egressIsDefault, !allows(group.egress, ports: ports, peer: fileSystemGroupName, group: groupName, spec: spec) {
                        group.egress.append(SecurityGroupRuleSpec(direction: .egress, peer: .securityGroup(fileSystemGroupName), ipProtocol: .tcp, ports: ports,
                                                                  description: "Lustre to the file system (added by netloom)", location: fsx.location))
                    }
                }
                groups[index] = group
            }
        }
        return groups
    }

    /// Whether one of `rules` lets tcp `ports` through to or from the file system's group.
    static func allows(_ rules: [SecurityGroupRuleSpec], ports: PortRange, peer fileSystemGroup: String, group: String, spec: StackSpec) -> Bool {
        rules.contains { rule in
            let protocolFits = rule.ipProtocol == .all || (rule.ipProtocol == .tcp && (rule.ports?.contains(ports) ?? true))
            let peerFits: Bool
            switch rule.peer {
            case .any, .vpc: peerFits = true
            case .securityGroup(let name): peerFits = name == fileSystemGroup
            case .cidr(let block): peerFits = block.contains(spec.network.cidr)
            case .self, .prefixList: peerFits = false
            }
            return protocolFits && peerFits
        }
    }
}

import AWSClient
import ArgumentParser
import Foundation
import NetloomEngine
import NetloomModel
import NetloomPlanning
import NetloomSpec

struct OutputCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "output",
        abstract: "Print the ids the next steps need: VPC, subnets, groups, load balancer DNS names and URLs, buckets, Auto Scaling instances, HyperPod VpcConfig and clusters.",
        discussion: """
        Read from the state written by apply. The one AWS call: for a Slurm HyperPod cluster netloom
        made, ListClusterNodes, to name the controller node's SSM session target.

        Examples:
          netloom output examples/inference.yaml
          netloom output examples/hyperpod-eks.yaml --format json | jq '.hyperpod.train.VpcConfig'
        """
    )

    @OptionGroup var spec: SpecOptions
    @OptionGroup var output: FormatOption

    func run() async throws {
        let console = Console.current(environment: ProcessInfo.processInfo.environment)
        let loaded = try SpecInput.load(spec, console: console)
        let records: [String: StateRecord]
        do {
            guard let readable = try await StateOptions.openForReading(spec, spec: loaded, console: console) else {
                let location = (try? StateOptions.location(spec, spec: loaded).description) ?? "the state"
                console.error("no state at \(location): run `netloom apply` first")
                throw ExitStatus.runtimeFailure
            }
            do {
                records = try readable.store.resources()
                await readable.done()
            } catch {
                await readable.done()
                throw error
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            console.error(String(describing: error))
            throw ExitStatus.runtimeFailure
        }
        let controllers = await Self.controllerNodes(loaded, records: records, profile: spec.profile, console: console)
        let document = Self.document(loaded, records: records, controllerNodes: controllers)
        switch output.format {
        case .json: console.write(JSONText.render(document))
        case .text: console.write(Self.text(document))
        }
    }

    static func ids(_ records: [String: StateRecord], type: ResourceType) -> [String: PropertyValue] {
        var result: [String: PropertyValue] = [:]
        for record in records.values where record.type == type {
            result[ResourceAddress(parsing: record.address)?.path ?? record.address] = .string(record.awsID)
        }
        return result
    }

    /// The controller node's instance id of each Slurm HyperPod cluster in the state, from
    /// ListClusterNodes; a cluster whose nodes cannot be listed is left out (the output then
    /// gives the command that lists them).
    static func controllerNodes(_ spec: StackSpec, records: [String: StateRecord], profile: String?, console: Console) async -> [String: String] {
        let slurm = spec.clusters.filter { $0.hyperPod != nil && $0.orchestrator == .slurm }
            .compactMap { cluster in records[ResourceAddress.hyperPodCluster(cluster.name).description].map { (cluster.name, $0.awsID) } }
        guard !slurm.isEmpty, let access = try? await StateOptions.AWSAccess.open(profile: profile, region: spec.region, console: console) else { return [:] }
        var result: [String: String] = [:]
        for (cluster, name) in slurm {
            let nodes = try? await SageMaker(core: access.core).listClusterNodes(clusterName: name)
            if let node = nodes?.filter({ $0.instanceGroupName == HyperPodSpec.controllerGroup }).map(\.instanceID).sorted().first { result[cluster] = node }
        }
        await access.close()
        return result
    }

    /// A HyperPod cluster netloom made: its ids and the commands a user types next.
    static func hyperPodCluster(_ cluster: ClusterSpec, records: [String: StateRecord], region: String, controllerNode: String?) -> [String: PropertyValue]? {
        guard cluster.hyperPod != nil, let record = records[ResourceAddress.hyperPodCluster(cluster.name).description] else { return nil }
        var result: [String: PropertyValue] = ["cluster_name": .string(record.awsID), "orchestrator": .string(cluster.orchestrator.rawValue)]
        let arn = record.attributes["arn"] ?? ""
        if !arn.isEmpty { result["cluster_arn"] = .string(arn) }
        if let role = records[ResourceAddress.iamRole(HyperPodNames.executionRole(cluster.name)).description] { result["execution_role"] = .string(role.awsID) }
        if let bucket = records[ResourceAddress.bucket(HyperPodNames.lifecycleBucket(cluster.name)).description] {
            result["lifecycle_s3_uri"] = .string("s3://\(bucket.awsID)/\(HyperPodNames.lifecyclePrefix)")
        }
        if let fsx = records[ResourceAddress.fsxFileSystem(cluster.name).description] {
            result["file_system"] = ["id": .string(fsx.awsID), "dns_name": .string(fsx.attributes["dns_name"] ?? ""), "mount_name": .string(fsx.attributes["mount_name"] ?? "")]
        }
        var next: [PropertyValue] = []
        switch cluster.orchestrator {
        case .slurm:
            // The SSM target of a HyperPod node: sagemaker-cluster:<cluster id>_<group>-<instance id>.
            let clusterID = arn.split(separator: "/").last.map(String.init) ?? record.awsID
            if let controllerNode {
                let target = "sagemaker-cluster:\(clusterID)_\(HyperPodSpec.controllerGroup)-\(controllerNode)"
                result["controller_ssm_target"] = .string(target)
                next.append(.string("aws ssm start-session --region \(region) --target \(target)"))
            } else {
                next.append(.string("aws sagemaker list-cluster-nodes --region \(region) --cluster-name \(record.awsID)  # the controller node's id, for the SSM target sagemaker-cluster:\(clusterID)_\(HyperPodSpec.controllerGroup)-<instance id>"))
            }
        case .eks:
            if let eks = records[ResourceAddress.eksCluster(cluster.name).description] {
                result["eks_cluster"] = .string(eks.awsID)
                next.append(.string("aws eks update-kubeconfig --region \(region) --name \(eks.awsID)"))
            }
            next.append(.string("helm install hyperpod-dependencies <sagemaker-hyperpod-cli>/helm_chart/HyperPodHelmChart --namespace kube-system  # HyperPod's dependencies chart (github.com/aws/sagemaker-hyperpod-cli); netloom does not install Helm charts"))
        }
        result["next"] = .list(next)
        return result
    }

    static func document(_ spec: StackSpec, records: [String: StateRecord], controllerNodes: [String: String] = [:]) -> PropertyValue {
        var document: [String: PropertyValue] = ["stack": .string(spec.stack), "region": .string(spec.region)]
        document["vpc_id"] = records[ResourceAddress.vpc.description].map { .string($0.awsID) } ?? .null
        document["subnets"] = .map(ids(records, type: .subnet))
        document["security_groups"] = .map(ids(records, type: .securityGroup))
        document["buckets"] = .map(ids(records, type: .bucket))
        document["instances"] = .map(ids(records, type: .instance))
        var balancers: [String: PropertyValue] = [:]
        for record in records.values where record.type == .loadBalancer {
            balancers[ResourceAddress(parsing: record.address)?.path ?? record.address] = .map([
                "arn": .string(record.awsID), "dns_name": .string(record.attributes["dns_name"] ?? ""),
            ])
        }
        document["load_balancers"] = .map(balancers)
        // What clients type: every alias record's name, https:// when its load balancer serves
        // HTTPS on 443. Only for specs with records or zones, so other documents keep their shape.
        if !spec.records.isEmpty || !spec.zones.isEmpty {
            var urls: [String: PropertyValue] = [:]
            for record in spec.records {
                guard let balancer = record.aliasLoadBalancer.flatMap(spec.loadBalancer(named:)) else { continue }
                let https = balancer.listeners.contains { $0.port == 443 && $0.protocol == "HTTPS" }
                urls[record.name] = .string((https ? "https://" : "http://") + record.name)
            }
            document["urls"] = .map(urls)
            var zones: [String: PropertyValue] = [:]
            for record in records.values where record.type == .hostedZone {
                let servers = (record.attributes["name_servers"] ?? "").split(separator: ",").map { PropertyValue.string(String($0)) }
                zones[ResourceAddress(parsing: record.address)?.path ?? record.address] = .map(["id": .string(record.awsID), "name_servers": .list(servers)])
            }
            document["zones"] = .map(zones)
        }
        // The group's instances as the last apply read them: scaling changes them afterwards.
        var autoScalingGroups: [String: PropertyValue] = [:]
        for record in records.values where record.type == .autoScalingGroup {
            let ids = (record.attributes["instance_ids"] ?? "").split(separator: ",").map { PropertyValue.string(String($0)) }
            autoScalingGroups[ResourceAddress(parsing: record.address)?.path ?? record.address] = .map(["name": .string(record.awsID), "instance_ids": .list(ids)])
        }
        document["autoscaling_groups"] = .map(autoScalingGroups)
        var hyperpod: [String: PropertyValue] = [:]
        for cluster in spec.clusters {
            let groups = cluster.securityGroups.compactMap { records[ResourceAddress.securityGroup($0).description]?.awsID }
            let subnets = [records[ResourceAddress.subnet(SubnetKey(subnet: cluster.subnet, az: cluster.az)).description]?.awsID].compactMap { $0 }
            var entry: [String: PropertyValue] = ["VpcConfig": .map([
                "SecurityGroupIds": .list(groups.map { .string($0) }), "Subnets": .list(subnets.map { .string($0) }),
            ])]
            if let made = hyperPodCluster(cluster, records: records, region: spec.region, controllerNode: controllerNodes[cluster.name]) {
                entry["cluster"] = .map(made)
            }
            hyperpod[cluster.name] = .map(entry)
        }
        document["hyperpod"] = .map(hyperpod)
        return .map(document)
    }

    static func text(_ document: PropertyValue) -> String {
        let map = document.mapValue ?? [:]
        var lines: [String] = []
        lines.append("vpc_id = \(map["vpc_id"]?.description ?? "")")
        for key in ["subnets", "security_groups", "buckets", "instances"] {
            for (name, value) in (map[key]?.mapValue ?? [:]).sorted(by: { $0.key < $1.key }) { lines.append("\(key).\(name) = \(value)") }
        }
        for (name, value) in (map["load_balancers"]?.mapValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            lines.append("load_balancers.\(name).dns_name = \(value.mapValue?["dns_name"]?.description ?? "")")
        }
        for (name, value) in (map["urls"]?.mapValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            lines.append("urls.\(name) = \(value.stringValue ?? "")")
        }
        for (name, value) in (map["zones"]?.mapValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            let servers = value.mapValue?["name_servers"]?.listValue?.compactMap(\.stringValue) ?? []
            lines.append("zones.\(name).id = \(value.mapValue?["id"]?.stringValue ?? "")")
            if !servers.isEmpty { lines.append("zones.\(name).name_servers = \(servers.joined(separator: ", "))") }
        }
        for (name, value) in (map["autoscaling_groups"]?.mapValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            let ids = value.mapValue?["instance_ids"]?.listValue?.compactMap(\.stringValue) ?? []
            lines.append("autoscaling_groups.\(name).instance_ids = \(ids.joined(separator: ","))")
        }
        for (name, value) in (map["hyperpod"]?.mapValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            lines.append("hyperpod.\(name).VpcConfig = \(JSONText.render(value.mapValue?["VpcConfig"] ?? .null))")
            guard let cluster = value.mapValue?["cluster"]?.mapValue else { continue }
            for key in ["cluster_name", "cluster_arn", "orchestrator", "execution_role", "lifecycle_s3_uri", "eks_cluster", "controller_ssm_target"] {
                if let field = cluster[key] { lines.append("hyperpod.\(name).\(key) = \(field)") }
            }
            if let fileSystem = cluster["file_system"]?.mapValue {
                for key in ["id", "dns_name", "mount_name"] { lines.append("hyperpod.\(name).file_system.\(key) = \(fileSystem[key]?.description ?? "")") }
            }
            for command in cluster["next"]?.listValue ?? [] { lines.append("next: \(command)") }
        }
        return lines.joined(separator: "\n")
    }
}

import ArgumentParser
import Foundation
import NetloomEngine
import NetloomModel
import NetloomPlanning
import NetloomSpec

struct OutputCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "output",
        abstract: "Print the ids the next steps need: VPC, subnets, groups, load balancer DNS names, buckets, Auto Scaling instances, HyperPod VpcConfig.",
        discussion: """
        Read from the state written by apply; no AWS call.

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
        let document = Self.document(loaded, records: records)
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

    static func document(_ spec: StackSpec, records: [String: StateRecord]) -> PropertyValue {
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
            hyperpod[cluster.name] = .map(["VpcConfig": .map([
                "SecurityGroupIds": .list(groups.map { .string($0) }), "Subnets": .list(subnets.map { .string($0) }),
            ])])
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
        for (name, value) in (map["autoscaling_groups"]?.mapValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            let ids = value.mapValue?["instance_ids"]?.listValue?.compactMap(\.stringValue) ?? []
            lines.append("autoscaling_groups.\(name).instance_ids = \(ids.joined(separator: ","))")
        }
        for (name, value) in (map["hyperpod"]?.mapValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            lines.append("hyperpod.\(name).VpcConfig = \(JSONText.render(value.mapValue?["VpcConfig"] ?? .null))")
        }
        return lines.joined(separator: "\n")
    }
}

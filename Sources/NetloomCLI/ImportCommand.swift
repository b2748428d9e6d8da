import AWSClient
import ArgumentParser
import Foundation
import NetloomEngine
import NetloomModel
import NetloomPlanning
import NetloomSpec

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Write a spec that expands to an existing VPC, and record its resources for `apply --adopt`.",
        discussion: """
        Reads the VPC's subnets, route tables, internet and NAT gateways, endpoints, security
        groups and their rules, network ACLs, instances, target groups and load balancers.
        Subnets become sets grouped by
        their Name tag (without the AZ) and tier, with their CIDRs pinned; rules name other
        groups as sg:NAME. What the spec language cannot say is left out and listed in comments
        at the end of the spec.

        The ids of what the spec names go into a new state beside it (or --state), so that
        `netloom apply SPEC --adopt` tags those resources as the stack's instead of making new
        ones. check, reach and cost work on the spec at once, offline.

        Examples:
          netloom import --region us-east-1 --vpc vpc-0abc1234 -o network.yaml
          netloom import --region eu-west-1 --vpc vpc-0abc1234 --stack ml-net -o ml-net.yaml
          netloom check network.yaml && netloom apply network.yaml --adopt
        """
    )

    @Option(name: .long, help: ArgumentHelp("The VPC's region.", valueName: "region"))
    var region: String

    @Option(name: .long, help: ArgumentHelp("The VPC to read (vpc-...).", valueName: "id"))
    var vpc: String

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The spec to write.", valueName: "spec.yaml"))
    var outputPath: String

    @Option(name: .long, help: ArgumentHelp("The stack's name (default: the VPC's Name tag, made a valid name, else 'imported').", valueName: "name"))
    var stack: String?

    @Option(name: .long, help: ArgumentHelp("Where to record the ids for --adopt (default: .netloom/<stack>.sqlite beside the spec).", valueName: "path"))
    var state: String?

    @Option(name: .long, help: ArgumentHelp("AWS profile from ~/.aws/config and ~/.aws/credentials.", valueName: "name"))
    var profile: String?

    @Flag(name: .long, help: "Replace the spec and the state when they exist.")
    var force = false

    func validate() throws {
        guard AWSRegions.availabilityZones[region] != nil else {
            throw ValidationError("--region '\(region)' is not one netloom knows\(DidYouMean.hint(for: region, among: AWSRegions.knownRegions))")
        }
        guard vpc.hasPrefix("vpc-"), vpc.count > 4, vpc.dropFirst(4).allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw ValidationError("--vpc must be a VPC id such as vpc-0abc1234, not '\(vpc)'")
        }
        if let stack, !(stack.count <= 40 && stack.first?.isLowercase == true && stack.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }) {
            throw ValidationError("--stack '\(stack)' must match [a-z][a-z0-9-]{0,39}")
        }
        if outputPath.isEmpty { throw ValidationError("--output is empty") }
    }

    func run() async throws {
        let console = Console.current(environment: ProcessInfo.processInfo.environment)
        if FileManager.default.fileExists(atPath: outputPath), !force {
            console.error("\(outputPath) exists; use --force to replace it")
            throw ExitStatus.runtimeFailure
        }
        let imported: ImportedVPC
        let stackName: String
        var access: StateOptions.AWSAccess?
        do {
            let opened = try await StateOptions.AWSAccess.open(profile: profile, region: region, console: console)
            access = opened
            let ec2 = EC2(core: opened.core)
            if let stack {
                stackName = stack
            } else {
                let nameTag = try await ec2.describeVpcs(ids: [vpc]).first?.tags.first { $0.key == "Name" }?.value
                stackName = VPCImporter.stackName(fromNameTag: nameTag)
            }
            console.writeError("Reading \(vpc) in \(region)...")
            imported = try await VPCImporter(ec2: ec2, elb: ELBv2(core: opened.core), region: region, stack: stackName).importVPC(vpc)
            await opened.close()
        } catch {
            await access?.close()
            console.error(String(describing: error))
            throw ExitStatus.runtimeFailure
        }

        // The spec must load and expand as any other; what it does not expand to is not adopted.
        let spec: StackSpec
        let expanded: ExpandedStack
        do {
            spec = try SpecLoader.parse(imported.yaml, file: outputPath)
            expanded = try StackExpander.expand(spec)
        } catch {
            console.error("the spec written from \(vpc) does not load; this is a netloom bug. The text was:\n\(imported.yaml)")
            console.report(error)
            throw ExitStatus.runtimeFailure
        }
        let addresses = Set(expanded.graph.resources.map(\.address))
        let adoptions = imported.adoptions.filter { addresses.contains($0.address) }
        for left in imported.adoptions where !addresses.contains(left.address) {
            console.warning("\(left.awsID) would be \(left.address), which the spec does not build; it is not adopted")
        }

        let statePath = state ?? {
            let directory = (outputPath as NSString).deletingLastPathComponent
            return (directory.isEmpty ? "." : directory) + "/.netloom/\(stackName).sqlite"
        }()
        do {
            if FileManager.default.fileExists(atPath: statePath) {
                let existing = try StateStore(path: statePath)
                let recorded = try existing.resources()
                guard force || recorded.isEmpty else {
                    console.error("the state \(statePath) already records resources; use --force to replace them with the imported ids, or --state to name another")
                    throw ExitStatus.runtimeFailure
                }
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: statePath + suffix) }
            }
            try Data(imported.yaml.utf8).write(to: URL(fileURLWithPath: outputPath), options: .atomic)
            let store = try StateStore(path: statePath)
            for record in adoptions { try store.save(record) }
            try store.saveAllocations(Dictionary(expanded.addressPlan.allocations.map { ($0.key, $0.cidr) }, uniquingKeysWith: { first, _ in first }))
        } catch let exit as ExitCode {
            throw exit
        } catch {
            console.error(String(describing: error))
            throw ExitStatus.runtimeFailure
        }
        console.write("Wrote \(outputPath): stack '\(stackName)', \(spec.subnets.count) subnet set\(spec.subnets.count == 1 ? "" : "s"), \(spec.securityGroups.count) group\(spec.securityGroups.count == 1 ? "" : "s"), \(spec.networkACLs.count) ACL\(spec.networkACLs.count == 1 ? "" : "s"), \(spec.instances.count) instance\(spec.instances.count == 1 ? "" : "s").")
        console.write("Recorded \(adoptions.count) AWS ids in \(statePath) for `netloom apply \(outputPath) --adopt`.")
        if !imported.notExpressed.isEmpty {
            console.write("\(imported.notExpressed.count) thing\(imported.notExpressed.count == 1 ? " is" : "s are") not expressed; see the comments at the end of \(outputPath).")
        }
    }
}

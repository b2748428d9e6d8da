import Foundation
import NetloomModel
import NetloomPlanning
import NetloomSpec
import NetloomTestSupport
import PropertyBased
import Testing

func loadExample(_ name: String) throws -> StackSpec {
    try SpecLoader.load(contentsOf: ExampleSpecs.path(name))
}

func withAZ(_ spec: StackSpec, _ az: String) -> StackSpec {
    var grown = spec
    grown.network.azs = (spec.network.azs + [az]).sorted()
    return grown
}

@Suite("address planning")
struct AddressPlannerTests {
    @Test("64 EKS nodes at 81 IPs with 25% headroom get a /19 training subnet in both AZs")
    func hyperpodTrainingSubnets() throws {
        let expanded = try StackExpander.expand(try loadExample("hyperpod-eks.yaml"))
        let training = expanded.addressPlan.allocations.filter { $0.key.subnet == "training" }
        #expect(training.map(\.key.az) == ["us-west-2a", "us-west-2b"])
        #expect(training.allSatisfy { $0.cidr.prefix == 19 })
        // The cluster's 6,480 and its 2,400 GiB file system's 2 interfaces; 7 endpoint interfaces.
        #expect(training.first { $0.key.az == "us-west-2a" }?.demand == 6_482 + 7)
        #expect(expanded.spec.cluster(named: "trainers")?.addressDemand == 6_482)
    }

    @Test("8 Slurm nodes at 32 IPs with 25% headroom get a /23")
    func slurmComputeSubnet() throws {
        let expanded = try StackExpander.expand(try loadExample("hyperpod-slurm-dev.yaml"))
        let compute = try #require(expanded.addressPlan.allocations.first { $0.key.subnet == "compute" })
        #expect(compute.cidr.prefix == 23)
        // 10 nodes (8 workers, controller, login) × 32 × 1.25 = 400, and 2 FSx interfaces.
        #expect(compute.demand == 402)
    }

    @Test("pinned CIDRs are used as written")
    func pinnedCIDRs() throws {
        let plan = try StackExpander.expand(try loadExample("ml-workstation.yaml")).addressPlan
        #expect(plan.allocations.map { "\($0.key) \($0.cidr) \($0.origin.rawValue)" } == [
            "private/us-east-1a 10.0.11.0/24 pinned", "private/us-east-1b 10.0.12.0/24 pinned",
            "public/us-east-1a 10.0.1.0/24 pinned", "public/us-east-1b 10.0.2.0/24 pinned",
        ])
    }

    @Test("adding an AZ to an example adds resources and changes none of the existing ones", arguments: [
        ("hyperpod-eks.yaml", "us-west-2c"), ("hyperpod-slurm-dev.yaml", "us-east-1b"), ("inference.yaml", "eu-west-1c"),
    ])
    func addingAnAZKeepsEverything(example: String, az: String) throws {
        let before = try StackExpander.expand(try loadExample(example))
        let after = try StackExpander.expand(withAZ(try loadExample(example), az))
        #expect(after.graph.count > before.graph.count)
        for resource in before.graph.resources {
            let grown = try #require(after.graph[resource.address], "\(resource.address) vanished")
            // Endpoints, load balancers and Auto Scaling groups span the AZs of their subnet set, so they gain the new AZ's member.
            if resource.type == .vpcEndpoint || resource.type == .loadBalancer || resource.type == .autoScalingGroup {
                let members = ["subnets", "route_tables"].compactMap { resource.properties[$0]?.listValue }.flatMap { $0 }
                let grownMembers = ["subnets", "route_tables"].compactMap { grown.properties[$0]?.listValue }.flatMap { $0 }
                #expect(Set(members).isSubset(of: Set(grownMembers)), "\(resource.address) lost a member")
                continue
            }
            // An Auto Scaling group's `max` is shared among its AZs (ceil(max / AZs) each), so one
            // more AZ can only lower what a subnet must hold; its CIDR stays.
            if resource.type == .subnet, let demand = resource.properties["demand"]?.intValue, let grownDemand = grown.properties["demand"]?.intValue {
                #expect(grownDemand <= demand, "\(resource.address) must hold more")
                #expect(grown.properties.filter { $0.key != "demand" } == resource.properties.filter { $0.key != "demand" }, "\(resource.address) changed")
                continue
            }
            #expect(grown.properties == resource.properties, "\(resource.address) changed")
        }
    }

    @Test("a VPC that is too small names the shortfall and the smallest VPC that fits")
    func tooSmall() throws {
        var spec = try loadExample("hyperpod-eks.yaml")
        spec.network.cidr = try CIDRBlock(parsing: "10.0.0.0/20")
        #expect(throws: SpecInvalidError.self) { try StackExpander.expand(spec) }
        do {
            _ = try StackExpander.expand(spec)
        } catch {
            #expect(error.diagnostics.count == 1)
            let message = error.diagnostics[0].message
            // With the example's two /27 control-plane subnets (hyperpod's eks:) on top of the rest.
            #expect(message.hasPrefix("the subnets need 16,960 addresses but the VPC 10.0.0.0/20 has 4,096: 12,864 addresses missing; the smallest VPC that fits is /17"))
        }
    }

    @Test("the smallest prefix holds the demand plus AWS's five reserved addresses")
    func smallestPrefix() {
        #expect(AddressPlanner.smallestPrefix(holding: 0) == 28)
        #expect(AddressPlanner.smallestPrefix(holding: 11) == 28)
        #expect(AddressPlanner.smallestPrefix(holding: 12) == 27)
        #expect(AddressPlanner.smallestPrefix(holding: 251) == 24)
        #expect(AddressPlanner.smallestPrefix(holding: 252) == 23)
        #expect(AddressPlanner.smallestPrefix(holding: 6_487) == 19)
        #expect(AddressPlanner.smallestPrefix(holding: 65_531) == 16)
        #expect(AddressPlanner.smallestPrefix(holding: 65_532) == nil)
    }
}

@Suite("address planning properties")
struct AddressPlannerPropertyTests {
    static func plan(_ text: String, previous: [SubnetKey: CIDRBlock] = [:]) -> Result<AddressPlan, SpecInvalidError> {
        Result { () throws(SpecInvalidError) in
            try StackExpander.expand(try SpecLoader.parse(text, file: "random.yaml"), previousAllocations: previous).addressPlan
        }
    }

    @Test("plans never overlap, stay inside the VPC and hold every subnet's demand plus 5")
    func soundness() async {
        var planned = 0
        await propertyCheck(count: 300, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            let random = RandomStackSpec(seed: seed)
            switch Self.plan(random.yaml()) {
            case .success(let plan):
                planned += 1
                for (index, allocation) in plan.allocations.enumerated() {
                    #expect(plan.vpc.contains(allocation.cidr), "seed \(seed): \(allocation.key) outside the VPC")
                    #expect(allocation.cidr.usableAddresses >= allocation.demand, "seed \(seed): \(allocation.key) too small")
                    #expect((16...28).contains(allocation.cidr.prefix))
                    for other in plan.allocations[(index + 1)...] {
                        #expect(!allocation.cidr.overlaps(other.cidr), "seed \(seed): \(allocation.key) overlaps \(other.key)")
                    }
                }
            case .failure(let error):
                // Only "does not fit" is acceptable for these specs, and it must be one located error.
                #expect(error.diagnostics.count >= 1)
                #expect(error.diagnostics.allSatisfy { $0.message.contains("addresses") && $0.location.line >= 1 }, "seed \(seed): \(error)")
            }
        }
        // Most random specs fit; if the generator drifted into specs that never do, nothing above checked a plan.
        #expect(planned >= 200, "only \(planned) of 300 random specs were planned")
    }

    @Test("the same spec, written in any order, gives byte-identical plans")
    func stability() async {
        await propertyCheck(count: 200, input: Gen.uint64(in: 0...UInt64.max), Gen.uint64(in: 0...UInt64.max)) { seed, shuffle in
            let random = RandomStackSpec(seed: seed)
            let first = Self.plan(random.yaml()), again = Self.plan(random.yaml()), reordered = Self.plan(random.yaml(shuffledWith: shuffle))
            #expect(String(describing: first) == String(describing: again))
            #expect(String(describing: first) == String(describing: reordered), "seed \(seed) shuffle \(shuffle)")
        }
    }

    @Test("a grown spec keeps every CIDR already allocated")
    func growthKeepsAllocations() async {
        var compared = 0
        await propertyCheck(count: 200, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            let random = RandomStackSpec(seed: seed)
            // Specs that do not fit before or after growing have nothing to keep; they are skipped.
            guard case .success(let before) = Self.plan(random.yaml()), let grown = random.withExtraAZ() else { return }
            guard case .success(let after) = Self.plan(grown.yaml(), previous: before.cidrs) else { return }
            compared += 1
            for allocation in before.allocations {
                #expect(after[allocation.key]?.cidr == allocation.cidr, "seed \(seed): \(allocation.key) moved")
            }
        }
        #expect(compared >= 120, "only \(compared) of 200 random specs were planned before and after growing")
    }
}

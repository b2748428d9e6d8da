import NetloomModel
import NetloomSpec

/// The CIDR of every subnet, with what it must hold.
public struct AddressPlan: Sendable, Hashable {
    public struct Allocation: Sendable, Hashable {
        public var key: SubnetKey
        public var cidr: CIDRBlock
        public var demand: Int
        /// Where the block came from: pinned in the spec, kept from the state, or planned now.
        public var origin: Origin

        public enum Origin: String, Sendable, Hashable { case pinned, kept, planned }
    }

    public var vpc: CIDRBlock
    /// Sorted by subnet key.
    public var allocations: [Allocation]

    public subscript(key: SubnetKey) -> Allocation? { allocations.first { $0.key == key } }

    public var cidrs: [SubnetKey: CIDRBlock] {
        Dictionary(uniqueKeysWithValues: allocations.map { ($0.key, $0.cidr) })
    }
}

/// Address planning per SPEC.md section 2.
///
/// Blocks are placed largest first and aligned. Each subnet set first gets a region with a slot for
/// every AZ its region has (indexed by the AZ's position in the region), so adding an AZ later lands
/// in its own slot and moves nothing; when that reservation does not fit, blocks are packed tightly.
/// Earlier allocations (from the state) are kept whenever they still have the right size.
public enum AddressPlanner {
    public static func plan(_ spec: StackSpec, demand: AddressDemand, previous: [SubnetKey: CIDRBlock] = [:]) throws(SpecInvalidError) -> AddressPlan {
        var diagnostics: [Diagnostic] = []
        let vpc = spec.network.cidr

        // 1. Sizes.
        var prefixBySet: [String: Int] = [:]
        for subnet in spec.subnets {
            let keys = spec.azs(of: subnet).map { SubnetKey(subnet: subnet.name, az: $0) }
            let largest = keys.map { demand.demand(of: $0) }.max() ?? 0
            switch subnet.size {
            case .auto:
                guard let prefix = smallestPrefix(holding: largest) else {
                    diagnostics.append(Diagnostic(at: subnet.location, "subnet '\(subnet.name)' must hold \(largest.grouped) addresses in one AZ, more than a /16 subnet can (65,531)"))
                    continue
                }
                prefixBySet[subnet.name] = prefix
            case .prefix(let prefix):
                let usable = Int(CIDRBlock(base: IPv4Address(0), prefix: prefix).usableAddresses)
                for key in keys where demand.demand(of: key) > usable {
                    let need = demand.demand(of: key)
                    let fit = smallestPrefix(holding: need).map { "/\($0) or size: auto would fit" } ?? "no subnet size fits"
                    diagnostics.append(Diagnostic(at: subnet.location, "subnet '\(subnet.name)' in \(key.az) needs \(need.grouped) addresses but a /\(prefix) holds \(usable.grouped) (\((need - usable).grouped) missing); \(fit)"))
                }
                prefixBySet[subnet.name] = prefix
            }
        }
        guard diagnostics.isEmpty else { throw SpecInvalidError(diagnostics: diagnostics) }

        // 2. Fixed blocks: pinned in the spec, then kept from earlier plans when still valid.
        struct Block { var key: SubnetKey; var prefix: Int }
        var fixed: [SubnetKey: (CIDRBlock, AddressPlan.Allocation.Origin)] = [:]
        var toPlace: [Block] = []
        for subnet in spec.subnets {
            guard let prefix = prefixBySet[subnet.name] else { continue }
            for az in spec.azs(of: subnet) {
                let key = SubnetKey(subnet: subnet.name, az: az)
                if let pinned = subnet.cidrs[az] {
                    fixed[key] = (pinned, .pinned)
                } else {
                    toPlace.append(Block(key: key, prefix: prefix))
                }
            }
        }
        let pinnedBlocks = fixed.values.map(\.0)
        var taken: [CIDRBlock] = pinnedBlocks
        for block in toPlace.sorted(by: { $0.key < $1.key }) {
            guard let earlier = previous[block.key], earlier.prefix == block.prefix, vpc.contains(earlier),
                  !taken.contains(where: { $0.overlaps(earlier) }) else { continue }
            fixed[block.key] = (earlier, .kept)
            taken.append(earlier)
        }
        toPlace.removeAll { fixed[$0.key] != nil }

        // 3. The reserved layout: one region per subnet set, a slot per AZ of the region.
        let ideal = reservedLayout(spec: spec, prefixBySet: prefixBySet, obstacles: pinnedBlocks)

        // 4. Place every remaining block: its reserved slot when free, else the first aligned gap.
        var allocations: [SubnetKey: (CIDRBlock, AddressPlan.Allocation.Origin)] = fixed
        let ordered = toPlace.sorted { ($0.prefix, $0.key) < ($1.prefix, $1.key) }
        var unplaced: [Block] = []
        for block in ordered {
            if let slot = ideal[block.key], !taken.contains(where: { $0.overlaps(slot) }) {
                allocations[block.key] = (slot, .planned)
                taken.append(slot)
            } else if let gap = firstFit(prefix: block.prefix, in: vpc, avoiding: taken) {
                allocations[block.key] = (gap, .planned)
                taken.append(gap)
            } else {
                unplaced.append(block)
            }
        }
        if !unplaced.isEmpty {
            let needed = (Array(fixed.values.map(\.0.size)) + ordered.map { CIDRBlock(base: IPv4Address(0), prefix: $0.prefix).size }).reduce(0, +)
            let smallest = (0...vpc.prefix).reversed().first { UInt64(1) << UInt64(32 - $0) >= needed }
            let missing = needed > vpc.size ? needed - vpc.size : 0
            let names = unplaced.map(\.key.description).joined(separator: ", ")
            let message: String
            if missing > 0 {
                message = "the subnets need \(Int(needed).grouped) addresses but the VPC \(vpc) has \(Int(vpc.size).grouped): \(Int(missing).grouped) addresses missing; the smallest VPC that fits is /\(smallest.map(String.init) ?? "?") (could not place \(names))"
            } else {
                message = "the subnets need \(Int(needed).grouped) of the VPC's \(Int(vpc.size).grouped) addresses, but the pinned CIDRs leave no aligned gap for \(names); move the pinned CIDRs or use a larger VPC (/\(max(16, vpc.prefix - 1)))"
            }
            throw SpecInvalidError(diagnostics: [Diagnostic(at: spec.network.cidrLocation, message)])
        }
        let result = allocations.map { key, value in
            AddressPlan.Allocation(key: key, cidr: value.0, demand: demand.demand(of: key), origin: value.1)
        }.sorted { $0.key < $1.key }
        return AddressPlan(vpc: vpc, allocations: result)
    }

    /// The smallest prefix (/28 to /16) whose usable addresses hold `addresses`.
    public static func smallestPrefix(holding addresses: Int) -> Int? {
        (16...28).reversed().first { (1 << (32 - $0)) - 5 >= addresses }
    }

    static func reservedLayout(spec: StackSpec, prefixBySet: [String: Int], obstacles: [CIDRBlock]) -> [SubnetKey: CIDRBlock] {
        let regionAZs = (AWSRegions.availabilityZones[spec.region] ?? spec.network.azs).sorted()
        let slotBits = bits(toNumber: regionAZs.count)
        struct Region { var subnet: SubnetSpec; var prefix: Int; var regionPrefix: Int }
        var regions: [Region] = []
        for subnet in spec.subnets {
            guard let prefix = prefixBySet[subnet.name], !spec.azs(of: subnet).allSatisfy({ subnet.cidrs[$0] != nil }) else { continue }
            guard prefix - slotBits >= spec.network.cidr.prefix else { return [:] }
            regions.append(Region(subnet: subnet, prefix: prefix, regionPrefix: prefix - slotBits))
        }
        var taken = obstacles
        var layout: [SubnetKey: CIDRBlock] = [:]
        for region in regions.sorted(by: { ($0.regionPrefix, $0.subnet.name) < ($1.regionPrefix, $1.subnet.name) }) {
            guard let block = firstFit(prefix: region.regionPrefix, in: spec.network.cidr, avoiding: taken) else { return [:] }
            taken.append(block)
            for az in spec.azs(of: region.subnet) where region.subnet.cidrs[az] == nil {
                guard let slot = regionAZs.firstIndex(of: az) else { continue }
                let base = block.base.value + UInt32(slot) * UInt32(1 << (32 - region.prefix))
                layout[SubnetKey(subnet: region.subnet.name, az: az)] = CIDRBlock(base: IPv4Address(base), prefix: region.prefix)
            }
        }
        return layout
    }

    /// Bits needed to number this many slots: 3 AZs need 2 bits, 6 need 3.
    static func bits(toNumber count: Int) -> Int {
        var bits = 0
        while (1 << bits) < count { bits += 1 }
        return bits
    }

    /// The lowest aligned block of the prefix inside `container` that overlaps nothing taken.
    static func firstFit(prefix: Int, in container: CIDRBlock, avoiding taken: [CIDRBlock]) -> CIDRBlock? {
        guard prefix >= container.prefix else { return nil }
        let step = UInt64(1) << UInt64(32 - prefix)
        var candidate = UInt64(container.first)
        let end = UInt64(container.last)
        let sortedTaken = taken.sorted()
        while candidate + step - 1 <= end {
            let block = CIDRBlock(base: IPv4Address(UInt32(candidate)), prefix: prefix)
            guard let clash = sortedTaken.first(where: { $0.overlaps(block) }) else { return block }
            // Jump past the clashing block, to the next aligned boundary.
            let after = UInt64(clash.last) + 1
            candidate = max(candidate + step, (after + step - 1) / step * step)
        }
        return nil
    }
}


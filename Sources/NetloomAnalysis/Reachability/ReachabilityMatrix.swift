import NetloomModel
import NetloomPlanning
import NetloomSpec

/// Interfaces that no rule can tell apart: same subnet, same groups, same public-IP flag, same kind, and
/// private addresses in the same piece between the CIDR boundaries the stack names (so an
/// ACL entry or rule for a /32 splits a class, as it must).
public struct InterfaceClass: Sendable, Hashable {
    public var subnet: SubnetKey
    public var securityGroups: [String]
    public var publicIP: Bool
    /// `instance`, `cluster_node`, ...: the kind decides the ephemeral ports replies go to.
    public var kind: String
    /// Interface ids, such as `instance:api/0`.
    public var members: [String]
    /// How many interfaces (nodes count one each) the class stands for.
    public var interfaceCount: Int
}

/// Which class can reach which, and on which destination ports.
public struct ReachabilityMatrix: Sendable {
    public struct Entry: Sendable, Hashable {
        public var from: Int
        public var to: Int
        /// Destination ports as ranges; `[0...0]` for ICMP means "passes".
        public var ports: [ClosedRange<Int>]
    }

    public var ipProtocol: IPProtocol
    public var classes: [InterfaceClass]
    /// Only the pairs that can reach each other on some port.
    public var entries: [Entry]
    public var pairsEvaluated: Int
}

extension ReachabilityAnalyzer {
    /// Groups the interfaces into classes that behave alike as sources and as destinations.
    public func interfaceClasses() -> (classes: [InterfaceClass], representatives: [Int]) {
        struct Key: Hashable {
            var subnet: SubnetKey
            var groups: [String]
            var publicIP: Bool
            var kind: NetworkInterface.Kind
            var piece: Int
        }
        let starts = boundaryStarts
        var indexByKey: [Key: Int] = [:]
        var classes: [InterfaceClass] = [], representatives: [Int] = []
        for (index, interface) in network.topology.interfaces.enumerated() {
            // The piece: how many boundaries lie at or below the address (binary search).
            var low = 0, high = starts.count
            while low < high {
                let middle = (low + high) / 2
                if starts[middle] <= interface.privateIP.value { low = middle + 1 } else { high = middle }
            }
            let key = Key(subnet: interface.subnet, groups: interface.securityGroups.sorted(), publicIP: interface.publicIP, kind: interface.kind, piece: low)
            if let existing = indexByKey[key] {
                classes[existing].members.append(interface.id)
                classes[existing].interfaceCount += interface.count
            } else {
                indexByKey[key] = classes.count
                classes.append(InterfaceClass(subnet: interface.subnet, securityGroups: key.groups, publicIP: interface.publicIP, kind: interface.kind.rawValue,
                                              members: [interface.id], interfaceCount: interface.count))
                representatives.append(index)
            }
        }
        return (classes, representatives)
    }

    /// Every class against every class (itself included: two members of one class), on every
    /// destination port at once.
    public func allPairs(_ ipProtocol: IPProtocol = .tcp) -> ReachabilityMatrix {
        let (classes, representatives) = interfaceClasses()
        var planner = PathPlanner(network: network, resolver: resolver)
        planner.recordsHops = false
        var entries: [ReachabilityMatrix.Entry] = []
        for (from, source) in representatives.enumerated() {
            for (to, destination) in representatives.enumerated() {
                let destinationAddress = network.topology.interfaces[destination].privateIP
                let plan = planner.plan(from: .interface(source), to: .interface(destination), address: destinationAddress)
                let ports = plan.reachablePorts(ipProtocol)
                if !ports.isEmpty { entries.append(.init(from: from, to: to, ports: ports.ranges)) }
            }
        }
        return ReachabilityMatrix(ipProtocol: ipProtocol, classes: classes, entries: entries, pairsEvaluated: representatives.count * representatives.count)
    }
}

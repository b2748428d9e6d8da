import NetloomModel
import NetloomPlanning
import NetloomSpec

/// The offline reachability analyzer: AWS's forwarding and filtering rules (SPEC.md section 3)
/// applied to an expanded stack.
///
/// - Security groups are stateful and allow-only; the groups of an interface are unioned; an
///   `sg:NAME` or `self` peer matches interfaces carrying the group by private address only;
///   return traffic is always allowed by groups.
/// - Network ACLs are stateless: the request is checked on its destination port, the return on
///   the client's ephemeral port (Linux 32768-60999 for instances, cluster nodes, subnets and
///   internet clients; 1024-65535 for NAT gateways, load balancers and interface endpoints).
///   Entries are evaluated by ascending rule number, the first match decides, `*` denies.
///   Traffic between two interfaces of one subnet never crosses its ACL. Subnets without an
///   ACL keep the default one, which allows everything.
/// - Routes: longest prefix; the internet gateway carries only traffic of interfaces with a
///   public IP; a NAT gateway only connections started inside the VPC, and its own subnet
///   must route to the internet gateway; gateway endpoints add their service's prefix list.
/// - Load balancers are hops: client to the listener port (the LB's groups and subnet ACL),
///   then LB to the listener's targets on the target group port, with the LB's groups. A target
///   group's targets are the instances it lists and those of the Auto Scaling groups that
///   register in it (in every AZ of their subnet set).
///
/// A query whose ends stand for several interfaces is reachable when one pair of them is.
/// Sets of ports are handled symbolically (`PortSet`); sets of outside addresses by one
/// representative address per piece between the CIDR boundaries, which `init` collects.
public struct ReachabilityAnalyzer: Sendable {
    let network: CompiledNetwork
    let resolver: EndResolver
    let spec: StackSpec
    /// Every CIDR any rule, entry, route or range names: checks are constant between them.
    let boundaries: [CIDRBlock]
    /// Sorted first addresses of the pieces the boundaries cut the address space into.
    let boundaryStarts: [UInt32]

    public init(_ expanded: ExpandedStack) {
        network = CompiledNetwork(expanded)
        resolver = EndResolver(expanded)
        spec = expanded.spec
        boundaries = ReachabilityAnalyzer.cidrBoundaries(expanded)
        var starts = Set<UInt32>()
        for block in boundaries {
            starts.insert(block.first)
            if block.last < UInt32.max { starts.insert(block.last + 1) }
        }
        boundaryStarts = starts.sorted()
    }

    static func cidrBoundaries(_ expanded: ExpandedStack) -> [CIDRBlock] {
        var blocks = Set<CIDRBlock>([expanded.topology.vpc, .anywhere])
        blocks.formUnion(AddressSpace.nonPublic)
        blocks.formUnion(AddressSpace.servicePrefixLists.values.flatMap { $0 })
        for group in expanded.spec.securityGroups {
            for rule in group.rules { if case .cidr(let block) = rule.peer { blocks.insert(block) } }
        }
        for acl in expanded.spec.networkACLs { for entry in acl.entries { blocks.insert(entry.cidr) } }
        for subnet in expanded.topology.subnets {
            blocks.insert(subnet.cidr)
            for route in subnet.routes { if case .cidr(let block) = route.destination { blocks.insert(block) } }
        }
        return blocks.sorted()
    }

    /// Evaluates an assertion of the spec: passed when the verdict matches `expect`.
    public func evaluate(_ assertion: AssertionSpec) -> (passed: Bool, verdict: ReachabilityVerdict) {
        let verdict = evaluate(ReachabilityQuery(from: assertion.from, to: assertion.to, ipProtocol: assertion.ipProtocol, port: assertion.port))
        return (verdict.reachable == (assertion.expect == .reachable), verdict)
    }

    public func evaluate(_ query: ReachabilityQuery) -> ReachabilityVerdict {
        let sources = resolver.resolve(query.from), destinations = resolver.resolve(query.to)
        let problems = [sources.problem, destinations.problem].compactMap { $0 }
        if !problems.isEmpty { return ReachabilityVerdict(reachable: false, path: [], explanations: problems) }
        if case .loadBalancer(let name) = query.to {
            return evaluateThroughLoadBalancer(name, query: query, sources: sources.ends, balancerInterfaces: destinations.ends)
        }
        var explanations = ExplanationList()
        for source in sources.ends {
            for destination in destinations.ends {
                switch evaluatePair(source, destination, query.ipProtocol, query.port) {
                case .reachable(let path): return ReachabilityVerdict(reachable: true, path: path, explanations: [])
                case .blocked(let reasons): explanations.add(reasons)
                }
            }
        }
        return ReachabilityVerdict(reachable: false, path: [], explanations: explanations.items)
    }

    // MARK: load balancers

    func evaluateThroughLoadBalancer(_ name: String, query: ReachabilityQuery, sources: [ConnectionEnd], balancerInterfaces: [ConnectionEnd]) -> ReachabilityVerdict {
        guard let balancer = spec.loadBalancer(named: name) else {
            return ReachabilityVerdict(reachable: false, path: [], explanations: [
                BlockExplanation(code: .endHasNoInterfaces, address: .loadBalancer(name), detail: "no load balancer named '\(name)'")])
        }
        // Listeners take TCP-based protocols (HTTP, HTTPS, TCP, TLS) or UDP (UDP, TCP_UDP).
        let listeners = balancer.listeners.filter { listener in
            let udp = ["UDP", "TCP_UDP"].contains(listener.protocol.uppercased())
            let tcp = listener.protocol.uppercased() != "UDP"
            let protocolFits = switch query.ipProtocol {
            case .tcp: tcp
            case .udp: udp
            case .icmp: false
            case .all: true
            }
            return protocolFits && (query.port == nil || query.port == listener.port)
        }
        guard !listeners.isEmpty else {
            let ports = balancer.listeners.map { "\($0.protocol) \($0.port)" }.joined(separator: ", ")
            return ReachabilityVerdict(reachable: false, path: [], explanations: [
                BlockExplanation(code: .elbListenersMismatch, address: .loadBalancer(name),
                                 detail: "no listener accepts \(query.ipProtocol)\(query.port.map { " \($0)" } ?? ""); listeners: \(ports.isEmpty ? "none" : ports)")])
        }
        var explanations = ExplanationList()
        for listener in listeners {
            let listenerProtocol: IPProtocol = listener.protocol.uppercased() == "UDP" ? .udp : .tcp
            let group = listener.forward.flatMap(spec.targetGroup(named:))
            let targets: [ConnectionEnd] = group.map(resolver.targets(of:)) ?? []
            let targetPort = group?.port ?? listener.port
            for source in sources {
                for balancerEnd in balancerInterfaces {
                    switch evaluatePair(source, balancerEnd, listenerProtocol, listener.port) {
                    case .blocked(let reasons): explanations.add(reasons)
                    case .reachable(let toBalancer):
                        let listenerAddress = ResourceAddress.listener(loadBalancer: name, port: listener.port)
                        // A redirect listener is a hop that only answers: the client is sent to HTTPS on 443, and no target is reached through it.
                        guard let forwardGroup = listener.forward else {
                            let answer = PathHop(component: "listener", address: listenerAddress,
                                                 detail: "\(listener.protocol) \(listener.port) answers 301, redirecting to HTTPS on port 443 (no target behind it)")
                            return ReachabilityVerdict(reachable: true, path: toBalancer + [answer], explanations: [])
                        }
                        let tls = listener.usesTLS ? " (TLS ends here\(listener.certificate.map { " with \(ResourceAddress.certificate($0))" } ?? ""))" : ""
                        let forward = PathHop(component: "listener", address: listenerAddress,
                                              detail: "\(listener.protocol) \(listener.port)\(tls) forwards to \(ResourceAddress.targetGroup(forwardGroup)) on port \(targetPort)")
                        // A listener with no targets still accepts the connection (and answers 503).
                        if targets.isEmpty { return ReachabilityVerdict(reachable: true, path: toBalancer + [forward], explanations: []) }
                        for target in targets {
                            switch evaluatePair(balancerEnd, target, listenerProtocol, targetPort) {
                            case .reachable(let toTarget):
                                return ReachabilityVerdict(reachable: true, path: toBalancer + [forward] + toTarget, explanations: [])
                            case .blocked(let reasons): explanations.add(reasons)
                            }
                        }
                    }
                }
            }
        }
        return ReachabilityVerdict(reachable: false, path: [], explanations: explanations.items)
    }

    // MARK: one pair of ends

    enum PairOutcome {
        case reachable([PathHop])
        case blocked([BlockExplanation])
    }

    func evaluatePair(_ source: ConnectionEnd, _ destination: ConnectionEnd, _ ipProtocol: IPProtocol, _ port: Int?) -> PairOutcome {
        let protocols: [IPProtocol] = ipProtocol == .all ? [.tcp, .udp, .icmp] : [ipProtocol]
        // Reasons are reported for the first address tried only: for a set of outside
        // addresses the others repeat them with another address in the text.
        var explanations = ExplanationList()
        let planner = PathPlanner(network: network, resolver: resolver)
        var quiet = planner
        quiet.recordsHops = false
        for (attempt, address) in candidateAddresses(destination).enumerated() {
            // Later addresses are tried without building hop texts; the one that passes is planned again with them.
            let plan = (attempt == 0 ? planner : quiet).plan(from: source, to: destination, address: address)
            if !plan.routing.isEmpty {
                if attempt == 0 { explanations.add(plan.routing) }
                continue
            }
            for candidate in protocols {
                switch plan.filter(candidate, port: port) {
                case .reachable(let path):
                    if attempt == 0 { return .reachable(path) }
                    if case .reachable(let described) = planner.plan(from: source, to: destination, address: address).filter(candidate, port: port) {
                        return .reachable(described)
                    }
                case .blocked(let reasons): if attempt == 0 { explanations.add(reasons) }
                }
            }
        }
        return .blocked(explanations.items)
    }

    /// The destination addresses to try: the end's own address, or for a set of outside
    /// addresses the preferred one first, then one per piece between CIDR boundaries.
    func candidateAddresses(_ end: ConnectionEnd) -> [IPv4Address] {
        switch end {
        case .interface(let index): return [network.topology.interfaces[index].privateIP]
        case .subnetAddress(_, let address): return [address]
        case .outside(_, let ranges, let preferred):
            // Computed per query: cheap next to a query, and most queries never need it.
            let others = AddressSpace.representatives(of: ranges, boundaries: boundaries)
            return [preferred] + others.filter { $0 != preferred }
        }
    }
}

/// Explanations without repeats, in the order found.
struct ExplanationList {
    private(set) var items: [BlockExplanation] = []
    private var seen = Set<BlockExplanation>()

    mutating func add(_ explanations: [BlockExplanation]) {
        for explanation in explanations where seen.insert(explanation).inserted { items.append(explanation) }
    }
}

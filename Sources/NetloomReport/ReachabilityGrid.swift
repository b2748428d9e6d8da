import NetloomAnalysis
import NetloomModel
import NetloomPlanning
import NetloomSpec

/// Who can open connections to whom, between the spec's ends, on the ports its rules and
/// listeners name. Every verdict comes from `ReachabilityAnalyzer`, the engine behind
/// `netloom reach` and the assertions of `netloom check`.
public struct ReachabilityGrid: Sendable {
    /// One question the grid asks of a pair: a protocol and a port (none for `all`).
    public struct Probe: Sendable, Hashable, CustomStringConvertible {
        public var ipProtocol: IPProtocol
        public var port: Int?
        public var description: String { port.map { "\(ipProtocol) \($0)" } ?? "\(ipProtocol)" }
    }

    public struct Cell: Sendable {
        public var from: Endpoint
        public var to: Endpoint
        public var results: [(probe: Probe, verdict: ReachabilityVerdict)]
        public var reachableCount: Int { results.count { $0.verdict.reachable } }
    }

    /// Where connections start: the internet and the workloads (load balancers, clusters, Auto
    /// Scaling groups, instances, file systems).
    public var sources: [Endpoint]
    /// Where they go: the workloads, the endpoints, the services, the internet.
    public var destinations: [Endpoint]
    /// Row by row; `nil` where a pair is not a question (the internet to itself).
    public var cells: [[Cell?]]
    /// Workloads left out because the stack has more than `maximumWorkloads`.
    public var omittedWorkloads: [Endpoint]

    /// The ends are capped so a stack with hundreds of instances still gives a readable
    /// (and quickly computed) table; the ones left out are listed, and `netloom reach`
    /// answers for any of them.
    public init(_ expanded: ExpandedStack, analyzer: ReachabilityAnalyzer, maximumWorkloads: Int = 16, maximumProbesPerEnd: Int = 4) {
        let spec = expanded.spec
        var workloads: [Endpoint] = spec.loadBalancers.map { .loadBalancer($0.name) }
        workloads += spec.clusters.map { .cluster($0.name) }
        workloads += spec.autoScalingGroups.map { .autoScalingGroup($0.name) }
        workloads += spec.instances.filter { $0.count > 0 }.map { .instance($0.name) }
        workloads += spec.clusters.filter { $0.hyperPod?.fsxLustre != nil }.map { .fileSystem($0.name) }
        omittedWorkloads = Array(workloads.dropFirst(maximumWorkloads))
        workloads = Array(workloads.prefix(maximumWorkloads))

        var services: [Endpoint] = spec.network.interfaceEndpoints.map { .interfaceEndpoint($0) }
        services.append(.service("s3"))
        if spec.network.gatewayEndpoints.contains("dynamodb") { services.append(.service("dynamodb")) }
        sources = [.internet] + workloads
        destinations = workloads + services + [.internet]

        var cells: [[Cell?]] = []
        for source in sources {
            var row: [Cell?] = []
            for destination in destinations {
                if source == destination, source == .internet { row.append(nil); continue }
                let probes = Self.probes(to: destination, spec: spec, maximum: maximumProbesPerEnd)
                let results = probes.map { probe -> (probe: Probe, verdict: ReachabilityVerdict) in
                    (probe, analyzer.evaluate(ReachabilityQuery(from: source, to: destination, ipProtocol: probe.ipProtocol, port: probe.port)))
                }
                row.append(Cell(from: source, to: destination, results: results))
            }
            cells.append(row)
        }
        self.cells = cells
    }

    /// The ports worth asking about for a destination: what its groups let in and what its
    /// listeners or target groups serve; HTTPS for AWS services; for the internet, HTTPS and
    /// the ports the groups let out to it.
    static func probes(to destination: Endpoint, spec: StackSpec, maximum: Int) -> [Probe] {
        var probes: [Probe] = []
        func add(_ probe: Probe) { if !probes.contains(probe) { probes.append(probe) } }
        func addIngress(of groups: [String]) {
            for name in groups {
                guard let group = spec.securityGroups.first(where: { $0.name == name }) else { continue }
                for rule in group.ingress {
                    if rule.ipProtocol.hasPorts {
                        add(Probe(ipProtocol: rule.ipProtocol, port: rule.ports?.lower ?? 0))
                    } else if rule.ipProtocol == .all {
                        add(Probe(ipProtocol: .all, port: nil))
                    }
                }
            }
        }
        switch destination {
        case .instance(let name):
            for group in spec.targetGroups where group.targets.contains("instance:\(name)") { add(Probe(ipProtocol: .tcp, port: group.port)) }
            addIngress(of: spec.instances.first { $0.name == name }?.securityGroups ?? [])
        case .cluster(let name), .clusterGroup(let name, _):
            addIngress(of: spec.clusters.first { $0.name == name }?.securityGroups ?? [])
        case .fileSystem(let name):
            addIngress(of: [HyperPodNames.fileSystemGroup(name)])
        case .autoScalingGroup(let name):
            for group in spec.targetGroups where spec.autoScalingGroup(named: name)?.targetGroups.contains(group.name) == true { add(Probe(ipProtocol: .tcp, port: group.port)) }
            addIngress(of: spec.autoScalingGroup(named: name)?.securityGroups ?? [])
        case .loadBalancer(let name):
            for listener in spec.loadBalancer(named: name)?.listeners ?? [] {
                add(Probe(ipProtocol: listener.protocol.uppercased() == "UDP" ? .udp : .tcp, port: listener.port))
            }
        case .interfaceEndpoint, .service:
            add(Probe(ipProtocol: .tcp, port: 443))
        case .internet:
            add(Probe(ipProtocol: .tcp, port: 443))
            for group in spec.securityGroups {
                for rule in group.egress where rule.ipProtocol.hasPorts {
                    switch rule.peer {
                    case .any: add(Probe(ipProtocol: rule.ipProtocol, port: rule.ports?.lower ?? 0))
                    case .cidr(let block) where !spec.network.cidr.contains(block): add(Probe(ipProtocol: rule.ipProtocol, port: rule.ports?.lower ?? 0))
                    default: break
                    }
                }
            }
        case .subnet, .ip:
            break
        }
        if probes.isEmpty { add(Probe(ipProtocol: .all, port: nil)) }
        return Array(probes.prefix(maximum))
    }
}

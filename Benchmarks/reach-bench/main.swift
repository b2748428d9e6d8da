// Reachability benchmark: a stack of 10,000 interfaces, 500 security groups and 200 subnets,
// generated in memory. Times the all-pairs question over interface classes and single queries.
//
//   swift run -c release reach-bench
#if canImport(Glibc)
import Glibc
#endif
import NetloomAnalysis
import NetloomTestSupport
import NetloomModel
import NetloomPlanning
import NetloomSpec

func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

func peakMemoryMB() -> String {
    guard let file = fopen("/proc/self/status", "r") else { return "unknown" }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("VmHWM:") {
            let kilobytes = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
            return "\(kilobytes / 1024) MB"
        }
    }
    return "unknown"
}

let prototypeYAML = """
stack: bench
region: us-east-1
network: { cidr: 10.0.0.0/16, azs: [us-east-1a], nat: single, endpoints: { gateway: [s3] } }
subnets:
  s0: { tier: public, size: /24 }
  s1: { tier: private, size: /24 }
security_groups:
  g0:
    ingress: [{ from: any, protocol: tcp, ports: 22 }]
network_acls:
  a0:
    subnets: [s1]
    ingress: [{ rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }]
instances:
  i0: { type: t3.micro, ami: ami-12345678, subnet: s1, security_groups: [g0] }
"""

/// 200 subnet sets in one AZ (/24 each), 500 groups with 2-6 rules (CIDR, vpc, any, self and
/// sg references), 40 ACLs, and 2,000 instance specs of 5 instances each. Each subnet hosts a
/// few roles (group combinations), as real stacks do, so classes are far fewer than interfaces.
func benchmarkSpec() throws -> StackSpec {
    var spec = try SpecLoader.parse(prototypeYAML, file: "bench.yaml")
    guard let protoSubnet = spec.subnets.first, let protoGroup = spec.securityGroups.first, let protoRule = protoGroup.ingress.first,
          let protoACL = spec.networkACLs.first, let protoEntry = protoACL.ingress.first, let protoInstance = spec.instances.first else {
        throw SpecInvalidError(diagnostics: [])
    }
    var rng = SplitMix64(seed: 42)
    func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }
    let subnetNames = (0..<200).map { String(format: "s%03d", $0) }
    spec.subnets = subnetNames.enumerated().map { index, name in
        var subnet = protoSubnet
        subnet.name = name
        subnet.tier = index < 20 ? .public : index < 170 ? .private : .isolated
        subnet.size = .prefix(24)
        return subnet
    }
    let groupNames = (0..<500).map { String(format: "g%03d", $0) }
    let ports: [PortRange] = [PortRange(22), PortRange(80), PortRange(443), PortRange(5000), PortRange(8000, 8100), PortRange(1024, 65535), PortRange(6379)]
    spec.securityGroups = groupNames.map { name in
        var group = protoGroup
        group.name = name
        func rules(_ direction: RuleDirection, count: Int) -> [SecurityGroupRuleSpec] {
            var seen = Set<String>()
            return (0..<count).compactMap { _ in
                var rule = protoRule
                rule.direction = direction
                rule.ipProtocol = pick([.tcp, .tcp, .tcp, .udp, .all])
                rule.ports = rule.ipProtocol.hasPorts ? pick(ports) : nil
                let third = UInt32(Int.random(in: 0..<256, using: &rng))
                rule.peer = pick([.self, .vpc, .any, .securityGroup(pick(groupNames)), .securityGroup(pick(groupNames)),
                                  .cidr(CIDRBlock(base: IPv4Address(10 << 24 | third << 8), prefix: 24)), .prefixList("s3")])
                return seen.insert(rule.key(group: name)).inserted ? rule : nil
            }
        }
        group.ingress = rules(.ingress, count: Int.random(in: 2...6, using: &rng))
        var anyEgress = protoRule
        anyEgress.direction = .egress
        anyEgress.peer = .any
        anyEgress.ipProtocol = .all
        anyEgress.ports = nil
        group.egress = Int.random(in: 0..<3, using: &rng) == 0 ? [anyEgress] : rules(.egress, count: Int.random(in: 1...4, using: &rng))
        group.egressIsDefault = false
        return group
    }
    spec.networkACLs = (0..<40).map { index in
        var acl = protoACL
        acl.name = "a\(index)"
        acl.subnets = [subnetNames[20 + index * 3]]
        func entries(_ direction: RuleDirection) -> [NetworkACLEntrySpec] {
            (1...Int.random(in: 3...8, using: &rng)).map { number in
                var entry = protoEntry
                entry.direction = direction
                entry.ruleNumber = number * 10
                entry.action = Int.random(in: 0..<4, using: &rng) == 0 ? .deny : .allow
                entry.ipProtocol = pick([.tcp, .tcp, .udp, .all])
                entry.ports = entry.ipProtocol.hasPorts ? pick(ports + [PortRange.linuxEphemeral]) : nil
                entry.cidr = pick([CIDRBlock.anywhere, CIDRBlock(base: IPv4Address(10 << 24), prefix: 16), CIDRBlock(base: IPv4Address(10 << 24 | UInt32(Int.random(in: 0..<256, using: &rng)) << 8), prefix: 24)])
                return entry
            } + [{ var last = protoEntry; last.direction = direction; last.ruleNumber = 1000; return last }()]
        }
        acl.ingress = entries(.ingress)
        acl.egress = entries(.egress)
        return acl
    }
    // Roles: each subnet has three group combinations; instances take one of them.
    let roles = subnetNames.map { _ in (0..<3).map { _ in Array(Set((0..<Int.random(in: 1...3, using: &rng)).map { _ in pick(groupNames) })).sorted() } }
    spec.instances = (0..<2000).map { index in
        var instance = protoInstance
        let subnet = index % 200
        instance.name = String(format: "i%04d", index)
        instance.subnet = subnetNames[subnet]
        instance.count = 5
        instance.securityGroups = pick(roles[subnet])
        instance.publicIP = subnet < 20 && Bool.random(using: &rng)
        return instance
    }
    return spec
}

var start = now()
let spec = try benchmarkSpec()
let expanded = try StackExpander.expand(spec)
let buildSeconds = now() - start
let interfaces = expanded.topology.interfaces
print("stack: \(interfaces.count) interfaces, \(spec.securityGroups.count) groups, \(expanded.topology.subnets.count) subnets, \(spec.networkACLs.count) ACLs (generated and expanded in \(String(format: "%.2f", buildSeconds)) s)")

start = now()
let analyzer = ReachabilityAnalyzer(expanded)
print(String(format: "analyzer init: %.1f ms", (now() - start) * 1000))

start = now()
let matrix = analyzer.allPairs(.tcp)
let allPairsSeconds = now() - start
let reachablePairs = matrix.entries.count
print("all pairs (tcp, every port): \(matrix.classes.count) interface classes, \(matrix.pairsEvaluated) class pairs, \(reachablePairs) reachable on some port: "
      + String(format: "%.3f s", allPairsSeconds))
if let sample = matrix.entries.first(where: { matrix.classes[$0.from].subnet != matrix.classes[$0.to].subnet && $0.ports.count > 1 }) {
    let from = matrix.classes[sample.from], to = matrix.classes[sample.to]
    let ports = sample.ports.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ",")
    print("  e.g. subnet:\(from.subnet) [\(from.securityGroups.joined(separator: ","))] -> subnet:\(to.subnet) [\(to.securityGroups.joined(separator: ","))] on tcp \(ports)")
}

var rng = SplitMix64(seed: 7)
let ends: [Endpoint] = spec.instances.map { .instance($0.name) } + [.internet, .service("s3")] + spec.subnets.map { .subnet($0.name) }
var timings: [Double] = []
var reachable = 0
var slowest: (seconds: Double, query: String) = (0, "")
for _ in 0..<2000 {
    let query = ReachabilityQuery(from: ends[Int.random(in: 0..<2000, using: &rng)], to: ends[Int.random(in: 0..<ends.count, using: &rng)],
                                  ipProtocol: [.tcp, .tcp, .udp, .all][Int.random(in: 0..<4, using: &rng)], port: [22, 80, 443, 5000, 6379][Int.random(in: 0..<5, using: &rng)])
    let query2 = query.ipProtocol == .all ? ReachabilityQuery(from: query.from, to: query.to, ipProtocol: .all, port: nil) : query
    start = now()
    let verdict = analyzer.evaluate(query2)
    let elapsed = now() - start
    timings.append(elapsed)
    if elapsed > slowest.seconds { slowest = (elapsed, "\(query2) (\(verdict.reachable ? "reachable" : "unreachable"))") }
    if verdict.reachable { reachable += 1 }
}
timings.sort()
print(String(format: "single queries: %d (%d reachable), median %.3f ms, p90 %.3f ms, max %.3f ms", timings.count, reachable,
             timings[timings.count / 2] * 1000, timings[timings.count * 9 / 10] * 1000, (timings.last ?? 0) * 1000))
print(String(format: "  slowest: %.3f ms for ", slowest.seconds * 1000) + slowest.query)

// To a set of outside addresses: every piece between CIDR boundaries may need a try.
var outsideTimings: [Double] = []
var outsideReachable = 0
for index in 0..<300 {
    let query = ReachabilityQuery(from: .instance(spec.instances[index * 6].name), to: index % 3 == 0 ? .service("s3") : .internet,
                                  ipProtocol: .tcp, port: [443, 80, 6379][index % 3])
    start = now()
    if analyzer.evaluate(query).reachable { outsideReachable += 1 }
    outsideTimings.append(now() - start)
}
outsideTimings.sort()
print(String(format: "queries to internet/service:s3: %d (%d reachable), median %.3f ms, p90 %.3f ms, max %.3f ms", outsideTimings.count, outsideReachable,
             outsideTimings[outsideTimings.count / 2] * 1000, outsideTimings[outsideTimings.count * 9 / 10] * 1000, (outsideTimings.last ?? 0) * 1000))
print("peak memory (VmHWM): \(peakMemoryMB())")

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


var start = now()
let spec = try BenchmarkStacks.reachabilitySpec()
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

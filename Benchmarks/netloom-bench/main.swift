// Times `netloom expand` and `netloom plan --offline` on a generated spec of about 10,000
// resources, running the release binary as a user would, and reports peak memory.
//
//   swift build -c release && swift run -c release netloom-bench [--runs N] [--keep]
import Foundation
import NetloomPlanning
import NetloomSpec
import NetloomTestSupport
#if canImport(Glibc)
import Glibc
#endif

struct GeneratedSpec {
    static let subnetSets = 40, groups = 250, rulesPerGroup = 30, instances = 500, acls = 20, buckets = 100, roles = 100

    static func yaml() -> String {
        var out = """
        stack: bench
        region: us-east-1
        tags: { team: bench }
        network:
          cidr: 10.0.0.0/16
          azs: [us-east-1a, us-east-1b, us-east-1c]
          nat: per-az
          flow_logs: { retention_days: 7 }
          endpoints: { gateway: [s3], interface: [ssm, sts, logs] }
        subnets:
          edge: { tier: public, size: /24 }

        """
        for index in 0..<subnetSets { out += "  app\(index): { tier: private, size: /24 }\n" }
        out += "security_groups:\n"
        for group in 0..<groups {
            out += "  g\(group):\n    ingress:\n"
            for rule in 0..<rulesPerGroup {
                let peer = rule % 3 == 0 ? "sg:g\((group + 1) % groups)" : (rule % 3 == 1 ? "vpc" : "10.\(rule).0.0/16")
                out += "      - { from: \(peer), protocol: tcp, ports: \(1000 + rule) }\n"
            }
        }
        out += "network_acls:\n"
        for acl in 0..<acls {
            out += "  n\(acl):\n    subnets: [app\(acl)]\n    ingress:\n"
            for entry in 0..<10 { out += "      - { rule: \(100 + entry), action: allow, protocol: tcp, ports: \(2000 + entry), cidr: 10.0.0.0/16 }\n" }
            out += "    egress:\n"
            for entry in 0..<10 { out += "      - { rule: \(100 + entry), action: allow, protocol: tcp, ports: \"1024-65535\", cidr: 10.\(entry).0.0/16 }\n" }
        }
        out += "instances:\n"
        for instance in 0..<instances {
            out += "  i\(instance): { type: t3.medium, ami: ami-0123456789abcdef0, subnet: app\(instance % subnetSets), security_groups: [g\(instance % groups)], role: r\(instance % roles) }\n"
        }
        out += "buckets:\n"
        for bucket in 0..<buckets { out += "  b\(bucket): { versioning: true, encryption: aes256, folders: [raw/] }\n" }
        out += "roles:\n"
        for role in 0..<roles {
            out += "  r\(role):\n    assumed_by: ec2\n    allow:\n      - { actions: [s3:GetObject], resources: [bucket:b\(role % buckets)] }\n"
        }
        return out
    }
}

struct Measurement {
    var seconds: [Double] = []
    var median: Double { seconds.sorted()[seconds.count / 2] }
}

func run(_ binary: String, _ arguments: [String]) throws -> (seconds: Double, peakKiB: Int) {
    let outcome = try TimedChild.run(binary, arguments)
    guard outcome.exitCode == 0 || outcome.exitCode == 2 else {
        throw TimedChild.SpawnFailed(description: "netloom \(arguments.joined(separator: " ")) ended with \(outcome.exitCode.map { "exit \($0)" } ?? "a signal")")
    }
    return (outcome.seconds, outcome.peakKiB)
}

let arguments = CommandLine.arguments.dropFirst()
let runs = arguments.firstIndex(of: "--runs").flatMap { arguments.index(after: $0) < arguments.endIndex ? Int(arguments[arguments.index(after: $0)]) : nil } ?? 5
let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("netloom").path
guard FileManager.default.isExecutableFile(atPath: binary) else {
    FileHandle.standardError.write(Data("netloom-bench: build the netloom binary first (swift build -c release); looked for \(binary)\n".utf8))
    exit(1)
}

let text = GeneratedSpec.yaml()
let specPath = FileManager.default.temporaryDirectory.appendingPathComponent("netloom-bench-\(getpid()).yaml").path
try text.write(toFile: specPath, atomically: true, encoding: .utf8)
defer { if !arguments.contains("--keep") { try? FileManager.default.removeItem(atPath: specPath) } }

func timed<T>(_ label: String, _ work: () throws -> T) rethrows -> T {
    let start = DispatchTime.now()
    let result = try work()
    print(String(format: "  in-process %-22@ %.3f s", label as NSString, Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9))
    return result
}
let spec = try timed("load + validate") { try SpecLoader.parse(text, file: specPath) }
let expanded = try timed("expand + plan addresses") { try StackExpander.expand(spec) }
print("spec: \(text.utf8.count / 1024) KiB, \(expanded.graph.count) resources, \(expanded.addressPlan.allocations.count) subnets (\(specPath))")

var peak = 0
for (label, commandArguments) in [("expand --format json", ["expand", specPath, "--format", "json"]),
                                  ("expand --format text", ["expand", specPath]),
                                  ("plan --offline", ["plan", "--offline", specPath]),
                                  ("plan --offline --format json", ["plan", "--offline", specPath, "--format", "json"])] {
    var measurement = Measurement()
    for _ in 0..<runs {
        let (seconds, peakKiB) = try run(binary, commandArguments)
        measurement.seconds.append(seconds)
        peak = max(peak, peakKiB)
    }
    print(String(format: "%-30@ median %.3f s  (min %.3f, max %.3f, %d runs)", label as NSString, measurement.median,
                 measurement.seconds.min()!, measurement.seconds.max()!, runs))
}
print(String(format: "peak memory of any run: %.1f MiB", Double(peak) / 1024))

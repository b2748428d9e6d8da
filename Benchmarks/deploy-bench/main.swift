// Times apply, a no-op plan and destroy of a generated stack (200 subnets, 200 security groups,
// 600 rules) against a local moto server, with the AWS calls each one makes, and compares them
// with Terraform 1.11's figures for a stack of that size on this machine (AWS-NOTES.md).
//
//   swift build -c release && swift run -c release deploy-bench [--parallelism N]
import Foundation
import MotoHarness
import NetloomTestSupport


/// Terraform 1.11 with hashicorp/aws 5.100 against moto on this kind of machine, for a
/// 1,001-resource stack of 200 subnets, 200 groups and 600 rules (AWS-NOTES.md).
let terraformSeconds = ["apply": 41.0, "no-op plan": 20.8, "destroy": 62.0]

func argument(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("netloom").path
guard FileManager.default.isExecutableFile(atPath: binary) else {
    FileHandle.standardError.write(Data("deploy-bench: build netloom first (swift build -c release); looked for \(binary)\n".utf8))
    exit(1)
}
let parallelism = argument("--parallelism") ?? "16"
let directory = NSTemporaryDirectory() + "netloom-deploy-bench-\(getpid())"
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: directory) }
let spec = directory + "/deploy-bench.yaml"
try BenchmarkStacks.deployYAML().write(toFile: spec, atomically: true, encoding: .utf8)

let moto = try await MotoServer()
defer { moto.stop() }
var environment = ProcessInfo.processInfo.environment
for (key, value) in ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                     "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": moto.endpointURL, "NO_COLOR": "1"] {
    environment[key] = value
}
environment.removeValue(forKey: "AWS_PROFILE")
environment.removeValue(forKey: "AWS_SESSION_TOKEN")

let expandOutput = directory + "/expand.json"
_ = try TimedChild.run(binary, ["expand", spec, "--format", "json"], environment: environment, stdoutPath: expandOutput)
let resourceCount = ((try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: expandOutput))) as? [String: Any])?["resources"] as? [Any])?.count ?? 0
print("stack: \(resourceCount) resources (200 subnets with their route tables and associations, 200 groups, 600 rules), moto at \(moto.endpointURL), parallelism \(parallelism)")

/// "AWS calls: 1203 (1001 mutating) in ..." from --stats.
func calls(in stderr: String) -> (total: Int, mutating: Int)? {
    guard let line = stderr.split(separator: "\n").first(where: { $0.hasPrefix("AWS calls: ") }) else { return nil }
    let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
    return numbers.count >= 2 ? (numbers[0], numbers[1]) : nil
}

var failed = false
for (label, arguments, acceptable) in [
    ("apply", ["apply", spec, "--auto-approve", "--stats", "--parallelism", parallelism], [Int32(0)]),
    ("no-op plan", ["plan", spec, "--detailed-exitcode", "--stats"], [Int32(0)]),
    ("destroy", ["destroy", spec, "--auto-approve", "--stats", "--parallelism", parallelism], [Int32(0)]),
] {
    let stderrPath = directory + "/\(label).stderr"
    let outcome = try TimedChild.run(binary, arguments, environment: environment, stderrPath: stderrPath)
    let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
    guard let code = outcome.exitCode, acceptable.contains(code) else {
        failed = true
        print("\(label) ended with \(outcome.exitCode.map { "exit \($0)" } ?? "a signal") after \(String(format: "%.2f", outcome.seconds)) s:\n"
              + stderr.split(separator: "\n").suffix(8).joined(separator: "\n"))
        break
    }
    let counted = calls(in: stderr).map { "\($0.total) AWS calls (\($0.mutating) mutating)" } ?? "calls not reported"
    let terraform = terraformSeconds[label]!
    print(String(format: "%-11@ %7.2f s  %@  peak %.0f MiB   Terraform %.1f s: %.1f× faster", label as NSString, outcome.seconds,
                 counted as NSString, Double(outcome.peakKiB) / 1024, terraform, terraform / outcome.seconds))
    if label == "no-op plan" { try printMotoFloor() }
}

/// How long moto alone takes to answer the three describes a no-op plan cannot skip (subnets,
/// route tables, groups of the stack's VPC), one after the other, with curl signing the
/// requests: the part of the no-op plan netloom cannot make faster.
func printMotoFloor() throws {
    guard let curl = ["/usr/bin/curl", "/bin/curl"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        print("  (curl not found: moto's own share of the no-op plan not measured)")
        return
    }
    func describe(_ body: String, saving path: String = "/dev/null") throws -> Double {
        try TimedChild.run(curl, ["-s", "--aws-sigv4", "aws:amz:us-east-1:ec2", "--user", "AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                  "-d", body + "&Version=2016-11-15", moto.endpointURL + "/"], stdoutPath: path).seconds
    }
    let vpcAnswer = directory + "/vpcs.xml"
    _ = try describe("Action=DescribeVpcs&Filter.1.Name=tag:netloom:stack&Filter.1.Value.1=deploy-bench", saving: vpcAnswer)
    let xml = (try? String(contentsOfFile: vpcAnswer, encoding: .utf8)) ?? ""
    guard let start = xml.range(of: "<vpcId>"), let end = xml.range(of: "</vpcId>", range: start.upperBound..<xml.endIndex) else {
        print("  (the stack's VPC was not found: moto's own share of the no-op plan not measured)")
        return
    }
    let vpc = String(xml[start.upperBound..<end.lowerBound])
    let seconds = try ["DescribeSubnets", "DescribeRouteTables", "DescribeSecurityGroups"].reduce(0.0) { total, action in
        total + (try describe("Action=\(action)&Filter.1.Name=vpc-id&Filter.1.Value.1=\(vpc)"))
    }
    print(String(format: "            moto alone answers the plan's 3 large describes in %.2f s (20× Terraform would be %.2f s in all)",
                 seconds, terraformSeconds["no-op plan"]! / 20))
}
exit(failed ? 1 : 0)

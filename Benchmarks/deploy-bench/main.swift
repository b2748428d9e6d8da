// Times netloom's apply, no-op plan and destroy of a generated stack (a VPC with 200 isolated
// subnets, their associations with the one route table isolated subnets share, 200 security
// groups with 3 ingress rules each: 1,202 resources) against a local moto server it starts, with the AWS calls each step makes.
//
// With --terraform it also writes the equivalent Terraform configuration (what `netloom export
// terraform` writes: the same CIDRs, AZs, names and tags) and, in the same
// invocation and against the same moto, times `terraform apply`, a no-op `terraform plan
// -detailed-exitcode` and `terraform destroy` with the same parallelism, then prints one table
// with the ratio terraform/netloom. Ratios come only from such a side-by-side run: timings from
// another day or a differently loaded machine are not comparable. Each tool starts on a moto
// reset just before its apply, so both applies pay moto's cold start in the region.
//
//   swift build -c release                                  # netloom itself, which the bench runs
//   swift build -c release --product deploy-bench
//   swift run -c release deploy-bench [--parallelism N] [--terraform [--terraform-plugin-dir DIR]] [--spec PATH]
//
// --parallelism N            netloom --parallelism and terraform -parallelism (default 16)
// --terraform                compare with terraform (on PATH; 1.11 with hashicorp/aws 5.x); fails,
//                            exit 1, where terraform or the provider is missing
// --terraform-plugin-dir DIR where `terraform init -plugin-dir` finds the provider (/opt/tf-plugins)
// --spec PATH                time this spec (an example, say) instead of the generated stack
// --keep                     keep the working directory (spec, main.tf.json, outputs) and print it
//
// Needs moto_server on PATH. Exit 0 when every step succeeded (and, with --terraform, the plan
// was a no-op for both tools), 1 otherwise, 64 on a bad option.
import Foundation
import NetloomExport
import NetloomModel
import NetloomPlanning
import NetloomSpec
import MotoHarness
import NetloomTestSupport

struct BenchOptions {
    var parallelism = 16
    var terraform = false
    var terraformPluginDirectory = "/opt/tf-plugins"
    var keep = false
    var spec: String?

    static let usage = "usage: deploy-bench [--parallelism N] [--terraform [--terraform-plugin-dir DIR]] [--spec PATH] [--keep]"

    init(_ arguments: [String]) throws(UsageError) {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            func value() throws(UsageError) -> String {
                guard let next = rest.popFirst() else { throw UsageError(message: "\(argument) needs a value") }
                return next
            }
            switch argument {
            case "--parallelism":
                let text = try value()
                guard let number = Int(text), number > 0 else { throw UsageError(message: "--parallelism needs a positive whole number, not '\(text)'") }
                parallelism = number
            case "--terraform": terraform = true
            case "--terraform-plugin-dir": terraformPluginDirectory = try value()
            case "--keep": keep = true
            case "--spec": spec = try value()
            case "--help", "-h": throw UsageError(message: nil)
            default: throw UsageError(message: "unknown option '\(argument)'")
            }
        }
    }

    struct UsageError: Error {
        var message: String?
    }
}

/// Says why on stderr, removes the working directory (unless --keep) and exits. A moto server
/// already started stops on its own when this process is gone (MotoServer's watchdog).
func stop(_ message: String, status: Int32 = 1, removing directory: String? = nil) -> Never {
    FileHandle.standardError.write(Data("deploy-bench: \(message)\n".utf8))
    if let directory { try? FileManager.default.removeItem(atPath: directory) }
    exit(status)
}

/// Prints a line and flushes it, so that progress shows at once even into a pipe or tee: the
/// steps take minutes.
func say(_ line: String) {
    print(line)
    fflush(nil)
}

let options: BenchOptions
do {
    options = try BenchOptions(Array(CommandLine.arguments.dropFirst()))
} catch {
    guard let message = error.message else {
        say(BenchOptions.usage)
        exit(0)
    }
    stop("\(message)\n\(BenchOptions.usage)", status: 64)
}

let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("netloom").path
guard FileManager.default.isExecutableFile(atPath: binary) else {
    stop("build netloom first (swift build -c release); looked for \(binary)")
}
let parallelism = String(options.parallelism)
let directory = NSTemporaryDirectory() + "netloom-deploy-bench-\(getpid())"
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
let removable = options.keep ? nil : directory
// A spec of the user's is copied, so its state (beside the spec) is the bench's own.
let spec = directory + "/" + (options.spec.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "deploy-bench.yaml")
let loaded: StackSpec
do {
    if let given = options.spec {
        try FileManager.default.copyItem(atPath: given, toPath: spec)
    } else {
        try BenchmarkStacks.deployYAML().write(toFile: spec, atomically: true, encoding: .utf8)
    }
    loaded = try SpecLoader.load(contentsOf: spec)
} catch {
    stop("cannot read the spec: \(error)", removing: directory)
}
let region = loaded.region

let accessKey = "AKIDEXAMPLE", secretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
func awsEnvironment(endpoint: String?) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment
    for (key, value) in ["AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": secretKey, "AWS_REGION": region,
                         "AWS_DEFAULT_REGION": region, "NO_COLOR": "1"] {
        environment[key] = value
    }
    if let endpoint { environment["AWS_ENDPOINT_URL"] = endpoint }
    for key in ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"] { environment.removeValue(forKey: key) }
    return environment
}

// Terraform is looked for before anything is started: where it is missing, --terraform fails
// at once instead of after netloom's run.
let terraformDirectory = directory + "/terraform"
var terraform: TerraformRunner?
if options.terraform {
    do {
        try FileManager.default.createDirectory(atPath: terraformDirectory, withIntermediateDirectories: true)
        terraform = try TerraformRunner(workingDirectory: terraformDirectory, pluginDirectory: options.terraformPluginDirectory,
                                        awsEnvironment: awsEnvironment(endpoint: nil))
    } catch {
        stop("\(error)", removing: removable)
    }
}

let expandOutput = directory + "/expand.json"
let expanded = try TimedChild.run(binary, ["expand", spec, "--format", "json"], environment: awsEnvironment(endpoint: nil), stdoutPath: expandOutput)
guard expanded.exitCode == 0, let expansion = try? JSONDecoder().decode(PropertyValue.self, from: Data(contentsOf: URL(fileURLWithPath: expandOutput))) else {
    stop("netloom expand \(spec) --format json failed (\(expanded.exitCode.map { "exit \($0)" } ?? "a signal"))", removing: removable)
}
let resourceCount = expansion["resources"]?.listValue?.count ?? 0

let moto: MotoServer
do {
    // A spec with certificates waits for moto to issue them: 60 s unless the caller sets
    // MOTO_ACM_VALIDATION_WAIT, which is passed on to the server.
    let acmWait = ProcessInfo.processInfo.environment["MOTO_ACM_VALIDATION_WAIT"].map { ["MOTO_ACM_VALIDATION_WAIT": $0] } ?? [:]
    moto = try await MotoServer(extraEnvironment: acmWait)
} catch {
    stop("\(error)", removing: removable)
}
let environment = awsEnvironment(endpoint: moto.endpointURL)

if let terraform {
    do {
        // The export netloom itself writes (`netloom export terraform`), with moto's endpoints
        // in an override file beside it.
        let export = try TerraformExport.make(ExportSource(StackExpander.expand(loaded)))
        for (name, contents) in export.files {
            try contents.write(toFile: terraformDirectory + "/" + name, atomically: true, encoding: .utf8)
        }
        try TerraformMotoProvider.override(endpointURL: moto.endpointURL, accessKey: accessKey, secretKey: secretKey)
            .write(toFile: terraformDirectory + "/" + TerraformMotoProvider.fileName, atomically: true, encoding: .utf8)
        try terraform.initialize()
    } catch {
        moto.stop()
        stop("\(error)", removing: removable)
    }
}

say("stack \(loaded.stack): \(resourceCount) resources\(options.spec == nil ? " (200 subnets with their route-table associations, 200 groups, 600 rules)" : " from \(options.spec!)"), moto at \(moto.endpointURL), parallelism \(parallelism)")
if let terraform {
    say("terraform: \(try terraform.versions()), -parallelism=\(parallelism) for apply, plan and destroy; configuration \(terraformDirectory)/main.tf.json")
}
if options.keep { say("working directory kept: \(directory)") }

/// `text` padded with spaces to `width` columns, on the right (`left`) or on the left. Not
/// String(format:)'s `%-11@`: Foundation on Linux ignores a width on `%@`.
func padded(_ text: String, _ width: Int, left: Bool = true) -> String {
    let fill = String(repeating: " ", count: max(0, width - text.count))
    return left ? text + fill : fill + text
}

/// One timed step of one tool.
struct StepResult {
    var label: String
    var seconds: Double
    var peakKiB: Int
    /// netloom's --stats count; nil for terraform, which reports none.
    var calls: (total: Int, mutating: Int)?
}

/// "AWS calls: 1203 (1001 mutating) in ..." from --stats.
func calls(in stderr: String) -> (total: Int, mutating: Int)? {
    guard let line = stderr.split(separator: "\n").first(where: { $0.hasPrefix("AWS calls: ") }) else { return nil }
    let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
    return numbers.count >= 2 ? (numbers[0], numbers[1]) : nil
}

/// Wipes moto before a tool's apply, so that each tool starts from the same empty, cold server.
func resetMoto(for tool: String) -> Bool {
    do {
        try moto.reset()
        say("moto reset (POST /moto-api/reset) just before \(tool)'s apply: fresh server; its first EC2 call pays moto's cold start in the region (about 3 s, AWS-NOTES.md), included in the apply time")
        return true
    } catch {
        say("moto could NOT be reset before \(tool)'s apply (\(error)): its run is not on a fresh server and is not comparable")
        return false
    }
}

var failed = false
var netloomSteps: [StepResult] = []
let steps = ["apply", "no-op plan", "destroy"]
if !resetMoto(for: "netloom") { failed = true }
for (label, arguments, acceptable) in [
    ("apply", ["apply", spec, "--auto-approve", "--stats", "--parallelism", parallelism], [Int32(0)]),
    ("no-op plan", ["plan", spec, "--detailed-exitcode", "--stats"], [Int32(0)]),
    ("destroy", ["destroy", spec, "--auto-approve", "--stats", "--parallelism", parallelism], [Int32(0)]),
] where !failed {
    let stderrPath = directory + "/\(label).stderr"
    let outcome = try TimedChild.run(binary, arguments, environment: environment, stderrPath: stderrPath)
    let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
    guard let code = outcome.exitCode, acceptable.contains(code) else {
        failed = true
        say("\(label) ended with \(outcome.exitCode.map { "exit \($0)" } ?? "a signal") after \(String(format: "%.2f", outcome.seconds)) s:\n"
              + stderr.split(separator: "\n").suffix(8).joined(separator: "\n"))
        break
    }
    let counted = calls(in: stderr)
    netloomSteps.append(StepResult(label: label, seconds: outcome.seconds, peakKiB: outcome.peakKiB, calls: counted))
    say(padded(label, 11) + String(format: " %7.2f s  %@  peak %.0f MiB", outcome.seconds,
                                   (counted.map { "\($0.total) AWS calls (\($0.mutating) mutating)" } ?? "calls not reported") as NSString,
                                   Double(outcome.peakKiB) / 1024))
    if label == "no-op plan" { try printMotoFloor() }
}

/// How long moto alone takes to answer the three describes a no-op plan cannot skip (subnets,
/// route tables, groups of the stack's VPC), one after the other, with curl signing the
/// requests: the part of the no-op plan netloom cannot make faster.
func printMotoFloor() throws {
    guard let curl = ["/usr/bin/curl", "/bin/curl"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        say("  (curl not found: moto's own share of the no-op plan not measured)")
        return
    }
    func describe(_ body: String, saving path: String = "/dev/null") throws -> Double {
        try TimedChild.run(curl, ["-s", "--aws-sigv4", "aws:amz:\(region):ec2", "--user", "\(accessKey):\(secretKey)",
                                  "-d", body + "&Version=2016-11-15", moto.endpointURL + "/"], stdoutPath: path).seconds
    }
    let vpcAnswer = directory + "/vpcs.xml"
    _ = try describe("Action=DescribeVpcs&Filter.1.Name=tag:netloom:stack&Filter.1.Value.1=\(loaded.stack)", saving: vpcAnswer)
    let xml = (try? String(contentsOfFile: vpcAnswer, encoding: .utf8)) ?? ""
    guard let start = xml.range(of: "<vpcId>"), let end = xml.range(of: "</vpcId>", range: start.upperBound..<xml.endIndex) else {
        say("  (the stack's VPC was not found: moto's own share of the no-op plan not measured)")
        return
    }
    let vpc = String(xml[start.upperBound..<end.lowerBound])
    let seconds = try ["DescribeSubnets", "DescribeRouteTables", "DescribeSecurityGroups"].reduce(0.0) { total, action in
        total + (try describe("Action=\(action)&Filter.1.Name=vpc-id&Filter.1.Value.1=\(vpc)"))
    }
    say(String(format: "            moto alone answers the plan's 3 large describes in %.2f s", seconds))
}

var terraformSteps: [StepResult] = []
if let terraform, !failed {
    if !resetMoto(for: "terraform") { failed = true }
    let common = ["-input=false", "-no-color", "-parallelism=\(parallelism)"]
    for (label, arguments) in [
        ("apply", ["apply", "-auto-approve"] + common),
        ("no-op plan", ["plan", "-detailed-exitcode"] + common),
        ("destroy", ["destroy", "-auto-approve"] + common),
    ] where !failed {
        let run = try terraform.run(arguments, label: label.replacingOccurrences(of: " ", with: "-"))
        guard run.outcome.exitCode == 0 else {
            failed = true
            let why = label == "no-op plan" && run.outcome.exitCode == 2
                ? "exit 2: terraform plans changes to the stack it just applied, so the plan was not a no-op"
                : run.outcome.exitCode.map { "exit \($0)" } ?? "a signal"
            say("terraform \(label) ended with \(why) after \(String(format: "%.2f", run.outcome.seconds)) s:\n\(run.tail)")
            break
        }
        terraformSteps.append(StepResult(label: label, seconds: run.outcome.seconds, peakKiB: run.outcome.peakKiB, calls: nil))
        say("terraform " + padded(label, 11) + String(format: " %7.2f s  exit 0  peak %.0f MiB (largest process)", run.outcome.seconds,
                                                      Double(run.outcome.peakKiB) / 1024))
        if label == "no-op plan", !checkEquivalence() { failed = true }
    }
}

/// netloom's own plan against the stack Terraform built (same tags, so netloom finds it): no
/// changes means both tools build the same thing, default egress revoked included. Not timed,
/// and run after terraform's plan so that it cannot affect that timing. False when they differ.
func checkEquivalence() -> Bool {
    let state = directory + "/equivalence.sqlite"
    let stdoutPath = directory + "/equivalence.stdout"
    guard let outcome = try? TimedChild.run(binary, ["plan", spec, "--detailed-exitcode", "--state", state], environment: environment,
                                            stdoutPath: stdoutPath) else {
        say("            (netloom plan against Terraform's stack could not start: equivalence not checked)")
        return true
    }
    switch outcome.exitCode {
    case 0:
        say("            netloom plan against the stack Terraform built: no changes (both tools build the same resources)")
        return true
    case 2:
        let changes = ((try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "").split(separator: "\n").prefix(12).joined(separator: "\n")
        say("            netloom plan against the stack Terraform built wants changes, so the two stacks differ:\n\(changes)")
        return false
    default:
        say("            netloom plan against Terraform's stack ended with \(outcome.exitCode.map { "exit \($0)" } ?? "a signal"): equivalence not checked")
        return true
    }
}

if options.terraform, !netloomSteps.isEmpty {
    say("")
    say(padded("step", 12) + padded("netloom s", 10, left: false) + "  " + padded("netloom AWS calls", 22)
        + padded("terraform s", 12, left: false) + "  terraform/netloom")
    for step in steps {
        guard let mine = netloomSteps.first(where: { $0.label == step }) else { continue }
        let counted = mine.calls.map { "\($0.total) (\($0.mutating) mutating)" } ?? "not reported"
        let theirs = terraformSteps.first(where: { $0.label == step })
        say(padded(step, 12) + padded(String(format: "%.2f", mine.seconds), 10, left: false) + "  " + padded(counted, 22)
            + padded(theirs.map { String(format: "%.2f", $0.seconds) } ?? "-", 12, left: false) + "  "
            + (theirs.map { String(format: "%.1f×", $0.seconds / mine.seconds) } ?? "-"))
    }
    say("(one run each, same machine, same moto, parallelism \(parallelism); both applies start on a freshly reset moto)")
}
moto.stop()
if let removable { try? FileManager.default.removeItem(atPath: removable) }
exit(failed ? 1 : 0)

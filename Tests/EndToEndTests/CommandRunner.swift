import Foundation
import MotoHarness
import NetloomTestSupport

/// Runs the built `netloom` and the AWS CLI as subprocesses against one moto server, with fake
/// credentials and nothing but 127.0.0.1.
struct CommandRunner {
    let moto: MotoServer
    let region: String
    let workDirectory: String

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let packageRoot: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }()

    static var netloomPath: String { packageRoot + "/.build/debug/netloom" }

    init(moto: MotoServer, region: String) throws {
        self.moto = moto
        self.region = region
        workDirectory = NSTemporaryDirectory() + "netloom-e2e-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
    }

    var environment: [String: String] {
        var environment: [String: String] = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": workDirectory,
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_ENDPOINT_URL": moto.endpointURL,
            "NO_COLOR": "1",
        ]
        environment["AWS_CONFIG_FILE"] = workDirectory + "/none"
        environment["AWS_SHARED_CREDENTIALS_FILE"] = workDirectory + "/none"
        return environment
    }

    /// A copy of a shared example in this test's own directory, so its state is its own.
    func example(_ name: String) throws -> String {
        let text = try ExampleSpecs.text(name).text
        let path = workDirectory + "/\(name)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `endpoint` points the program at another URL than moto itself (the fault-injecting proxy).
    func start(_ arguments: [String], executable: String? = nil, endpoint: String? = nil) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable ?? Self.netloomPath)
        process.arguments = arguments
        process.environment = environment.merging(endpoint.map { ["AWS_ENDPOINT_URL": $0] } ?? [:]) { $1 }
        process.currentDirectoryURL = URL(fileURLWithPath: workDirectory)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, out, err)
    }

    func finish(_ started: (Process, Pipe, Pipe)) -> Result { Self.finish(started) }

    /// Waits for a started child, reading both pipes to the end.
    static func finish(_ started: (Process, Pipe, Pipe)) -> Result {
        let (process, out, err) = started
        // Read both pipes to the end before waiting, so a full pipe never blocks the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Starts a child and waits for it on a thread of its own, never on the test process's
    /// cooperative pool: that pool has one thread per core (two here), and tests blocking it in
    /// `waitUntilExit` starved every other test's tasks (moto's start-up check, the deadline
    /// tests' timers) for minutes in a full run.
    func run(_ arguments: [String], executable: String? = nil, endpoint: String? = nil) async throws -> Result {
        try await finished(try start(arguments, executable: executable, endpoint: endpoint))
    }

    /// `finish` for a child started with `start`, waited for on a thread of its own.
    func finished(_ started: (Process, Pipe, Pipe)) async throws -> Result {
        nonisolated(unsafe) let started = started
        return try await onOwnThread { Self.finish(started) }
    }

    func netloom(_ arguments: String...) async throws -> Result {
        try await run(arguments)
    }

    /// The AWS CLI against moto; returns parsed JSON.
    func aws(_ arguments: [String]) async throws -> Any {
        let result = try await awsRaw(arguments)
        guard result.status == 0 else { throw CLIError(message: "aws \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
        if result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return [String: Any]() }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    /// The AWS CLI against moto, its exit status and output as they are (for calls that may fail).
    func awsRaw(_ arguments: [String]) async throws -> Result {
        try await run(["aws", "--endpoint-url", moto.endpointURL, "--region", region, "--output", "json"] + arguments, executable: "/usr/bin/env")
    }

    func awsList(_ arguments: [String], key: String) async throws -> [[String: Any]] {
        ((try await aws(arguments) as? [String: Any])?[key] as? [[String: Any]]) ?? []
    }

    struct CLIError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Resources tagged with the stack, counted by an independent reader (the AWS CLI), per type.
    func countTagged(stack: String) async throws -> [String: Int] {
        let filter = ["--filters", "Name=tag:netloom:stack,Values=\(stack)"]
        var counts: [String: Int] = [:]
        counts["vpc"] = try await awsList(["ec2", "describe-vpcs"] + filter, key: "Vpcs").count
        counts["subnet"] = try await awsList(["ec2", "describe-subnets"] + filter, key: "Subnets").count
        counts["route_table"] = try await awsList(["ec2", "describe-route-tables"] + filter, key: "RouteTables").count
        counts["internet_gateway"] = try await awsList(["ec2", "describe-internet-gateways"] + filter, key: "InternetGateways").count
        // moto ignores DescribeNatGateways' tag filter: the tags are checked here.
        counts["nat_gateway"] = try await awsList(["ec2", "describe-nat-gateways", "--filter", "Name=tag:netloom:stack,Values=\(stack)"], key: "NatGateways")
            .filter { ($0["State"] as? String) != "deleted" && Self.tagged($0["Tags"], stack: stack) }.count
        counts["eip"] = try await awsList(["ec2", "describe-addresses"] + filter, key: "Addresses").count
        counts["security_group"] = try await awsList(["ec2", "describe-security-groups"] + filter, key: "SecurityGroups").count
        counts["network_acl"] = try await awsList(["ec2", "describe-network-acls"] + filter, key: "NetworkAcls").count
        // Deleted endpoints and NAT gateways stay listed for a while (as on AWS), in state `deleted`.
        counts["vpc_endpoint"] = try await awsList(["ec2", "describe-vpc-endpoints"] + filter, key: "VpcEndpoints")
            .filter { (($0["State"] as? String) ?? "").lowercased() != "deleted" }.count
        counts["flow_log"] = try await awsList(["ec2", "describe-flow-logs", "--filter", "Name=tag:netloom:stack,Values=\(stack)"], key: "FlowLogs").count
        counts["instance"] = try await awsList(["ec2", "describe-instances"] + filter, key: "Reservations")
            .flatMap { ($0["Instances"] as? [[String: Any]]) ?? [] }
            .filter { (($0["State"] as? [String: Any])?["Name"] as? String) != "terminated" }.count
        counts["iam_role"] = try await awsList(["iam", "list-roles", "--path-prefix", "/netloom/\(stack)/"], key: "Roles")
            .filter { $0["Path"] as? String == "/netloom/\(stack)/" }.count
        counts["log_group"] = try await awsList(["logs", "describe-log-groups", "--log-group-name-prefix", "/netloom/\(stack)/"], key: "logGroups").count
        var buckets = 0
        for name in try await awsList(["s3api", "list-buckets"], key: "Buckets").compactMap({ $0["Name"] as? String }) where name.hasPrefix("\(stack)-") {
            if Self.tagged(try? await awsList(["s3api", "get-bucket-tagging", "--bucket", name], key: "TagSet"), stack: stack) { buckets += 1 }
        }
        counts["bucket"] = buckets
        counts["alarm"] = try await awsList(["cloudwatch", "describe-alarms", "--alarm-name-prefix", "\(stack)-"], key: "MetricAlarms").count
        counts["load_balancer"] = try await awsList(["elbv2", "describe-load-balancers"], key: "LoadBalancers").filter { (($0["LoadBalancerName"] as? String) ?? "").hasPrefix("\(stack)-") }.count
        counts["target_group"] = try await awsList(["elbv2", "describe-target-groups"], key: "TargetGroups").filter { (($0["TargetGroupName"] as? String) ?? "").hasPrefix("\(stack)-") }.count
        return counts.filter { $0.value > 0 }
    }

    /// True when an AWS CLI tag list holds `netloom:stack=<stack>`.
    static func tagged(_ tags: Any?, stack: String) -> Bool {
        ((tags as? [[String: Any]]) ?? []).contains { $0["Key"] as? String == "netloom:stack" && $0["Value"] as? String == stack }
    }

    /// The resource counts `netloom expand` lists for the same types.
    func expectedCounts(spec: String) async throws -> [String: Int] {
        let result = try await netloom("expand", spec, "--format", "json")
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let resources = (document?["resources"] as? [[String: Any]]) ?? []
        let counted: Set<String> = ["vpc", "subnet", "route_table", "internet_gateway", "nat_gateway", "eip", "security_group", "network_acl",
                                    "vpc_endpoint", "flow_log", "instance", "iam_role", "log_group", "bucket", "alarm", "load_balancer", "target_group"]
        var counts: [String: Int] = [:]
        for resource in resources {
            if let type = resource["type"] as? String, counted.contains(type) { counts[type, default: 0] += 1 }
        }
        return counts
    }

    /// "AWS calls: N (M mutating)" from --stats.
    static func mutatingCalls(_ stderr: String) -> Int? {
        guard let range = stderr.range(of: #"\((\d+) mutating\)"#, options: .regularExpression) else { return nil }
        return Int(stderr[range].dropFirst().prefix { $0.isNumber })
    }
}

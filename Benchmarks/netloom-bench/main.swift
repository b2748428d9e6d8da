// Times `netloom expand`, `netloom plan --offline` and `netloom report` on a generated spec of
// about 10,000 resources, running the release binary as a user would, and reports peak memory
// and the size of the report's HTML.
//
//   swift build -c release && swift run -c release netloom-bench [--runs N] [--keep]
import Foundation
import NetloomPlanning
import NetloomReport
import NetloomSpec
import NetloomTestSupport
#if canImport(Glibc)
import Glibc
#endif


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

let text = BenchmarkStacks.expansionYAML()
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
let reportInputs = timed("report analyses") { HTMLReport.Inputs(expanded: expanded) }
let html = timed("report HTML") { HTMLReport().render(reportInputs) }
print("spec: \(text.utf8.count / 1024) KiB, \(expanded.graph.count) resources, \(expanded.addressPlan.allocations.count) subnets (\(specPath))")

let reportPath = FileManager.default.temporaryDirectory.appendingPathComponent("netloom-bench-\(getpid()).html").path
defer { try? FileManager.default.removeItem(atPath: reportPath) }
var peak = 0
for (label, commandArguments) in [("report -o", ["report", specPath, "-o", reportPath]),
                                  ("expand --format json", ["expand", specPath, "--format", "json"]),
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
let reportBytes = (try? FileManager.default.attributesOfItem(atPath: reportPath)[.size] as? Int) ?? html.utf8.count
print(String(format: "report HTML: %.2f MB (%d bytes; the budget is 5 MB)", Double(reportBytes) / 1_000_000, reportBytes))

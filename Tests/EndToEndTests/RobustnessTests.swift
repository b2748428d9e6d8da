import Foundation
import MotoHarness
import NetloomTestSupport
import Testing

extension CommandRunner {
    /// `netloom` pointed at another endpoint than moto itself (the fault-injecting proxy).
    func netloom(_ arguments: [String], endpoint: String) async throws -> Result {
        try await run(arguments, endpoint: endpoint)
    }

    /// The end state every robustness test must reach: exactly what expand lists, counted by tag
    /// through the AWS CLI; nothing left to change (a duplicate rule or route would be one); no drift.
    func expectConverged(spec: String, stack: String, _ context: String) async throws {
        #expect(try await countTagged(stack: stack) == expectedCounts(spec: spec), "\(context): tagged resources differ from expand")
        let again = try await netloom("apply", spec, "--auto-approve", "--stats")
        #expect(again.status == 0, "\(context): apply after convergence failed: \(again.stderr)")
        #expect(Self.mutatingCalls(again.stderr) == 0, "\(context): apply after convergence still changed things:\n\(again.stdout)")
        let drift = try await netloom("drift", spec)
        #expect(drift.status == 0, "\(context): drift after convergence:\n\(drift.stdout)\(drift.stderr)")
    }
}

@Suite("crash safety and faults against moto", .serialized, .enabled(if: MotoAvailability.shouldRun, "moto_server is not installed"))
struct RobustnessTests {
    @Test("apply killed with SIGKILL at 10 random moments, each followed by a new apply, ends with exactly the desired resources",
          .timeLimit(.minutes(10)))
    func killedApplies() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        let runner = try CommandRunner(moto: moto, region: "us-east-1")
        let spec = try runner.example("ml-workstation.yaml")
        // A fixed seed: a failure names the moment that broke it and replays exactly.
        var random = SplitMix64(seed: 20_261_126)
        var moments: [Int] = []
        for _ in 0..<10 {
            let delay = Int.random(in: 150...4_000, using: &random)
            moments.append(delay)
            let started = try runner.start(["apply", spec, "--auto-approve"])
            try await Task.sleep(for: .milliseconds(delay))
            if started.0.isRunning { kill(started.0.processIdentifier, SIGKILL) }
            let result = try await runner.finished(started)
            // Either the kill landed or the run finished first; a finished run must have succeeded.
            #expect(result.status == 0 || started.0.terminationReason == .uncaughtSignal,
                    "apply killed at \(delay) ms ended with \(result.status): \(result.stderr)")
        }
        let final = try await runner.netloom("apply", spec, "--auto-approve", "--stats")
        #expect(final.status == 0, "the apply after the kills (\(moments) ms) failed: \(final.stderr)")
        try await runner.expectConverged(spec: spec, stack: "ml-workstation", "after kills at \(moments) ms")

        let destroy = try await runner.netloom("destroy", spec, "--auto-approve")
        #expect(destroy.status == 0, "destroy: \(destroy.stderr)")
        let left = try await runner.countTagged(stack: "ml-workstation")
        #expect(left.isEmpty, "destroy left resources tagged with the stack: \(left)")
    }

    @Test("Ctrl-C finishes the calls in flight, records them and stops; the next apply completes the stack", .timeLimit(.minutes(5)))
    func interruptedApply() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        let runner = try CommandRunner(moto: moto, region: "us-east-1")
        let spec = try runner.example("ml-workstation.yaml")
        let started = try runner.start(["apply", spec, "--auto-approve"])
        try await Task.sleep(for: .milliseconds(1_500))
        let interrupted = started.0.isRunning
        if interrupted { kill(started.0.processIdentifier, SIGINT) }
        let result = try await runner.finished(started)
        if interrupted {
            #expect(result.status == 1, "an interrupted apply must not report success: \(result.stdout)\n\(result.stderr)")
            #expect(result.stderr.contains("interrupt: finishing the calls in flight"))
            #expect(result.stderr.contains("recorded in"))
        }
        let resumed = try await runner.netloom("apply", spec, "--auto-approve")
        #expect(resumed.status == 0, "apply after Ctrl-C: \(resumed.stderr)")
        try await runner.expectConverged(spec: spec, stack: "ml-workstation", "after Ctrl-C")
    }

    @Test("apply through a proxy that answers 30 % of the calls with throttling, HTTP 500 or a reset connection (before or after moto did the work) converges to exactly the desired resources",
          .timeLimit(.minutes(10)))
    func applyThroughFaults() async throws {
        // moto issues the inference example's DNS-validated certificate after this many seconds (60 by default).
        let moto = try await MotoServer(extraEnvironment: ["MOTO_ACM_VALIDATION_WAIT": "1"])
        defer { moto.stop() }
        // Throttling, 500s and resets before moto sees the call, and resets after moto did the
        // work: the retried creates then fail on a conflict (found again by reading) or make a
        // second resource (found by its tags and deleted before apply reports success).
        let proxy = try await FaultInjectingProxy(upstream: moto.endpointURL, faultRate: 0.3, seed: 42, faults: FaultInjectingProxy.Fault.allCases)
        let runner = try CommandRunner(moto: moto, region: "eu-west-1")
        let spec = try runner.example("inference.yaml")

        let apply = try await runner.netloom(["apply", spec, "--auto-approve", "--stats"], endpoint: proxy.endpointURL)
        let counts = proxy.counts
        #expect(apply.status == 0, "apply through faults failed: \(apply.stderr)")
        #expect(counts.faults.values.reduce(0, +) > 20, "too few faults injected to prove anything: \(counts)")
        #expect(counts.faults[.resetAfterForwarding, default: 0] > 0, "no answer was lost after moto did the work: \(counts)")
        try await runner.expectConverged(spec: spec, stack: "model-api", "after apply through faults \(counts)")

        let destroy = try await runner.netloom(["destroy", spec, "--auto-approve"], endpoint: proxy.endpointURL)
        print("faults: \(proxy.counts)")
        // The retries come first; what stopped the run is at the end.
        #expect(destroy.status == 0, "destroy through faults failed: \(destroy.stderr.split(separator: "\n").suffix(12).joined(separator: "\n"))")
        let left = try await runner.countTagged(stack: "model-api")
        #expect(left.isEmpty, "destroy left resources tagged with the stack: \(left)\n\(destroy.stderr)")
        await proxy.stop()
    }
}

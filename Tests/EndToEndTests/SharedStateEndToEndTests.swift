import AWSClient
import AWSSigV4
import Foundation
import MotoHarness
import NetloomEngine
import Testing

/// A state kept in S3 on moto: the lock, conditional writes, and moving a state there and back.
@Suite("state in S3 against moto", .serialized, .enabled(if: MotoAvailability.shouldRun, "moto_server is not installed"))
struct SharedStateEndToEndTests {
    static let bucket = "team-state"

    /// Runs `body` with an S3 client on `moto` (fake credentials).
    func withS3<T: Sendable>(_ moto: MotoServer, _ body: (S3) async throws -> T) async throws -> T {
        let transport = AsyncHTTPClientTransport(connectTimeout: .seconds(5), readTimeout: .seconds(30))
        let core = AWSClientCore(transport: transport, credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                                 region: "us-east-1", endpointURL: moto.endpointURL)
        do {
            let result = try await body(S3(core: core))
            try await transport.shutdown()
            return result
        } catch {
            try? await transport.shutdown()
            throw error
        }
    }

    /// Waits until the lock object exists (returning its bytes) or `process` ends. Polled with
    /// curl (which signs with SigV4 itself) from this thread: the cooperative threads may all
    /// be blocked by other suites waiting on their children, and a poll on them could miss a
    /// whole apply.
    func waitForLock(_ moto: MotoServer, key: String, while process: Process, limit: Duration = .seconds(120)) -> [UInt8]? {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        let output = NSTemporaryDirectory() + "netloom-lock-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: output) }
        while process.isRunning, clock.now < deadline {
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            curl.arguments = ["curl", "-sf", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", "AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                              "-o", output, "\(moto.endpointURL)/\(Self.bucket)/\(key)"]
            curl.standardOutput = FileHandle.nullDevice
            curl.standardError = FileHandle.nullDevice
            guard (try? curl.run()) != nil else { return nil }
            curl.waitUntilExit()
            if curl.terminationStatus == 0, let data = FileManager.default.contents(atPath: output) { return Array(data) }
            usleep(10_000)
        }
        return nil
    }

    /// A stack of EC2 resources with a NAT gateway, so a run lasts long enough to be killed mid-way.
    static let networkSpec = """
        stack: s3lock
        region: us-east-1
        network:
          cidr: 10.0.0.0/16
          azs: [us-east-1a, us-east-1b]
          nat: single
        subnets:
          public: { tier: public, size: /24 }
          private: { tier: private, size: /24 }
        security_groups:
          app:
            description: HTTPS inside the VPC
            ingress:
              - { from: vpc, protocol: tcp, ports: 443, description: HTTPS }

        """

    func freshMoto() async throws -> (MotoServer, CommandRunner) {
        let moto = try await SharedMotoServers.instance.server(for: #fileID)
        try moto.reset()
        let runner = try CommandRunner(moto: moto, region: "us-east-1")
        _ = try await runner.aws(["s3api", "create-bucket", "--bucket", Self.bucket])
        return (moto, runner)
    }

    /// The object's bytes as the AWS CLI downloads them, or nil when there is none.
    func download(_ runner: CommandRunner, key: String) async throws -> [UInt8]? {
        let path = runner.workDirectory + "/download-\(UUID().uuidString)"
        let result = try await runner.awsRaw(["s3api", "get-object", "--bucket", Self.bucket, "--key", key, path])
        guard result.status == 0 else { return nil }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test("two applies on one S3 state: one proceeds, the other exits 1 at once naming the holder; the lock is gone after")
    func concurrentApplies() async throws {
        let (moto, runner) = try await freshMoto()
        let spec = try runner.example("ml-workstation.yaml")
        let state = "s3://\(Self.bucket)/netloom/ws.sqlite"
        let first = try runner.start(["apply", spec, "--auto-approve", "--state", state])
        // The first holds the lock: it is paused there, so the second meets it however slowly
        // either starts on a loaded machine, and resumed after.
        let lock = waitForLock(moto, key: "netloom/ws.sqlite.lock", while: first.0)
        guard lock != nil else {
            let ended = try await runner.finished(first)
            Issue.record("the first apply never showed its lock (exit \(ended.status)): \(ended.stderr)")
            return
        }
        kill(first.0.processIdentifier, SIGSTOP)
        let second = try await runner.netloom("apply", spec, "--auto-approve", "--state", state)
        kill(first.0.processIdentifier, SIGCONT)
        let winner = try await runner.finished(first)
        #expect(winner.status == 0, "\(winner.stderr)")
        #expect(second.status == 1)
        #expect(second.stderr.contains("s3://\(Self.bucket)/netloom/ws.sqlite is locked by another run"), "\(second.stderr)")
        #expect(second.stderr.contains("pid \(first.0.processIdentifier)"), "\(second.stderr)")
        #expect(second.stderr.contains("`apply`"), "\(second.stderr)")
        #expect(!second.stdout.contains("Plan:"), "the loser planned: \(second.stdout)")
        #expect(try await download(runner, key: "netloom/ws.sqlite.lock") == nil, "the winner left its lock")
        #expect(try await download(runner, key: "netloom/ws.sqlite") != nil)
        let plan = try await runner.netloom("plan", spec, "--state", state, "--detailed-exitcode")
        #expect(plan.status == 0, "plan after the apply: \(plan.stdout)\n\(plan.stderr)")
        let destroy = try await runner.netloom("destroy", spec, "--auto-approve", "--state", state)
        #expect(destroy.status == 0, "\(destroy.stderr)")
    }

    @Test("a run killed holding the lock leaves it; the next run names it, `state unlock ID` clears it, and the next apply finishes the stack",
          .timeLimit(.minutes(5)))
    func killedHolder() async throws {
        let (moto, runner) = try await freshMoto()
        // Only EC2 resources, which are tagged in the call that makes them: an S3 state uploads
        // intents every 5 s, so a bucket made and killed before its tagging call within that
        // window is refused by the next run as someone else's (recorded as a known gap).
        let spec = runner.workDirectory + "/network.yaml"
        try Self.networkSpec.write(toFile: spec, atomically: true, encoding: .utf8)
        let state = "s3://\(Self.bucket)/netloom/ws.sqlite"
        let started = try runner.start(["apply", spec, "--auto-approve", "--state", state])
        let killedPID = started.0.processIdentifier
        // Killed as soon as the lock is there: mid-run, before it could release it.
        let lock = waitForLock(moto, key: "netloom/ws.sqlite.lock", while: started.0)
        if lock != nil { kill(killedPID, SIGKILL) }
        let ended = try await runner.finished(started)
        let lockText = try #require(lock.map { String(decoding: $0, as: UTF8.self) }, "the apply never showed its lock (exit \(ended.status)): \(ended.stderr)")
        let holder = try JSONDecoder().decode(S3StateLock.self, from: Data(lockText.utf8))
        #expect(holder.pid == killedPID)
        #expect(holder.command == "apply")

        let blocked = try await runner.netloom("apply", spec, "--auto-approve", "--state", state)
        #expect(blocked.status == 1)
        #expect(blocked.stderr.contains("lock \(holder.id)"), "\(blocked.stderr)")
        #expect(blocked.stderr.contains("netloom state unlock SPEC \(holder.id)"), "\(blocked.stderr)")

        let wrongID = try await runner.netloom("state", "unlock", spec, "not-the-id", "--yes", "--state", state)
        #expect(wrongID.status == 1)
        #expect(wrongID.stderr.contains("not by lock not-the-id"), "\(wrongID.stderr)")
        let noAnswer = try await runner.netloom("state", "unlock", spec, holder.id, "--state", state)
        #expect(noAnswer.status == 64, "unlock without a terminal and without --yes: \(noAnswer.stderr)")
        #expect(try await download(runner, key: "netloom/ws.sqlite.lock") != nil)

        let unlock = try await runner.netloom("state", "unlock", spec, holder.id, "--yes", "--state", state)
        #expect(unlock.status == 0, "\(unlock.stderr)")
        #expect(unlock.stdout.contains("Removed lock \(holder.id)"), "\(unlock.stdout)")
        #expect(try await download(runner, key: "netloom/ws.sqlite.lock") == nil)

        let resumed = try await runner.netloom("apply", spec, "--auto-approve", "--state", state)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try await runner.countTagged(stack: "s3lock") == runner.expectedCounts(spec: spec))
        let destroy = try await runner.netloom("destroy", spec, "--auto-approve", "--state", state)
        #expect(destroy.status == 0, "\(destroy.stderr)")
    }

    @Test("a writer that lost its lock cannot overwrite the newer state: If-Match refuses it, the newer state stays, and its copy is kept locally")
    func staleWriterRefused() async throws {
        let (moto, runner) = try await freshMoto()
        try await withS3(moto) { s3 in try await staleWriter(s3, runner: runner) }
    }

    func staleWriter(_ s3: S3, runner: CommandRunner) async throws {
        let key = "netloom/stale.sqlite"
        func lock(_ who: String) -> S3StateLock {
            S3StateLock(who: who, host: "test", pid: 1, command: "apply", startedAt: "2026-12-01T00:00:00Z")
        }
        let stale = try await S3StateSession.open(bucket: Self.bucket, key: key, s3: s3, lock: lock("stale"))
        try stale.store.setMeta("writer", "stale-1")
        try await stale.upload()
        // Someone decides the stale run is gone and removes its lock; a new run takes over.
        try await S3StateSession.unlock(bucket: Self.bucket, key: key, id: nil, force: true, s3: s3)
        let fresh = try await S3StateSession.open(bucket: Self.bucket, key: key, s3: s3, lock: lock("fresh"))
        #expect(try fresh.store.meta("writer") == "stale-1")
        try fresh.store.setMeta("writer", "fresh")
        #expect(await fresh.close() == nil)
        let newer = try #require(try await download(runner, key: key))

        // The stale run goes on and tries to write.
        try stale.store.setMeta("writer", "stale-2")
        var refusal: S3StateError?
        do {
            try await stale.upload()
        } catch let error as S3StateError {
            refusal = error
        }
        let error = try #require(refusal, "the stale write was accepted")
        guard case .changedSinceRead(let keptCopy) = error.kind else {
            Issue.record("unexpected refusal: \(error)")
            return
        }
        #expect(error.description.contains("changed by another writer"))
        #expect(try await download(runner, key: key) == newer, "the newer state was overwritten")
        let copy = try #require(keptCopy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        #expect(try StateStore(path: copy).meta("writer") == "stale-2")
        _ = await stale.close(upload: false)
        // The stale run's close never removes the lock a newer run may hold.
        #expect(try await download(runner, key: key + ".lock") == nil)
    }

    @Test("state push to S3 and pull back give the same bytes; plan reads the pushed state")
    func pushPullRoundTrip() async throws {
        let (_, runner) = try await freshMoto()
        let spec = try runner.example("ml-workstation.yaml")
        let apply = try await runner.netloom("apply", spec, "--auto-approve")
        #expect(apply.status == 0, "\(apply.stderr)")
        let local = runner.workDirectory + "/.netloom/ml-workstation.sqlite"
        let state = "s3://\(Self.bucket)/netloom/ws.sqlite"

        let push = try await runner.netloom("state", "push", spec, local, "--state", state)
        #expect(push.status == 0, "\(push.stderr)")
        let pulled = runner.workDirectory + "/pulled.sqlite"
        let pull = try await runner.netloom("state", "pull", spec, "--state", state, "-o", pulled)
        #expect(pull.status == 0, "\(pull.stderr)")
        let original = try Data(contentsOf: URL(fileURLWithPath: local))
        #expect(original.count > 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: pulled)) == original)
        #expect(try await download(runner, key: "netloom/ws.sqlite").map { Data($0) } == original)

        let again = try await runner.netloom("state", "pull", spec, "--state", state, "-o", pulled)
        #expect(again.status == 1)
        #expect(again.stderr.contains("exists; use --force"), "\(again.stderr)")

        let plan = try await runner.netloom("plan", spec, "--state", state, "--detailed-exitcode")
        #expect(plan.status == 0, "plan on the pushed state: \(plan.stdout)\n\(plan.stderr)")
        let list = try await runner.netloom("state", "list", spec, "--state", state, "--format", "json")
        #expect(list.status == 0)
        #expect(list.stdout.contains("\"address\" : \"vpc\"") || list.stdout.contains("\"address\": \"vpc\""), "\(list.stdout.prefix(400))")
        let show = try await runner.netloom("state", "show", spec, "vpc", "--state", state)
        #expect(show.status == 0 && show.stdout.contains("vpc-"), "\(show.stdout)\n\(show.stderr)")

        let notAState = runner.workDirectory + "/not-a-state"
        try Data("hello".utf8).write(to: URL(fileURLWithPath: notAState))
        let refused = try await runner.netloom("state", "push", spec, notAState, "--state", state)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("is not a netloom state"), "\(refused.stderr)")
        #expect(try await download(runner, key: "netloom/ws.sqlite").map { Data($0) } == original, "a bad push changed the state")

        let destroy = try await runner.netloom("destroy", spec, "--auto-approve", "--state", state)
        #expect(destroy.status == 0, "\(destroy.stderr)")
    }

    @Test("a state bucket that does not exist is an error naming it; netloom never creates it")
    func missingBucket() async throws {
        let (_, runner) = try await freshMoto()
        let spec = try runner.example("ml-workstation.yaml")
        let apply = try await runner.netloom("apply", spec, "--auto-approve", "--state", "s3://no-such-state-bucket/ws.sqlite")
        #expect(apply.status == 1)
        #expect(apply.stderr.contains("s3://no-such-state-bucket/ws.sqlite does not exist; netloom never creates it"), "\(apply.stderr)")
        let buckets = try await runner.awsList(["s3api", "list-buckets"], key: "Buckets").compactMap { $0["Name"] as? String }
        #expect(buckets == [Self.bucket])
        #expect(try await runner.countTagged(stack: "ml-workstation").isEmpty)
    }
}

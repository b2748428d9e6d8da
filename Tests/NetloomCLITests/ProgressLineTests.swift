import NetloomEngine
import NetloomModel
import Testing
@testable import NetloomCLI

/// The status line of apply and destroy, driven by hand: every time is a duration from the
/// run's start that the test chooses (a fake clock), so nothing sleeps.
@Suite("the progress line of a run on a terminal")
struct ProgressLineTests {
    func event(_ address: String, _ stage: ProgressEvent.Stage, done: Int, total: Int = 10, action: PlannedChange.Action = .create) -> ProgressEvent {
        ProgressEvent(address: address, action: action, stage: stage, done: done, total: total)
    }

    @Test("done/total, elapsed and what is in flight, oldest first")
    func basics() {
        var board = ProgressBoard(runStarted: .zero)
        board.record(event("vpc", .started, done: 0), at: .seconds(2))
        board.record(event("vpc", .finished, done: 1), at: .seconds(4))
        board.record(event("subnet:a/us-east-1a", .started, done: 1), at: .seconds(4))
        board.record(event("subnet:a/us-east-1b", .started, done: 1), at: .seconds(5))
        let line = board.line(at: .seconds(6), width: 200, colour: false)
        #expect(line == "[1/10] 6s elapsed, about 36s left · creating subnet:a/us-east-1a, creating subnet:a/us-east-1b")
    }

    @Test("the estimate is the pace since the first change started, times what is left")
    func estimate() {
        var board = ProgressBoard(runStarted: .zero)
        #expect(board.estimatedRemaining(at: .seconds(1)) == nil)
        board.record(event("a", .started, done: 0, total: 8), at: .seconds(10))
        // Nothing finished yet: no pace, no estimate.
        #expect(board.estimatedRemaining(at: .seconds(20)) == nil)
        #expect(board.line(at: .seconds(20), width: 120, colour: false).hasPrefix("[0/8] 20s elapsed, estimating · "))
        board.record(event("a", .finished, done: 1, total: 8), at: .seconds(12))
        board.record(event("b", .started, done: 1, total: 8), at: .seconds(12))
        board.record(event("b", .finished, done: 2, total: 8), at: .seconds(14))
        // Two done in 4 s since the first started: 2 s each, 6 left.
        #expect(board.estimatedRemaining(at: .seconds(14)) == .seconds(12))
        // The estimate follows the clock between events: 10 s for 2 changes, 6 left.
        #expect(board.estimatedRemaining(at: .seconds(20)) == .seconds(30))
        for (index, name) in ["c", "d", "e", "f", "g", "h"].enumerated() {
            board.record(event(name, .started, done: 2 + index, total: 8), at: .seconds(20))
            board.record(event(name, .finished, done: 3 + index, total: 8), at: .seconds(20))
        }
        #expect(board.estimatedRemaining(at: .seconds(20)) == .zero)
        #expect(board.line(at: .seconds(75), width: 120, colour: false) == "[8/8] 1m15s elapsed, less than 1s left")
    }

    @Test("a long change in flight keeps the estimate from falling below the time it has run")
    func estimateDuringAWait() {
        var board = ProgressBoard(runStarted: .zero)
        board.record(event("nat_gateway:a", .started, done: 0, total: 12), at: .seconds(1))
        for index in 0..<10 {
            board.record(event("subnet:\(index)", .started, done: index, total: 12), at: .seconds(1))
            board.record(event("subnet:\(index)", .finished, done: index + 1, total: 12), at: .seconds(2))
        }
        // Ten done in 1 s: the pace says 0.2 s for the two left, but the gateway has run 1 s.
        #expect(board.estimatedRemaining(at: .seconds(2)) == .seconds(1))
        // The gateway has run for 20 s: that is the least left.
        #expect(board.estimatedRemaining(at: .seconds(21)) == .seconds(20))
        board.record(event("nat_gateway:a", .finished, done: 11, total: 12), at: .seconds(30))
        // Done: the pace alone again (11 in 29 s, 1 left).
        #expect(board.estimatedRemaining(at: .seconds(30)) == .seconds(29) / 11)
    }

    @Test("a wait shows first, with the state AWS reported and the time waited, which goes on between polls")
    func waits() {
        var board = ProgressBoard(runStarted: .zero)
        board.record(event("subnet:a", .started, done: 0, total: 3), at: .seconds(1))
        board.record(event("nat_gateway:public/us-east-1a", .started, done: 0, total: 3), at: .seconds(2))
        board.record(ReadinessEvent(address: "nat_gateway:public/us-east-1a", subject: "NAT gateway nat-1", state: "pending", waited: .seconds(3), ready: false),
                     at: .seconds(8))
        let line = board.line(at: .seconds(10), width: 200, colour: false)
        #expect(line == "[0/3] 10s elapsed, estimating · creating nat_gateway:public/us-east-1a (pending, 5s), creating subnet:a")
        // Ready: the wait is no longer shown.
        board.record(ReadinessEvent(address: "nat_gateway:public/us-east-1a", subject: "NAT gateway nat-1", state: "available", waited: .seconds(9), ready: true),
                     at: .seconds(11))
        #expect(!board.line(at: .seconds(11), width: 200, colour: false).contains("pending"))
    }

    @Test("the line fits the width: whole flights while they fit, then +N more; never wider than width - 1", arguments: [20, 40, 61, 80, 100, 132])
    func fitsWidth(width: Int) {
        var board = ProgressBoard(runStarted: .zero)
        for index in 0..<12 {
            board.record(event("sg_rule:group\(index)/ingress/tcp/443/10.\(index).0.0/16", .started, done: 0, total: 40), at: .seconds(Int64(index)))
        }
        board.record(event("sg_rule:group0/ingress/tcp/443/10.0.0.0/16", .finished, done: 1, total: 40), at: .seconds(20))
        let line = board.line(at: .seconds(30), width: width, colour: false)
        #expect(line.count <= width - 1, "\(line.count): \(line)")
        #expect(line.hasPrefix("[1/40]") || line.hasPrefix("[1/4"), "\(line)")
        if width >= 80 {
            #expect(line.contains("more"), "\(line)")
            #expect(line.hasSuffix("more"), "\(line)")
        }
        if width <= 20 { #expect(line.hasSuffix("…"), "\(line)") }
    }

    @Test("a single address longer than the room is cut with an ellipsis, and the colours do not count")
    func longAddressAndColour() {
        var board = ProgressBoard(runStarted: .zero)
        let address = "sg_rule:" + String(repeating: "x", count: 150)
        board.record(event(address, .started, done: 0, total: 2), at: .zero)
        let plain = board.line(at: .seconds(3), width: 80, colour: false)
        #expect(plain.count == 79 && plain.hasSuffix("…"), "\(plain)")
        let coloured = board.line(at: .seconds(3), width: 80, colour: true)
        #expect(coloured.contains("\u{1B}[1m[0/2]\u{1B}[0m"))
        #expect(coloured.replacingOccurrences(of: #"\u001B\[[0-9;]*m"#, with: "", options: .regularExpression) == plain)
    }

    @Test("a replacement is one flight across its delete and create; a failure leaves the flights and is counted")
    func replaceAndFailure() {
        var board = ProgressBoard(runStarted: .zero)
        board.record(event("subnet:a", .started, done: 0, total: 2, action: .replace), at: .seconds(1))
        board.record(event("subnet:a", .started, done: 0, total: 2, action: .replace), at: .seconds(3))
        #expect(board.inFlight.count == 1)
        let finished = board.record(event("subnet:a", .finished, done: 1, total: 2, action: .replace), at: .seconds(4))
        #expect(finished?.took == .seconds(3))
        board.record(event("vpc", .started, done: 1, total: 2, action: .update), at: .seconds(4))
        board.record(event("vpc", .failed, done: 1, total: 2, action: .update), at: .seconds(5))
        #expect(board.inFlight.isEmpty)
        #expect(board.line(at: .seconds(5), width: 100, colour: false) == "[1/2] 5s elapsed, about 4s left, 1 failed")
    }

    @Test("the line that stays per finished change, and the duration formats")
    func finishedLineAndFormats() {
        #expect(ProgressBoard.finishedLine(done: 3, total: 27, address: "subnet:app/us-east-1a", action: .create, took: .milliseconds(840))
            == "[3/27] created subnet:app/us-east-1a (0.8s)")
        #expect(ProgressBoard.seconds(.seconds(42)) == "42s")
        #expect(ProgressBoard.clock(.seconds(65)) == "1m05s")
        #expect(ProgressBoard.clock(.seconds(7384)) == "2h03m")
        #expect(ProgressBoard.clock(.milliseconds(-5)) == "0s")
    }
}

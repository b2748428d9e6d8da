import NetloomEngine
import NetloomModel

/// What an apply or destroy is doing, as the engine tells it, and the one status line a
/// terminal shows for it: done/total, elapsed and an estimate of what is left, the changes in
/// flight (those waiting for AWS first, with the state AWS reports). Pure: times are given as
/// durations from any fixed origin, so tests drive it with a fake clock.
struct ProgressBoard: Sendable {
    /// A change under way.
    struct Flight: Sendable, Hashable {
        var address: String
        var action: PlannedChange.Action
        var since: Duration
        /// The last poll of a wait for AWS (a NAT gateway pending, a load balancer provisioning).
        var wait: ReadinessEvent?
        /// When that poll was seen, so the time waited goes on between polls.
        var waitSeen: Duration?
    }

    let runStarted: Duration
    private(set) var total = 0
    private(set) var done = 0
    private(set) var failed = 0
    /// When the first change started: the estimate is the pace since then.
    private(set) var changesStarted: Duration?
    /// Oldest first.
    private(set) var inFlight: [Flight] = []

    init(runStarted: Duration) {
        self.runStarted = runStarted
    }

    /// Takes in one event; returns the change that finished with it and how long it took, for
    /// the line that stays above the status line.
    @discardableResult
    mutating func record(_ event: ProgressEvent, at now: Duration) -> (address: String, action: PlannedChange.Action, took: Duration)? {
        if total != event.total {
            // A new pass (the follow-up after lost answers) counts from its own plan.
            total = event.total
        }
        done = event.done
        if changesStarted == nil { changesStarted = now }
        let index = inFlight.firstIndex { $0.address == event.address }
        switch event.stage {
        case .started:
            // A replacement starts twice (delete, then create): it stays one flight.
            if let index {
                inFlight[index].action = event.action
                inFlight[index].wait = nil
            } else {
                inFlight.append(Flight(address: event.address, action: event.action, since: now))
            }
            return nil
        case .finished:
            guard let index else { return (event.address, event.action, .zero) }
            let flight = inFlight.remove(at: index)
            return (event.address, event.action, now - flight.since)
        case .failed:
            if let index { inFlight.remove(at: index) }
            failed += 1
            return nil
        }
    }

    /// A poll of a wait: shown beside the change it belongs to until the change ends.
    mutating func record(_ wait: ReadinessEvent, at now: Duration) {
        guard let address = wait.address, let index = inFlight.firstIndex(where: { $0.address == address }) else { return }
        inFlight[index].wait = wait.ready ? nil : wait
        inFlight[index].waitSeen = wait.ready ? nil : now
    }

    /// What is left at the pace so far (changes finished per second since the first started,
    /// which counts the parallelism in), but never less than the longest change in flight has
    /// run: a NAT gateway pending for 40 s after twenty quick subnets is not "1s left", and
    /// something of unknown length that has run for t is as likely as not to need t more.
    /// Nil before the first change finished.
    func estimatedRemaining(at now: Duration) -> Duration? {
        guard let changesStarted, done > 0, total > 0 else { return nil }
        let left = max(0, total - done)
        guard left > 0 else { return .zero }
        let pace = (now - changesStarted) / done * left
        let longest = inFlight.map { now - $0.since }.max() ?? .zero
        return max(pace, longest)
    }

    // MARK: the line

    /// The status line, at most `width - 1` columns (writing the last column makes some
    /// terminals wrap), never wrapping; coloured when `colour`.
    func line(at now: Duration, width: Int, colour: Bool) -> String {
        let room = max(1, width - 1)
        var line = StyledLine()
        line.append("[\(done)/\(total)]", .bold)
        var times = " \(Self.clock(now - runStarted)) elapsed"
        if let left = estimatedRemaining(at: now) {
            times += left < .seconds(1) ? ", less than 1s left" : ", about \(Self.clock(left)) left"
        } else if total > 0 {
            times += ", estimating"
        }
        line.append(times)
        if failed > 0 { line.append(", \(failed) failed", .red) }
        guard line.width < room else { return line.truncated(to: room).rendered(colour: colour) }

        // Waits first: they are what the run is stuck on. Then the oldest.
        let flights = inFlight.enumerated().sorted { first, second in
            let (a, b) = (first.element.wait != nil, second.element.wait != nil)
            return a != b ? a : first.offset < second.offset
        }.map(\.element)
        guard !flights.isEmpty else { return line.rendered(colour: colour) }
        let pieces = flights.map { piece(for: $0, at: now) }
        // As many whole flights as fit, then "+N more"; at worst the first one cut short.
        for count in stride(from: pieces.count, through: 1, by: -1) {
            var candidate = line
            candidate.append(" · ", .dim)
            for (index, piece) in pieces.prefix(count).enumerated() {
                if index > 0 { candidate.append(", ") }
                candidate.append(contentsOf: piece)
            }
            if count < pieces.count { candidate.append(", +\(pieces.count - count) more", .dim) }
            if candidate.width <= room { return candidate.rendered(colour: colour) }
        }
        var candidate = line
        candidate.append(" · ", .dim)
        let more = pieces.count > 1 ? ", +\(pieces.count - 1) more" : ""
        let space = room - candidate.width - more.count
        if space >= 12 {
            candidate.append(contentsOf: pieces[0].truncated(to: space))
            candidate.append(more, .dim)
            return candidate.rendered(colour: colour)
        }
        let count = " · \(pieces.count) in flight"
        if line.width + count.count <= room { line.append(count, .dim) }
        return line.rendered(colour: colour)
    }

    /// `creating nat_gateway:public/us-east-1a (pending, 12s)`.
    func piece(for flight: Flight, at now: Duration) -> StyledLine {
        var piece = StyledLine()
        piece.append("\(Self.verb(flight.action)) \(flight.address)")
        if let wait = flight.wait {
            let waited = wait.waited + (flight.waitSeen.map { now - $0 } ?? .zero)
            piece.append(" (\(wait.state), \(Self.clock(waited)))", .yellow)
        }
        return piece
    }

    /// The line that stays once a change is done: `[3/27] created subnet:app/us-east-1a (0.8s)`.
    static func finishedLine(done: Int, total: Int, address: String, action: PlannedChange.Action, took: Duration) -> String {
        "[\(done)/\(total)] \(pastTense(action)) \(address) (\(seconds(took)))"
    }

    static func verb(_ action: PlannedChange.Action) -> String {
        switch action {
        case .create: "creating"
        case .update: "updating"
        case .replace: "replacing"
        case .delete: "deleting"
        }
    }

    static func pastTense(_ action: PlannedChange.Action) -> String {
        switch action {
        case .create: "created"
        case .update: "updated"
        case .replace: "replaced"
        case .delete: "deleted"
        }
    }

    /// `7s`, `1m05s`, `2h03m`: whole seconds, for the status line.
    static func clock(_ duration: Duration) -> String {
        let total = max(0, Int(duration.components.seconds))
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(pad(total % 60))s" }
        return "\(total / 3600)h\(pad(total % 3600 / 60))m"
    }

    /// `0.8s` under ten seconds, else as `clock`.
    static func seconds(_ duration: Duration) -> String {
        let milliseconds = max(0, duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
        guard milliseconds < 10_000 else { return clock(duration) }
        return "\(milliseconds / 1000).\(milliseconds % 1000 / 100)s"
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

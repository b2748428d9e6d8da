#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NetloomEngine

/// Shows an apply or destroy: a line per finished change that stays and, on a terminal, the
/// status line (`ProgressBoard`) below them, redrawn on every event and every second. Without
/// a terminal (a CI log) only the finished lines are written: plain text, nothing redrawn.
final class LiveProgress: @unchecked Sendable {
    // `board`, `ticker` and `finished` are guarded by `lock`, which is taken before the
    // slot's lock, never after it.
    private var board: ProgressBoard
    private var finished = false
    private let lock = NSLock()
    private let console: Console
    private let clock: any EngineClock
    private let now: @Sendable () -> Duration
    private let width: @Sendable () -> Int
    private var ticker: Task<Void, Never>?
    private let drawsStatusLine: Bool

    /// `now` and `clock` are injected so the line can be driven without real time; `width`
    /// is asked before every draw, so a resized terminal is followed.
    init(console: Console, drawsStatusLine: Bool = true, clock: any EngineClock = SystemEngineClock(),
         now: @escaping @Sendable () -> Duration = LiveProgress.monotonicNow, width: @escaping @Sendable () -> Int = LiveProgress.terminalWidth) {
        self.console = console
        self.drawsStatusLine = drawsStatusLine
        self.clock = clock
        self.now = now
        self.width = width
        board = ProgressBoard(runStarted: now())
    }

    func handle(_ event: ProgressEvent) {
        let done = lock.withLock { board.record(event, at: now()) }
        if let done, event.stage == .finished {
            console.writeError(ProgressBoard.finishedLine(done: event.done, total: event.total, address: done.address,
                                                          action: done.action, took: done.took))
        }
        guard drawsStatusLine else { return }
        redraw()
        startTicking()
    }

    func handle(_ wait: ReadinessEvent) {
        lock.withLock { board.record(wait, at: now()) }
        redraw()
    }

    func redraw() {
        guard drawsStatusLine else { return }
        lock.withLock {
            // A redraw of the ticker that lost the race with `finish` must not bring the line back.
            guard !finished else { return }
            console.statusLine.show(board.line(at: now(), width: width(), colour: console.errorColour))
        }
    }

    /// Elapsed time moves on while AWS is waited for: draw once a second until `finish`.
    private func startTicking() {
        lock.withLock {
            guard ticker == nil, !finished else { return }
            ticker = Task { [weak self, clock] in
                while !Task.isCancelled {
                    do { try await clock.sleep(for: .seconds(1)) } catch { return }
                    self?.redraw()
                }
            }
        }
    }

    /// Stops the redraws and erases the status line: the summary printed next starts on a
    /// clean line.
    func finish() {
        lock.withLock {
            finished = true
            ticker?.cancel()
            ticker = nil
            if drawsStatusLine { console.statusLine.clear() }
        }
    }

    static let origin = ContinuousClock.now

    @Sendable static func monotonicNow() -> Duration { ContinuousClock.now - origin }

    /// The columns of the terminal on stderr; `COLUMNS`, then 80, when it cannot be asked.
    @Sendable static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        return 80
    }

    /// A live line needs a terminal that understands the erase sequence: stderr is a TTY and
    /// `TERM` is not `dumb`.
    static func isAvailable(environment: [String: String]) -> Bool {
        isatty(STDERR_FILENO) == 1 && environment["TERM"] != "dumb"
    }
}

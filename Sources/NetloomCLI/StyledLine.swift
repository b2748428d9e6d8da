/// Text in runs of one style, measured without its escape codes, so a line can be cut to a
/// terminal's width before it is coloured.
struct StyledLine: Sendable {
    private(set) var runs: [(text: String, style: Style?)] = []

    /// Columns: one per character (addresses and states are ASCII; `·` and `…` are one column).
    var width: Int { runs.reduce(0) { $0 + $1.text.count } }

    mutating func append(_ text: String, _ style: Style? = nil) {
        guard !text.isEmpty else { return }
        runs.append((text, style))
    }

    mutating func append(contentsOf other: StyledLine) { runs += other.runs }

    /// At most `columns` wide; a cut ends with `…`.
    func truncated(to columns: Int) -> StyledLine {
        guard width > columns else { return self }
        guard columns > 0 else { return StyledLine() }
        var result = StyledLine()
        var left = columns - 1
        for run in runs {
            guard left > 0 else { break }
            let kept = String(run.text.prefix(left))
            result.append(kept, run.style)
            left -= kept.count
        }
        result.append("…", runs.last?.style)
        return result
    }

    func rendered(colour: Bool) -> String {
        runs.map { run in
            guard colour, let style = run.style else { return run.text }
            return style.wrap(run.text)
        }.joined()
    }
}

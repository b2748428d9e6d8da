/// Markdown for a pull-request comment: escaping of what the spec and AWS put in text, and a
/// document of collapsible sections that is cut to stay under a size limit.
///
/// GitHub refuses a comment over 65,536 characters; a document kept under 60,000 leaves room
/// for what a pipeline adds around it (a heading, a link to the run).
struct MarkdownDocument {
    /// One `<details>` block: a summary line and a table (or list) whose rows may be cut.
    struct Section {
        /// Plain text for the `<summary>` element (HTML-escaped when rendered, never markdown).
        var summary: String
        /// The table's header and alignment lines; empty for a plain list.
        var header: [String]
        /// One line each, already escaped.
        var rows: [String]
        /// What the rows are, for the line that counts the rows left out: `creates`, `findings`.
        var noun: String
        /// Shown expanded (what fails a check).
        var open = false
    }

    static let defaultLimit = 60_000

    var limit = MarkdownDocument.defaultLimit
    /// Told where the full list is, at the end of a cut section.
    var fullListHint: String

    /// `head`, then the sections in order, then `tail`. Rows are kept in order until the next
    /// one would take the document past `limit`; from there on, each section says how many of
    /// its rows were left out (`… and 312 more creates`).
    func render(head: String, sections: [Section], tail: String = "") -> String {
        // What is written whatever the rows: the head and tail, each section's frame and table
        // header, and room for its "and N more" line at the largest count it could hold.
        let frames = sections.map(Frame.init)
        let fixed = head.count + tail.count + zip(sections, frames).reduce(0) { total, pair in
            total + pair.1.open.count + pair.1.header.count + pair.1.close.count + 1 + moreLine(count: pair.0.rows.count, noun: pair.0.noun).count
        }
        var room = limit - fixed
        var cut = false
        var out = head
        for (section, frame) in zip(sections, frames) {
            var shown: [String] = []
            for row in section.rows where !cut {
                if row.count + 1 > room {
                    cut = true
                    break
                }
                shown.append(row)
                room -= row.count + 1
            }
            out += frame.open
            if !shown.isEmpty {
                out += frame.header
                out += shown.map { $0 + "\n" }.joined()
            }
            let left = section.rows.count - shown.count
            if left > 0 { out += (shown.isEmpty ? "" : "\n") + moreLine(count: left, noun: section.noun) }
            out += frame.close
        }
        return out + tail
    }

    private struct Frame {
        var open: String
        var header: String
        var close = "\n</details>\n\n"

        init(_ section: Section) {
            open = "<details\(section.open ? " open" : "")><summary>\(MarkdownDocument.escapeHTML(section.summary))</summary>\n\n"
            header = section.header.map { $0 + "\n" }.joined()
        }
    }

    /// `… and 312 more creates; <hint>`, sized for the largest count it may hold.
    func moreLine(count: Int, noun: String) -> String {
        "… and \(count) more \(noun) not shown; \(fullListHint)\n"
    }

    // MARK: escaping

    /// The marks escaped inside a line (the pipe ends a table cell).
    static let markdownSyntax: Set<Character> = Set("\\`*_[]|~")

    /// Text from the spec or AWS made inert inside a line (a table cell, a heading): the marks
    /// that start inline markdown (code, emphasis, links, strikethrough) and the pipe, which
    /// would end a cell, are backslash-escaped (CommonMark allows a backslash before any ASCII
    /// punctuation); `<`, `>` and `&` become entities, so no HTML is made; line breaks become
    /// spaces, so a row stays one line. Block marks (`#`, `-`, `>` at a line's start) need
    /// nothing: this text never starts a line.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case _ where Self.markdownSyntax.contains(character):
                out.append("\\")
                out.append(character)
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n", "\r", "\r\n", "\t": out.append(" ")
            default: out.append(character)
            }
        }
        return out
    }

    /// For text inside an HTML element (`<summary>`), where markdown escapes would show.
    static func escapeHTML(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "\n", "\r", "\r\n": out.append(" ")
            default: out.append(character)
            }
        }
        return out
    }

    /// A table row of cells already escaped.
    static func row(_ cells: [String]) -> String {
        "| " + cells.map { $0.isEmpty ? " " : $0 }.joined(separator: " | ") + " |"
    }
}

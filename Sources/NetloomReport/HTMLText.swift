/// Escaping for text placed in HTML and SVG, in element content and in quoted attributes alike.
///
/// Everything the report shows comes from a spec someone else may have written (names,
/// descriptions, messages that quote them), so every piece of text goes through here.
public enum HTMLText {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            // Control characters other than tab and newline are not allowed in HTML text.
            case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}", "\u{7F}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// A dollar amount with cents and thousands separators: 1,234.50.
    public static func money(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return String(describing: value) }
        let cents = Int((value * 100).rounded())
        let whole = abs(cents) / 100, fraction = abs(cents) % 100
        var digits = String(whole)
        var grouped = ""
        while digits.count > 3 {
            grouped = "," + digits.suffix(3) + grouped
            digits.removeLast(3)
        }
        return (cents < 0 ? "-" : "") + digits + grouped + "." + (fraction < 10 ? "0" : "") + String(fraction)
    }
}

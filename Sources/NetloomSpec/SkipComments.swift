import NetloomModel

/// Finds `# netloom:skip=ID reason` comments and attaches each to the named entry whose
/// name line it is on, or to the entry right below a run of comment lines.
struct SkipComments {
    let reader: YAMLReader
    let text: String
    let namedLines: [(section: String, name: String, location: SourceLocation)]

    static let marker = "netloom:skip="

    func directives() -> [SkipDirective] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var byLine: [Int: (section: String, name: String)] = [:]
        for entry in namedLines { byLine[entry.location.line] = (entry.section, entry.name) }
        var result: [SkipDirective] = []
        for (index, line) in lines.enumerated() {
            // Only a comment that is a skip directive counts, not one that mentions one.
            guard let hash = line.firstIndex(of: "#") else { continue }
            let comment = line[line.index(after: hash)...].drop(while: { $0 == " " })
            guard comment.hasPrefix(Self.marker) else { continue }
            let lineNumber = index + 1
            let column = line.distance(from: line.startIndex, to: hash) + 1
            let location = SourceLocation(file: reader.file, line: lineNumber, column: column)
            let rest = comment.dropFirst(Self.marker.count).trimmingCharacters()
            let id = String(rest.prefix { !$0.isWhitespace })
            let reason = String(rest.dropFirst(id.count)).trimmingCharacters()
            guard id.hasPrefix("NL-"), id.count > 3 else {
                reader.error(location, "a skip comment names a rule id such as NL-SG-001, found '\(id.prefix(30))'")
                continue
            }
            guard !reason.isEmpty else {
                reader.error(location, "skipping \(id) needs a reason after the rule id: # netloom:skip=\(id) <why it is acceptable here>")
                continue
            }
            guard let target = owner(ofCommentAt: index, lines: lines, byLine: byLine) else {
                reader.error(location, "the skip comment for \(id) is not on a resource's name line or on the comment lines right above one")
                continue
            }
            result.append(SkipDirective(ruleID: id, reason: reason, section: target.section, name: target.name, location: location))
        }
        return result
    }

    private func owner(ofCommentAt index: Int, lines: [Substring], byLine: [Int: (section: String, name: String)]) -> (section: String, name: String)? {
        if let entry = byLine[index + 1] { return entry }
        guard lines[index].trimmingCharacters().hasPrefix("#") else { return nil }
        var next = index + 1
        while next < lines.count, lines[next].trimmingCharacters().hasPrefix("#") { next += 1 }
        return next < lines.count ? byLine[next + 1] : nil
    }
}

extension StringProtocol {
    func trimmingCharacters() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}

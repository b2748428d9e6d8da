import Foundation
import NetloomModel
import NetloomTestSupport
import Testing
@testable import NetloomCLI

/// `plan --format markdown` and `check --format markdown`, as a pull-request comment gets them.
///
/// The expected documents of the four examples are in `Expected/`. After a deliberate change
/// to the output, write them again with
///
///     NETLOOM_UPDATE_GOLDEN=1 swift test --filter MarkdownOutputTests
///
/// and read the diff before committing it.
@Suite("markdown for pull requests")
struct MarkdownOutputTests {
    static let expectedDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Expected")
    static let updating = ProcessInfo.processInfo.environment["NETLOOM_UPDATE_GOLDEN"] == "1"
    /// GitHub's limit for one comment.
    static let commentLimit = 65_536

    /// Run beside the example with its bare file name, so the locations in the output are the
    /// same wherever the checkout is; a state path that does not exist makes the offline plan
    /// the same on every machine.
    static func run(_ arguments: [String], example name: String) throws -> NetloomRun {
        let directory = (ExampleSpecs.path(name) as NSString).deletingLastPathComponent
        let state = NSTemporaryDirectory() + "netloom-no-state-\(UUID().uuidString)/none.sqlite"
        return try NetloomRun(arguments + ["--state", state], directory: directory)
    }

    static func compare(_ output: String, golden name: String) throws {
        let file = expectedDirectory.appendingPathComponent(name)
        if updating {
            try FileManager.default.createDirectory(at: expectedDirectory, withIntermediateDirectories: true)
            try output.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(output == expected, "\(name) differs from Expected/\(name); NETLOOM_UPDATE_GOLDEN=1 writes it again")
    }

    @Test("plan --offline --format markdown of each example matches its expected document", arguments: ExampleSpecs.names)
    func planGolden(name: String) throws {
        let run = try Self.run(["plan", "--offline", name, "--format", "markdown"], example: name)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("<details"))
        try Self.compare(run.stdout, golden: "plan-\(name.replacingOccurrences(of: ".yaml", with: "")).md")
    }

    @Test("check --format markdown of each example matches its expected document and exits as check does", arguments: ExampleSpecs.names)
    func checkGolden(name: String) throws {
        let markdown = try Self.run(["check", name, "--format", "markdown"], example: name)
        let text = try Self.run(["check", name], example: name)
        #expect(markdown.status == text.status, "markdown exits \(markdown.status), text \(text.status)")
        #expect([0, 3].contains(markdown.status), "\(markdown.stderr)")
        #expect(markdown.stdout.contains(markdown.status == 3 ? "**Fails**" : "**Passes**"))
        try Self.compare(markdown.stdout, golden: "check-\(name.replacingOccurrences(of: ".yaml", with: "")).md")
    }

    @Test("a failing check still exits 3 in markdown, and a stricter --fail-on opens the sections it fails on")
    func checkExitCodes() throws {
        let strict = try Self.run(["check", "ml-workstation.yaml", "--format", "markdown", "--fail-on", "low"], example: "ml-workstation.yaml")
        let text = try Self.run(["check", "ml-workstation.yaml", "--fail-on", "low"], example: "ml-workstation.yaml")
        #expect(strict.status == text.status)
        #expect(strict.status == 3, "\(strict.stdout)")
        #expect(strict.stdout.contains("<details open><summary>low"))
        let unknown = try NetloomRun(["check", ExampleSpecs.path("inference.yaml"), "--format", "html"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("--format"))
    }

    @Test("10,000 resources: the plan and the check fit a pull-request comment, and say how much was left out")
    func largeStack() throws {
        let directory = NSTemporaryDirectory() + "netloom-markdown-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try BenchmarkStacks.expansionYAML().write(toFile: directory + "/bench.yaml", atomically: true, encoding: .utf8)

        let plan = try NetloomRun(["plan", "--offline", "bench.yaml", "--format", "markdown", "--state", directory + "/none.sqlite"], directory: directory)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.count < MarkdownDocument.defaultLimit, "\(plan.stdout.count) characters")
        #expect(plan.stdout.utf16.count < Self.commentLimit)
        // The summary counts every change; the rows shown and the "more" count add up to it.
        let total = try #require(Self.count(in: plan.stdout, row: "create"))
        #expect(total > 9_000, "\(total) creates")
        let section = try #require(plan.stdout.components(separatedBy: "<summary>\(total) to create</summary>").last)
        let shown = section.components(separatedBy: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| address ") }.count
        let more = try #require(Self.more(in: section, noun: "creates"))
        #expect(shown > 100, "only \(shown) rows shown")
        #expect(shown + more == total, "\(shown) shown + \(more) more != \(total)")
        print("10,000-resource plan as markdown: \(plan.stdout.count) characters, \(shown) of \(total) creates shown, \(more) counted as more")

        let check = try NetloomRun(["check", "bench.yaml", "--format", "markdown"], directory: directory)
        let checkText = try NetloomRun(["check", "bench.yaml"], directory: directory)
        #expect(check.status == checkText.status)
        #expect(check.stdout.count < MarkdownDocument.defaultLimit, "\(check.stdout.count) characters")
        #expect(check.stdout.contains("more") && check.stdout.contains("not shown"), "\(check.stdout.suffix(500))")
        print("10,000-resource check as markdown: \(check.stdout.count) characters, exit \(check.status)")
    }

    /// The number in a summary-table row `| name | N |`.
    static func count(in text: String, row name: String) -> Int? {
        let line = text.components(separatedBy: "\n").first { $0.hasPrefix("| \(name) | ") }
        return line.flatMap { Int($0.split(separator: "|")[1].trimmingCharacters(in: .whitespaces)) }
    }

    /// N in `… and N more <noun> not shown`.
    static func more(in text: String, noun: String) -> Int? {
        guard let range = text.range(of: #"… and \d+ more "# + noun, options: .regularExpression) else { return nil }
        return Int(text[range].filter(\.isNumber))
    }

    // MARK: the pieces

    @Test("pipes, HTML and markdown marks in spec or AWS text are made inert; a row stays one line")
    func escaping() {
        let escaped = MarkdownDocument.escape("a|b <script>alert(1)</script> & *bold* _em_ `code` [link](x) ~~s~~ back\\slash\nnext")
        #expect(escaped == #"a\|b &lt;script&gt;alert(1)&lt;/script&gt; &amp; \*bold\* \_em\_ \`code\` \[link\](x) \~\~s\~\~ back\\slash next"#)
        #expect(MarkdownDocument.escapeHTML("<b>\"x\" & y</b>") == "&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;")
    }

    @Test("a plan whose addresses and reasons hold pipes keeps its table columns")
    func tableColumns() {
        let change = PlannedChange(address: "sg_rule:web|ingress", type: .securityGroupRule, action: .update,
                                   reason: "description differs: was <b>a|b</b>", diff: ["description": .init(before: "a|b", after: "c")])
        let markdown = PlanMarkdownRenderer().render(Plan(changes: [change]), stack: "s|x", offline: false)
        let row = markdown.components(separatedBy: "\n").first { $0.contains("sg\\_rule:web") }
        // Cells are split by pipes that are not escaped: three columns, four delimiters.
        let delimiters = row.map { $0.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count }
        #expect(delimiters == 4, "\(row ?? "no row")")
        #expect(!markdown.contains("<b>"))
        #expect(markdown.hasPrefix("### netloom plan: s\\|x\n"))
    }

    @Test("a document over its limit keeps rows in order, then counts what it left out, section by section")
    func budget() {
        let rows = (0..<100).map { MarkdownDocument.row(["row \($0)", String(repeating: "x", count: 40)]) }
        let document = MarkdownDocument(limit: 2_000, fullListHint: "see the JSON.")
        let sections = [
            MarkdownDocument.Section(summary: "first", header: ["| a | b |", "|:--|:--|"], rows: rows, noun: "rows"),
            MarkdownDocument.Section(summary: "second", header: ["| a | b |", "|:--|:--|"], rows: rows, noun: "others"),
        ]
        let text = document.render(head: "# head\n\n", sections: sections)
        #expect(text.count <= 2_000, "\(text.count)")
        let shown = text.components(separatedBy: "\n").filter { $0.hasPrefix("| row ") }.count
        #expect(shown > 10 && shown < 100)
        #expect(text.contains("… and \(100 - shown) more rows not shown; see the JSON."))
        #expect(text.contains("<details><summary>second</summary>\n\n… and 100 more others not shown; see the JSON."))
        #expect(text.components(separatedBy: "</details>").count == 3)
        // Everything fits: nothing is cut and no count is written.
        let roomy = MarkdownDocument(limit: 60_000, fullListHint: "x").render(head: "", sections: sections)
        #expect(!roomy.contains("more"))
        #expect(roomy.components(separatedBy: "\n").filter { $0.hasPrefix("| row ") }.count == 200)
    }
}

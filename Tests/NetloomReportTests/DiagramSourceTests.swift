import Foundation
import NetloomPlanning
@testable import NetloomReport
import NetloomSpec
import NetloomTestSupport
import Testing

/// `netloom expand --format dot|mermaid`, checked by the real parsers: Graphviz's `dot`, and
/// Mermaid's own parser and renderer (mermaid.min.js) in headless chromium.
@Suite("topology as Graphviz and Mermaid source")
struct DiagramSourceTests {
    static func expand(_ name: String, format: String) async throws -> String {
        let run = try await ExternalTool.run(ExternalTool.netloom, ["expand", ExampleSpecs.path(name), "--format", format])
        try #require(run.status == 0, "netloom expand --format \(format) failed: \(run.stderr)")
        return run.stdout
    }

    @Test("dot -Tsvg renders every example's graph without an error or warning", .enabled(if: ExternalTool.dotShouldRun, "graphviz is not installed (apt-get install -y graphviz); set CI=true to make this a failure"),
          arguments: ExampleSpecs.names)
    func dotRenders(name: String) async throws {
        let dot = try ExternalTool.require(ExternalTool.dot, "dot (graphviz)")
        let source = try await Self.expand(name, format: "dot")
        let run = try await ExternalTool.run(dot, ["-Tsvg"], stdin: source)
        #expect(run.status == 0, "dot failed: \(run.stderr)")
        #expect(run.stderr.isEmpty, "dot complained: \(run.stderr)")
        #expect(run.stdout.contains("<svg"))
        // Every subnet is drawn: its address is a node tooltip (dot writes '-' as &#45; there).
        let svg = run.stdout.replacingOccurrences(of: "&#45;", with: "-")
        let expanded = try StackExpander.expand(try SpecLoader.load(contentsOf: ExampleSpecs.path(name)))
        for subnet in expanded.graph.resources(of: .subnet) {
            #expect(svg.contains("xlink:title=\"\(subnet.address)\""), "\(subnet.address) is not in dot's SVG")
        }
    }

    @Test("a quote, a backslash and a newline cannot leave a DOT string")
    func dotQuoting() {
        #expect(GraphvizRenderer.quoted("a\"b\\c\nd") == "\"a\\\"b\\\\c\\nd\"")
    }

    @Test("a quote, markup and # cannot leave a Mermaid label")
    func mermaidQuoting() {
        let label = MermaidRenderer.label("x\"<b>#1|y")
        #expect(!label.contains("\"") && !label.contains("<") && !label.contains("|"))
        #expect(label == "x#quot;#lt;b#gt;#35;1#124;y")
    }

    /// A page that runs Mermaid's parser and renderer over each text and writes one line per
    /// text, `OK` or `ERROR message`, into the DOM that chromium dumps.
    static func mermaidVerdicts(_ texts: [String]) async throws -> [String] {
        let chromium = try ExternalTool.require(ExternalTool.chromium, "chromium")
        let script = try ExternalTool.require(ExternalTool.mermaidScript, "mermaid.min.js (pip package artoo-mermaid under .build/mermaid)")
        let encoded = String(decoding: try JSONSerialization.data(withJSONObject: texts), as: UTF8.self).replacingOccurrences(of: "</", with: "<\\/")
        let page = """
        <!DOCTYPE html><html><body><pre id="verdicts">pending</pre><div id="scratch"></div>
        <script src="file://\(script)"></script>
        <script>
        (async function () {
          const texts = \(encoded);
          const lines = [];
          mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
          for (let i = 0; i < texts.length; i++) {
            try {
              await mermaid.parse(texts[i]);
              const result = await mermaid.render('diagram' + i, texts[i], document.getElementById('scratch'));
              lines.push(result.svg.includes('<svg') ? 'OK' : 'ERROR no svg');
            } catch (error) {
              lines.push('ERROR ' + String(error && error.message || error).split('\\n').join(' '));
            }
          }
          document.getElementById('verdicts').textContent = lines.join('\\n');
        })();
        </script></body></html>
        """
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("netloom-mermaid-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pagePath = directory.appendingPathComponent("check.html").path
        try page.write(toFile: pagePath, atomically: true, encoding: .utf8)
        let run = try await ExternalTool.run(chromium, ExternalTool.chromiumFlags + ["--allow-file-access-from-files", "--virtual-time-budget=60000", "--dump-dom", "file://\(pagePath)"], timeout: 180)
        try #require(run.status == 0, "chromium failed: \(run.stderr.suffix(2000))")
        let dom = run.stdout
        let start = try #require(dom.range(of: "<pre id=\"verdicts\">"), "no verdicts in the DOM")
        let end = try #require(dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex))
        return dom[start.upperBound..<end.lowerBound].replacingOccurrences(of: "&amp;", with: "&").split(separator: "\n").map(String.init)
    }

    @Test("Mermaid's own parser and renderer accept every example's flowchart, and reject a broken one",
          .enabled(if: ExternalTool.mermaidShouldRun, "chromium or mermaid.min.js is missing (see .ci/run); set CI=true to make this a failure"))
    func mermaidParses() async throws {
        var texts: [String] = []
        for name in ExampleSpecs.names { texts.append(try await Self.expand(name, format: "mermaid")) }
        // The control: without it a page that never ran Mermaid would look the same as success.
        texts.append("flowchart TB\n  a[\"unclosed --> b\n")
        let verdicts = try await Self.mermaidVerdicts(texts)
        try #require(verdicts.count == texts.count, "verdicts: \(verdicts)")
        for (name, verdict) in zip(ExampleSpecs.names, verdicts) {
            #expect(verdict == "OK", "\(name): \(verdict)")
        }
        #expect(verdicts.last?.hasPrefix("ERROR") == true, "a broken flowchart was accepted: \(verdicts.last ?? "")")
    }
}

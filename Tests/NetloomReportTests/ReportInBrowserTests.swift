import Foundation
import NetloomAnalysis
import NetloomModel
import NetloomPlanning
import NetloomReport
import NetloomSpec
import NetloomTestSupport
import Testing

/// The report of every example, written by the real `netloom report` and opened by a real
/// headless chromium: what the browser's DOM holds, not what the HTML text says.
@Suite("netloom report in a browser", .enabled(if: ExternalTool.chromiumShouldRun, "chromium is not installed (apt-get install -y chromium); set CI=true to make this a failure"))
struct ReportInBrowserTests {
    struct Rendered {
        var htmlPath: String
        var dom: String
        var expanded: ExpandedStack
    }

    static func render(_ name: String, in directory: URL) async throws -> Rendered {
        let chromium = try ExternalTool.require(ExternalTool.chromium, "chromium")
        let htmlPath = directory.appendingPathComponent(name.replacingOccurrences(of: ".yaml", with: ".html")).path
        let report = try await ExternalTool.run(ExternalTool.netloom, ["report", ExampleSpecs.path(name), "-o", htmlPath])
        try #require(report.status == 0, "netloom report failed: \(report.stderr)")
        let dom = try await ExternalTool.run(chromium, ExternalTool.chromiumFlags + ["--dump-dom", "file://\(htmlPath)"])
        try #require(dom.status == 0, "chromium failed: \(dom.stderr.suffix(2000))")
        let expanded = try StackExpander.expand(try SpecLoader.load(contentsOf: ExampleSpecs.path(name)))
        return Rendered(htmlPath: htmlPath, dom: dom.stdout, expanded: expanded)
    }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("netloom-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Every `data-address` value of the DOM.
    static func dataAddresses(_ dom: String) -> Set<String> {
        var found = Set<String>()
        var rest = dom[...]
        while let range = rest.range(of: "data-address=\"") {
            rest = rest[range.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { break }
            found.insert(String(rest[..<end]).replacingOccurrences(of: "&amp;", with: "&"))
            rest = rest[end...]
        }
        return found
    }

    @Test("the DOM has an element for every subnet, gateway, endpoint, load balancer and cluster, every finding id and the cost total",
          arguments: ExampleSpecs.names)
    func domCoversTheStack(name: String) async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rendered = try await Self.render(name, in: directory)
        let addresses = Self.dataAddresses(rendered.dom)

        let drawnTypes: Set<ResourceType> = [.subnet, .internetGateway, .natGateway, .vpcEndpoint, .loadBalancer, .listener, .placementGroup]
        let expected = rendered.expanded.graph.resources.filter { drawnTypes.contains($0.type) }.map(\.address)
            + rendered.expanded.spec.clusters.map { ResourceAddress.cluster($0.name).description }
        #expect(!expected.isEmpty)
        let missing = expected.filter { !addresses.contains($0) }
        #expect(missing.isEmpty, "no data-address element for \(missing)")

        let findings = ComplianceChecker().check(rendered.expanded).findings
        for id in Set(findings.map(\.ruleID)) {
            #expect(rendered.dom.contains("data-finding=\"\(id)\""), "finding \(id) is not in the DOM")
        }
        let total = CostEstimator().estimate(rendered.expanded).monthlyUSD
        #expect(rendered.dom.contains("id=\"cost-total\">$\(HTMLText.money(total))<"), "the cost total $\(HTMLText.money(total)) is not in the DOM")
        for assertion in rendered.expanded.spec.assertions {
            #expect(rendered.dom.contains(HTMLText.escape(assertion.name)))
        }
    }

    @Test("the report asks for nothing over the network", arguments: ExampleSpecs.names)
    func noNetworkResource(name: String) async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rendered = try await Self.render(name, in: directory)
        let lowered = rendered.dom.lowercased()
        for pattern in [#"(src|href|action|poster|data)\s*=\s*["']?\s*(https?:)?//"#, #"url\(\s*["']?\s*(https?:)?//"#, #"@import"#] {
            let expression = try Regex(pattern)
            #expect(lowered.firstMatch(of: expression) == nil, "a resource URL matching \(pattern) in \(name)'s DOM")
        }
        // The page still has its sections: an empty DOM would pass the check above.
        for section in ["id=\"topology\"", "id=\"findings\"", "id=\"reachability\"", "id=\"cost\"", "<svg"] {
            #expect(rendered.dom.contains(section))
        }
    }

    /// Width and height from the IHDR chunk, which PNG requires first.
    static func pngSize(_ data: Data) -> (width: Int, height: Int)? {
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], bytes[12..<16] == [0x49, 0x48, 0x44, 0x52] else { return nil }
        func be32(_ offset: Int) -> Int { bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be32(16), be32(20))
    }

    @Test("a screenshot has the window's size and is not blank, in light and in dark mode", arguments: ["inference.yaml", "hyperpod-eks.yaml"])
    func screenshot(name: String) async throws {
        let chromium = try ExternalTool.require(ExternalTool.chromium, "chromium")
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rendered = try await Self.render(name, in: directory)
        var images: [Data] = []
        for (mode, flags) in [("light", [String]()), ("dark", ["--force-dark-mode", "--blink-settings=preferredColorScheme=0"])] {
            let png = directory.appendingPathComponent("\(mode).png").path
            let shot = try await ExternalTool.run(chromium, ExternalTool.chromiumFlags + flags + ["--window-size=1280,900", "--screenshot=\(png)", "file://\(rendered.htmlPath)"])
            try #require(shot.status == 0, "chromium --screenshot failed: \(shot.stderr.suffix(2000))")
            let data = try Data(contentsOf: URL(fileURLWithPath: png))
            let size = try #require(Self.pngSize(data), "\(mode) screenshot is not a PNG")
            #expect(size.width == 1280 && size.height == 900, "\(mode) screenshot is \(size.width)×\(size.height)")
            // One colour over 1280×900 compresses to a few kilobytes; a drawn page is far larger.
            #expect(data.count > 40_000, "\(mode) screenshot is only \(data.count) bytes: blank?")
            images.append(data)
        }
        #expect(images[0] != images[1], "light and dark screenshots are identical: prefers-color-scheme is not honoured")
    }

    @Test("every drawn element is focusable, and focusing one shows its address and properties in the inspector")
    func keyboardFocusShowsProperties() async throws {
        let chromium = try ExternalTool.require(ExternalTool.chromium, "chromium")
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rendered = try await Self.render("hyperpod-eks.yaml", in: directory)
        let html = try String(contentsOfFile: rendered.htmlPath, encoding: .utf8)
        // Focus goes to the cluster the way Tab would bring it there; the page's own script
        // must then fill the inspector. The probe records what it saw in the DOM.
        let probe = """
        <script>
        // Run once the page has loaded and the browser has had a turn to give the window focus
        // (a person pressing Tab has a focused window; without it no focus event fires).
        window.addEventListener('load', function () { setTimeout(function () {
          var unfocusable = Array.from(document.querySelectorAll('svg [data-address]')).filter(function (el) { return el.tagName !== 'path' && el.getAttribute('tabindex') !== '0'; });
          var cluster = document.querySelector('[data-address="cluster:trainers"]');
          window.focus();
          cluster.focus();
          var out = document.createElement('pre');
          out.id = 'probe';
          out.textContent = 'focused=' + (document.activeElement === cluster) + '\\nunfocusable=' + unfocusable.length + '\\n' + document.getElementById('inspector').textContent;
          document.body.appendChild(out);
        }, 100); });
        </script></body>
        """
        let probed = directory.appendingPathComponent("probed.html").path
        try html.replacingOccurrences(of: "</body>", with: probe).write(toFile: probed, atomically: true, encoding: .utf8)
        let dom = try await ExternalTool.run(chromium, ExternalTool.chromiumFlags + ["--virtual-time-budget=5000", "--dump-dom", "file://\(probed)"])
        try #require(dom.status == 0)
        let start = try #require(dom.stdout.range(of: "<pre id=\"probe\">"), "the probe did not run")
        let text = String(dom.stdout[start.upperBound...].prefix { $0 != "<" })
        #expect(text.contains("focused=true"), "\(text)")
        #expect(text.contains("unfocusable=0"), "\(text)")
        #expect(text.contains("cluster:trainers"), "the inspector does not show the focused element: \(text)")
        #expect(text.contains("64 × ml.p5.48xlarge"), "the inspector does not show the cluster's properties: \(text)")
    }
}

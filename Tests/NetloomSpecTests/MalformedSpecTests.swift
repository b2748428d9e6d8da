import Foundation
import NetloomModel
import NetloomPlanning
import NetloomSpec
import Testing

/// The corpus under `Malformed/`: each file starts with `# expect: LINE:COL: error: MESSAGE` lines,
/// the exact diagnostics `validate` must print for it.
enum MalformedCorpus {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Malformed")

    static var names: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    static func expectations(in text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            line.hasPrefix("# expect: ") ? String(line.dropFirst("# expect: ".count)) : nil
        }
    }
}

/// Loads, plans and expands a spec the way every command does, returning the diagnostics.
func diagnostics(of text: String, file: String) -> [String]? {
    do {
        let spec = try SpecLoader.parse(text, file: file)
        _ = try StackExpander.expand(spec)
        return nil
    } catch {
        return error.diagnostics.map(\.description)
    }
}

@Suite("malformed specs")
struct MalformedSpecTests {
    @Test("the corpus holds at least 40 malformed specs")
    func corpusSize() {
        #expect(MalformedCorpus.names.count >= 40)
    }

    @Test("every malformed spec gets exactly its expected located messages", arguments: MalformedCorpus.names)
    func expectedMessages(name: String) throws {
        let text = try String(contentsOf: MalformedCorpus.directory.appendingPathComponent(name), encoding: .utf8)
        let expected = MalformedCorpus.expectations(in: text).map { "\(name):\($0)" }
        #expect(!expected.isEmpty, "\(name) has no '# expect:' line")
        let actual = diagnostics(of: text, file: name)
        #expect(actual == expected)
    }
}

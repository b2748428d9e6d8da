import NetloomTestSupport
import Foundation
import NetloomModel
import NetloomPlanning
import NetloomSpec
import PropertyBased
import Testing

/// Random damage done to a valid spec: what people do to YAML by accident.
struct SpecMutation {
    enum Kind: CaseIterable { case deleteLine, changeType, misspellName, truncate, insertGarbage, duplicateLine, deepNesting }

    static func apply(_ kind: Kind, to text: String, seed: UInt64) -> String {
        var random = SplitMix64(seed: seed)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let index = Int.random(in: 0..<max(lines.count, 1), using: &random)
        switch kind {
        case .deleteLine:
            lines.remove(at: index)
        case .changeType:
            let replacements = ["[1, 2]", "{a: b}", "123", "true", "", "null", "\"\"", "-1", "99999999999999999999"]
            if let colon = lines[index].firstIndex(of: ":") {
                lines[index] = String(lines[index][...colon]) + " " + replacements.randomElement(using: &random)!
            }
        case .misspellName:
            let words = lines[index].split(whereSeparator: { !$0.isLetter }).filter { $0.count > 2 }
            if let word = words.randomElement(using: &random) {
                var letters = Array(word)
                letters.swapAt(0, letters.count - 1)
                lines[index] = lines[index].replacingOccurrences(of: String(word), with: String(letters))
            }
        case .truncate:
            let joined = lines.joined(separator: "\n")
            return String(joined.prefix(Int.random(in: 0...joined.count, using: &random)))
        case .insertGarbage:
            let garbage = ["\t\t: :", "- - -", "{{{", "]]", "&a *a", "!!binary AAAA", "\u{FEFF}", "key: [unclosed", "? complex\n: key", "%YAML 1.1"]
            lines.insert(garbage.randomElement(using: &random)!, at: index)
        case .duplicateLine:
            lines.insert(lines[index], at: index)
        case .deepNesting:
            lines.insert("tags: " + String(repeating: "[", count: 5000), at: index)
        }
        return lines.joined(separator: "\n")
    }
}

@Suite("mutated specs never crash")
struct SpecMutationTests {
    static let examples: [String] = ExampleSpecs.names.compactMap { try? String(contentsOfFile: ExampleSpecs.path($0), encoding: .utf8) }

    @Test("a randomly damaged example is either valid or rejected with located messages", .timeLimit(.minutes(2)))
    func mutations() async {
        #expect(Self.examples.count == 4)
        var rejected = 0
        await propertyCheck(count: 2_000, input: Gen.int(in: 0...3), Gen<SpecMutation.Kind>.case, Gen.uint64(in: 0...UInt64.max)) { example, kind, seed in
            let text = SpecMutation.apply(kind, to: Self.examples[example], seed: seed)
            let lineCount = text.split(separator: "\n", omittingEmptySubsequences: false).count
            if let messages = diagnosticsList(of: text) {
                rejected += 1
                #expect(!messages.isEmpty)
                for diagnostic in messages {
                    #expect(diagnostic.location.file == "mutated.yaml")
                    #expect((1...max(lineCount, 1) + 1).contains(diagnostic.location.line), "\(kind) seed \(seed): \(diagnostic)")
                    #expect(diagnostic.location.column >= 1)
                    #expect(!diagnostic.message.isEmpty)
                }
            }
        }
        // Valid results check nothing; most damage must be caught or the located-message checks ran on too few cases.
        #expect(rejected >= 1_000, "only \(rejected) of 2,000 damaged examples were rejected")
    }

    @Test("binary garbage and huge inputs are refused with a message")
    func garbage() throws {
        var random = SplitMix64(seed: 42)
        let bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }
        #expect(throws: SpecInvalidError.self) { try SpecLoader.parse(data: Data(bytes), file: "garbage.bin") }
        let huge = Data(repeating: UInt8(ascii: "a"), count: SpecLoader.maximumFileSize + 1)
        do {
            _ = try SpecLoader.parse(data: huge, file: "huge.yaml")
            Issue.record("a file over the size limit was accepted")
        } catch {
            #expect(error.diagnostics.first?.message.contains("larger than") == true)
        }
    }
}

func diagnosticsList(of text: String) -> [Diagnostic]? {
    do {
        _ = try StackExpander.expand(try SpecLoader.parse(text, file: "mutated.yaml"))
        return nil
    } catch {
        return error.diagnostics
    }
}

import Foundation
import NetloomModel
import NetloomTestSupport
import Testing

/// Addresses are made and read only through `ResourceAddress`, `ResourceReference` and
/// `CompositeID`: a hand-built `"subnet:\(key)"` elsewhere would drift from them unnoticed.
@Suite("address vocabulary")
struct AddressVocabularyTests {
    /// Every module that names resources.
    static let modules = ["NetloomModel", "NetloomSpec", "NetloomPlanning", "NetloomAnalysis", "NetloomCLI", "NetloomEngine"]
    static let vocabularyFiles: Set<String> = ["ResourceAddress.swift", "ResourceReference.swift", "CompositeID.swift", "FoundAddress.swift"]

    /// A string literal that starts an address (`"subnet:\(`, `"nat_gateway:*"`, `"instance:`),
    /// a `ref:` or a `|` join, or taking an address apart by its prefix.
    static let handBuilt: NSRegularExpression = {
        let kinds = (["cluster", "ref"] + ResourceType.allCases.map(\.rawValue)).joined(separator: "|")
        let pattern = #"["( ]("# + kinds + #"):(\\\(|\*|[a-z0-9-]*")|"ref:|"\|"|\|\\\(|dropFirst\("[a-z_]+:"|hasPrefix\("("# + kinds
            + #"):|(?<!attributes)\["(vpc|internet_gateway)"\]|(address|records|dependsOn|owner)[:\[] *\[?"(vpc|internet_gateway)""#
        return try! NSRegularExpression(pattern: pattern)
    }()

    @Test("no module builds or splits an address, reference or composite id by hand")
    func noHandBuiltAddresses() throws {
        var offences: [String] = []
        var scanned = 0
        for module in Self.modules {
            let directory = ExampleSpecs.packageRoot.appendingPathComponent("Sources/\(module)")
            let files = FileManager.default.enumerator(atPath: directory.path)?.compactMap { $0 as? String } ?? []
            for file in files where file.hasSuffix(".swift") && !Self.vocabularyFiles.contains((file as NSString).lastPathComponent) {
                let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
                scanned += 1
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let line = String(line)
                    if Self.handBuilt.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil {
                        offences.append("\(module)/\(file):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
                    }
                }
            }
        }
        #expect(scanned >= 40, "only \(scanned) source files were scanned")
        #expect(offences.isEmpty, "\(offences.joined(separator: "\n"))")
    }

    @Test("the scan catches the forms it is meant to")
    func scanCatches() {
        for line in [#"let address = "subnet:\(key)""#, #"priced("nat_gateway:*", "NAT")"#, #".string("ref:\(address)")"#,
                     #"ids.joined(separator: "|")"#, #"String(owner.dropFirst("load_balancer:".count))"#, #"dependsOn: ["vpc"]"#] {
            #expect(Self.handBuilt.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil, "\(line)")
        }
        for line in [#"ResourceAddress.subnet(key).description"#, #"if text.hasPrefix("sg:") {"#, #""arn:aws:iam::aws:policy/\(policy)""#] {
            #expect(Self.handBuilt.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) == nil, "\(line)")
        }
    }
}

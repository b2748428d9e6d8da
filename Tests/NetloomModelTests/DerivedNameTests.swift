import NetloomModel
import NetloomTestSupport
import Testing

@Suite("Derived AWS names")
struct DerivedNameTests {
    /// A name of the spec language, `[a-z][a-z0-9-]{0,39}`, drawn from a small alphabet so that
    /// different (stack, name) pairs often share the readable `<stack>-<name>`.
    static func name(_ random: inout SplitMix64, maxLength: Int = 40) -> String {
        let letters = Array("ab"), rest = Array("ab1-")
        let length = 1 + Int(random.next() % UInt64(maxLength))
        var text = String(letters[Int(random.next() % 2)])
        for _ in 1..<length { text.append(rest[Int(random.next() % UInt64(rest.count))]) }
        return text
    }

    @Test("two different (stack, name) pairs never get the same name, of any kind, even where <stack>-<name> is the same")
    func neverCollide() {
        var random = SplitMix64(seed: 0x5EED_0008)
        var pairs: Set<[String]> = []
        // Every way of splitting one hyphenated word into a stack and a name: the collisions
        // of the old `<stack>-<name>` scheme.
        while pairs.count < 6_000 {
            let word = Self.name(&random, maxLength: 40) + "-" + Self.name(&random, maxLength: 40)
            let characters = Array(word)
            for index in characters.indices where characters[index] == "-" {
                let stack = String(characters[..<index]), name = String(characters[(index + 1)...])
                guard let first = stack.first, first.isLetter, stack.count <= 40, let start = name.first, start.isLetter, name.count <= 40 else { continue }
                pairs.insert([stack, name])
            }
            pairs.insert([Self.name(&random), Self.name(&random)])
        }
        let readable = Dictionary(grouping: pairs, by: { "\($0[0])-\($0[1])" })
        let ambiguous = readable.values.filter { $0.count > 1 }.count
        #expect(ambiguous >= 500, "the generator must produce pairs the old scheme confused; it made \(ambiguous)")
        for kind in DerivedName.Kind.allCases {
            var owners: [String: [String]] = [:]
            for pair in pairs {
                let made = DerivedName.make(kind, stack: pair[0], name: pair[1], identity: "\(kind.rawValue):\(pair[1])")
                if let other = owners[made] {
                    Issue.record("\(kind): \(other) and \(pair) both get \(made)")
                }
                owners[made] = pair
                #expect(made.count <= kind.maxLength + (kind == .bucket || kind == .lifecycleBucket ? 1 : 0), "\(made) is longer than \(kind.maxLength)")
                #expect(made.hasPrefix(DerivedName.stackPrefix(kind, stack: pair[0])))
            }
            #expect(owners.count == pairs.count)
        }
    }

    @Test("names fit AWS's limits and rules once the account id is in")
    func fitsAWS() {
        let stack = String(repeating: "s", count: 39) + "t", name = String(repeating: "n", count: 39) + "m"
        let bucket = DerivedName.make(.bucket, stack: stack, name: name, identity: "bucket:\(name)")
            .replacingOccurrences(of: "${account_id}", with: "123456789012")
        #expect((60...63).contains(bucket.count), "\(bucket)")
        #expect(bucket.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" })
        #expect(bucket.first?.isLetter == true && bucket.last?.isNumber == true)
        let balancer = DerivedName.make(.loadBalancer, stack: stack, name: name, identity: "load_balancer:\(name)")
        #expect(balancer.count == 32)
        #expect(!balancer.contains("--"))
        // A cut that ends on a '-' drops it: AWS refuses names with a hyphen before the hash's.
        let cut = DerivedName.make(.loadBalancer, stack: "abcdefghijklmnopqrstuv", name: "x", identity: "load_balancer:x")
        #expect(cut == "abcdefghijklmnopqrstuv-" + cut.suffix(8))
        #expect(DerivedName.make(.iamRole, stack: "ml", name: "app", identity: "iam_role:app").hasPrefix("ml-app-"))
    }

    @Test("the previous scheme is kept for resources made under it")
    func previous() {
        #expect(DerivedName.previous(.bucket, stack: "ml", name: "data") == "ml-data-${account_id}")
        #expect(DerivedName.previous(.iamRole, stack: "ml-x", name: "app") == "ml-x-app")
        #expect(DerivedName.make(.iamRole, stack: "ml", name: "x-app", identity: "iam_role:x-app")
            != DerivedName.make(.iamRole, stack: "ml-x", name: "app", identity: "iam_role:app"))
    }
}

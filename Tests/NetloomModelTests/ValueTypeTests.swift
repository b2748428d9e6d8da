import Foundation
import NetloomModel
import PropertyBased
import Testing

@Suite("CIDR blocks, ports and addresses")
struct ValueTypeTests {
    @Test("CIDR parsing accepts canonical blocks and explains the rest")
    func cidrParsing() throws {
        #expect(try CIDRBlock(parsing: "10.0.0.0/16").description == "10.0.0.0/16")
        #expect(try CIDRBlock(parsing: "0.0.0.0/0") == .anywhere)
        #expect(throws: CIDRBlock.ParseError.hostBitsSet("10.0.1.0/16", suggestion: try CIDRBlock(parsing: "10.0.0.0/16"))) {
            try CIDRBlock(parsing: "10.0.1.0/16")
        }
        for bad in ["10.0.0.0", "10.0.0/16", "10.0.0.0/33", "256.0.0.0/8", "10.0.0.01/32", " 10.0.0.0/16", "10.0.0.0/", "a.b.c.d/8"] {
            #expect(throws: CIDRBlock.ParseError.syntax(bad)) { try CIDRBlock(parsing: bad) }
        }
    }

    @Test("containment and overlap agree with address arithmetic")
    func overlap() async {
        await propertyCheck(count: 500, input: Gen.uint32(in: 0...UInt32.max), Gen.int(in: 8...32), Gen.uint32(in: 0...UInt32.max), Gen.int(in: 8...32)) { a, pa, b, pb in
            let first = CIDRBlock(base: IPv4Address(a), prefix: pa), second = CIDRBlock(base: IPv4Address(b), prefix: pb)
            let arithmetic = first.first <= second.last && second.first <= first.last
            #expect(first.overlaps(second) == arithmetic)
            #expect(first.contains(second) == (first.first <= second.first && second.last <= first.last))
        }
    }

    @Test("usable addresses leave AWS's five reserved ones")
    func usable() throws {
        #expect(try CIDRBlock(parsing: "10.0.0.0/24").usableAddresses == 251)
        #expect(try CIDRBlock(parsing: "10.0.0.0/28").usableAddresses == 11)
        #expect(try CIDRBlock(parsing: "10.0.0.0/19").usableAddresses == 8_187)
    }

    @Test("port ranges parse single ports and ranges, and reject the rest")
    func ports() throws {
        #expect(try PortRange(parsing: "443") == PortRange(443))
        #expect(try PortRange(parsing: "1024-65535") == PortRange(1024, 65535))
        #expect(throws: PortRange.ParseError.outOfRange("65536")) { try PortRange(parsing: "65536") }
        #expect(throws: PortRange.ParseError.reversed("20-10")) { try PortRange(parsing: "20-10") }
        #expect(throws: PortRange.ParseError.syntax("http")) { try PortRange(parsing: "http") }
        #expect(throws: PortRange.ParseError.syntax("-5")) { try PortRange(parsing: "-5") }
    }

    @Test("did-you-mean finds close words and stays quiet for far ones")
    func didYouMean() {
        #expect(DidYouMean.suggestion(for: "privat", among: ["private", "public"]) == "private")
        #expect(DidYouMean.suggestion(for: "secuirty_groups", among: ["security_groups", "subnets"]) == "security_groups")
        #expect(DidYouMean.suggestion(for: "zzz", among: ["private", "public"]) == nil)
    }

    @Test("the resource graph orders dependencies first and reports cycles and dangling ones")
    func graphOrder() throws {
        let graph = try ResourceGraph([
            Resource(address: "subnet:a/x", type: .subnet, properties: [:], dependsOn: ["vpc"]),
            Resource(address: "route_table:a/x", type: .routeTable, properties: [:], dependsOn: ["vpc"]),
            Resource(address: "route_table_association:a/x", type: .routeTableAssociation, properties: [:], dependsOn: ["subnet:a/x", "route_table:a/x"]),
            Resource(address: "vpc", type: .vpc, properties: [:]),
        ])
        #expect(graph.resources.map(\.address) == ["vpc", "subnet:a/x", "route_table:a/x", "route_table_association:a/x"])
        #expect(throws: ResourceGraph.GraphError.missingDependency(address: "subnet:a", dependency: "vpc")) {
            try ResourceGraph([Resource(address: "subnet:a", type: .subnet, properties: [:], dependsOn: ["vpc"])])
        }
        #expect(throws: ResourceGraph.GraphError.cycle(["a", "b"])) {
            try ResourceGraph([Resource(address: "a", type: .vpc, properties: [:], dependsOn: ["b"]),
                               Resource(address: "b", type: .vpc, properties: [:], dependsOn: ["a"])])
        }
    }
}

@Suite("JSON text")
struct JSONTextTests {
    @Test("strings are escaped so that any JSON parser reads back exactly what was written")
    func escaping() throws {
        let tricky = "quote \" backslash \\ newline \n tab \t bell \u{07} slash / é 🚀"
        let document: PropertyValue = ["z": .string(tricky), "a": [1, true, .null, .double(2.5)], "plain": "ok"]
        let text = JSONText.render(document)
        #expect(text.hasPrefix("{\n  \"a\": [\n"), "keys are sorted")
        #expect(text.contains("\\u0007"))
        #expect(text.contains("/"), "slashes are not escaped")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(parsed["z"] as? String == tricky)
        #expect(parsed["plain"] as? String == "ok")
    }
}

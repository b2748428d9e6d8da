import Foundation
import Testing

@Suite("netloom cost", .enabled(if: NetloomProcess.available, "needs the netloom binary: run `swift build` first"))
struct CostCommandTests {
    @Test("ml-workstation text shows both totals, the usage assumptions, and fits 100 columns")
    func workstationText() throws {
        let result = try NetloomProcess.run(["cost", NetloomProcess.examplePath("ml-workstation.yaml")])
        #expect(result.status == 0)
        #expect(result.stdout.contains("$74.72") && result.stdout.contains("$67.42"))
        #expect(result.stdout.contains("nat_gb=0"))
        let wide = result.stdout.split(separator: "\n").filter { $0.count > 100 }
        #expect(wide.isEmpty, "lines wider than 100 columns: \(wide)")
    }

    @Test("JSON carries monthly_usd, items with the SPEC.md fields, and assumptions")
    func json() throws {
        let result = try NetloomProcess.run(["cost", NetloomProcess.examplePath("hyperpod-eks.yaml"), "--format", "json"])
        let object = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        // 2,400 GiB of FSx for Lustre at 250 MB/s/TiB ($0.21/GB-month, $504) is the largest line netloom bills.
        #expect(object["monthly_usd"] as? Double == 713.84)
        #expect(object["monthly_usd_without_public_ipv4"] as? Double == 706.54)
        let items = try #require(object["items"] as? [[String: Any]])
        #expect(items.allSatisfy { Set($0.keys).isSuperset(of: ["address", "component", "quantity", "unit", "unit_usd", "monthly_usd"]) })
        let cluster = try #require(items.first { $0["address"] as? String == "cluster:trainers/workers" })
        #expect(cluster["billed_by"] as? String == "sagemaker" && cluster["monthly_usd"] is NSNull)
        #expect((object["assumptions"] as? [String: Any])?["nat_gb"] as? Double == 500)
    }
}

import Foundation
@testable import NetloomExport
import NetloomModel
import NetloomTestSupport
import Testing

@Suite("exports: what each engine gets, and what it cannot express")
struct ExportTranslationTests {
    @Test("Terraform gets one resource block per resource expand lists, for every example", arguments: ExampleSpecs.names)
    func terraformHoldsEveryResource(name: String) throws {
        let source = try ExportFixtures.source(example: name)
        let export = try TerraformExport.make(source)
        let main = try JSONDecoder().decode(PropertyValue.self, from: Data(try #require(export.files["main.tf.json"]).utf8))
        let blocks = (main["resource"]?.mapValue ?? [:]).values.reduce(0) { $0 + ($1.mapValue?.count ?? 0) }
        // A certificate's validation is two blocks: its CNAME records (one for_each block) and the wait.
        #expect(blocks == source.resources.count + source.resources.filter { $0.type == .certificateValidation }.count)
        #expect(export.files["variables.tf.json"] == nil, "no example needs a value from the user")
        // Every tag netloom sets is in the configuration, netloom's own included.
        for resource in source.resources {
            guard let tags = resource.properties["tags"]?.mapValue else { continue }
            let address = try #require(tags["netloom:address"]?.stringValue)
            // An Auto Scaling group's tags are `tag` blocks (key, value, propagate_at_launch).
            let written = resource.type == .autoScalingGroup ? "\"value\": \"\(address)\"" : "\"netloom:address\": \"\(address)\""
            #expect(export.files["main.tf.json"]!.contains(written), "\(address) lost its tags")
        }
    }

    @Test("CloudFormation accounts for every resource: under its own logical id, or inside the resource CloudFormation keeps it in",
          arguments: ["inference.yaml", "hyperpod-slurm-dev.yaml", "ml-workstation.yaml"])
    func cloudFormationHoldsEveryResource(name: String) throws {
        let source = try name == "ml-workstation.yaml"
            ? ExportFixtures.source(example: name, editing: ExportFixtures.workstationWithoutFolders) : ExportFixtures.source(example: name)
        var translator = CloudFormationTranslator(source)
        _ = try translator.document()
        for resource in source.resources {
            let own = translator.resources[translator.logicalID(resource.address)] != nil
            let inside = translator.host(of: resource.address).map { translator.resources[translator.logicalID($0)] != nil } ?? false
            #expect(own != inside, "\(resource.address) is \(own ? "both on its own and inside another" : "nowhere in the template")")
        }
    }

    @Test("names come from addresses: a spec whose lists are reordered exports byte for byte the same")
    func reorderingChangesNothing() throws {
        let original = try ExportFixtures.source(example: "ml-workstation.yaml")
        let reordered = try ExportFixtures.source(example: "ml-workstation.yaml") { text in
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            // The three ingress rules of the workstation group, last first; the AZs swapped.
            let rules = lines.indices.filter { lines[$0].contains("{ from: 203.0.113.0/24") }
            let reversed = rules.map { lines[$0] }.reversed()
            for (index, line) in zip(rules, reversed) { lines[index] = line }
            return lines.joined(separator: "\n").replacingOccurrences(of: "azs: [us-east-1a, us-east-1b]", with: "azs: [us-east-1b, us-east-1a]")
                .replacingOccurrences(of: "folders: [raw/, processed/, interim/, external/]", with: "folders: [external/, interim/, processed/, raw/]")
        }
        #expect(try TerraformExport.make(reordered).files == TerraformExport.make(original).files)
        let trimmedOriginal = try ExportFixtures.source(example: "inference.yaml")
        let trimmedReordered = try ExportFixtures.source(example: "inference.yaml") {
            $0.replacingOccurrences(of: "azs: [eu-west-1a, eu-west-1b]", with: "azs: [eu-west-1b, eu-west-1a]")
        }
        #expect(try CloudFormationExport.make(trimmedReordered).template == CloudFormationExport.make(trimmedOriginal).template)
    }

    @Test("two addresses that read alike get names told apart by a hash of each address; the others keep their readable name")
    func alikeNamesAreToldApart() {
        let addresses = ["bucket_object:data/raw.v1/", "bucket_object:data/raw_v1/", "bucket_object:data/clean/"]
        let names = ExportNames(addresses: addresses, stack: "ml", namespace: { _ in "aws_s3_object" }, readable: ExportNames.terraform)
        let reversed = ExportNames(addresses: addresses.reversed(), stack: "ml", namespace: { _ in "aws_s3_object" }, readable: ExportNames.terraform)
        #expect(names["bucket_object:data/clean/"] == "data_clean_")
        #expect(names["bucket_object:data/raw.v1/"] != names["bucket_object:data/raw_v1/"])
        #expect(names["bucket_object:data/raw.v1/"]?.hasPrefix("data_raw_v1__") == true)
        for address in addresses { #expect(names[address] == reversed[address]) }
        #expect(ExportNames.cloudFormation("route_table:app/eu-west-1a") == "RouteTableAppEuWest1a")
    }

    @Test("a property the translation does not know is an error naming the address and the property, in both engines")
    func unknownPropertyIsAnError() throws {
        var source = try ExportFixtures.source(example: "inference.yaml")
        let index = try #require(source.resources.firstIndex { $0.address == "subnet:app/eu-west-1a" })
        source.resources[index].properties["ipv6_native"] = true
        #expect {
            try TerraformExport.make(source)
        } throws: { error in
            let problems = (error as? ExportError)?.problems ?? []
            return problems.count == 1 && problems[0].address == "subnet:app/eu-west-1a" && problems[0].detail.contains("ipv6_native")
        }
        #expect {
            try CloudFormationExport.make(source)
        } throws: { error in
            let problems = (error as? ExportError)?.problems ?? []
            return problems.count == 1 && problems[0].address == "subnet:app/eu-west-1a" && problems[0].kind == .unknownProperty
        }
    }

    @Test("CloudFormation names every resource it cannot make: ml-workstation's folder markers, hyperpod-eks's group without egress")
    func cloudFormationGaps() throws {
        let workstation = try ExportFixtures.source(example: "ml-workstation.yaml")
        let folders = workstation.resources.filter { $0.type == .bucketObject }.map(\.address).sorted()
        #expect(folders.count == 8)
        #expect {
            try CloudFormationExport.make(workstation)
        } throws: { error in
            (error as? ExportError)?.problems.map(\.address) == folders
        }
        #expect {
            try CloudFormationExport.make(try ExportFixtures.source(example: "hyperpod-eks.yaml"))
        } throws: { error in
            let problems = (error as? ExportError)?.problems ?? []
            return problems.map(\.address) == ["security_group:endpoints"] && problems[0].detail.contains("egress")
        }
        // The same stacks without those export.
        _ = try CloudFormationExport.make(try ExportFixtures.source(example: "ml-workstation.yaml", editing: ExportFixtures.workstationWithoutFolders))
        _ = try CloudFormationExport.make(try ExportFixtures.source(example: "hyperpod-eks.yaml", editing: ExportFixtures.endpointsWithEgress))
    }

    @Test("CloudFormation puts a group's egress rules inside it (so AWS's allow-all rule goes) except a rule to the group itself")
    func egressPlacement() throws {
        let export = try CloudFormationExport.make(try ExportFixtures.source(example: "hyperpod-slurm-dev.yaml"))
        let template = export.template
        // efa: `to: any, protocol: all` inside the group, `to: self` on its own.
        #expect(template.contains("SecurityGroupEgress:"))
        #expect(template.contains("Type: \"AWS::EC2::SecurityGroupEgress\""))
        #expect(template.contains("DestinationSecurityGroupId:"))
        #expect(export.notes.contains { $0.contains("sg_rule") })
    }

    @Test("${account_id} becomes the provider's account in Terraform and AWS::AccountId in CloudFormation; other ${ stay literal")
    func accountID() throws {
        let source = try ExportFixtures.source(example: "ml-workstation.yaml", editing: ExportFixtures.workstationWithoutFolders)
        let main = try #require(try TerraformExport.make(source).files["main.tf.json"])
        #expect(main.contains("${data.aws_caller_identity.current.account_id}"))
        #expect(!main.contains("${account_id}"))
        let template = try CloudFormationExport.make(source).template
        #expect(template.contains("${AWS::AccountId}"))
        #expect(!template.contains("${account_id}"))
    }
}

import Foundation
import NetloomTestSupport
import Testing

@Suite("netloom export")
struct ExportCommandTests {
    func directory() throws -> String {
        let path = NSTemporaryDirectory() + "netloom-export-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("terraform writes main.tf.json into the directory it makes, and nothing else")
    func terraformWritesTheDirectory() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let target = root + "/infra/model-api"
        let run = try NetloomRun(["export", "terraform", NetloomRun.example("inference.yaml"), "-o", target, "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: target) == ["main.tf.json"])
        let document = try run.json()
        #expect(document["engine"] as? String == "terraform" && document["resources"] as? Int == 49)
    }

    @Test("what CloudFormation cannot make is listed address by address, exit 1, and an existing template is left as it was")
    func cloudFormationRefusesAndWritesNothing() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let template = root + "/template.yaml"
        try "previous template\n".write(toFile: template, atomically: true, encoding: .utf8)
        let run = try NetloomRun(["export", "cloudformation", NetloomRun.example("ml-workstation.yaml"), "-o", template])
        #expect(run.status == 1)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("error: bucket_object:") }.count == 8, "\(run.stderr)")
        #expect(lines.last?.contains("nothing was written") == true)
        #expect(try String(contentsOfFile: template, encoding: .utf8) == "previous template\n")
    }

    @Test("a file where terraform wants a directory, and an unknown engine, are refused")
    func badDestinations() throws {
        let root = try directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let file = root + "/main.tf.json"
        try "{}".write(toFile: file, atomically: true, encoding: .utf8)
        let onFile = try NetloomRun(["export", "terraform", NetloomRun.example("inference.yaml"), "-o", file])
        #expect(onFile.status == 1 && onFile.stderr.contains("is a file"), "\(onFile.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "{}")
        let unknown = try NetloomRun(["export", "pulumi", NetloomRun.example("inference.yaml"), "-o", root])
        #expect(unknown.status == 64, "\(unknown.stderr)")
        let help = try NetloomRun(["export", "--help"])
        #expect(help.status == 0 && help.stdout.contains("Examples:") && help.stdout.contains("netloom export terraform"))
    }
}

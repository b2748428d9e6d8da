import ArgumentParser
import Foundation
import NetloomExport
import NetloomModel

/// `netloom export terraform|cloudformation SPEC -o PATH`: the stack as another tool's
/// configuration. Parses, calls NetloomExport, writes; nothing else.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the stack as a Terraform configuration or a CloudFormation template.",
        discussion: """
        The export creates exactly the resources `netloom expand` lists, with the
        same names, CIDRs, rules, settings and tags, so that `netloom plan` against
        what Terraform or CloudFormation built finds nothing to change.

        terraform: -o is a directory; main.tf.json (hashicorp/aws 5.x) is written
        there, with variables.tf.json only when a value must come from you.
        cloudformation: -o is the template file (YAML); create the stack with
        --capabilities CAPABILITY_NAMED_IAM when it holds IAM resources.

        What one engine cannot express is an error naming its address, and then
        nothing is written. Files are replaced atomically.

        Examples:
          netloom export terraform examples/inference.yaml -o infra/
          cd infra && terraform init && terraform apply
          netloom export cloudformation examples/inference.yaml -o model-api.yaml
          aws cloudformation deploy --template-file model-api.yaml \\
            --stack-name model-api --capabilities CAPABILITY_NAMED_IAM

        Exit codes: 0 written, 1 cannot be exported or written, 64 usage, 65 invalid spec.
        """
    )

    enum Engine: String, ExpressibleByArgument, CaseIterable {
        case terraform, cloudformation
    }

    @Argument(help: ArgumentHelp("terraform or cloudformation.", valueName: "engine"))
    var engine: Engine

    @OptionGroup var spec: SpecOptions

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp(
        "Where to write: a directory for terraform (created when missing), the template file for cloudformation.", valueName: "path"))
    var outputPath: String

    @OptionGroup var output: FormatOption

    func validate() throws {
        if outputPath.isEmpty { throw ValidationError("-o needs a path") }
    }

    func run() async throws {
        let console = Console.current(environment: ProcessInfo.processInfo.environment)
        let expanded = try SpecInput.expand(spec, console: console)
        let source = ExportSource(expanded)
        // Everything is made before anything is written: an export that fails writes nothing.
        let made: (files: [(path: String, contents: String)], notes: [String])
        switch translate(source) {
        case .success(let result):
            made = result
        case .failure(let error):
            for problem in error.problems { console.error(problem.description) }
            let count = error.problems.count == 1 ? "1 problem" : "\(error.problems.count) problems"
            console.error("\(count): the stack \(source.stack) cannot be exported to \(engine.rawValue); nothing was written")
            throw ExitStatus.runtimeFailure
        }
        let (files, notes) = made
        do {
            try prepareDestination()
            for file in files {
                // Foundation's atomic write goes through a temporary file renamed into place.
                try Data(file.contents.utf8).write(to: URL(fileURLWithPath: file.path), options: .atomic)
            }
        } catch {
            console.error("cannot write the \(engine.rawValue) export to \(outputPath): \(error.localizedDescription)")
            throw ExitStatus.runtimeFailure
        }
        for note in notes { console.warning(note) }
        switch output.format {
        case .json:
            console.write(JSONText.render(.map([
                "engine": .string(engine.rawValue), "stack": .string(source.stack),
                "resources": .int(source.resources.count), "files": .list(files.map { .string($0.path) }), "notes": .list(notes.map { .string($0) }),
            ])))
        case .text:
            console.write("Exported \(source.resources.count) resources of \(source.stack) to \(engine.rawValue): \(files.map(\.path).joined(separator: ", "))")
        }
    }

    /// The files to write (full paths) and the notes to print.
    func translate(_ source: ExportSource) -> Result<(files: [(path: String, contents: String)], notes: [String]), ExportError> {
        do throws(ExportError) {
            switch engine {
            case .terraform:
                let export = try TerraformExport.make(source)
                let directory = URL(fileURLWithPath: outputPath)
                return .success((export.files.keys.sorted().map { (directory.appendingPathComponent($0).path, export.files[$0]!) }, []))
            case .cloudformation:
                let export = try CloudFormationExport.make(source)
                return .success(([(outputPath, export.template)], export.notes))
            }
        } catch {
            return .failure(error)
        }
    }

    /// Terraform's directory exists (made when missing); CloudFormation's file is not a directory.
    func prepareDestination() throws {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: outputPath, isDirectory: &isDirectory)
        switch engine {
        case .terraform:
            if exists && !isDirectory.boolValue {
                throw CocoaError(.fileWriteFileExists, userInfo: [NSLocalizedDescriptionKey: "\(outputPath) is a file; terraform's -o is a directory"])
            }
            if !exists { try FileManager.default.createDirectory(atPath: outputPath, withIntermediateDirectories: true) }
        case .cloudformation:
            if exists && isDirectory.boolValue {
                throw CocoaError(.fileWriteFileExists, userInfo: [NSLocalizedDescriptionKey: "\(outputPath) is a directory; cloudformation's -o is the template file"])
            }
        }
    }
}

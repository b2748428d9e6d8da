import ArgumentParser

/// How results are printed: text for people, JSON for programs.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

/// The spec argument and the options every spec-reading command shares.
struct SpecOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The stack spec (YAML).", valueName: "spec"))
    var specPath: String

    @Option(name: .long, help: ArgumentHelp(
        "State: a SQLite file, or s3://BUCKET/KEY for a state a team shares (default: $NETLOOM_STATE, else the spec's `state:`, else .netloom/<stack>.sqlite beside the spec).",
        valueName: "path|s3-url"))
    var state: String?

    @Option(name: .long, help: ArgumentHelp("AWS region; must match the spec's region when given.", valueName: "region"))
    var region: String?

    @Option(name: .long, help: ArgumentHelp("AWS profile from ~/.aws/config and ~/.aws/credentials.", valueName: "name"))
    var profile: String?

    func validate() throws {
        if specPath.isEmpty { throw ValidationError("the spec path is empty") }
    }
}

struct FormatOption: ParsableArguments {
    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text
}

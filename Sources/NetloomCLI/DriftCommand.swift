import ArgumentParser
import Foundation
import NetloomEngine
import NetloomModel

struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Show what changed in AWS outside netloom, with the spec line that owns it.",
        discussion: """
        Reads the stack from AWS and classifies each difference: modified (a field or tag
        differs), deleted (in the state, gone from AWS), added (a rule, route or entry in one of
        the stack's groups, tables or ACLs that the spec does not have). Exit 0 without drift,
        2 with drift; `netloom apply` repairs it.

        Examples:
          netloom drift examples/inference.yaml
          netloom drift examples/inference.yaml --format json | jq '.drift[] | select(.kind == "added")'
        """
    )

    @OptionGroup var spec: SpecOptions
    @OptionGroup var output: FormatOption
    @OptionGroup var deadline: TimeoutOption
    @OptionGroup var logging: LoggingOptions

    @Flag(name: .long, help: "Print the number of AWS calls by service and action on stderr.")
    var stats = false

    func run() async throws {
        let console = Console.current(environment: ProcessInfo.processInfo.environment)
        let started = ContinuousClock.now
        let session = try await EngineSession.open(spec, timeout: deadline.runTimeout, logging: logging, console: console, createsState: false)
        let items: [DriftItem]
        do {
            items = try await session.engine.drift(session.expanded.graph)
        } catch {
            await session.close()
            session.reportReadFailure(error, nothingDone: nil)
            throw ExitStatus.runtimeFailure
        }
        if stats { session.printStats(elapsed: ContinuousClock.now - started) }
        await session.close()
        switch output.format {
        case .json:
            let entries: [PropertyValue] = items.map { item in
                var entry: [String: PropertyValue] = ["address": .string(item.address), "kind": .string(item.kind.rawValue), "field": .string(item.field),
                                                      "expected": .string(item.expected), "actual": .string(item.actual)]
                if let location = item.location { entry["location"] = .string(location.description) }
                return .map(entry)
            }
            console.write(JSONText.render(.map(["drift": .list(entries)])))
        case .text:
            if items.isEmpty {
                console.write("No drift. AWS matches what netloom applied for \(session.expanded.spec.stack).")
            } else {
                for item in items {
                    let place = item.location.map { "\($0): " } ?? ""
                    switch item.kind {
                    case .deleted: console.write("\(place)\(item.address): deleted outside netloom")
                    case .added: console.write("\(place)\(item.address): \(item.field) added outside netloom: \(item.actual)")
                    case .modified: console.write("\(place)\(item.address): \(item.field) is \(item.actual), the spec says \(item.expected)")
                    }
                }
                console.write("\(items.count) difference\(items.count == 1 ? "" : "s"); `netloom apply` brings AWS back to the spec.")
            }
        }
        if !items.isEmpty { throw ExitStatus.changesPresent }
    }
}

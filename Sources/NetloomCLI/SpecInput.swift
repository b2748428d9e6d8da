import ArgumentParser
import NetloomModel
import NetloomPlanning
import NetloomSpec

/// Exit statuses of SPEC.md section 4.
enum ExitStatus {
    static let runtimeFailure = ExitCode(1)
    static let changesPresent = ExitCode(2)
    static let checkFailed = ExitCode(3)
    static let invalidSpec = ExitCode(65)
}

/// Loads and expands a spec, printing its problems and exiting 65 when it is invalid.
enum SpecInput {
    static func load(_ options: SpecOptions, console: Console) throws -> StackSpec {
        let spec: StackSpec
        do {
            spec = try SpecLoader.load(contentsOf: options.specPath)
        } catch {
            console.report(error)
            throw ExitStatus.invalidSpec
        }
        if let region = options.region, region != spec.region {
            console.error("--region \(region) does not match the spec's region \(spec.region)")
            throw ExitCode.validationFailure
        }
        return spec
    }

    static func expand(_ options: SpecOptions, console: Console) throws -> ExpandedStack {
        try expand(try load(options, console: console), console: console)
    }

    /// Expands a loaded spec; `previousAllocations` come from the state.
    static func expand(_ spec: StackSpec, previousAllocations: [SubnetKey: CIDRBlock] = [:], console: Console) throws -> ExpandedStack {
        do {
            return try StackExpander.expand(spec, previousAllocations: previousAllocations)
        } catch {
            console.report(error)
            throw ExitStatus.invalidSpec
        }
    }
}

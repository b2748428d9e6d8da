import NetloomModel

/// Why a stack could not be exported: every resource (or property) the target engine cannot
/// express, each with its address, found in one pass so the user sees them all at once.
public struct ExportError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The engine has no resource type or argument for what netloom builds.
        case inexpressible
        /// A property the translator does not know: a newer netloom property must be mapped
        /// before it can be exported, never dropped.
        case unknownProperty
        /// The expansion itself is inconsistent (a reference to an address it does not hold).
        case malformedExpansion
    }

    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var kind: Kind
        public var address: String
        public var detail: String

        public var description: String { "\(address): \(detail)" }
    }

    /// `terraform` or `cloudformation`.
    public var engine: String
    public var problems: [Problem]

    public var description: String {
        let lines = problems.map { "error: \($0)" }
        let count = problems.count == 1 ? "1 resource" : "\(problems.count) resources"
        return (lines + ["error: \(count) cannot be exported to \(engine); nothing was written"]).joined(separator: "\n")
    }
}

/// Collects problems while a translation goes on, so one run reports all of them.
struct ProblemList {
    private(set) var problems: [ExportError.Problem] = []

    mutating func add(_ kind: ExportError.Kind, _ address: String, _ detail: String) {
        problems.append(ExportError.Problem(kind: kind, address: address, detail: detail))
    }

    func check(engine: String) throws(ExportError) {
        guard problems.isEmpty else {
            throw ExportError(engine: engine, problems: problems.sorted { ($0.address, $0.detail) < ($1.address, $1.detail) })
        }
    }
}

/// Reads the properties of one resource and remembers which were used, so that a property no
/// translation reads is reported instead of silently left out of the export.
struct PropertyReader {
    let resource: Resource
    private var used: Set<String> = []

    init(_ resource: Resource) { self.resource = resource }

    var address: String { resource.address }

    mutating func take(_ key: String) -> PropertyValue? {
        used.insert(key)
        return resource.properties[key]
    }

    mutating func string(_ key: String) -> String? { take(key)?.stringValue }

    mutating func int(_ key: String) -> Int? { take(key)?.intValue }

    mutating func bool(_ key: String) -> Bool? { take(key)?.boolValue }

    /// Properties that are netloom's planning notes (a subnet's demand, a NAT gateway's AZ): AWS
    /// never sees them, so neither does the export.
    mutating func planningNotes(_ keys: String...) {
        used.formUnion(keys)
    }

    /// Marks every property read: for a type the export reports as inexpressible as a whole,
    /// one problem says it, not one per property.
    mutating func takeAll() {
        used.formUnion(resource.properties.keys)
    }

    /// Properties present that nothing took.
    var unread: [String] { resource.properties.keys.filter { !used.contains($0) }.sorted() }
}

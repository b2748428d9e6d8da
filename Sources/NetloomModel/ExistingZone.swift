/// A hosted zone made outside netloom (`existing: true`), written in a property as its name
/// behind a prefix: the engine looks the zone up by name once per run and puts its id there.
public enum ExistingZone {
    public static let prefix = "route53-zone-named:"

    /// The property value that stands for the existing zone named `name` (`example.com`).
    public static func lookup(_ name: String) -> String { prefix + name }

    /// The zone name a property value stands for, or `nil` when it is not a lookup.
    public static func name(in value: String) -> String? {
        value.hasPrefix(prefix) ? String(value.dropFirst(prefix.count)) : nil
    }
}

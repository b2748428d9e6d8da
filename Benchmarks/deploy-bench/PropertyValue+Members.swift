import NetloomModel

extension PropertyValue {
    /// A member of an object, as the bench reads `netloom expand --format json`.
    subscript(key: String) -> PropertyValue? { mapValue?[key] }
}

/// A JSON scalar given in configuration: `null`, a boolean, a number or a string.
public enum JSONScalar: Sendable, Equatable {
    /// `null`
    case null
    /// `true` or `false`
    case bool(Bool)
    /// A number (libjq keeps numbers as doubles).
    case number(Double)
    /// A string.
    case string(String)
}

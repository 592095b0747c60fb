/// A place in a config file: file, 1-based line and column.
public struct ConfigLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One mistake (or warning) found in a config file.
///
/// Its description reads like
/// `unknown source type 'stdn' at routes.yaml:3:14; did you mean 'stdin'?`.
///
/// Component configs throw it from `validate()` or from custom `Decodable`
/// initialisers; the loader attaches the location of the offending node when
/// the error has none.
public struct ConfigDiagnostic: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Severity: String, Sendable { case error, warning }

    /// What is wrong, without the location.
    public var message: String
    /// Where it is wrong, if known.
    public var location: ConfigLocation?
    /// What would be right: "did you mean 'stdin'?", "known types: …".
    public var hint: String?
    public var severity: Severity
    /// The config key the mistake is about, so the loader can point at it.
    public var field: String?

    public init(_ message: String, at location: ConfigLocation? = nil, hint: String? = nil, severity: Severity = .error) {
        self.message = message
        self.location = location
        self.hint = hint
        self.severity = severity
    }

    /// A mistake in the value of `key`, located at that key when thrown from `validate()`.
    ///
    /// ```swift
    /// throw ConfigDiagnostic.field("count", "count must be 0 (forever) or more")
    /// ```
    public static func field(_ key: String, _ message: String, hint: String? = nil) -> ConfigDiagnostic {
        var d = ConfigDiagnostic(message, hint: hint)
        d.field = key
        return d
    }

    public var description: String {
        var s = message
        if let location { s += " at \(location)" }
        if let hint { s += "; \(hint)" }
        return s
    }

    /// `did you mean 'x'?` for the closest candidate, or `expected one of: …`.
    public static func suggestion(for word: String, among candidates: [String], listName: String = "expected one of") -> String? {
        if let best = closestMatch(to: word, in: candidates) { return "did you mean '\(best)'?" }
        guard !candidates.isEmpty else { return nil }
        return "\(listName): \(candidates.sorted().joined(separator: ", "))"
    }
}

/// Every mistake found in a config, in file order.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [ConfigDiagnostic]

    public init(_ diagnostics: [ConfigDiagnostic]) { self.diagnostics = diagnostics }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// The candidate closest to `word` by edit distance, when close enough to be a likely typo.
public func closestMatch(to word: String, in candidates: [String]) -> String? {
    let w = Array(word.lowercased())
    var best: (String, Int)?
    for c in candidates {
        let d = editDistance(w, Array(c.lowercased()))
        let limit = max(1, min(3, (max(w.count, c.count) + 2) / 3))
        if d <= limit, best == nil || d < best!.1 { best = (c, d) }
    }
    return best?.0
}

/// Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions.
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
    }
    return d[a.count][b.count]
}

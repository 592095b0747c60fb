import Yams

extension ComponentConfig {
    /// Decodes one component's config from YAML text the way routes.yaml is
    /// read: the same decoder, unknown keys refused, and the first mistake
    /// thrown as a ``ConfigDiagnostic`` naming `file`:line:column. For
    /// plugin tests and tools that take a component's config on its own.
    ///
    /// ```swift
    /// let config = try HTTPSourceConfig.decode(yaml: "{path: /hooks, methods: [POST]}")
    /// ```
    public static func decode(yaml: String, file: String = "inline.yaml") throws -> Self {
        let session = ConfigSession(file: file)
        guard let node = try Yams.compose(yaml: yaml) else { throw ConfigDiagnostic("empty YAML") }
        do {
            let config = try session.decode(Self.self, from: node)
            session.reportUnknownKeys()
            if let first = session.sortedDiagnostics().first { throw first }
            return config
        } catch is ConfigAlreadyReported {
            throw session.sortedDiagnostics().first ?? ConfigDiagnostic("unreported error")
        }
    }

    /// The diagnostic ``decode(yaml:file:)`` throws for `yaml`, or `nil` when it decodes cleanly.
    ///
    /// ```swift
    /// HTTPSourceConfig.diagnostic(yaml: "{path: hooks}")?.message   // "path must start with '/'"
    /// ```
    public static func diagnostic(yaml: String, file: String = "inline.yaml") -> ConfigDiagnostic? {
        do {
            _ = try decode(yaml: yaml, file: file)
            return nil
        } catch let d as ConfigDiagnostic {
            return d
        } catch {
            return ConfigDiagnostic("\(error)")
        }
    }
}

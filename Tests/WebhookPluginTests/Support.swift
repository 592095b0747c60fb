import Junction
import Testing
import WebhookPlugin
import Yams

/// Decodes a config the way routes.yaml does (same decoder, same diagnostics).
func decode<C: ComponentConfig>(_ type: C.Type, _ yaml: String) throws -> C {
    let session = ConfigSession(file: "t.yaml")
    guard let node = try Yams.compose(yaml: yaml) else { throw ConfigDiagnostic("empty YAML") }
    do {
        let config = try session.decode(C.self, from: node)
        session.reportUnknownKeys()
        if let first = session.sortedDiagnostics().first { throw first }
        return config
    } catch is ConfigAlreadyReported {
        throw session.sortedDiagnostics().first ?? ConfigDiagnostic("unreported error")
    }
}

/// The diagnostic decoding `yaml` produces (nil when it decodes cleanly).
func decodeError<C: ComponentConfig>(_ type: C.Type, _ yaml: String) -> ConfigDiagnostic? {
    do {
        _ = try decode(type, yaml)
        return nil
    } catch let d as ConfigDiagnostic {
        return d
    } catch {
        return ConfigDiagnostic("\(error)")
    }
}

/// A generator that always answers `value`: 0 draws the bottom of any range, `.max` the top.
struct FixedGenerator: RandomNumberGenerator {
    let value: UInt64
    mutating func next() -> UInt64 { value }
}

/// A config holding a secret, to decode one from YAML.
struct SecretHolder: ComponentConfig {
    var secret: StandardWebhookSecret?
    var name = ""
    init() {}
    static let fields: [ConfigField<SecretHolder>] = [
        .field("secret", \.secret, "The secret."),
        .field("name", \.name, "A name."),
    ]
}

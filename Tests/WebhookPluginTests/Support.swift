import Junction
import Testing
import WebhookPlugin

/// Decodes a config the way routes.yaml does (same decoder, same diagnostics).
func decode<C: ComponentConfig>(_ type: C.Type, _ yaml: String) throws -> C {
    try C.decode(yaml: yaml, file: "t.yaml")
}

/// The diagnostic decoding `yaml` produces (nil when it decodes cleanly).
func decodeError<C: ComponentConfig>(_ type: C.Type, _ yaml: String) -> ConfigDiagnostic? {
    C.diagnostic(yaml: yaml, file: "t.yaml")
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

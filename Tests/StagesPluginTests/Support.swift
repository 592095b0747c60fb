import Junction
import StagesPlugin
import Testing

/// Decodes a config the way routes.yaml does (same decoder, same diagnostics).
func decode<C: ComponentConfig>(_ type: C.Type, _ yaml: String) throws -> C {
    try C.decode(yaml: yaml, file: "t.yaml")
}

/// The diagnostic decoding `yaml` produces (nil when it decodes cleanly).
func decodeError<C: ComponentConfig>(_ type: C.Type, _ yaml: String) -> ConfigDiagnostic? {
    C.diagnostic(yaml: yaml, file: "t.yaml")
}

let context = ComponentContext(name: "test", type: "test")

/// Feeds text payloads to a stage.
func run(_ stage: any Stage, _ payloads: [String], metadata: [String: String] = [:]) -> StageOutput {
    var out = StageOutput()
    for p in payloads { stage.process(Message(text: p, metadata: metadata), into: &out) }
    return out
}

extension StageOutput {
    var texts: [String] { messages.map(\.text) }
    var reasons: [String] { rejected.map(\.reason) }
}

/// A clock the test moves by hand.
final class ManualClock {
    var now: UInt64
    init(_ now: UInt64 = 1_000_000_000) { self.now = now }
    var source: StageClock.Source { { self.now } }
}

let second: UInt64 = 1_000_000_000

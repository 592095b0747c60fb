import Junction
import StagesPlugin
import Testing
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

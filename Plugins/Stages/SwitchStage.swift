import Junction
import JunctionJSON

/// Chooses sinks per message: sets `message.targets` to the sinks of the
/// first matching case (or of every matching case without `first_match`),
/// else to `default`; with neither, the message is dropped.
///
/// All cases share one parse of the message. A payload that is not valid JSON
/// is rejected with reason "invalid JSON".
public final class SwitchStage: Stage {
    private let predicates: PredicateSet
    private let targets: [[String]]
    private let defaultTargets: [String]
    private let firstMatch: Bool

    /// Compiles every case's predicate.
    /// - Throws: `ConfigDiagnostic` for a bad regex or field path.
    public init(config: SwitchConfig, context: ComponentContext) throws {
        predicates = try PredicateSet(config.cases.list.map(\.when))
        targets = config.cases.list.map(\.to)
        defaultTargets = config.defaultTargets
        firstMatch = config.firstMatch
    }

    public func process(_ message: Message, into output: inout StageOutput) {
        guard message.withPayloadBytes({ predicates.load(raw: $0) }) else {
            output.reject(message, reason: "invalid JSON")
            return
        }
        var chosen: [String] = []
        for i in targets.indices where predicates.evaluate(i) {
            if firstMatch {
                chosen = targets[i]
                break
            }
            for t in targets[i] where !chosen.contains(t) { chosen.append(t) }
        }
        if chosen.isEmpty { chosen = defaultTargets }
        guard !chosen.isEmpty else { return }
        var m = message
        m.targets = chosen
        output.emit(m)
    }
}

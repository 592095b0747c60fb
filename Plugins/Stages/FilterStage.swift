import Junction
import JunctionJSON

/// Passes the messages whose JSON fields meet a predicate, natively (simdjson
/// On-Demand: each message is parsed once and only the named fields are read).
///
/// A payload that is not valid JSON is rejected with reason "invalid JSON"
/// (it goes to the route's `errors:` sink, or is counted and dropped).
public final class FilterStage: Stage {
    private let predicates: PredicateSet

    /// Compiles the predicate.
    /// - Throws: `ConfigDiagnostic` for a bad regex or field path.
    public init(config: FilterConfig, context: ComponentContext) throws {
        predicates = try PredicateSet([config.predicate])
    }

    public func process(_ message: Message, into output: inout StageOutput) {
        guard message.withPayloadBytes({ predicates.load(raw: $0) }) else {
            output.reject(message, reason: "invalid JSON")
            return
        }
        if predicates.evaluate(0) { output.emit(message) }
    }

    /// Drops in place, so passing messages are not copied.
    public func process(batch: inout [Message], rejected: inout [(message: Message, reason: String)]) {
        let predicates = self.predicates
        batch.removeAll { message in
            guard message.withPayloadBytes({ predicates.load(raw: $0) }) else {
                rejected.append((message, "invalid JSON"))
                return true
            }
            return !predicates.evaluate(0)
        }
    }
}

import Junction
import JunctionJSON

/// Runs a jq program on each message: zero, one or many outputs per input,
/// each a text message with the input's metadata.
///
/// Inputs jq cannot take (invalid JSON) or that make the program fail
/// (`error`, type errors, `halt_error`) are rejected with jq's message;
/// outputs produced before such an error are discarded with the input.
public final class JQStage: Stage {
    private let program: JQProgram
    /// Outputs of the current message, reused across messages.
    private var outputs: [[UInt8]] = []

    /// Compiles the program.
    /// - Throws: `ConfigDiagnostic` with jq's compile errors.
    public init(config: JQConfig, context: ComponentContext) throws {
        do {
            program = try JQProgram(config.expr)
        } catch {
            throw ConfigDiagnostic("jq program does not compile: \(error.message)")
        }
    }

    public func process(_ message: Message, into output: inout StageOutput) {
        var produced = outputs
        outputs = []
        produced.removeAll(keepingCapacity: true)
        let failure = message.withPayloadBytes { json -> JQError? in
            do throws(JQError) {
                try program.run(json) { produced.append(Array($0)) }
                return nil
            } catch {
                return error
            }
        }
        if let failure {
            output.reject(message, reason: failure.description)
        } else {
            for payload in produced {
                var m = message
                m.payload = payload
                m.kind = .text
                output.emit(m)
            }
        }
        produced.removeAll(keepingCapacity: true)
        outputs = produced
    }
}

import Junction
import JunctionJSON

/// The reverse of `batch`: one message per line (empty lines and a trailing
/// "\r" dropped) or per element of a JSON array (its raw JSON text, exactly
/// as written). Each part keeps the input's metadata, minus `batch_count`.
///
/// A payload that is not a valid JSON array is rejected in `json_array` mode.
public final class SplitStage: Stage {
    private let format: PayloadFormat
    private let splitter: JSONArraySplitter?

    /// A splitter for `format`.
    /// - Throws: `ConfigDiagnostic` when the JSON parser cannot be allocated.
    public init(config: SplitConfig, context: ComponentContext) throws {
        format = config.format
        if format == .jsonArray {
            do {
                splitter = try JSONArraySplitter()
            } catch {
                throw ConfigDiagnostic(error.message)
            }
        } else {
            splitter = nil
        }
    }

    public func process(_ message: Message, into output: inout StageOutput) {
        var template = message
        template.metadata["batch_count"] = nil
        switch format {
        case .lines:
            let bytes = message.payload
            var start = 0
            while start < bytes.count {
                var end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
                let next = end + 1
                if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                if end > start {
                    var m = template
                    m.payload = Array(bytes[start..<end])
                    output.emit(m)
                }
                start = next
            }
        case .jsonArray:
            guard let splitter else { return }
            do {
                for element in try splitter.elements(of: message.payload) {
                    var m = template
                    m.payload = element
                    m.kind = .text
                    output.emit(m)
                }
            } catch {
                output.reject(message, reason: error.message)
            }
        }
    }
}

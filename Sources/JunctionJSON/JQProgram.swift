import CJQ

/// A compiled jq program (libjq), run on one JSON document at a time.
///
/// ```swift
/// let program = try JQProgram("select(.seq % 2 == 0) | {portalid, payload}")
/// switch program.run(Array(#"{"seq":2,"portalid":"p1","payload":"x"}"#.utf8)) {
/// case .success(let outputs): print(outputs.count)   // 1, compact JSON bytes
/// case .failure(let error): print(error)
/// }
/// ```
///
/// Not thread-safe: a program belongs to one serial queue. It owns its
/// `jq_state` and frees it once, in `deinit`.
public final class JQProgram {
    /// The program text.
    public let expression: String
    private var state: OpaquePointer?
    private let messages: MessageCollector
    private var scratch: [CChar] = []
    /// A parser kept across inputs, as the jq CLI keeps one for a whole
    /// stream: its token buffer and number-parsing state are reused.
    private var parser: OpaquePointer?
    /// simdjson in front of libjq's parser, for the documents it takes as they are.
    private let builder = JVBuilder()
    private var output: [UInt8] = []

    /// Compiles `expression`.
    /// - Throws: `JQError` of kind `.compile` with jq's messages.
    public init(_ expression: String) throws(JQError) {
        self.expression = expression
        guard let state = jq_init() else { throw JQError(.compile, "out of memory starting jq") }
        self.state = state
        messages = MessageCollector()
        jq_set_error_cb(state, { context, message in
            guard let context else { jv_free(message); return }
            Unmanaged<MessageCollector>.fromOpaque(context).takeUnretainedValue().messages.append(JV.message(message))
        }, Unmanaged.passUnretained(messages).toOpaque())
        let compiled = expression.withCString { jq_compile(state, $0) }
        if compiled == 0 {
            let text = messages.messages
                .map { $0.split(separator: "\n").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }.joined(separator: " ") }
                .filter { !$0.hasPrefix("jq: ") || !$0.hasSuffix("compile error") && !$0.hasSuffix("compile errors") }
                .map { $0.hasPrefix("jq: error: ") ? String($0.dropFirst(11)) : $0 }
                .joined(separator: "; ")
            throw JQError(.compile, text.isEmpty ? "cannot compile '\(expression)'" : text)
        }
        messages.messages.removeAll()
        parser = jv_parser_new(0)
    }

    deinit {
        if let parser { jv_parser_free(parser) }
        if state != nil { jq_teardown(&state) }
    }

    /// Runs the program on one JSON document; every output as compact JSON.
    public func run(_ json: [UInt8]) -> Result<[[UInt8]], JQError> {
        var outputs: [[UInt8]] = []
        let failure = json.withUnsafeBytes { raw -> JQError? in
            do throws(JQError) {
                try run(raw) { outputs.append(Array($0)) }
                return nil
            } catch {
                return error
            }
        }
        if let failure { return .failure(failure) }
        return .success(outputs)
    }

    /// Runs the program on one JSON document, handing each output (compact
    /// JSON, valid only during the call) to `body`.
    ///
    /// Outputs produced before an error have already been handed over when
    /// the error is thrown.
    /// - Throws: `JQError` of kind `.invalidJSON` or `.runtime`.
    public func run(_ json: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) throws(JQError) {
        guard let state else { throw JQError(.runtime, "program released") }
        jq_start(state, try parse(json), 0)
        while true {
            let result = jq_next(state)
            if jv_get_kind(result) != JV_KIND_INVALID {
                output.removeAll(keepingCapacity: true)
                JVWriter.write(result, to: &output)
                jv_free(result)
                output.withUnsafeBytes { body($0) }
                continue
            }
            if jv_invalid_has_msg(jv_copy(result)) != 0 {
                throw JQError(.runtime, JV.message(result))
            }
            jv_free(result)
            break
        }
        if jq_halted(state) != 0 {
            let code = jq_get_exit_code(state)
            let failed = jv_get_kind(code) == JV_KIND_NUMBER ? jv_number_value(code) != 0 : jv_get_kind(code) != JV_KIND_INVALID
            jv_free(code)
            let message = jq_get_error_message(state)
            if jv_get_kind(message) == JV_KIND_STRING || failed {
                let text = jv_get_kind(message) == JV_KIND_INVALID ? "halted" : JV.message(message)
                if jv_get_kind(message) == JV_KIND_INVALID { jv_free(message) }
                throw JQError(.runtime, text.trimmingSpaces())
            }
            jv_free(message)
        }
    }
}

extension JQProgram {
    /// Parses one input: with simdjson when it takes the document as it is,
    /// else with the kept libjq parser; on any doubt there (an error, an
    /// incomplete or extra value) starts a fresh parser and lets
    /// `jv_parse_sized` word the error.
    private func parse(_ json: UnsafeRawBufferPointer) throws(JQError) -> jv {
        let n = json.count
        guard n < Int(Int32.max) - 2 else { throw JQError(.invalidJSON, "document too large") }
        if let fast = builder?.build(json) { return fast }
        if scratch.count < n + 2 { scratch = [CChar](repeating: 0, count: max(n + 2, scratch.count * 2, 256)) }
        // The text plus a newline, which ends a trailing number or literal.
        scratch.withUnsafeMutableBytes { dst in
            if n > 0, let src = json.baseAddress { dst.baseAddress!.copyMemory(from: src, byteCount: n) }
            dst[n] = UInt8(ascii: "\n")
            dst[n + 1] = 0
        }
        if parser == nil { parser = jv_parser_new(0) }
        guard let parser else { throw JQError(.invalidJSON, "out of memory") }
        let value = scratch.withUnsafeBufferPointer { buf -> jv in
            jv_parser_set_buf(parser, buf.baseAddress!, Int32(n + 1), 1)
            return jv_parser_next(parser)
        }
        var clean = jv_get_kind(value) != JV_KIND_INVALID
        if clean {
            let remaining = Int(jv_parser_remaining(parser))
            clean = scratch.withUnsafeBufferPointer { buf in
                buf[(n + 1 - remaining)..<(n + 1)].allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
            }
            if clean && remaining > 0 {
                let rest = jv_parser_next(parser)
                clean = jv_get_kind(rest) == JV_KIND_INVALID && jv_invalid_has_msg(jv_copy(rest)) == 0
                jv_free(rest)
            }
            if clean { return value }
        }
        jv_free(value)
        jv_parser_free(parser)
        self.parser = jv_parser_new(0)
        scratch[n] = 0
        let precise = scratch.withUnsafeBufferPointer { jv_parse_sized($0.baseAddress!, Int32(n)) }
        if jv_get_kind(precise) != JV_KIND_INVALID {
            // Cannot happen when both parsers agree; trust the strict one.
            return precise
        }
        throw JQError(.invalidJSON, JV.parseErrorMessage(precise))
    }
}

/// Collects messages from libjq's error callback.
private final class MessageCollector {
    var messages: [String] = []
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" || c == "\n" || c == "\r" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\n" || c == "\r" { s.removeLast() }
        return String(s)
    }
}

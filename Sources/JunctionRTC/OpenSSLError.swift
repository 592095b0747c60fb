import COpenSSL

/// A failed OpenSSL call: which function failed and the reasons OpenSSL
/// queued for it (oldest first).
///
/// ```swift
/// do {
///     let bytes = try SecureRandom.bytes(16)
/// } catch {
///     print(error)  // "RAND_bytes failed: error:…:random number generator::…"
/// }
/// ```
public struct OpenSSLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The OpenSSL function that reported the failure.
    public let function: String
    /// OpenSSL's own error strings, joined by "; " (empty when it queued none).
    public let reason: String

    /// An error for `function` with OpenSSL's reasons (or one of ours).
    public init(function: String, reason: String) {
        self.function = function
        self.reason = reason
    }

    /// `"<function> failed: <reason>"`.
    public var description: String {
        reason.isEmpty ? "\(function) failed" : "\(function) failed: \(reason)"
    }

    /// Reads and clears this thread's OpenSSL error queue. Call it right
    /// after the failed call, before anything else can touch the queue.
    static func capture(_ function: String) -> OpenSSLError {
        var reasons: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            let text = buffer.withUnsafeMutableBufferPointer { raw -> String in
                ERR_error_string_n(code, raw.baseAddress, raw.count)
                return String(decoding: raw.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            reasons.append(text)
        }
        return OpenSSLError(function: function, reason: reasons.joined(separator: "; "))
    }
}

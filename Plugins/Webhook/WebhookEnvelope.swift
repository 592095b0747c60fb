import Junction

/// The part of a delivery's request that comes from its message, kept in the
/// outbox row's `meta` column: the content type and the forwarded headers,
/// one `name: value` line each.
struct WebhookEnvelope: Sendable, Equatable {
    var headers: [(name: String, value: String)]

    static func == (a: Self, b: Self) -> Bool {
        a.headers.elementsEqual(b.headers) { $0.name == $1.name && $0.value == $1.value }
    }

    /// What `message` asks of its request: `Content-Type` (from its
    /// `content_type` metadata, or guessed from the payload), then each of
    /// `forward` that its metadata has as `header.<name>`.
    init(message: Message, forward: [String]) {
        var headers: [(String, String)] = [("Content-Type", Self.contentType(of: message))]
        for name in forward {
            if let value = message.metadata["header." + name.lowercased()], Self.isSafe(value) {
                headers.append((name, value))
            }
        }
        self.headers = headers
    }

    init(headers: [(name: String, value: String)]) { self.headers = headers }

    /// The `meta` blob.
    var encoded: [UInt8] {
        var out: [UInt8] = []
        for h in headers {
            out += Array(h.name.utf8)
            out += [0x3A, 0x20]
            out += Array(h.value.utf8)
            out.append(0x0A)
        }
        return out
    }

    /// Reads a `meta` blob back; lines without `": "` are skipped.
    init(decoding meta: [UInt8]) {
        var headers: [(String, String)] = []
        for line in meta.split(separator: 0x0A) {
            guard let colon = line.firstIndex(of: 0x3A), colon + 1 < line.endIndex, line[colon + 1] == 0x20 else { continue }
            headers.append((String(decoding: line[..<colon], as: UTF8.self), String(decoding: line[(colon + 2)...], as: UTF8.self)))
        }
        self.headers = headers
    }

    /// `content_type` metadata when it is safe to send; otherwise JSON for text
    /// that starts like JSON, plain text for other text, bytes for binary.
    static func contentType(of message: Message) -> String {
        if let given = message.metadata["content_type"], !given.isEmpty, isSafe(given) { return given }
        guard message.kind == .text else { return "application/octet-stream" }
        let first = message.withPayloadBytes { bytes in bytes.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D } }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[") ? "application/json" : "text/plain; charset=utf-8"
    }

    /// No line breaks or NULs: a header value that cannot split the request.
    static func isSafe(_ value: String) -> Bool {
        !value.utf8.contains { $0 == 0x0A || $0 == 0x0D || $0 == 0 }
    }
}

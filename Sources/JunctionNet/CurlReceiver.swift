/// The context curl's header and write callbacks see for one transfer
/// (through `Unmanaged`, retained by its ``CurlEasy`` for exactly the easy
/// handle's lifetime). Lives on the curl thread only and does no more than
/// copy bytes: a whole response is collected here; a stream's head and body
/// chunks are handed to the ``TransferDelivery`` as they come.
final class CurlReceiver {
    private let delivery: TransferDelivery
    private(set) var status = 0
    private(set) var headers: [String: String] = [:]
    private(set) var body: [UInt8] = []
    /// The final (non-1xx) head has ended; later header lines are trailers.
    private var headComplete = false

    init(delivery: TransferDelivery) {
        self.delivery = delivery
    }

    /// One header line as curl passes it, line break included.
    func header(_ line: UnsafeRawBufferPointer) {
        guard !headComplete else { return }
        var text = String(decoding: line, as: UTF8.self)
        // "\r\n" is one Character: isNewline covers it, "\n" and "\r".
        while let last = text.last, last.isNewline { text.removeLast() }
        if text.hasPrefix("HTTP/") {
            // A status line starts a new head (after a 1xx one, say).
            let fields = text.split(separator: " ", maxSplits: 2)
            status = fields.count > 1 ? Int(fields[1]) ?? 0 : 0
            headers = [:]
        } else if text.isEmpty {
            guard status >= 200 || status == 0 else { return }
            headComplete = true
            if delivery.isStream { delivery.head(status: status, headers: headers) }
        } else if let colon = text.firstIndex(of: ":") {
            let name = text[..<colon].trimmingWhitespace().lowercased()
            let value = String(text[text.index(after: colon)...].trimmingWhitespace())
            if let earlier = headers[name] {
                headers[name] = earlier + ", " + value
            } else {
                headers[name] = value
            }
        }
    }

    /// Body bytes as curl passes them.
    func data(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        delivery.receivedBytes.wrappingAdd(bytes.count, ordering: .relaxed)
        if delivery.isStream {
            delivery.chunk(Array(bytes))
        } else {
            body.append(contentsOf: bytes)
        }
    }

    /// Hands the collected body over (whole responses), leaving none behind.
    func takeBody() -> [UInt8] {
        defer { body = [] }
        return body
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var s = self
        while let first = s.first, first == " " || first == "\t" { s.removeFirst() }
        while let last = s.last, last == " " || last == "\t" { s.removeLast() }
        return s
    }
}

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
        // Bytes, not Characters: this runs for every header of every response.
        var end = line.count
        while end > 0, line[end - 1] == 0x0A || line[end - 1] == 0x0D { end -= 1 }
        let text = UnsafeRawBufferPointer(rebasing: line[..<end])
        if text.starts(with: "HTTP/".utf8) {
            // A status line starts a new head (after a 1xx one, say).
            let fields = text.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: true)
            status = fields.count > 1 ? Int(String(decoding: fields[1], as: UTF8.self)) ?? 0 : 0
            headers = [:]
            headers.reserveCapacity(8)
        } else if text.isEmpty {
            guard status >= 200 || status == 0 else { return }
            headComplete = true
            if delivery.isStream { delivery.head(status: status, headers: headers) }
        } else if let colon = text.firstIndex(of: 0x3A) {
            let raw = Self.trimmed(text[..<colon])
            let name = String(unsafeUninitializedCapacity: raw.count) { out in
                for (i, byte) in raw.enumerated() { out[i] = (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }
                return raw.count
            }
            let value = String(decoding: Self.trimmed(text[(colon + 1)...]), as: UTF8.self)
            if let earlier = headers[name] {
                headers[name] = earlier + ", " + value
            } else {
                headers[name] = value
            }
        }
    }

    /// Without leading and trailing spaces and tabs.
    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        var start = bytes.startIndex, end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return bytes[start..<end]
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

/// The context curl's header and write callbacks see for one transfer
/// (through `Unmanaged`, retained by its ``CurlEasy`` for exactly the easy
/// handle's lifetime). Lives on the curl thread only and does no more than
/// copy bytes: a whole response is collected here; a stream's head and body
/// chunks are handed to the ``TransferDelivery`` as they come.
final class CurlReceiver {
    private let delivery: TransferDelivery
    private(set) var status = 0
    /// The final head's header lines, parsed when asked for.
    private(set) var headerLines = HTTPHeaderLines()
    private(set) var body: [UInt8] = []
    /// The final (non-1xx) head has ended; later header lines are trailers.
    private var headComplete = false

    init(delivery: TransferDelivery) {
        self.delivery = delivery
    }

    /// One header line as curl passes it, line break included.
    func header(_ line: UnsafeRawBufferPointer) {
        guard !headComplete else { return }
        if line.starts(with: "HTTP/".utf8) {
            // A status line starts a new head (after a 1xx one, say).
            let fields = line.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: true)
            status = fields.count > 1 ? Int(String(decoding: fields[1], as: UTF8.self)) ?? 0 : 0
            headerLines.removeAll()
        } else if line.allSatisfy({ $0 == 0x0D || $0 == 0x0A }) {
            guard status >= 200 || status == 0 else { return }
            headComplete = true
            if delivery.isStream { delivery.head(status: status, headers: headerLines.dictionary) }
        } else {
            headerLines.append(line)
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

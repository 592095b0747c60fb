import CWebSockets

/// The service thread's one output buffer, with the `LWS_PRE` headroom that
/// `lws_write` requires in front of the payload. A response's head, body and
/// chunk framing are assembled here and handed to lws in a single write (lws
/// copies whatever the socket can't take yet).
final class LWSWriteBuffer {
    private static let pre = junction_lws_pre()
    private static let initialCapacity = 64 * 1024
    private static let keptCapacity = 1024 * 1024

    private var base: UnsafeMutablePointer<UInt8>
    /// Payload bytes available after the headroom.
    private(set) var capacity: Int
    /// Payload bytes written so far.
    var count = 0

    init() {
        capacity = Self.initialCapacity
        base = .allocate(capacity: Self.pre + capacity)
    }

    deinit {
        base.deallocate()
    }

    /// Start of the payload (`LWS_PRE` bytes into the allocation).
    var payload: UnsafeMutablePointer<UInt8> { base + Self.pre }
    /// One past the last usable payload byte.
    var end: UnsafeMutablePointer<UInt8> { payload + capacity }
    /// Where the next byte goes.
    var cursor: UnsafeMutablePointer<UInt8> { payload + count }

    /// Empties the buffer, giving back memory a huge response made it grow to.
    func reset() {
        count = 0
        if capacity > Self.keptCapacity {
            base.deallocate()
            capacity = Self.initialCapacity
            base = .allocate(capacity: Self.pre + capacity)
        }
    }

    /// Makes room for `extra` more payload bytes, keeping what is written.
    func reserve(_ extra: Int) {
        let needed = count + extra
        guard needed > capacity else { return }
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: Self.pre + newCapacity)
        (newBase + Self.pre).update(from: payload, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        reserve(bytes.count)
        bytes.withUnsafeBufferPointer { src in
            if let start = src.baseAddress { cursor.update(from: start, count: src.count) }
        }
        count += bytes.count
    }

    func append(_ text: StaticString) {
        let n = text.utf8CodeUnitCount
        reserve(n)
        cursor.update(from: text.utf8Start, count: n)
        count += n
    }

    /// Appends a String's UTF-8 (named apart from `append(_: StaticString)`,
    /// which literals keep choosing).
    func appendUTF8(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            guard let start = utf8.baseAddress, !utf8.isEmpty else { return }
            reserve(utf8.count)
            cursor.update(from: start, count: utf8.count)
            count += utf8.count
        }
    }

    /// Appends a non-negative `value` in decimal.
    func appendDecimal(_ value: Int) {
        reserve(20)
        var v = UInt(max(0, value))
        var digits = 0
        var rest = v
        repeat {
            digits += 1
            rest /= 10
        } while rest != 0
        for i in stride(from: digits - 1, through: 0, by: -1) {
            cursor[i] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
        }
        count += digits
    }

    /// Appends `value` in lowercase hex (chunk sizes).
    func appendHex(_ value: Int) {
        reserve(16)
        let digits: StaticString = "0123456789abcdef"
        var v = UInt(value)
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &tmp) { t in
            repeat {
                t[n] = digits.utf8Start[Int(v & 0xf)]
                v >>= 4
                n += 1
            } while v != 0
            for i in 0..<n { cursor[i] = t[n - 1 - i] }
        }
        count += n
    }
}

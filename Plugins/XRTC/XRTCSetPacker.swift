/// Packs outgoing payloads into `item/set` bodies within the server's limits:
/// at most `itemsPerSet` items and `payloadBytesPerSet` payload bytes (UTF-8)
/// per request. A payload over the byte limit on its own cannot be sent: it is
/// reported, never truncated.
///
/// ```swift
/// let packer = XRTCSetPacker(portal: "ptz", itemsPerSet: 10, payloadBytesPerSet: 1024)
/// let packed = packer.pack(["a", "b"])   // one body with two items
/// ```
struct XRTCSetPacker: Sendable {
    let portal: String
    let itemsPerSet: Int
    let payloadBytesPerSet: Int

    /// The request bodies in order, how many payloads each carries, and the
    /// indexes of the payloads too large to send.
    struct Packed: Equatable {
        var bodies: [[UInt8]] = []
        var counts: [Int] = []
        var oversized: [Int] = []
    }

    func pack(_ payloads: [String]) -> Packed {
        var packed = Packed()
        var items: [[UInt8]] = []
        var bytes = 0
        func flush() {
            guard !items.isEmpty else { return }
            var body = Array(#"{"items":["#.utf8)
            for (i, item) in items.enumerated() {
                if i > 0 { body.append(0x2C) }
                body += item
            }
            body += Array("]}".utf8)
            packed.bodies.append(body)
            packed.counts.append(items.count)
            items.removeAll(keepingCapacity: true)
            bytes = 0
        }
        let portalJSON = XRTCJSON.quoted(portal)
        for (index, payload) in payloads.enumerated() {
            let size = payload.utf8.count
            guard size <= payloadBytesPerSet else {
                packed.oversized.append(index)
                continue
            }
            if items.count == itemsPerSet || bytes + size > payloadBytesPerSet { flush() }
            items.append(Array(#"{"portalid":"#.utf8) + portalJSON + Array(#","payload":"#.utf8) + XRTCJSON.quoted(payload) + [0x7D])
            bytes += size
        }
        flush()
        return packed
    }
}

import Foundation
import Junction

/// How bytes on a stream become messages and back.
public enum StdioCodec: String, ConfigEnum {
    /// One message per line; the newline is not part of the message. Text.
    case lines
    /// Whatever one read returns is one message. Binary.
    case raw
    /// Each message is prefixed by its length as a 4-byte big-endian integer. Binary.
    case lengthDelimited = "length_delimited"
}

/// Splits a byte stream into messages by codec, carrying partial frames across reads.
struct StreamDecoder {
    let codec: StdioCodec
    let maxMessageSize: Int
    private var pending: [UInt8] = []
    private var skippingLongLine = false
    /// Frames over `maxMessageSize`, skipped and counted.
    private(set) var oversized = 0
    /// Length-delimited frames cut off by the end of the stream, dropped and counted.
    private(set) var incomplete = 0

    init(codec: StdioCodec, maxMessageSize: Int) {
        self.codec = codec
        self.maxMessageSize = maxMessageSize
    }

    /// Decodes the bytes of one read into `out`. Complete lines share one
    /// right-sized chunk instead of an allocation each.
    mutating func decode(_ read: UnsafeRawBufferPointer, into out: inout [Message], metadata: [String: String]) {
        guard read.count > 0 else { return }
        switch codec {
        case .raw:
            out.append(Message(payload: Array(read), kind: .binary, metadata: metadata))
        case .lines:
            let chunk = ByteChunk(capacity: read.count)
            chunk.bytes.copyMemory(from: read)
            decodeLines(chunk, into: &out, metadata: metadata)
        case .lengthDelimited:
            pending.append(contentsOf: read)
            decodeFrames(into: &out, metadata: metadata)
        }
    }

    private mutating func decodeLines(_ chunk: ByteChunk, into out: inout [Message], metadata: [String: String]) {
        let base = UnsafePointer(chunk.bytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
        var start = 0
        let end = chunk.capacity
        let now = Message.now()
        out.reserveCapacity(out.count + end / 64)
        while start < end {
            guard let hit = memchr(base + start, 0x0A, end - start) else { break }
            let nl = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
            if skippingLongLine {
                skippingLongLine = false
            } else if pending.isEmpty {
                var len = nl - start
                if len > 0, base[start + len - 1] == 0x0D { len -= 1 }  // CRLF
                if len > maxMessageSize {
                    oversized += 1
                } else {
                    out.append(Message(chunk: chunk, offset: start, count: len, kind: .text, metadata: metadata, timestamp: now))
                }
            } else {
                pending.append(contentsOf: UnsafeBufferPointer(start: base + start, count: nl - start))
                if pending.last == 0x0D { pending.removeLast() }
                if pending.count > maxMessageSize { oversized += 1 } else {
                    out.append(Message(payload: pending, kind: .text, metadata: metadata, timestamp: now))
                }
                pending = []
            }
            start = nl + 1
        }
        if start < end, !skippingLongLine {
            pending.append(contentsOf: UnsafeBufferPointer(start: base + start, count: end - start))
            if pending.count > maxMessageSize {
                oversized += 1
                pending = []
                skippingLongLine = true
            }
        }
    }

    private mutating func decodeFrames(into out: inout [Message], metadata: [String: String]) {
        var offset = 0
        while pending.count - offset >= 4 {
            let len = Int(pending[offset]) << 24 | Int(pending[offset + 1]) << 16 | Int(pending[offset + 2]) << 8 | Int(pending[offset + 3])
            guard pending.count - offset - 4 >= len else { break }
            if len > maxMessageSize {
                oversized += 1
            } else {
                out.append(Message(payload: Array(pending[(offset + 4)..<(offset + 4 + len)]), kind: .binary, metadata: metadata))
            }
            offset += 4 + len
        }
        if offset > 0 { pending.removeFirst(offset) }
    }

    /// End of stream: a last line without newline is still a message; a cut-off
    /// length-delimited frame is dropped and counted. The decoder starts afresh.
    mutating func finish(into out: inout [Message], metadata: [String: String]) {
        if codec == .lines, !pending.isEmpty, !skippingLongLine {
            out.append(Message(payload: pending, kind: .text, metadata: metadata))
        }
        if codec == .lengthDelimited, !pending.isEmpty { incomplete += 1 }
        pending = []
        skippingLongLine = false
    }
}

/// Frames messages for a byte stream by codec.
enum StreamEncoder {
    static func encode(_ batch: [Message], codec: StdioCodec, into buffer: inout [UInt8]) {
        switch codec {
        case .lines:
            for m in batch {
                m.withPayloadBytes { buffer.append(contentsOf: $0) }
                buffer.append(0x0A)
            }
        case .raw:
            for m in batch { m.withPayloadBytes { buffer.append(contentsOf: $0) } }
        case .lengthDelimited:
            for m in batch {
                let n = UInt32(truncatingIfNeeded: m.byteSize)
                buffer.append(contentsOf: [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)])
                m.withPayloadBytes { buffer.append(contentsOf: $0) }
            }
        }
    }
}

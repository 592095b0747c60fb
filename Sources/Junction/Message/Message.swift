import Foundation

/// One unit of data moving through a route: bytes plus metadata.
///
/// Text and binary stay distinguishable, because WebSockets and data channels
/// care. Backpressure counts `accountedSize`: the payload's size, at least 1,
/// plus a small fixed overhead, so empty messages still fill an edge.
///
/// ```swift
/// var m = Message(text: #"{"level":"alert"}"#)
/// m.metadata["source"] = "lines"
/// ```
public struct Message: Sendable {
    /// Whether the payload is UTF-8 text or opaque bytes.
    public enum Kind: UInt8, Sendable {
        case text
        case binary
    }

    /// Where the bytes live: an array of their own, or a range of a chunk shared
    /// with the other messages of one read (no allocation per message).
    @usableFromInline
    enum Storage: Sendable {
        case owned([UInt8])
        case shared(ByteChunk, offset: Int32, count: Int32)
    }

    @usableFromInline var storage: Storage
    /// Text or binary.
    public var kind: Kind
    /// String metadata: `source`, `portalid`, `session_id`, HTTP headers, …
    public var metadata: [String: String]
    /// When Junction received the message, in nanoseconds since the Unix epoch.
    public var timestamp: UInt64
    /// Sink names a `switch` stage chose for this message; `nil` means every sink of the route.
    public var targets: [String]?
    /// Settles when the pipeline is done with every copy of this message; see ``Receipt``.
    /// Stages that make one message out of several combine their receipts.
    public var receipt: Receipt?

    public init(
        payload: [UInt8],
        kind: Kind = .binary,
        metadata: [String: String] = [:],
        timestamp: UInt64 = Message.now()
    ) {
        self.storage = .owned(payload)
        self.kind = kind
        self.metadata = metadata
        self.timestamp = timestamp
        self.targets = nil
        self.receipt = nil
    }

    /// A message whose payload is `count` bytes of `chunk` from `offset`; the chunk
    /// must not change afterwards. Sources that split one read into many messages use
    /// this to avoid an allocation per message.
    public init(chunk: ByteChunk, offset: Int, count: Int, kind: Kind, metadata: [String: String] = [:], timestamp: UInt64) {
        precondition(offset >= 0 && count >= 0 && offset + count <= chunk.capacity, "range outside the chunk")
        if count <= Int(Int32.max) {
            self.storage = .shared(chunk, offset: Int32(truncatingIfNeeded: offset), count: Int32(truncatingIfNeeded: count))
        } else {
            self.storage = .owned(Array(UnsafeRawBufferPointer(rebasing: chunk.bytes[offset..<(offset + count)])))
        }
        self.kind = kind
        self.metadata = metadata
        self.timestamp = timestamp
        self.targets = nil
        self.receipt = nil
    }

    /// A text message from a Swift string.
    public init(text: String, metadata: [String: String] = [:]) {
        self.init(payload: Array(text.utf8), kind: .text, metadata: metadata)
    }

    /// The message body. Reading a shared payload copies it; prefer
    /// `withPayloadBytes` on hot paths.
    public var payload: [UInt8] {
        get {
            switch storage {
            case let .owned(bytes): return bytes
            case let .shared(chunk, offset, count):
                return Array(UnsafeRawBufferPointer(rebasing: chunk.bytes[Int(offset)..<Int(offset + count)]))
            }
        }
        set { storage = .owned(newValue) }
    }

    /// Calls `body` with the payload bytes, without copying.
    @inlinable
    public func withPayloadBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch storage {
        case let .owned(bytes): return try bytes.withUnsafeBytes(body)
        case let .shared(chunk, offset, count):
            return try body(UnsafeRawBufferPointer(rebasing: chunk.bytes[Int(offset)..<Int(offset + count)]))
        }
    }

    /// The payload decoded as UTF-8 (invalid sequences repaired).
    public var text: String { withPayloadBytes { String(decoding: $0, as: UTF8.self) } }

    /// The payload's size in bytes.
    @inlinable public var byteSize: Int {
        switch storage {
        case let .owned(bytes): return bytes.count
        case let .shared(_, _, count): return Int(count)
        }
    }

    /// What one message costs an edge beyond its payload: a floor for the
    /// bookkeeping each queued message needs, so that a flood of empty or tiny
    /// messages still reaches `high_water`.
    public static let accountingOverhead = 16

    /// Bytes this message counts for in `bufferedAmount`: `max(1, byteSize)`
    /// plus `accountingOverhead`. It depends on the payload's size only, not on
    /// where the bytes live, so `compact()` never changes it.
    @inlinable public var accountedSize: Int { max(1, byteSize) &+ Message.accountingOverhead }

    /// Whether the payload is a range of a shared `ByteChunk`.
    public var isChunkBacked: Bool {
        if case .shared = storage { return true }
        return false
    }

    /// Copies a chunk-backed payload into an array of its own, so that holding
    /// this message no longer keeps the whole chunk alive. Owned payloads are
    /// left as they are.
    public mutating func compact() {
        guard case let .shared(chunk, offset, count) = storage else { return }
        storage = .owned(Array(UnsafeRawBufferPointer(rebasing: chunk.bytes[Int(offset)..<Int(offset + count)])))
    }

    /// The current wall-clock time in nanoseconds since the Unix epoch.
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}

/// A block of bytes that many messages share (one read of a stream). Fill it,
/// then make messages from ranges of it; it is freed when the last one goes.
///
/// ```swift
/// let chunk = ByteChunk(capacity: 65536)
/// let n = read(fd, chunk.bytes.baseAddress, chunk.capacity)
/// let first = Message(chunk: chunk, offset: 0, count: 10, kind: .text, timestamp: Message.now())
/// ```
public final class ByteChunk: @unchecked Sendable {
    /// The memory; write it only before the first message is made from it.
    public let bytes: UnsafeMutableRawBufferPointer
    public var capacity: Int { bytes.count }

    public init(capacity: Int) {
        bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { bytes.deallocate() }
}

extension Array where Element == Message {
    /// Sum of the payload sizes of a batch.
    @inlinable public var byteSize: Int {
        var total = 0
        for m in self { total &+= m.byteSize }
        return total
    }

    /// Sum of the `accountedSize` of a batch: what it counts for in `bufferedAmount`.
    @inlinable public var accountedSize: Int {
        var total = 0
        for m in self { total &+= m.accountedSize }
        return total
    }

    /// Compacts the messages of every chunk that this batch uses less than a
    /// quarter of (the few survivors of a filter, say), so that queueing them
    /// does not pin whole chunks: what stays pinned is at most about four times
    /// what the batch holds. Returns how many messages were copied. A batch
    /// straight from a read covers its chunk (a separator byte per message
    /// counts as used) and is left alone, so the common path copies nothing.
    @discardableResult
    public mutating func releaseSparseChunks() -> Int {
        // Look before touching: a mutating pass makes a shared array unique,
        // which copies every message of a batch that needs nothing.
        guard var i = firstSparseRun() else { return 0 }
        var copied = 0
        while i < endIndex {
            guard let run = chunkRun(at: i) else {
                i += 1
                continue
            }
            if run.sparse {
                for k in i..<run.end { self[k].compact() }
                copied += run.end - i
            }
            i = run.end
        }
        return copied
    }

    /// Where the first run of messages that uses less than a quarter of its
    /// chunk starts; nil when there is none (always, for owned payloads).
    private func firstSparseRun() -> Int? {
        var i = startIndex
        while i < endIndex {
            guard let run = chunkRun(at: i) else {
                i += 1
                continue
            }
            if run.sparse { return i }
            i = run.end
        }
        return nil
    }

    /// The run of consecutive messages on the chunk of the message at `i`
    /// (nil when its payload is its own): where the run ends, and whether it
    /// uses less than a quarter of the chunk (a separator byte per message
    /// counts as used).
    private func chunkRun(at i: Int) -> (end: Int, sparse: Bool)? {
        guard case let .shared(chunk, _, _) = self[i].storage else { return nil }
        var end = i
        var used = 0
        while end < endIndex, case let .shared(c, _, count) = self[end].storage, c === chunk {
            used += Int(count) + 1
            end += 1
        }
        return (end, used * 4 < chunk.capacity)
    }
}

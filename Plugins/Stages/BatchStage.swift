import Junction

/// Joins messages into one: emitted when `count` messages or `bytes` are
/// reached, when `period` has passed since the batch's first message, and
/// when the input ends.
///
/// The batch carries the first message's metadata and timestamp plus
/// `batch_count`; it is text unless an input was binary.
public final class BatchStage: Stage {
    private let clock: StageClock.Source
    private let count: Int
    private let maxBytes: Int?
    private let periodNs: UInt64?
    private let format: PayloadFormat
    private var held: [Message] = []
    private var size = 0
    private var startedAt: UInt64 = 0

    /// An empty batch.
    public init(config: BatchConfig, context: ComponentContext, clock: @escaping StageClock.Source = StageClock.now) {
        self.clock = clock
        count = config.count
        maxBytes = config.bytes?.bytes
        periodNs = config.period?.nanoseconds
        format = config.format
        held.reserveCapacity(min(count, 4096))
    }

    /// Messages in the current batch.
    public var heldCount: Int { held.count }

    public var nextDeadline: UInt64? {
        guard let periodNs, !held.isEmpty else { return nil }
        return startedAt &+ periodNs
    }

    public func process(_ message: Message, into output: inout StageOutput) {
        if let maxBytes, !held.isEmpty, size + separatorSize + message.byteSize > maxBytes {
            emit(into: &output)
        }
        if held.isEmpty {
            startedAt = clock()
            size = format == .jsonArray ? 2 : 0
        } else {
            size += separatorSize
        }
        held.append(message)
        size += message.byteSize
        if held.count >= count || (maxBytes.map { size >= $0 } ?? false) {
            emit(into: &output)
        }
    }

    public func flush(now: UInt64, into output: inout StageOutput) {
        if let deadline = nextDeadline, now >= deadline { emit(into: &output) }
    }

    public func finish(into output: inout StageOutput) {
        if !held.isEmpty { emit(into: &output) }
    }

    private var separatorSize: Int { 1 }

    private func emit(into output: inout StageOutput) {
        guard let first = held.first else { return }
        var payload: [UInt8] = []
        payload.reserveCapacity(size)
        if format == .jsonArray { payload.append(UInt8(ascii: "[")) }
        let separator = format == .jsonArray ? UInt8(ascii: ",") : UInt8(ascii: "\n")
        var binary = false
        for (i, m) in held.enumerated() {
            if i > 0 { payload.append(separator) }
            m.withPayloadBytes { payload.append(contentsOf: $0) }
            if m.kind == .binary { binary = true }
        }
        if format == .jsonArray { payload.append(UInt8(ascii: "]")) }
        var batch = Message(payload: payload, kind: binary && format == .lines ? .binary : .text, metadata: first.metadata, timestamp: first.timestamp)
        batch.metadata["batch_count"] = String(held.count)
        held.removeAll(keepingCapacity: true)
        size = 0
        output.emit(batch)
    }
}

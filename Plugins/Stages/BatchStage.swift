import Junction

/// Joins messages into one: emitted when `count` messages or `bytes` are
/// reached, when `period` has passed since the batch's first message, and
/// when the input ends.
///
/// The batch carries the first message's metadata and timestamp plus
/// `batch_count`; it is text unless an input was binary.
///
/// Payloads are copied into the batch as they arrive; no input message is
/// kept, so a batch being filled never pins the chunks its inputs came from.
public final class BatchStage: Stage {
    private let clock: StageClock.Source
    private let count: Int
    private let maxBytes: Int?
    private let periodNs: UInt64?
    private let format: PayloadFormat
    /// The joined payload so far (with the opening `[` for json_array).
    private var payload: [UInt8] = []
    private var held = 0
    private var binary = false
    private var first: (metadata: [String: String], timestamp: UInt64)?
    private var startedAt: UInt64 = 0
    /// The receipts of the held messages: the batch settles them when it goes.
    private var receipts: [Receipt] = []

    /// An empty batch.
    public init(config: BatchConfig, context: ComponentContext, clock: @escaping StageClock.Source = StageClock.now) {
        self.clock = clock
        count = config.count
        maxBytes = config.bytes?.bytes
        periodNs = config.period?.nanoseconds
        format = config.format
    }

    /// Messages in the current batch.
    public var heldCount: Int { held }

    public var nextDeadline: UInt64? {
        guard let periodNs, held > 0 else { return nil }
        return startedAt &+ periodNs
    }

    public func process(_ message: Message, into output: inout StageOutput) {
        if let maxBytes, held > 0, size + separatorSize + message.byteSize > maxBytes {
            emit(into: &output)
        }
        if held == 0 {
            startedAt = clock()
            first = (message.metadata, message.timestamp)
            if format == .jsonArray { payload.append(UInt8(ascii: "[")) }
        } else {
            payload.append(format == .jsonArray ? UInt8(ascii: ",") : UInt8(ascii: "\n"))
        }
        message.withPayloadBytes { payload.append(contentsOf: $0) }
        if message.kind == .binary { binary = true }
        if let receipt = message.receipt { receipts.append(receipt) }
        held += 1
        if held >= count || (maxBytes.map { size >= $0 } ?? false) {
            emit(into: &output)
        }
    }

    public func flush(now: UInt64, into output: inout StageOutput) {
        if let deadline = nextDeadline, now >= deadline { emit(into: &output) }
    }

    public func finish(into output: inout StageOutput) {
        if held > 0 { emit(into: &output) }
    }

    private var separatorSize: Int { 1 }

    /// The size of the batch's payload if it were emitted now.
    private var size: Int { payload.count + (format == .jsonArray ? 1 : 0) }

    private func emit(into output: inout StageOutput) {
        guard held > 0, let first else { return }
        if format == .jsonArray { payload.append(UInt8(ascii: "]")) }
        var batch = Message(payload: payload, kind: binary && format == .lines ? .binary : .text, metadata: first.metadata, timestamp: first.timestamp)
        batch.metadata["batch_count"] = String(held)
        batch.receipt = Receipt(combining: receipts)
        receipts = []
        payload = []
        payload.reserveCapacity(min(batch.byteSize, 1 << 20))
        held = 0
        binary = false
        self.first = nil
        output.emit(batch)
    }
}

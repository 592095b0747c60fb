import Junction

/// A token bucket that delays messages, never drops them: `count` tokens per
/// `interval`, at most `burst` saved up. Out of tokens, it holds messages in
/// order and reports `isHolding` (so the runtime stops feeding it) and
/// `nextDeadline` (when the next token is due); `flush(now:)` releases what
/// the tokens allow and `finish` releases the rest.
///
/// Arithmetic is exact: a token is `interval` nanoseconds' worth of
/// `count`-per-interval credit, kept in integers.
public final class RateLimitStage: Stage {
    private let clock: StageClock.Source
    private let count: UInt64
    private let intervalNs: UInt64
    /// Credit for one message: `intervalNs` units; time adds `count` units per nanosecond.
    private let capacity: UInt64
    private var credit: UInt64
    private var lastRefill: UInt64
    private var held = FIFO<Message>()

    /// A full bucket at the clock's current time.
    public init(config: RateLimitConfig, context: ComponentContext, clock: @escaping StageClock.Source = StageClock.now) {
        self.clock = clock
        count = UInt64(config.count)
        intervalNs = config.interval.nanoseconds
        capacity = UInt64(config.effectiveBurst) * intervalNs
        credit = capacity
        lastRefill = clock()
    }

    /// Messages held back now.
    public var heldCount: Int { held.count }

    public var isHolding: Bool { heldCount > 0 }

    public var nextDeadline: UInt64? {
        guard isHolding else { return nil }
        if credit >= intervalNs { return lastRefill }
        let missing = intervalNs - credit
        return lastRefill + (missing + count - 1) / count
    }

    public func process(_ message: Message, into output: inout StageOutput) {
        refill(now: clock())
        release(into: &output)
        if !isHolding, credit >= intervalNs {
            credit -= intervalNs
            output.emit(message)
        } else {
            held.append(message)
        }
    }

    public func flush(now: UInt64, into output: inout StageOutput) {
        refill(now: now)
        release(into: &output)
    }

    public func finish(into output: inout StageOutput) {
        while let m = held.popFirst() { output.emit(m) }
    }

    private func refill(now: UInt64) {
        guard now > lastRefill else { return }
        let elapsed = now - lastRefill
        lastRefill = now
        let room = capacity - credit
        // elapsed × count, saturating at the room left in the bucket.
        let (added, overflow) = elapsed.multipliedReportingOverflow(by: count)
        credit += overflow ? room : min(added, room)
    }

    private func release(into output: inout StageOutput) {
        while !held.isEmpty, credit >= intervalNs {
            credit -= intervalNs
            output.emit(held.popFirst()!)
        }
    }
}

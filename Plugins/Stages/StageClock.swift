import Dispatch

/// Monotonic time in nanoseconds, the base of `Stage.nextDeadline` and
/// `flush(now:)`. Stages take a clock so tests can drive time by hand.
public enum StageClock {
    /// A source of monotonic nanoseconds.
    public typealias Source = () -> UInt64

    /// `DispatchTime.now().uptimeNanoseconds`.
    public static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}

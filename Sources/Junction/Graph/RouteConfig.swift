/// What a full edge does (`when_full:` on a route).
public enum WhenFull: String, ConfigEnum {
    /// Pause the route's sources until the edge drains to its low-water mark. Nothing is dropped.
    case block
    /// Drop the oldest queued messages to make room (XRTC ring-buffer behaviour).
    case dropOldest = "drop_oldest"
    /// Drop the incoming messages that do not fit.
    case dropNewest = "drop_newest"
}

/// One entry of `routes:`.
///
/// ```yaml
/// routes:
///   - from: [hooks, lines]   # fan-in
///     via: [alerts]
///     to: [ops, out]         # fan-out
///     when_full: block
/// ```
public struct RouteConfig: ComponentConfig {
    public var name: String?
    public var from: [String] = []
    public var via: [String] = []
    public var to: [String] = []
    public var errors: String?
    public var whenFull: WhenFull = .block
    public var highWater: ByteSize = ByteSize(1 << 20)
    public var lowWater: ByteSize?

    public init() {}

    public static let fields: [ConfigField<RouteConfig>] = [
        .field("name", \.name, "A name for logs and metrics; defaults to route-N."),
        .field("from", \.from, "Sources feeding this route (fan-in).", required: true),
        .field("via", \.via, "Stages applied in order."),
        .field("to", \.to, "Sinks receiving every message (fan-out).", required: true),
        .field("errors", \.errors, "A sink for messages a stage rejected; otherwise they are counted and dropped."),
        .field("when_full", \.whenFull, "What a full edge does: block pauses the sources, drop_* discard and count."),
        .field("high_water", \.highWater, "bufferedAmount above which an edge is full."),
        .field("low_water", \.lowWater, "bufferedAmountLowThreshold: at or below it, a full edge fires bufferedamountlow and sources resume; default half of high_water."),
    ]

    /// The effective low-water mark.
    public var lowThreshold: Int { lowWater?.bytes ?? highWater.bytes / 2 }

    public func validate() throws {
        if highWater.bytes <= 0 { throw ConfigDiagnostic.field("high_water", "high_water must be above 0") }
        if let low = lowWater, low > highWater {
            throw ConfigDiagnostic.field("low_water", "low_water (\(low.configDescription)) must not exceed high_water (\(highWater.configDescription))")
        }
    }
}

/// Just the names of a route, read leniently from a route with other mistakes.
struct RouteNames: ComponentConfig {
    var index = 0
    var route = RouteConfig()

    static let fields: [ConfigField<RouteNames>] = [
        .field("from", \.route.from, ""),
        .field("via", \.route.via, ""),
        .field("to", \.route.to, ""),
        .field("errors", \.route.errors, ""),
        .field("name", \.route.name, ""),
    ]
}

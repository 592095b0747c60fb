import Foundation
import Junction
import Logging

/// Config of the `generate` source.
public struct GenerateConfig: ComponentConfig {
    public var count = 0
    public var rate = 0.0
    public var template = #"{"seq":{{seq}},"time":"{{time}}"}"#
    public var start = 1
    public var batch = 256

    public init() {}

    public static let fields: [ConfigField<GenerateConfig>] = [
        .field("count", \.count, "Messages to emit, then finish; 0 means forever."),
        .field("rate", \.rate, "Messages per second; 0 means as fast as the route takes them."),
        .field("template", \.template, "The payload: {{seq}}, {{time}} (RFC 3339), {{unix_ms}}, {{unix_ns}}, {{uuid}}, {{cycle:a,b,…}} are replaced."),
        .field("start", \.start, "The first sequence number."),
        .field("batch", \.batch, "Messages per batch when rate is 0."),
    ]

    /// The slowest rate other than 0: one message in about 11.6 days.
    public static let minimumRate = 1e-6
    /// The fastest rate: ten million messages per second.
    public static let maximumRate = 1e7
    /// The largest `batch`.
    public static let maximumBatch = 1 << 20

    public func validate() throws {
        if count < 0 { throw ConfigDiagnostic.field("count", "count must be 0 (forever) or more") }
        if start.addingReportingOverflow(count).overflow {
            throw ConfigDiagnostic.field("start", "start + count is beyond the integer range")
        }
        if !rate.isFinite || rate < 0 || (rate > 0 && rate < Self.minimumRate) || rate > Self.maximumRate {
            throw ConfigDiagnostic.field("rate", "rate must be 0 (unlimited) or between \(Self.minimumRate) and \(Int(Self.maximumRate)) messages per second, not \(rate)")
        }
        if batch < 1 || batch > Self.maximumBatch {
            throw ConfigDiagnostic.field("batch", "batch must be between 1 and \(Self.maximumBatch)")
        }
        _ = try GenerateTemplate(template)
    }
}

/// A parsed `generate` template.
struct GenerateTemplate {
    enum Part {
        case literal([UInt8])
        case seq, time, unixMS, unixNS, uuid
        case cycle([[UInt8]])
    }

    let parts: [Part]

    init(_ text: String) throws {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.literal(Array(rest[..<open.lowerBound].utf8))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else { throw ConfigDiagnostic("unterminated '{{' in template") }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            switch name {
            case "seq": parts.append(.seq)
            case "time": parts.append(.time)
            case "unix_ms": parts.append(.unixMS)
            case "unix_ns": parts.append(.unixNS)
            case "uuid": parts.append(.uuid)
            default:
                if name.hasPrefix("cycle:") {
                    let values = name.dropFirst(6).split(separator: ",", omittingEmptySubsequences: false).map { Array($0.utf8) }
                    parts.append(.cycle(values))
                } else {
                    throw ConfigDiagnostic("unknown template variable '\(name)'",
                                           hint: ConfigDiagnostic.suggestion(for: name, among: ["seq", "time", "unix_ms", "unix_ns", "uuid", "cycle:a,b"]))
                }
            }
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.literal(Array(rest.utf8))) }
        self.parts = parts
    }

    func render(seq: Int, now: UInt64, into out: inout [UInt8]) {
        for part in parts {
            switch part {
            case let .literal(bytes): out.append(contentsOf: bytes)
            case .seq: out.append(contentsOf: String(seq).utf8)
            case .unixMS: out.append(contentsOf: String(now / 1_000_000).utf8)
            case .unixNS: out.append(contentsOf: String(now).utf8)
            case .uuid: out.append(contentsOf: UUID().uuidString.lowercased().utf8)
            case let .cycle(values): out.append(contentsOf: values[((seq % values.count) + values.count) % values.count])
            case .time:
                let date = Date(timeIntervalSince1970: Double(now) / 1e9)
                out.append(contentsOf: date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true)).utf8)
                out.append(UInt8(ascii: "Z"))
            }
        }
    }
}

/// Emits generated messages: a fixed count or forever, at a rate or as fast
/// as the route takes them. For tests, benchmarks and heartbeats.
///
/// ```yaml
/// sources:
///   ticks: { type: generate, count: 10, rate: 2, template: '{"n":{{seq}}}' }
/// ```
public final class GenerateSource: Source {
    private let config: GenerateConfig
    private let template: GenerateTemplate
    private let control = PauseSwitch()

    public init(config: GenerateConfig, context: ComponentContext) throws {
        try config.validate()
        self.config = config
        self.template = try GenerateTemplate(config.template)
    }

    public func start(_ output: any SourceOutput) throws {
        let thread = Thread { [self] in run(output) }
        thread.name = "junction.generate"
        thread.start()
    }

    public func pause() { control.pause() }
    public func resume() { control.resume() }
    public func stop() { control.stop() }

    private func run(_ output: any SourceOutput) {
        var seq = config.start
        // validate() keeps start + count in range; forever wraps around instead of trapping.
        let total = config.count > 0 ? config.count : Int.max
        let began = DispatchTime.now().uptimeNanoseconds
        var sent = 0
        var scratch: [UInt8] = []
        while sent < total, control.waitWhilePaused() {
            var n = config.batch
            if config.rate > 0 {
                // Pace against the start time, so pauses and scheduling do not add up to drift.
                let offset = Double(sent) / config.rate * 1e9
                let due = offset < 0x1p63 ? began &+ UInt64(offset) : UInt64.max
                let now = DispatchTime.now().uptimeNanoseconds
                if due > now {
                    guard control.sleep(Double(due - now) / 1e9) else { break }
                    continue
                }
                let owed = Double(now - began) / 1e9 * config.rate  // validate() bounds the rate, so this stays small
                let behind = Int(min(owed, 0x1p62)) - sent + 1
                n = max(1, min(config.batch, behind))
            }
            n = min(n, total - sent)
            var batch: [Message] = []
            batch.reserveCapacity(n)
            let now = Message.now()
            for _ in 0..<n {
                scratch.removeAll(keepingCapacity: true)
                template.render(seq: seq, now: now, into: &scratch)
                batch.append(Message(payload: scratch, kind: .text, timestamp: now))
                seq &+= 1
            }
            sent += n
            output.emit(batch)
        }
        output.finish()
    }
}

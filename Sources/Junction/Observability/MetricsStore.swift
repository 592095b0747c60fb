import CoreMetrics
import Foundation

/// An in-process swift-metrics backend: keeps every counter and gauge in
/// memory and renders them as Prometheus text.
///
/// ```swift
/// let store = MetricsStore()
/// MetricsSystem.bootstrap(store)
/// print(store.prometheusText())
/// ```
public final class MetricsStore: MetricsFactory, @unchecked Sendable {
    final class Cell: CounterHandler, FloatingPointCounterHandler, MeterHandler, RecorderHandler, TimerHandler, @unchecked Sendable {
        let label: String
        let dimensions: [(String, String)]
        let isCounter: Bool
        private let lock = NSLock()
        private var _value: Double = 0

        init(label: String, dimensions: [(String, String)], isCounter: Bool) {
            self.label = label
            self.dimensions = dimensions
            self.isCounter = isCounter
        }

        var value: Double { lock.withLock { _value } }
        func increment(by amount: Int64) { lock.withLock { _value += Double(amount) } }
        func increment(by amount: Double) { lock.withLock { _value += amount } }
        func decrement(by amount: Double) { lock.withLock { _value -= amount } }
        func set(_ value: Int64) { lock.withLock { _value = Double(value) } }
        func set(_ value: Double) { lock.withLock { _value = value } }
        func record(_ value: Int64) { set(value) }
        func record(_ value: Double) { set(value) }
        func recordNanoseconds(_ duration: Int64) { set(Double(duration) / 1e9) }
        func reset() { set(0.0) }
    }

    private let lock = NSLock()
    private var cells: [String: Cell] = [:]

    public init() {}

    private func cell(_ label: String, _ dimensions: [(String, String)], counter: Bool) -> Cell {
        let key = Self.key(label, dimensions)
        return lock.withLock {
            if let c = cells[key] { return c }
            let c = Cell(label: label, dimensions: dimensions, isCounter: counter)
            cells[key] = c
            return c
        }
    }

    static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        label + "{" + dimensions.sorted { $0.0 < $1.0 }.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler { cell(label, dimensions, counter: true) }
    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler { cell(label, dimensions, counter: true) }
    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler { cell(label, dimensions, counter: false) }
    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler { cell(label, dimensions, counter: false) }
    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { cell(label, dimensions, counter: false) }
    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}

    /// The current value of a metric, if it exists.
    public func value(_ label: String, _ dimensions: [(String, String)] = []) -> Double? {
        lock.withLock { cells[Self.key(label, dimensions)] }?.value
    }

    /// Sum over every metric with this label whose dimensions include `matching`.
    public func total(_ label: String, matching: [(String, String)] = []) -> Double {
        let all = lock.withLock { Array(cells.values) }
        return all.filter { c in
            c.label == label && matching.allSatisfy { m in c.dimensions.contains { $0 == m } }
        }.reduce(0) { $0 + $1.value }
    }

    /// Prometheus text exposition (version 0.0.4).
    public func prometheusText() -> String {
        let all = lock.withLock { cells }.sorted { $0.key < $1.key }
        var out = ""
        var typed = Set<String>()
        for (key, cell) in all {
            let name = cell.label.replacingOccurrences(of: ".", with: "_")
            if typed.insert(name).inserted { out += "# TYPE \(name) \(cell.isCounter ? "counter" : "gauge")\n" }
            let v = cell.value
            let text = v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
            out += name + (cell.dimensions.isEmpty ? "" : key.dropFirst(cell.label.count)) + " " + text + "\n"
        }
        return out
    }
}

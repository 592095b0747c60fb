import Dispatch
import Foundation
import Logging

/// A running routing graph: sources, route runners, edges and sink drivers.
///
/// ```swift
/// let pipeline = try Pipeline(graph: graph)
/// try pipeline.start()
/// pipeline.onFinished { print("all sources ended and every sink drained") }
/// ```
public final class Pipeline: @unchecked Sendable {
    public let graph: Graph
    let logger: Logger
    private(set) var sources: [SourceHandle] = []
    private(set) var runners: [RouteRunner] = []
    private(set) var drivers: [SinkDriver] = []
    private var sinkEdges: [String: [Edge]] = [:]

    private let lock = NSLock()
    private var openSinks = 0
    private var finishedHandlers: [@Sendable () -> Void] = []
    private var isFinished = false
    private var stopping = false

    /// Builds every component and wires the edges. Nothing runs until `start()`.
    public let services: ServiceRegistry

    public init(graph: Graph, services: ServiceRegistry = ServiceRegistry(), logger: Logger = Logger(label: "junction")) throws {
        self.graph = graph
        self.services = services
        self.logger = logger
        var problems: [ConfigDiagnostic] = []
        func context(_ decl: ComponentDecl) -> ComponentContext {
            ComponentContext(name: decl.name, type: decl.type.name, logger: Logger(label: "junction.\(decl.type.name)"),
                             baseDirectory: graph.baseDirectory, services: services)
        }
        func make<T>(_ decl: ComponentDecl, as: T.Type) -> T? {
            do {
                return try decl.make(context(decl)) as? T
            } catch var d as ConfigDiagnostic {
                if d.location == nil { d.location = decl.location }
                problems.append(d)
            } catch {
                problems.append(ConfigDiagnostic("cannot create \(decl.kind.rawValue) '\(decl.name)': \(error)", at: decl.location))
            }
            return nil
        }

        let usedSinks = Set(graph.routes.flatMap { $0.config.to + ($0.config.errors.map { [$0] } ?? []) })
        var driverByName: [String: SinkDriver] = [:]
        for decl in graph.sinks where usedSinks.contains(decl.name) {
            guard let sink = make(decl, as: (any Sink).self) else { continue }
            let driver = SinkDriver(name: decl.name, sink: sink, logger: logger, metrics: ComponentMetrics(component: decl.name, kind: "sink")) { [weak self] in
                self?.sinkClosed()
            }
            driverByName[decl.name] = driver
            drivers.append(driver)
        }
        let usedSources = Set(graph.routes.flatMap(\.config.from))
        var sourceByName: [String: SourceHandle] = [:]
        for decl in graph.sources where usedSources.contains(decl.name) {
            guard let source = make(decl, as: (any Source).self) else { continue }
            let handle = SourceHandle(name: decl.name, source: source, logger: logger, metrics: ComponentMetrics(component: decl.name, kind: "source")) {}
            sourceByName[decl.name] = handle
            sources.append(handle)
        }

        for route in graph.routes {
            let c = route.config
            func edge(_ to: String, producers: Int) -> Edge {
                let name = "\(route.name)→\(to)"
                return Edge(name: name, policy: c.whenFull, highWater: c.highWater.bytes, lowThreshold: c.lowThreshold,
                            producers: producers, metrics: EdgeMetrics(edge: name, logger: logger))
            }
            var stages: [(String, any Stage)] = []
            for name in c.via {
                guard let decl = graph.stage(name), let stage = make(decl, as: (any Stage).self) else { continue }
                stages.append((name, stage))
            }
            let inlet = edge("stages", producers: c.from.count)
            var outputs: [(String, Edge)] = []
            for sinkName in c.to {
                let e = edge(sinkName, producers: 1)
                driverByName[sinkName]?.attach(e)
                sinkEdges[sinkName, default: []].append(e)
                outputs.append((sinkName, e))
            }
            var errorsEdge: Edge?
            if let errorsSink = c.errors {
                let e = edge(errorsSink + " (errors)", producers: 1)
                driverByName[errorsSink]?.attach(e)
                sinkEdges[errorsSink, default: []].append(e)
                errorsEdge = e
            }
            let runner = RouteRunner(name: route.name, inlet: inlet, stages: stages, outputs: outputs, errorsEdge: errorsEdge,
                                     logger: logger, metrics: RouteMetrics(route: route.name)) {}
            for (_, e) in outputs { e.addUpstream(runner.gate) }
            errorsEdge?.addUpstream(runner.gate)
            for name in c.from { sourceByName[name]?.attach(inlet) }
            runners.append(runner)
        }
        if !problems.isEmpty { throw ConfigErrors(problems) }
        openSinks = drivers.count
    }

    /// Starts sinks, then sources.
    public func start() throws {
        for driver in drivers { try driver.sink.start() }
        try services.startAll()
        for handle in sources { try handle.source.start(handle) }
        services.pipelineStarted()
        for runner in runners { runner.schedule() }
        if drivers.isEmpty { markFinished() }
    }

    /// Runs `handler` once every sink has drained and closed (all sources ended, or after `shutdown`).
    public func onFinished(_ handler: @escaping @Sendable () -> Void) {
        let now: Bool = lock.withLock {
            if isFinished { return true }
            finishedHandlers.append(handler)
            return false
        }
        if now { handler() }
    }

    private func sinkClosed() {
        let last: Bool = lock.withLock {
            openSinks -= 1
            return openSinks == 0
        }
        if last { markFinished() }
    }

    private func markFinished() {
        let handlers: [@Sendable () -> Void] = lock.withLock {
            guard !isFinished else { return [] }
            isFinished = true
            defer { finishedHandlers = [] }
            return finishedHandlers
        }
        handlers.forEach { $0() }
    }

    public var finished: Bool { lock.withLock { isFinished } }

    /// Stops every source, lets in-flight messages drain for up to `timeout`, and
    /// calls `completion(lost)` with the number of messages that did not make it:
    /// past the deadline, those queued on edges, held in stages and in a sink's
    /// unfinished write; and always those a sink reported it failed to write.
    public func shutdown(timeout: Seconds? = nil, completion: @escaping @Sendable (Int) -> Void) {
        let first: Bool = lock.withLock {
            defer { stopping = true }
            return !stopping
        }
        guard first else { return }
        let limit = timeout ?? graph.shutdownTimeout
        let answered = LockedFlag()
        onFinished { [self] in
            guard answered.set() else { return }
            services.stopAll()
            completion(failedMessages)
        }
        for handle in sources { handle.stop() }
        DispatchQueue.global().asyncAfter(deadline: .now() + limit.dispatch) { [self] in
            guard answered.set() else { return }
            let lost = abandon()
            logger.error("shutdown timed out; messages still in flight were lost", metadata: ["lost": "\(lost)", "timeout": "\(limit.configDescription)"])
            services.stopAll()
            completion(lost + failedMessages)
        }
    }

    /// Messages sinks reported they could not write.
    public var failedMessages: Int { drivers.reduce(0) { $0 + $1.failedCount } }

    /// Stops every route and sink where they stand; returns the messages that
    /// will not be delivered. Routes first, so nothing moves on into the sink
    /// edges once they are counted.
    private func abandon() -> Int {
        var lost = 0
        for runner in runners { lost += runner.abandon() }  // held in stages
        for runner in runners { lost += runner.inlet.discardQueued() }
        for driver in drivers { lost += driver.abandon() }  // in a sink's unfinished write
        for edges in sinkEdges.values { for e in edges { lost += e.discardQueued() } }
        return lost
    }

    /// Counts for a log line: messages per source and sink, drops and rejections per route.
    public func statsSummary() -> [String: String] {
        var out: [String: String] = [:]
        for s in sources { out["source.\(s.name)"] = "\(s.emittedCount)" }
        for d in drivers {
            out["sink.\(d.name)"] = "\(d.writtenCount)"
            let failed = d.failedCount
            if failed > 0 { out["failed.\(d.name)"] = "\(failed)" }
        }
        for (runner, route) in zip(runners, graph.routes) {
            let dropped = runner.inlet.droppedMessages + runner.outputs.reduce(0) { $0 + $1.edge.droppedMessages }
            if dropped > 0 { out["dropped.\(route.name)"] = "\(dropped)" }
            let rejected = runner.queue.sync { runner.rejectedCount }
            if rejected > 0 { out["rejected.\(route.name)"] = "\(rejected)" }
        }
        return out
    }

    /// The edges into a sink, one per route (tests and metrics).
    public func edges(into sink: String) -> [Edge] { sinkEdges[sink] ?? [] }
    /// The inlet edge of each route, in `routes:` order.
    public var inlets: [Edge] { runners.map(\.inlet) }
    /// Messages rejected by stages, per route, in `routes:` order.
    public var rejectedCounts: [Int] { runners.map { r in r.queue.sync { r.rejectedCount } } }
}

/// A flag that can be set once, from any thread.
final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    /// Sets the flag; true only for the first caller.
    func set() -> Bool {
        lock.withLock {
            defer { value = true }
            return !value
        }
    }
}

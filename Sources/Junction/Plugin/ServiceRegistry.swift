import Foundation

/// Process-wide objects that plugins share, looked up by type: one HTTP
/// listener, one curl multi thread, … The first plugin that asks creates it.
///
/// ```swift
/// let server = try context.services.shared(HTTPServer.self) { try HTTPServer(config: listen) }
/// ```
public final class ServiceRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var services: [ObjectIdentifier: any Sendable] = [:]
    private var lifecycle: [any LifecycleService] = []
    private var base = "."

    public init() {}

    /// The directory of the routes.yaml being loaded: where relative paths
    /// in plugin sections start (set before the sections are read).
    ///
    /// ```swift
    /// let dir = ComponentContext.resolve(path: config.recordings, against: services.baseDirectory)
    /// ```
    public var baseDirectory: String {
        get { lock.withLock { base } }
        set { lock.withLock { base = newValue } }
    }

    /// The shared instance of `type`, created by `make` on first use.
    public func shared<T: Sendable>(_ type: T.Type, make: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        if let existing = services[ObjectIdentifier(type)] as? T { return existing }
        let created = try make()
        services[ObjectIdentifier(type)] = created
        if let service = created as? any LifecycleService { lifecycle.append(service) }
        return created
    }

    /// Whether a service with a lifetime of its own (a listener) exists: then the
    /// process serves until a signal, not until its sources end.
    public var hasLifecycleServices: Bool { lock.withLock { !lifecycle.isEmpty } }

    /// Starts every lifecycle service, in creation order.
    public func startAll() throws {
        for service in lock.withLock({ lifecycle }) { try service.start() }
    }

    /// Tells every lifecycle service that the sources have started.
    public func pipelineStarted() {
        for service in lock.withLock({ lifecycle }) { service.pipelineStarted() }
    }

    /// Stops every lifecycle service, in reverse creation order.
    public func stopAll() {
        for service in lock.withLock({ lifecycle }).reversed() { service.stop() }
    }

    /// The shared instance of `type`, if one was created.
    public func existing<T: Sendable>(_ type: T.Type) -> T? {
        lock.lock()
        defer { lock.unlock() }
        return services[ObjectIdentifier(type)] as? T
    }
}

/// A shared service whose lifetime follows the pipeline: started after the
/// sinks and before the sources, told when the sources have started too,
/// stopped after the sinks drained.
///
/// ```swift
/// final class Listener: LifecycleService {
///     func start() throws { /* bind */ }
///     func pipelineStarted() { /* report ready */ }
///     func stop() { /* close */ }
/// }
/// ```
public protocol LifecycleService: AnyObject, Sendable {
    func start() throws
    /// Every source has started: the whole pipeline takes work now.
    func pipelineStarted()
    func stop()
}

extension LifecycleService {
    public func pipelineStarted() {}
}

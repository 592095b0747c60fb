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

    public init() {}

    /// The shared instance of `type`, created by `make` on first use.
    public func shared<T: Sendable>(_ type: T.Type, make: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        if let existing = services[ObjectIdentifier(type)] as? T { return existing }
        let created = try make()
        services[ObjectIdentifier(type)] = created
        return created
    }

    /// The shared instance of `type`, if one was created.
    public func existing<T: Sendable>(_ type: T.Type) -> T? {
        lock.lock()
        defer { lock.unlock() }
        return services[ObjectIdentifier(type)] as? T
    }
}

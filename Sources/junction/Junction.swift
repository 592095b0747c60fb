import ArgumentParser
import Foundation
import Junction
import Logging
import Metrics

@main
struct JunctionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "junction",
        abstract: "Routes messages between sources, stages and sinks declared in routes.yaml.",
        subcommands: [Run.self, Validate.self, GraphCommand.self, Plugins.self, WebhooksCommand.self],
        defaultSubcommand: Run.self
    )
}

/// Options shared by commands that read a routes file.
struct FileOptions: ParsableArguments {
    @Argument(help: "The routes file.")
    var file: String = "routes.yaml"

    @Option(name: .customLong("env-file"), help: "A KEY=VALUE file for ${VAR} expansion; the process environment wins.")
    var envFile: String?

    func load(services: ServiceRegistry = ServiceRegistry()) throws -> Graph {
        var env = ConfigEnvironment.process()
        if let envFile { try env.load(envFile: envFile) }
        return try GraphBuilder(registry: InTreePlugins.registry(), environment: env, services: services).load(file: file)
    }
}

func printDiagnostics(_ diagnostics: [ConfigDiagnostic]) {
    for d in diagnostics {
        FileHandle.standardError.write(Data("\(d.severity.rawValue): \(d)\n".utf8))
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the routes until every source ends, or SIGINT/SIGTERM.")

    @OptionGroup var options: FileOptions

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(help: "Log format: text or json.")
    var logFormat: String = "text"

    @Option(help: "Log message counts every N seconds (0: only at exit).")
    var statsInterval: Double = 0

    func run() throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let format = StderrLogHandler.Format(rawValue: logFormat) ?? .text
        LoggingSystem.bootstrap { StderrLogHandler(label: $0, format: format, level: level) }
        let metrics = MetricsStore()
        MetricsSystem.bootstrap(metrics)
        let logger = Logger(label: "junction")
        signal(SIGPIPE, SIG_IGN)
        // Before anything starts: a signal during start-up is handled, not fatal.
        let control = ProcessControl(logger: logger)
        control.installSignalHandlers()

        let services = ServiceRegistry()
        let graph: Graph
        let pipeline: Pipeline
        do {
            graph = try options.load(services: services)
            printDiagnostics(graph.warnings)
            pipeline = try Pipeline(graph: graph, services: services, logger: logger)
            _ = services.shared(MetricsStore.self) { metrics }
            control.built(pipeline, shutdownTimeout: graph.shutdownTimeout)
            try pipeline.start()
        } catch let errors as ConfigErrors {
            printDiagnostics(errors.diagnostics)
            control.exit(1)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            control.exit(1)
        }
        logger.info("running", metadata: [
            "file": "\(options.file)", "sources": "\(graph.sources.count)", "sinks": "\(graph.sinks.count)", "routes": "\(graph.routes.count)",
        ])

        var statsTimer: (any DispatchSourceTimer)?
        if statsInterval > 0 {
            let timer = DispatchSource.makeTimerSource(queue: .main)
            timer.schedule(deadline: .now() + statsInterval, repeating: statsInterval)
            timer.setEventHandler { control.logStats("stats") }
            timer.resume()
            statsTimer = timer
        }
        pipeline.onFinished {
            if services.hasLifecycleServices {
                control.logStats("all sources ended; every sink drained; still serving until SIGINT/SIGTERM")
                return
            }
            control.finished()
        }
        control.started()
        withExtendedLifetime(statsTimer) { dispatchMain() }
    }
}

/// How `junction run` ends: one signal counter for SIGINT and SIGTERM (the
/// first drains, the second exits at once), and one exit path that every
/// ending goes through exactly once.
final class ProcessControl: @unchecked Sendable {
    private let logger: Logger
    private let lock = NSLock()
    private let queue = DispatchQueue(label: "junction.signals")
    private var sources: [any DispatchSourceSignal] = []
    // Under lock.
    private var signals = 0
    private var pipeline: Pipeline?
    private var shutdownTimeout: Seconds = 10
    private var running = false
    private var stopRequested = false
    private var stopping = false
    private var exiting = false

    init(logger: Logger) { self.logger = logger }

    /// Takes over SIGINT and SIGTERM. Handlers run on a queue of their own, so
    /// they work while start-up still blocks the main thread.
    func installSignalHandlers() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { [self] in received(sig) }
            source.resume()
            sources.append(source)
        }
    }

    /// The pipeline exists (not started yet): stats can name it.
    func built(_ pipeline: Pipeline, shutdownTimeout: Seconds) {
        lock.withLock {
            self.pipeline = pipeline
            self.shutdownTimeout = shutdownTimeout
        }
    }

    /// Start-up is over; a signal that came during it starts the shutdown now.
    func started() {
        let stopNow: Bool = lock.withLock {
            running = true
            return stopRequested
        }
        if stopNow { shutdown(reason: "signal during start-up") }
    }

    /// Every source ended and every sink drained: exit 0, or 1 when a sink failed to write messages.
    func finished() {
        // A shutdown in progress owns the exit (and its code).
        let (isStopping, pipeline) = lock.withLock { (stopping, self.pipeline) }
        guard !isStopping else { return }
        exit((pipeline?.failedMessages ?? 0) == 0 ? 0 : 1, stats: "all sources ended; every sink drained")
    }

    private func received(_ sig: Int32) {
        let (count, isRunning): (Int, Bool) = lock.withLock {
            signals += 1
            if !running { stopRequested = true }
            return (signals, running)
        }
        if count > 1 {
            logger.warning("second signal; exiting without draining", metadata: ["signal": "\(sig)"])
            exit(130)
        }
        if isRunning {
            shutdown(reason: "signal \(sig)")
        } else {
            logger.info("signal during start-up; shutting down once started", metadata: ["signal": "\(sig)"])
        }
    }

    private func shutdown(reason: String) {
        let pipeline: Pipeline? = lock.withLock {
            guard !stopping else { return nil }
            stopping = true
            return self.pipeline
        }
        guard let pipeline else { return }
        logger.info("shutting down; draining in-flight messages", metadata: [
            "reason": "\(reason)", "timeout": "\(lock.withLock { shutdownTimeout }.configDescription)",
        ])
        pipeline.shutdown { [self] lost in exit(lost == 0 ? 0 : 1, stats: "stopped") }
    }

    /// Logs message counts with `message`.
    func logStats(_ message: Logger.Message) {
        guard let pipeline = lock.withLock({ pipeline }) else { return }
        logger.info(message, metadata: pipeline.statsSummary().mapValues { .string($0) })
    }

    /// The one way out: logs `stats` if given, then exits with `code`. Only the
    /// first caller exits; any other waits for the process to end.
    func exit(_ code: Int32, stats: Logger.Message? = nil) -> Never {
        let first: Bool = lock.withLock {
            defer { exiting = true }
            return !exiting
        }
        if first {
            if let stats { logStats(stats) }
            Foundation.exit(code)
        }
        while true { pause() }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a routes file without running it; exit 1 listing every mistake.")

    @OptionGroup var options: FileOptions

    func run() throws {
        do {
            let graph = try options.load()
            printDiagnostics(graph.warnings)
            print("\(options.file): ok (\(graph.sources.count) sources, \(graph.stages.count) stages, \(graph.sinks.count) sinks, \(graph.routes.count) routes)")
        } catch let errors as ConfigErrors {
            printDiagnostics(errors.diagnostics)
            let count = errors.diagnostics.filter { $0.severity == .error }.count
            FileHandle.standardError.write(Data("\(options.file): \(count) error\(count == 1 ? "" : "s")\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "graph", abstract: "Draw the route graph as Graphviz DOT or Mermaid.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case dot, mermaid }

    @OptionGroup var options: FileOptions

    @Option(help: "dot or mermaid.")
    var format: Format = .dot

    func run() throws {
        do {
            let graph = try options.load()
            print(format == .dot ? graph.dot() : graph.mermaid(), terminator: "")
        } catch let errors as ConfigErrors {
            printDiagnostics(errors.diagnostics)
            throw ExitCode(1)
        }
    }
}

struct Plugins: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List every source, stage and sink type with its config fields.")

    func run() throws {
        print(InTreePlugins.registry().reference(), terminator: "")
    }
}

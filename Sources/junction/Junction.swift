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
        subcommands: [Run.self, Validate.self, GraphCommand.self, Plugins.self],
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

        let services = ServiceRegistry()
        let graph: Graph
        let pipeline: Pipeline
        do {
            graph = try options.load(services: services)
            printDiagnostics(graph.warnings)
            pipeline = try Pipeline(graph: graph, services: services, logger: logger)
            _ = services.shared(MetricsStore.self) { metrics }
            try pipeline.start()
        } catch let errors as ConfigErrors {
            printDiagnostics(errors.diagnostics)
            throw ExitCode(1)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        logger.info("running", metadata: [
            "file": "\(options.file)", "sources": "\(graph.sources.count)", "sinks": "\(graph.sinks.count)", "routes": "\(graph.routes.count)",
        ])

        @Sendable func logStats(_ message: Logger.Message) {
            logger.info(message, metadata: pipeline.statsSummary().mapValues { .string($0) })
        }
        var statsTimer: (any DispatchSourceTimer)?
        if statsInterval > 0 {
            let timer = DispatchSource.makeTimerSource(queue: .main)
            timer.schedule(deadline: .now() + statsInterval, repeating: statsInterval)
            timer.setEventHandler { logStats("stats") }
            timer.resume()
            statsTimer = timer
        }
        pipeline.onFinished {
            if services.hasLifecycleServices {
                logStats("all sources ended; every sink drained; still serving until SIGINT/SIGTERM")
                return
            }
            logStats("all sources ended; every sink drained")
            Foundation.exit(0)
        }
        var signalSources: [any DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .main)
            var received = 0
            source.setEventHandler {
                received += 1
                if received > 1 {
                    logger.warning("second signal; exiting without draining")
                    Foundation.exit(130)
                }
                logger.info("shutting down; draining in-flight messages", metadata: ["signal": "\(sig)", "timeout": "\(graph.shutdownTimeout.configDescription)"])
                pipeline.shutdown { lost in
                    logStats("stopped")
                    Foundation.exit(lost == 0 ? 0 : 1)
                }
            }
            source.resume()
            signalSources.append(source)
        }
        withExtendedLifetime((signalSources, statsTimer)) { dispatchMain() }
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

import Foundation
import Testing
@testable import Junction

struct FileLikeConfig: ComponentConfig, LoopbackResource {
    var path = ""
    var count = 3
    var size: ByteSize = ByteSize(1024)
    var every: Seconds = 1
    static let fields: [ConfigField<FileLikeConfig>] = [
        .field("path", \.path, "A path.", required: true),
        .field("count", \.count, "A count."),
        .field("size", \.size, "A size."),
        .field("every", \.every, "A period."),
    ]
    func validate() throws {
        if count < 0 { throw ConfigDiagnostic.field("count", "count must not be negative") }
    }
    var loopbackKey: String? { "file:" + path }
}

struct SwitchLikeConfig: ComponentConfig, RoutingStageConfig {
    var targets: [String] = []
    static let fields: [ConfigField<SwitchLikeConfig>] = [.field("targets", \.targets, "Sinks.")]
    var routeTargets: [String] { targets }
}

final class NullSource: Source {
    func start(_ output: any SourceOutput) throws { output.finish() }
    func pause() {}
    func resume() {}
    func stop() {}
}

final class NullSink: Sink {
    func write(_ batch: [Message], completion: @escaping @Sendable () -> Void) { completion() }
}

final class PassStage: Stage {
    func process(_ message: Message, into output: inout StageOutput) { output.emit(message) }
}

func testRegistry() -> PluginRegistry {
    var r = PluginRegistry()
    r.registerSource("stdin", config: NoConfig.self, doc: "") { _, _ in NullSource() }
    r.registerSource("tail", config: FileLikeConfig.self, doc: "") { _, _ in NullSource() }
    r.registerSink("stdout", config: NoConfig.self, doc: "") { _, _ in NullSink() }
    r.registerSink("file", config: FileLikeConfig.self, doc: "") { _, _ in NullSink() }
    r.registerStage("pass", config: NoConfig.self, doc: "") { _, _ in PassStage() }
    r.registerStage("switch", config: SwitchLikeConfig.self, doc: "") { _, _ in PassStage() }
    return r
}

func load(_ yaml: String, env: [String: String] = [:]) throws -> Graph {
    try GraphBuilder(registry: testRegistry(), environment: ConfigEnvironment(env)).load(yaml: yaml, file: "routes.yaml")
}

func errors(_ yaml: String, env: [String: String] = [:]) -> [String] {
    do {
        _ = try load(yaml, env: env)
        return []
    } catch let e as ConfigErrors {
        return e.diagnostics.filter { $0.severity == .error }.map(\.description)
    } catch {
        return ["unexpected: \(error)"]
    }
}

@Suite struct ConfigTests {
    @Test func theIssueExampleShapeLoads() throws {
        let g = try load("""
            sources:
              in: { type: stdin }
            stages:
              sel: { type: pass }
            sinks:
              out: { type: stdout }
            routes:
              - from: [in]
                via: [sel]
                to: [out]
            """)
        #expect(g.routes.count == 1)
        #expect(g.routes[0].config.whenFull == .block)
        #expect(g.routes[0].config.highWater.bytes == 1 << 20)
        #expect(g.warnings.isEmpty)
    }

    @Test func unknownTypeNamesFileLineColumnAndClosestMatch() {
        let e = errors("""
            sources:
              in: { type: stdn }
            sinks:
              out: { type: stdout }
            routes:
              - { from: [in], to: [out] }
            """)
        #expect(e.count == 1)
        #expect(e[0].hasPrefix("unknown source type 'stdn' at routes.yaml:2:15; did you mean 'stdin'?"))
    }

    @Test func everyMistakeIsReportedWithItsLocation() {
        let e = errors("""
            sources:
              a: { type: tail, path: x, cuont: 3 }
              b: { type: tail }
            sinks:
              out: { type: stdout }
            routes:
              - from: [a, c]
                to: [otu]
                when_full: drop
              - from: [a]
                to: [out]
                high_wter: 1MiB
            bogus: 1
            """)
        let joined = e.joined(separator: "\n")
        #expect(e.count == 7, "\(joined)")
        #expect(joined.contains("unknown key 'cuont' in 'sources.a' at routes.yaml:2:29; did you mean 'count'?"))
        #expect(joined.contains("missing required key 'path' in 'sources.b' at routes.yaml:3:6"))
        #expect(joined.contains("unknown source 'c' in 'from' of route-1 at routes.yaml:7:15"))
        #expect(joined.contains("unknown sink 'otu' in 'to' of route-1 at routes.yaml:8:10; did you mean 'out'?"))
        #expect(joined.contains("invalid value 'drop' at routes.yaml:9:16"))
        #expect(joined.contains("unknown key 'high_wter' in 'routes.1' at routes.yaml:12:5; did you mean 'high_water'?"))
        #expect(joined.contains("unknown top-level key 'bogus' at routes.yaml:13:1"))
    }

    @Test func validateErrorsPointAtTheField() {
        let e = errors("""
            sources: { a: { type: tail, path: x, count: -2 } }
            sinks: { out: { type: stdout } }
            routes: [ { from: a, to: out } ]
            """)
        #expect(e == ["count must not be negative at routes.yaml:1:45"])
    }

    @Test func unitsParse() throws {
        let g = try load("""
            sources: { a: { type: tail, path: x, size: 64KiB, every: 250ms } }
            sinks: { out: { type: stdout } }
            routes: [ { from: a, to: out, high_water: 2MiB, low_water: 512KiB } ]
            """)
        let c = g.sources[0].config as! FileLikeConfig
        #expect(c.size.bytes == 65536)
        #expect(c.every.value == 0.25)
        #expect(g.routes[0].config.lowThreshold == 512 * 1024)
        #expect(ByteSize.parse("1.5k")?.bytes == 1536)
        #expect(ByteSize.parse("12 parsecs") == nil)
        #expect(Seconds.parse("2m")?.value == 120)
        let bad = errors("""
            sources: { a: { type: tail, path: x, size: lots } }
            sinks: { out: { type: stdout } }
            routes: [ { from: a, to: out, high_water: 1KiB, low_water: 2KiB } ]
            """)
        #expect(bad.count == 2)
        #expect(bad[0].hasPrefix("invalid byte size 'lots' at routes.yaml:1:44"))
        #expect(bad[1].hasPrefix("low_water (2KiB) must not exceed high_water (1KiB) at routes.yaml:3:60"))
    }

    @Test func environmentExpansion() throws {
        let env = ConfigEnvironment(["P": "/tmp/a", "EMPTY": ""])
        #expect(try env.expand("${P}/b") == "/tmp/a/b")
        #expect(try env.expand("${MISSING:-dflt}") == "dflt")
        #expect(try env.expand("${EMPTY:-dflt}") == "dflt")
        #expect(try env.expand("$${P}") == "${P}")
        #expect(throws: ConfigDiagnostic.self) { try env.expand("${MISSING}") }

        let g = try load("""
            sources: { a: { type: tail, path: "${P}", count: "${N:-7}" } }
            sinks: { out: { type: stdout } }
            routes: [ { from: a, to: out } ]
            """, env: ["P": "/var/log/x"])
        let c = g.sources[0].config as! FileLikeConfig
        #expect(c.path == "/var/log/x" && c.count == 7)

        let e = errors("""
            sources: { a: { type: tail, path: "${NOPE}" } }
            sinks: { out: { type: stdout } }
            routes: [ { from: a, to: out } ]
            """)
        #expect(e.first?.hasPrefix("environment variable 'NOPE' is not set at routes.yaml:1:35") == true)
    }

    @Test func envFileParsing() throws {
        let pairs = try ConfigEnvironment.parseEnvFile("""
            # comment
            export ACCOUNT_ID=AC123
            API_KEY="secret value"
            QUOTED='single # not a comment'
            TRAIL=plain # comment

            """)
        #expect(pairs.map(\.0) == ["ACCOUNT_ID", "API_KEY", "QUOTED", "TRAIL"])
        #expect(pairs.map(\.1) == ["AC123", "secret value", "single # not a comment", "plain"])
        #expect(throws: ConfigDiagnostic.self) { try ConfigEnvironment.parseEnvFile("NOEQUALS") }
    }

    @Test func invalidYAMLNamesTheLocation() {
        let e = errors("sources:\n  a: { type: stdin\nsinks: {}\n")
        #expect(e.count == 1)
        #expect(e[0].hasPrefix("invalid YAML"))
        #expect(e[0].contains("routes.yaml:"))
        let dup = errors("sources: {}\nsources: {}\nroutes: []\n")
        #expect(dup.first?.contains("duplicate key 'sources'") == true)
    }

    @Test func cyclesThroughALoopbackResourceAreErrors() {
        let e = errors("""
            sources: { tailer: { type: tail, path: /tmp/x.log } }
            sinks: { writer: { type: file, path: /tmp/x.log } }
            routes: [ { from: tailer, to: writer } ]
            """)
        #expect(e.count == 1)
        #expect(e.first?.hasPrefix("routes form a cycle: tailer → writer → tailer") == true)
        #expect(errors("""
            sources: { tailer: { type: tail, path: /tmp/x.log } }
            sinks: { writer: { type: file, path: /tmp/y.log } }
            routes: [ { from: tailer, to: writer } ]
            """).isEmpty)
    }

    @Test func hugeSizesAndDurationsAreConfigErrorsNotCrashes() {
        let e = errors("""
            sources: { a: { type: tail, path: x, size: 99999999999999999999GiB, every: 1\(String(repeating: "0", count: 300))s } }
            sinks: { out: { type: stdout } }
            routes: [ { from: a, to: out, high_water: 99999999999999999999 } ]
            shutdown_timeout: 99999999999999999999h
            """)
        #expect(e.count == 4, "\(e)")
        #expect(e.contains { $0.hasPrefix("byte size '99999999999999999999GiB' is too large at routes.yaml:1:44") })
        #expect(e.contains { $0.hasPrefix("duration '1\(String(repeating: "0", count: 300))s' is too long at routes.yaml:1:76") })
        #expect(e.contains { $0.hasPrefix("byte size '99999999999999999999' is too large at routes.yaml:3:43") })
        #expect(e.contains { $0.hasPrefix("duration '99999999999999999999h' is too long at routes.yaml:4:19") })
        #expect(errors("""
            sources: { a: { type: tail, path: x, every: 1e300s } }
            sinks: { out: { type: stdout } }
            routes: [ { from: a, to: out } ]
            """).first?.hasPrefix("invalid duration '1e300s' at routes.yaml:1:45") == true)
        #expect(ByteSize.parse("99999999999999999999GiB") == nil)
        #expect(ByteSize.parse("1024TiB") == nil)
        #expect(ByteSize.parse("\(1 << 20)GiB")?.bytes == 1 << 50)
        #expect(Seconds.parse("1\(String(repeating: "0", count: 300))") == nil)
        // Values built in code saturate instead of trapping.
        #expect(Seconds(1e300).nanoseconds == UInt64.max)
        #expect(Seconds(-1).nanoseconds == 0)
        #expect(Seconds(.nan).nanoseconds == 0)
        _ = DispatchTime.now() + Seconds(1e300).dispatch
        #expect(Seconds(1e300).configDescription.hasSuffix("s"))
    }

    @Test func switchTargetsMustBeInTheRoute() {
        let e = errors("""
            sources: { in: { type: stdin } }
            stages: { sw: { type: switch, targets: [a, b] } }
            sinks: { a: { type: stdout }, b: { type: stdout } }
            routes: [ { from: in, via: [sw], to: [a] } ]
            """)
        #expect(e == ["switch 'sw' sends to 'b', which is not in 'to' of route-1 at routes.yaml:4:29; add 'b' to the route's 'to'"])
    }

    @Test func unusedComponentsAreWarnings() throws {
        let g = try load("""
            sources: { in: { type: stdin }, idle: { type: stdin } }
            sinks: { out: { type: stdout }, spare: { type: stdout } }
            routes: [ { from: in, to: out } ]
            """)
        #expect(g.warnings.map(\.description) == [
            "source 'idle' is not used by any route at routes.yaml:1:33",
            "sink 'spare' is not used by any route at routes.yaml:2:33",
        ])
    }

    @Test func kindMixupsAndDuplicateNames() {
        let e = errors("""
            sources: { in: { type: stdin } }
            sinks: { out: { type: stdout }, in: { type: stdout } }
            routes: [ { from: [out], to: [in] } ]
            """)
        #expect(e.contains { $0.hasPrefix("name 'in' is used by a source and a sink") })
        #expect(e.contains { $0.hasPrefix("'out' in 'from' of route-1 is a sink, not a source") })
    }

    @Test func aDuplicateNameIsReportedWhereItAppearsSecond() {
        // sinks come first in the file: the source's 'x' is the duplicate.
        let e = errors("""
            sinks: { x: { type: stdout } }
            sources: { x: { type: stdin } }
            routes: [ { from: x, to: x } ]
            """)
        #expect(e.contains("name 'x' is used by a sink and a source at routes.yaml:2:12; give every component its own name"), "\(e)")
    }

    @Test func loopbackKeysResolveRelativePathsAgainstTheConfigDirectory() throws {
        struct RelativeFile: ComponentConfig, LoopbackResource {
            var path = ""
            static let fields: [ConfigField<RelativeFile>] = [.field("path", \.path, "A path.", required: true)]
            var loopbackKey: String? { "file:" + path }
            func loopbackKey(relativeTo baseDirectory: String) -> String? {
                "file:" + URL(fileURLWithPath: ComponentContext.resolve(path: path, against: baseDirectory)).standardizedFileURL.path
            }
        }
        var r = testRegistry()
        r.registerSource("rel", config: RelativeFile.self, doc: "") { _, _ in NullSource() }
        r.registerSink("rel", config: RelativeFile.self, doc: "") { _, _ in NullSink() }
        let yaml = """
            sources: { tailer: { type: rel, path: ./logs/x.log } }
            sinks: { writer: { type: rel, path: /etc/junction/logs/x.log } }
            routes: [ { from: tailer, to: writer } ]
            """
        do {
            _ = try GraphBuilder(registry: r, environment: ConfigEnvironment([:])).load(yaml: yaml, file: "/etc/junction/routes.yaml")
            Issue.record("expected a cycle")
        } catch let e as ConfigErrors {
            #expect(e.description.hasPrefix("routes form a cycle: tailer → writer → tailer at /etc/junction/routes.yaml:1:12"))
        }
        let graph = try GraphBuilder(registry: r, environment: ConfigEnvironment([:])).load(yaml: yaml, file: "/srv/other/routes.yaml")
        #expect(graph.baseDirectory == "/srv/other")
    }

    @Test func referenceListsFieldsWithDefaults() {
        let text = testRegistry().reference()
        #expect(text.contains("  tail — "))
        #expect(text.contains("    count: integer = 3\n      A count."))
        #expect(text.contains("    size: bytes = 1KiB"))
        #expect(text.contains("    path: string = required"))
    }

    @Test func graphRendersDotAndMermaid() throws {
        let g = try load("""
            sources: { in: { type: stdin } }
            stages: { p: { type: pass } }
            sinks: { out: { type: stdout }, f: { type: file, path: x } }
            routes: [ { from: in, via: [p], to: [out, f], when_full: drop_newest } ]
            """)
        let dot = g.dot()
        #expect(dot.hasPrefix("digraph junction {"))
        #expect(dot.contains("label=\"in\\n(stdin)\""))
        #expect(dot.components(separatedBy: " -> ").count - 1 == 3)
        #expect(dot.contains("[label=\"drop_newest\"]"))
        let mermaid = g.mermaid()
        #expect(mermaid.hasPrefix("flowchart LR\n"))
        #expect(mermaid.components(separatedBy: "-->").count - 1 == 3)
    }
}

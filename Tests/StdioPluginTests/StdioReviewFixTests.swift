import Foundation
import Testing
@testable import Junction
@testable import StdioPlugin

func stdioRegistry() -> PluginRegistry {
    var r = PluginRegistry()
    StdioPlugin.register(into: &r)
    return r
}

/// The error lines of loading `yaml` with the stdio plugin (empty when it loads).
func stdioErrors(_ yaml: String, file: String = "routes.yaml") -> [String] {
    do {
        _ = try GraphBuilder(registry: stdioRegistry(), environment: ConfigEnvironment([:])).load(yaml: yaml, file: file)
        return []
    } catch let e as ConfigErrors {
        return e.diagnostics.filter { $0.severity == .error }.map(\.description)
    } catch {
        return ["unexpected: \(error)"]
    }
}

@Suite struct GenerateValidationTests {
    func rateError(_ rate: String) -> [String] {
        stdioErrors("""
            sources: { g: { type: generate, rate: \(rate) } }
            sinks: { out: { type: stdout } }
            routes: [ { from: g, to: out } ]
            """)
    }

    @Test func absurdRatesAreConfigErrors() {
        for rate in ["inf", ".inf", "nan", "1e-300", "1e300", "-1", "10000001"] {
            let e = rateError(rate)
            #expect(e.count == 1 && e[0].hasPrefix("rate must be 0 (unlimited) or between") && e[0].contains("at routes.yaml:1:39"), "\(rate): \(e)")
        }
        for rate in ["0", "0.000001", "2.5", "10000000"] { #expect(rateError(rate).isEmpty, "\(rate)") }
    }

    @Test func startCountAndBatchMustStayInRange() {
        #expect(stdioErrors("""
            sources: { g: { type: generate, start: 9223372036854775807, count: 2 } }
            sinks: { out: { type: stdout } }
            routes: [ { from: g, to: out } ]
            """).first?.hasPrefix("start + count is beyond the integer range") == true)
        #expect(stdioErrors("""
            sources: { g: { type: generate, batch: 1000000000000 } }
            sinks: { out: { type: stdout } }
            routes: [ { from: g, to: out } ]
            """).first?.hasPrefix("batch must be between 1 and") == true)
        var config = GenerateConfig()
        config.rate = .infinity
        #expect(throws: ConfigDiagnostic.self) { try GenerateSource(config: config, context: ComponentContext(name: "g", type: "generate")) }
    }

    @Test func aTinyRateEmitsOnceThenWaitsWithoutSpinning() throws {
        var config = GenerateConfig()
        config.rate = 0.000001
        let source = try GenerateSource(config: config, context: ComponentContext(name: "g", type: "generate"))
        let out = Collector()
        try source.start(out)
        #expect(out.wait { $0.messages.count == 1 })
        Thread.sleep(forTimeInterval: 0.1)
        #expect(out.messages.count == 1)
        source.stop()
        #expect(out.wait { $0.finished })
    }
}

@Suite struct FileComponentFixTests {
    @Test func pollAndFsyncIntervalsHaveAFloor() {
        let e = stdioErrors("""
            sources: { f: { type: file, path: in.log, follow: true, poll_interval: 0 } }
            sinks: { out: { type: file, path: out.log, fsync: interval, fsync_interval: 0s } }
            routes: [ { from: f, to: out } ]
            """)
        #expect(e == [
            "poll_interval must be at least 10ms at routes.yaml:1:72; e.g. 250ms",
            "fsync_interval must be at least 10ms at routes.yaml:2:77; or use fsync: batch",
        ])
    }

    @Test func relativeAndAbsoluteSpellingsOfOneFileCollide() {
        let dir = temporaryDirectory()
        let e = stdioErrors("""
            sources: { tailer: { type: file, path: ./logs/../app.log, follow: true } }
            sinks: { writer: { type: file, path: \(dir)/app.log } }
            routes: [ { from: tailer, to: writer } ]
            """, file: dir + "/routes.yaml")
        #expect(e.count == 1 && e[0].hasPrefix("routes form a cycle: tailer → writer → tailer"), "\(e)")
        // Through a symlinked directory, too.
        let link = dir + "-link"
        #expect(symlink(dir, link) == 0)
        defer { unlink(link) }
        #expect(stdioErrors("""
            sources: { tailer: { type: file, path: app.log, follow: true } }
            sinks: { writer: { type: file, path: \(link)/app.log } }
            routes: [ { from: tailer, to: writer } ]
            """, file: dir + "/routes.yaml").first?.hasPrefix("routes form a cycle") == true)
    }

    @Test func intervalFsyncRunsOnATimerAfterWritesStop() throws {
        let dir = temporaryDirectory()
        var config = FileSinkConfig()
        config.path = dir + "/synced.log"
        config.fsync = .interval
        config.fsyncInterval = 0.05
        let sink = FileSink(config: config, context: ComponentContext(name: "f", type: "file"))
        try sink.start()
        let wrote = DispatchSemaphore(value: 0)
        sink.write([Message(text: "one")]) { wrote.signal() }
        #expect(wrote.wait(timeout: .now() + 5) == .success)
        // Nothing else is written: the timer alone must sync the data within the interval.
        let deadline = Date().addingTimeInterval(2)
        while sink.syncCount == 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(sink.syncCount >= 1)
        // Idle and clean: no more fsyncs.
        let settled = sink.syncCount
        Thread.sleep(forTimeInterval: 0.2)
        #expect(sink.syncCount == settled)
        let closed = DispatchSemaphore(value: 0)
        sink.close { closed.signal() }
        #expect(closed.wait(timeout: .now() + 5) == .success)
    }

    @Test func failedWritesAreReportedNotCountedAsWritten() throws {
        let graph = try GraphBuilder(registry: stdioRegistry(), environment: ConfigEnvironment([:])).load(yaml: """
            sources: { g: { type: generate, count: 20, batch: 5 } }
            sinks: { full: { type: file, path: /dev/full } }
            routes: [ { from: g, to: full } ]
            """)
        let pipeline = try Pipeline(graph: graph)
        try pipeline.start()
        let done = DispatchSemaphore(value: 0)
        pipeline.onFinished { done.signal() }
        #expect(done.wait(timeout: .now() + 10) == .success)
        let stats = pipeline.statsSummary()
        #expect(stats["sink.full"] == "0", "\(stats)")
        #expect(stats["failed.full"] == "20", "\(stats)")
    }

    @Test func aBlockingWriterDroppedWithoutFinishEndsItsThread() {
        weak var weakWriter: BlockingWriter?
        let ran = DispatchSemaphore(value: 0)
        do {
            let writer = BlockingWriter(name: "junction.test")
            writer.start()
            weakWriter = writer
            writer.submit { ran.signal() }
        }
        #expect(ran.wait(timeout: .now() + 5) == .success)
        #expect(weakWriter == nil)
    }

    @Test func aFollowedFileKeepsItsPartialLastLineAcrossRotationAndTruncation() throws {
        let dir = temporaryDirectory()
        let path = dir + "/app.log"
        append("a\nb", to: path)
        var config = FileSourceConfig()
        config.path = path
        config.follow = true
        config.pollInterval = 0.02
        let source = FileSource(config: config, context: ComponentContext(name: "tail", type: "file"))
        let out = Collector()
        try source.start(out)
        #expect(out.wait { $0.messages.count == 1 })
        // Rotation: the old file ends in the middle of a line; the new one starts afresh.
        #expect(rename(path, path + ".1") == 0)
        append("c\npart", to: path)
        #expect(out.wait { $0.messages.count == 3 })
        Thread.sleep(forTimeInterval: 0.1)
        // Truncation: the partial line before it is a message of its own, too.
        #expect(truncate(path, 0) == 0)
        Thread.sleep(forTimeInterval: 0.1)
        append("d\n", to: path)
        #expect(out.wait { $0.messages.count == 5 })
        #expect(out.messages.map(\.text) == ["a", "b", "c", "part", "d"])
        source.stop()
        #expect(out.wait { $0.finished })
    }

    @Test func readErrorsAreCountedAndRetriedNotTakenForTheEnd() throws {
        // Reading a directory fails (EISDIR): that is an error, not an empty file.
        let dir = temporaryDirectory()
        var config = FileSourceConfig()
        config.path = dir
        config.follow = true
        config.pollInterval = 0.02
        let source = FileSource(config: config, context: ComponentContext(name: "tail", type: "file"))
        let out = Collector()
        let started = Date()
        try source.start(out)
        let deadline = Date().addingTimeInterval(5)
        while source.readErrors < 3, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(source.readErrors >= 3)  // retried, once per poll interval
        Thread.sleep(forTimeInterval: 0.1)
        let errors = source.readErrors
        // Not spinning: one attempt per poll interval at most.
        #expect(errors <= Int(Date().timeIntervalSince(started) / 0.02) + 2, "\(errors) read errors")
        source.stop()
        #expect(out.wait { $0.finished })
        #expect(out.messages.isEmpty)
    }
}

@Suite struct StreamDecoderResetTests {
    @Test func finishEmitsThePartialLineAndStartsAfresh() {
        var d = StreamDecoder(codec: .lines, maxMessageSize: 4)
        var out: [Message] = []
        Array("ok\nlong-line-cut".utf8).withUnsafeBytes { d.decode($0, into: &out, metadata: [:]) }
        d.finish(into: &out, metadata: [:])  // the old file ended inside a skipped line
        Array("new\n".utf8).withUnsafeBytes { d.decode($0, into: &out, metadata: [:]) }
        #expect(out.map(\.text) == ["ok", "new"])
    }

    @Test func aCutOffFrameIsDroppedAndCounted() {
        var d = StreamDecoder(codec: .lengthDelimited, maxMessageSize: 100)
        var out: [Message] = []
        ([0, 0, 0, 5, 0x61] as [UInt8]).withUnsafeBytes { d.decode($0, into: &out, metadata: [:]) }
        d.finish(into: &out, metadata: [:])
        #expect(out.isEmpty && d.incomplete == 1)
        ([0, 0, 0, 1, 0x62] as [UInt8]).withUnsafeBytes { d.decode($0, into: &out, metadata: [:]) }
        #expect(out.map(\.text) == ["b"])
    }
}

import Foundation
import Testing
@testable import Junction
@testable import StdioPlugin

/// Collects what a source emits.
final class Collector: SourceOutput, @unchecked Sendable {
    private let lock = NSLock()
    private var _messages: [Message] = []
    private var _finished = false
    var isPaused: Bool { false }
    func emit(_ batch: [Message]) { lock.withLock { _messages += batch } }
    func finish() { lock.withLock { _finished = true } }
    var messages: [Message] { lock.withLock { _messages } }
    var finished: Bool { lock.withLock { _finished } }

    func wait(until condition: (Collector) -> Bool, timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition(self) {
            if Date() > deadline { return false }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return true
    }
}

func temporaryDirectory() -> String {
    let dir = NSTemporaryDirectory() + "junction-test-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

func append(_ text: String, to path: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    _ = text.withCString { write(fd, $0, strlen($0)) }
    close(fd)
}

@Suite struct StreamCodecTests {
    func decode(_ chunks: [String], codec: StdioCodec = .lines, max: Int = 1 << 20) -> ([String], Int) {
        var d = StreamDecoder(codec: codec, maxMessageSize: max)
        var out: [Message] = []
        for c in chunks { Array(c.utf8).withUnsafeBytes { d.decode($0, into: &out, metadata: [:]) } }
        d.finish(into: &out, metadata: [:])
        return (out.map(\.text), d.oversized)
    }

    @Test func linesAcrossChunksAndCRLF() {
        #expect(decode(["a\nb", "c\r\n", "\nlast"]).0 == ["a", "bc", "", "last"])
    }

    @Test func overlongLinesAreSkippedAndCounted() {
        let (lines, skipped) = decode(["ok\n", String(repeating: "x", count: 5), String(repeating: "y", count: 5) + "\nfine\n"], max: 8)
        #expect(lines == ["ok", "fine"])
        #expect(skipped == 1)
    }

    @Test func lengthDelimitedRoundTrip() {
        var bytes: [UInt8] = []
        StreamEncoder.encode([Message(text: "hello"), Message(text: ""), Message(text: "wörld")], codec: .lengthDelimited, into: &bytes)
        var d = StreamDecoder(codec: .lengthDelimited, maxMessageSize: 100)
        var out: [Message] = []
        // Feed one byte at a time: frames must survive any split.
        for b in bytes { [b].withUnsafeBytes { d.decode($0, into: &out, metadata: [:]) } }
        #expect(out.map(\.text) == ["hello", "", "wörld"])
        #expect(out.allSatisfy { $0.kind == .binary })
    }
}

@Suite struct StdioSourceSinkTests {
    @Test func stdinReadsLinesUntilEOF() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let source = StdinSource(config: StdinConfig(), context: ComponentContext(name: "in", type: "stdin"), fd: fds[0])
        let out = Collector()
        try source.start(out)
        let text = (1...1000).map { "{\"seq\":\($0)}" }.joined(separator: "\n") + "\n"
        text.withCString { _ = write(fds[1], $0, strlen($0)) }
        close(fds[1])
        #expect(out.wait { $0.finished })
        #expect(out.messages.count == 1000)
        #expect(out.messages.last?.text == "{\"seq\":1000}")
        #expect(out.messages.allSatisfy { $0.kind == .text })
        close(fds[0])
    }

    @Test func pausedStdinStopsReading() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let source = StdinSource(config: StdinConfig(), context: ComponentContext(name: "in", type: "stdin"), fd: fds[0])
        let out = Collector()
        try source.start(out)
        send("one\n", fd: fds[1])
        #expect(out.wait { $0.messages.count == 1 })
        source.pause()
        Thread.sleep(forTimeInterval: 0.05)  // let the reader reach the pause check
        send("two\n", fd: fds[1])
        Thread.sleep(forTimeInterval: 0.2)
        #expect(out.messages.count <= 2)
        let before = out.messages.count
        send("three\n", fd: fds[1])
        Thread.sleep(forTimeInterval: 0.2)
        #expect(out.messages.count == before)  // nothing read while paused
        source.resume()
        #expect(out.wait { $0.messages.count == 3 })
        close(fds[1])
        #expect(out.wait { $0.finished })
        close(fds[0])
    }

    func send(_ s: String, fd: Int32) { s.withCString { _ = write(fd, $0, strlen($0)) } }

    @Test func stdoutSinkWritesFramedBatches() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let sink = StdoutSink(config: StdoutConfig(), context: ComponentContext(name: "out", type: "stdout"), fd: fds[1])
        let done = DispatchSemaphore(value: 0)
        sink.write([Message(text: "a"), Message(text: "b")]) { done.signal() }
        #expect(done.wait(timeout: .now() + 5) == .success)
        var buf = [UInt8](repeating: 0, count: 16)
        let n = read(fds[0], &buf, 16)
        #expect(String(decoding: buf[0..<max(0, n)], as: UTF8.self) == "a\nb\n")
        close(fds[0])
        close(fds[1])
    }

    @Test func fileSinkAppendsAndFileSourceReadsBack() throws {
        let dir = temporaryDirectory()
        var sinkConfig = FileSinkConfig()
        sinkConfig.path = dir + "/nested/out.log"
        sinkConfig.fsync = .batch
        let sink = FileSink(config: sinkConfig, context: ComponentContext(name: "f", type: "file"))
        try sink.start()
        let wrote = DispatchSemaphore(value: 0)
        sink.write((0..<100).map { Message(text: "line \($0)") }) { wrote.signal() }
        #expect(wrote.wait(timeout: .now() + 5) == .success)
        let closed = DispatchSemaphore(value: 0)
        sink.close { closed.signal() }
        #expect(closed.wait(timeout: .now() + 5) == .success)

        var sourceConfig = FileSourceConfig()
        sourceConfig.path = sinkConfig.path
        let source = FileSource(config: sourceConfig, context: ComponentContext(name: "r", type: "file"))
        let out = Collector()
        try source.start(out)
        #expect(out.wait { $0.finished })
        #expect(out.messages.map(\.text) == (0..<100).map { "line \($0)" })
        #expect(out.messages.first?.metadata["path"] == sinkConfig.path)
    }

    @Test func followingAFileSurvivesRotationAndTruncation() throws {
        let dir = temporaryDirectory()
        let path = dir + "/app.log"
        append("old\n", to: path)
        var config = FileSourceConfig()
        config.path = path
        config.follow = true
        config.pollInterval = 0.02
        let source = FileSource(config: config, context: ComponentContext(name: "tail", type: "file"))
        let out = Collector()
        try source.start(out)
        #expect(out.wait { $0.messages.count == 1 })
        append("a1\na2\n", to: path)
        #expect(out.wait { $0.messages.count == 3 })
        // Rotation: rename away, a last line lands in the old file, a new file appears.
        #expect(rename(path, path + ".1") == 0)
        append("a3\n", to: path + ".1")
        append("b1\n", to: path)
        #expect(out.wait { $0.messages.count == 5 })
        // Truncation: start over from offset 0.
        #expect(truncate(path, 0) == 0)
        Thread.sleep(forTimeInterval: 0.1)
        append("c1\n", to: path)
        #expect(out.wait { $0.messages.count == 6 })
        #expect(out.messages.map(\.text) == ["old", "a1", "a2", "a3", "b1", "c1"])
        source.stop()
        #expect(out.wait { $0.finished })
    }

    @Test func generateHonoursCountTemplateAndRate() throws {
        var config = GenerateConfig()
        config.count = 5
        config.template = #"{"n":{{seq}},"k":"{{cycle:x,y}}"}"#
        let source = try GenerateSource(config: config, context: ComponentContext(name: "g", type: "generate"))
        let out = Collector()
        try source.start(out)
        #expect(out.wait { $0.finished })
        #expect(out.messages.map(\.text) == [
            #"{"n":1,"k":"y"}"#, #"{"n":2,"k":"x"}"#, #"{"n":3,"k":"y"}"#, #"{"n":4,"k":"x"}"#, #"{"n":5,"k":"y"}"#,
        ])

        config.count = 6
        config.rate = 20
        let paced = try GenerateSource(config: config, context: ComponentContext(name: "g", type: "generate"))
        let out2 = Collector()
        let start = Date()
        try paced.start(out2)
        #expect(out2.wait { $0.finished })
        #expect(Date().timeIntervalSince(start) >= 0.2)  // 6 messages at 20/s take at least 5 intervals
        #expect(out2.messages.count == 6)
        #expect(throws: ConfigDiagnostic.self) { try GenerateTemplate("{{nope}}") }
    }
}

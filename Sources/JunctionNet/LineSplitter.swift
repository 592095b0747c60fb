import Foundation

/// Cuts a byte stream into lines, whatever the chunk boundaries.
///
/// A line ends at `\n`; one `\r` right before it is dropped too, so `\r\n`
/// and `\n` endings give the same lines (also when the `\r` and the `\n`
/// arrive in different chunks). Empty lines are lines. Bytes after the last
/// `\n` wait for the next chunk; ``finish()`` hands them over as the final
/// line when the stream ends.
///
/// ```swift
/// var splitter = LineSplitter()
/// splitter.append(Array("al".utf8))                  // []
/// splitter.append(Array("pha\r\nbeta\ngam".utf8))    // ["alpha", "beta"]
/// splitter.finish()                                  // "gam"
/// ```
struct LineSplitter: Sendable {
    private var partial: [UInt8] = []

    /// Bytes received after the last complete line.
    var pendingCount: Int { partial.count }

    /// Takes the next chunk and returns the lines it completes, in order.
    mutating func append(_ chunk: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        chunk.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var start = 0
            while start < buffer.count, let hit = memchr(base + start, 0x0A, buffer.count - start) {
                let end = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
                var line = partial
                partial = []
                line.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<end]))
                Self.dropCarriageReturn(&line)
                lines.append(line)
                start = end + 1
            }
            if start < buffer.count {
                partial.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...]))
            }
        }
        return lines
    }

    /// The end of the stream: the unterminated last line (a trailing `\r`
    /// dropped), or `nil` when the stream ended with a line break.
    mutating func finish() -> [UInt8]? {
        guard !partial.isEmpty else { return nil }
        var line = partial
        partial = []
        Self.dropCarriageReturn(&line)
        return line
    }

    private static func dropCarriageReturn(_ line: inout [UInt8]) {
        if line.last == 0x0D { line.removeLast() }
    }
}

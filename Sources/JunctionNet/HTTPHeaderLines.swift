/// Response header lines as curl hands them over (`Name: value`, each ending
/// in `\n`), kept as bytes until someone asks for them by name: a webhook
/// delivery reads its status and nothing else, so most responses never
/// pay for a dictionary.
///
/// ```swift
/// var lines = HTTPHeaderLines()
/// lines.append(line)                        // from the header callback
/// lines.dictionary["content-type"]          // parsed on demand
/// ```
struct HTTPHeaderLines: Sendable {
    private(set) var bytes: [UInt8] = []

    /// Adds one `Name: value` line (its line break, if any, is dropped).
    mutating func append(_ line: UnsafeRawBufferPointer) {
        var end = line.count
        while end > 0, line[end - 1] == 0x0A || line[end - 1] == 0x0D { end -= 1 }
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[..<end]))
        bytes.append(0x0A)
    }

    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    /// Header values by lower-cased name; repeated headers joined with `", "`;
    /// lines without a colon skipped.
    var dictionary: [String: String] {
        var result: [String: String] = [:]
        result.reserveCapacity(8)
        bytes.withUnsafeBytes { all in
            for line in all.split(separator: 0x0A) {
                guard let colon = line.firstIndex(of: 0x3A) else { continue }
                let raw = Self.trimmed(line[..<colon])
                let name = String(unsafeUninitializedCapacity: raw.count) { out in
                    for (i, byte) in raw.enumerated() { out[i] = (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }
                    return raw.count
                }
                let value = String(decoding: Self.trimmed(line[(colon + 1)...]), as: UTF8.self)
                if let earlier = result[name] { result[name] = earlier + ", " + value } else { result[name] = value }
            }
        }
        return result
    }

    /// Without leading and trailing spaces and tabs.
    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        var start = bytes.startIndex, end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return bytes[start..<end]
    }
}

import Foundation
import JunctionStore

/// A fresh directory under the system temporary directory, removed when the
/// value goes away.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "junction-store-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A file path inside the directory.
    func file(_ name: String = "outbox.db") -> String { path + "/" + name }
}

/// An entry with a recognisable payload.
func entry(_ target: String, _ messageID: String, payload: [UInt8]? = nil, meta: [UInt8] = [9, 9], createdAt: Int64 = 1_000) -> Outbox.Entry {
    Outbox.Entry(
        target: target,
        messageID: messageID,
        payload: payload ?? Array("payload of \(messageID)".utf8),
        meta: meta,
        createdAt: createdAt
    )
}

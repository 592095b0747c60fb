import Foundation

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

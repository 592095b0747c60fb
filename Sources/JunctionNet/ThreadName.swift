import CWebSockets

/// The kernel's name of the calling thread, as `top -H` and debuggers show it.
///
/// Set from inside the thread: corelibs Foundation's `Thread.name` renames
/// the *calling* thread when set before `start()`.
///
/// ```swift
/// Thread { ThreadName.set("junction-http"); run() }.start()
/// ```
enum ThreadName {
    /// Names the calling thread; longer names are cut to 15 bytes.
    static func set(_ name: String) {
        junction_set_thread_name(String(decoding: name.utf8.prefix(15), as: UTF8.self))
    }

    /// The calling thread's name.
    static var current: String {
        var buffer = [CChar](repeating: 0, count: 17)
        buffer.withUnsafeMutableBufferPointer { junction_get_thread_name($0.baseAddress) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

import CSimdJSON
import Foundation
import Synchronization

extension JSONValue {
    /// Parses one JSON document (any top-level value, surrounding JSON
    /// whitespace allowed). Safe to call from any number of threads at once.
    ///
    /// Accepts exactly what Foundation's `JSONSerialization.jsonObject(with:options: .fragmentsAllowed)`
    /// accepts, with the same strings and numbers: simdjson (`jsx_events`)
    /// is a fast path used only where it is known to agree, and Foundation
    /// parses everything else — documents simdjson rejects or leaves out
    /// (nesting deeper than 100, integers beyond 64 bits, `-0`; and what
    /// Foundation alone accepts: trailing commas, a byte order mark, UTF-16
    /// and UTF-32), documents with a raw U+FEFF (Foundation drops one at the
    /// start of each run of unescaped string text), and documents with a
    /// number of 18 characters or more before its exponent (Foundation reads
    /// those through `Decimal`, whose doubles are not always the nearest).
    ///
    /// Values that come from Foundation have no document order or duplicates
    /// to keep: their object members are sorted by key, one per key (the last
    /// value, the first spelling).
    ///
    /// ```swift
    /// let value = try JSONValue.parse(Array(#"{"a":[1,"x",null]}"#.utf8))
    /// value["a"]?[1]?.stringValue   // "x"
    /// ```
    /// - Throws: `JSONError` ("invalid JSON: …") when Foundation does not accept it either.
    public static func parse(_ json: [UInt8]) throws(JSONError) -> JSONValue {
        let result: Result<JSONValue, JSONError> = json.withUnsafeBytes { bytes in
            do throws(JSONError) { return .success(try parse(bytes)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Parses the UTF-8 of `text`; see `parse(_:)`.
    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// Parses the bytes of `json`; see `parse(_:)`.
    public static func parse(_ json: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue {
        if let builder = JSONValueBuilderPool.take() {
            let fast = builder.build(json)
            JSONValueBuilderPool.give(builder, documentSize: json.count)
            if let fast { return fast }
        }
        return try parseWithFoundation(json)
    }

    /// The reference parse: Foundation's `JSONSerialization` (fragments
    /// allowed), converted. Objects come out sorted by key.
    static func parseWithFoundation(_ json: UnsafeRawBufferPointer) throws(JSONError) -> JSONValue {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(json), options: [.fragmentsAllowed])
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw JSONError("invalid JSON: " + reason)
        }
        return JSONValue(foundation: object)
    }

    /// Converts what `JSONSerialization` answers. Booleans are the NSNumbers
    /// of `objCType` "c" (as Foundation boxes `true`/`false`); other numbers
    /// keep their `doubleValue`.
    init(foundation value: Any) {
        // Containers first: asking a deep array whether it is a String or an
        // NSNumber costs a walk through it.
        switch value {
        case let a as [Any]: self = .array(a.map(JSONValue.init(foundation:)))
        case let o as [String: Any]:
            self = .object(o.sorted { $0.key < $1.key }.map { (key: $0.key, value: JSONValue(foundation: $0.value)) })
        case let s as String: self = .string(s)
        case let n as NSNumber: self = String(cString: n.objCType) == "c" ? .bool(n.boolValue) : .number(n.doubleValue)
        default: self = .null
        }
    }
}

/// Idle builders for `JSONValue.parse`: a `jsx_parser` is not thread-safe, so
/// each parse takes one for itself and gives it back after.
enum JSONValueBuilderPool {
    private static let idle = Mutex<[JSONValueBuilder]>([])
    /// More idle builders than this are freed.
    static let maxIdle = 8
    /// A builder that parsed a bigger document is freed (its buffers grew to fit).
    static let maxKeptDocument = 1 << 20

    /// An idle builder, or a new one; nil only when out of memory.
    static func take() -> JSONValueBuilder? {
        if let builder = idle.withLock({ $0.popLast() }) { return builder }
        return JSONValueBuilder()
    }

    static func give(_ builder: JSONValueBuilder, documentSize: Int) {
        guard documentSize <= maxKeptDocument else { return }
        idle.withLock { builders in
            if builders.count < maxIdle { builders.append(builder) }
        }
    }

    /// How many builders are idle (tests).
    static var idleCount: Int { idle.withLock { $0.count } }
}

/// Builds a `JSONValue` in one pass over simdjson's flattened DOM
/// (`jsx_events`), or answers nil to leave the document to Foundation.
///
/// Finished values wait on a stack until their container ends; the stacks are
/// manually managed memory so that a container *moves* its elements out
/// (no copies, retains or releases per element).
///
/// Used by one thread at a time: `JSONValueBuilderPool` hands each out to a
/// single caller (hence `@unchecked Sendable`).
final class JSONValueBuilder: @unchecked Sendable {
    private let parser: OpaquePointer
    /// The stacks, kept between builds (taken out while building: locals
    /// spare the per-access exclusivity checks of class properties).
    private var spare: Stacks? = Stacks()

    private struct Stacks: ~Copyable {
        var values = MoveStack<JSONValue>()
        /// Keys of the open objects' members, parallel to their entries in `values`.
        var keys = MoveStack<String>()
        /// Where each open container's entries start in `values` and `keys`.
        var frames: [(values: Int, keys: Int)] = []
    }

    init?() {
        guard let parser = jsx_parser_new() else { return nil }
        self.parser = parser
    }

    deinit { jsx_parser_free(parser) }

    func build(_ json: UnsafeRawBufferPointer) -> JSONValue? {
        var events: UnsafePointer<jsx_event>?
        var count = 0
        let status = jsx_events(parser, json.baseAddress?.assumingMemoryBound(to: UInt8.self), json.count, &events, &count)
        guard status == .JSX_OK, let events, count > 0, !Self.hasRawByteOrderMark(json) else { return nil }
        var stacks = spare.take() ?? Stacks()
        let root = Self.build(events, count, &stacks.values, &stacks.keys, &stacks.frames)
        stacks.values.clear()
        stacks.keys.clear()
        stacks.frames.removeAll(keepingCapacity: stacks.frames.capacity <= 256)
        spare = consume stacks
        if root == nil || Self.hasNumber(events, count) && Self.hasLongNumberText(json) { return nil }
        return root
    }

    /// The value the events describe, or nil if they do not describe one.
    private static func build(_ events: UnsafePointer<jsx_event>, _ count: Int, _ values: inout MoveStack<JSONValue>,
                              _ keys: inout MoveStack<String>, _ frames: inout [(values: Int, keys: Int)]) -> JSONValue? {
        for i in 0..<count {
            let e = events[i]
            switch e.kind {
            case .JSX_EV_NULL: values.push(.null)
            case .JSX_EV_FALSE: values.push(.bool(false))
            case .JSX_EV_TRUE: values.push(.bool(true))
            case .JSX_EV_NUMBER: values.push(.number(e.number))
            case .JSX_EV_STRING: values.push(.string(Self.string(e)))
            case .JSX_EV_KEY: keys.push(Self.string(e))
            case .JSX_EV_ARRAY_START, .JSX_EV_OBJECT_START:
                frames.append((values.count, keys.count))
            case .JSX_EV_ARRAY_END:
                let elements = values.moveOut(from: frames.removeLast().values)
                values.push(.array(elements))
            case .JSX_EV_OBJECT_END:
                let frame = frames.removeLast()
                let fields = Self.members(&keys, from: frame.keys, &values, from: frame.values)
                values.push(.object(fields))
            }
        }
        guard values.count == 1, frames.isEmpty else { return nil }
        return values.release(from: 0).move()
    }

    private static func hasNumber(_ events: UnsafePointer<jsx_event>, _ count: Int) -> Bool {
        for i in 0..<count where events[i].kind == .JSX_EV_NUMBER { return true }
        return false
    }

    /// Moves the keys from `keyStart` on and the values from `valueStart` on
    /// (as many) out of their stacks, paired.
    private static func members(_ keys: inout MoveStack<String>, from keyStart: Int,
                                _ values: inout MoveStack<JSONValue>, from valueStart: Int) -> [(key: String, value: JSONValue)] {
        let n = values.count - valueStart
        precondition(keys.count - keyStart == n, "unbalanced JSON events")
        guard n > 0 else { return [] }
        let k = keys.release(from: keyStart)
        let v = values.release(from: valueStart)
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(n)
        for j in 0..<n { members.append(((k + j).move(), (v + j).move())) }
        return members
    }

    private static func string(_ e: jsx_event) -> String {
        guard let data = e.data, e.length > 0 else { return "" }
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: e.length)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether the bytes EF BB BF (a raw U+FEFF) appear anywhere.
    static func hasRawByteOrderMark(_ json: UnsafeRawBufferPointer) -> Bool {
        guard json.count >= 3, let base = json.baseAddress else { return false }
        let end = base + json.count
        var from = base
        while from < end, let hit = memchr(from, 0xEF, end - from) {
            let p = UnsafeRawPointer(hit)
            if end - p >= 3, p.load(fromByteOffset: 1, as: UInt8.self) == 0xBB, p.load(fromByteOffset: 2, as: UInt8.self) == 0xBF {
                return true
            }
            from = p + 1
        }
        return false
    }

    /// Whether 18 or more bytes in a row are digits, '.', '+', '-', 'e' or
    /// 'E': any number Foundation reads through `Decimal` (more than 17
    /// characters before a lowercase 'e', or in all) has such a run.
    static func hasLongNumberText(_ json: UnsafeRawBufferPointer) -> Bool {
        var run = 0
        for b in json {
            switch b {
            case 0x30...0x39, 0x2E, 0x2B, 0x2D, 0x65, 0x45:
                run += 1
                if run >= 18 { return true }
            default:
                run = 0
            }
        }
        return false
    }
}

/// A stack in manually managed memory whose top elements can be moved out
/// at once. Not copyable: it owns its elements.
struct MoveStack<Element>: ~Copyable {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0
    private static var initialCapacity: Int { 64 }

    init() {
        capacity = Self.initialCapacity
        base = .allocate(capacity: capacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    mutating func push(_ element: consuming Element) {
        if count == capacity { resize(to: capacity * 2) }
        (base + count).initialize(to: element)
        count += 1
    }

    /// The elements from `start` on, moved into an array.
    mutating func moveOut(from start: Int) -> [Element] {
        let n = count - start
        guard n > 0 else { return [] }
        let from = release(from: start)
        var out: [Element] = []
        out.reserveCapacity(n)
        for j in 0..<n { out.append((from + j).move()) }
        return out
    }

    /// Gives up the elements from `start` on: the caller must move all of them
    /// out of the returned pointer before the next push.
    mutating func release(from start: Int) -> UnsafeMutablePointer<Element> {
        precondition(start >= 0 && start <= count)
        count = start
        return base + start
    }

    /// Drops every element; a stack that grew big goes back to its first size.
    mutating func clear() {
        base.deinitialize(count: count)
        count = 0
        if capacity > 4096 { resize(to: Self.initialCapacity) }
    }

    private mutating func resize(to newCapacity: Int) {
        let new = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        new.moveInitialize(from: base, count: count)
        base.deallocate()
        base = new
        capacity = newCapacity
    }
}

import CJQ

/// An editable JSON value backed by libjq's `jv`: parse, read, set, rename,
/// delete and keep fields by dotted path, then serialize compactly.
///
/// Object keys keep their order; new keys go last. The handle owns one `jv`
/// and frees it once, in `deinit`.
///
/// ```swift
/// let doc = try JSONDocument(parsing: Array(#"{"a":1,"b":{"c":2}}"#.utf8))
/// try doc.set(JSONPath("b.d"), to: .string("x"))
/// try doc.rename(JSONPath("a"), to: JSONPath("z"))
/// doc.remove(JSONPath("b.c"))
/// doc.text   // {"z":1,"b":{"d":"x"}}
/// ```
public final class JSONDocument {
    private var value: jv

    init(owning value: jv) { self.value = value }

    deinit { jv_free(value) }

    /// Parses one JSON document (surrounding whitespace allowed).
    /// - Throws: `JSONError` when `json` is not exactly one valid JSON value.
    public convenience init(parsing json: [UInt8]) throws(JSONError) {
        let v = json.withUnsafeBytes { raw -> jv in
            var scratch: [CChar] = []
            return JV.parse(raw, scratch: &scratch)
        }
        guard jv_get_kind(v) != JV_KIND_INVALID else { throw JSONError("invalid JSON: " + JV.parseErrorMessage(v)) }
        self.init(owning: v)
    }

    /// A document holding one scalar.
    public convenience init(_ scalar: JSONScalar) { self.init(owning: JSONDocument.jv(scalar)) }

    /// An empty object, `{}`.
    public static func object() -> JSONDocument { JSONDocument(owning: jv_object()) }

    /// A copy sharing storage until either side changes (libjq copies on write).
    public func copy() -> JSONDocument { JSONDocument(owning: jv_copy(value)) }

    /// The kind of the whole document.
    public var kind: JSONKind { JV.kind(value) ?? .null }

    /// The document's compact JSON text.
    public func serialized() -> [UInt8] { JV.dump(jv_copy(value)) }

    /// The document's compact JSON text as a string.
    public var text: String { String(decoding: serialized(), as: UTF8.self) }

    /// The value of a string document, or nil.
    public var stringValue: String? { jv_get_kind(value) == JV_KIND_STRING ? JV.text(ofString: value) : nil }

    /// The value of a number document, or nil.
    public var numberValue: Double? { jv_get_kind(value) == JV_KIND_NUMBER ? jv_number_value(value) : nil }

    /// The value of a boolean document, or nil.
    public var boolValue: Bool? {
        switch jv_get_kind(value) {
        case JV_KIND_TRUE: return true
        case JV_KIND_FALSE: return false
        default: return nil
        }
    }

    // MARK: Reading

    /// The value at `path` (a copy), or nil when nothing is there.
    public func value(at path: JSONPath) -> JSONDocument? {
        JSONDocument.lookup(value, path.components[...]).map { JSONDocument(owning: $0) }
    }

    /// Whether something (even `null`) is at `path`.
    public func contains(_ path: JSONPath) -> Bool { JSONDocument.contains(value, path) }

    static func contains(_ root: jv, _ path: JSONPath) -> Bool {
        guard let v = lookup(root, path.components[...]) else { return false }
        jv_free(v)
        return true
    }

    /// Appends the value at `path` as text: a string's characters without
    /// quotes, anything else as compact JSON. False (nothing appended) when
    /// nothing is at `path`.
    @discardableResult
    public func appendText(at path: JSONPath, to buffer: inout [UInt8]) -> Bool {
        guard let v = JSONDocument.lookup(value, path.components[...]) else { return false }
        if jv_get_kind(v) == JV_KIND_STRING {
            JV.append(string: v, to: &buffer)
            jv_free(v)
        } else {
            JV.append(dumping: v, to: &buffer)
        }
        return true
    }

    // MARK: Editing

    /// Sets the value at `path`, creating objects on the way (and padding
    /// arrays with nulls for a numeric component on an array).
    /// - Throws: `JSONError` when a scalar is in the way.
    public func set(_ path: JSONPath, to newValue: JSONDocument) throws(JSONError) {
        try JSONDocument.checkSettable(value, path)
        value = JSONDocument.setting(value, path.components[...], jv_copy(newValue.value))
    }

    /// Sets the value at `path` to a scalar.
    /// - Throws: `JSONError` when a scalar is in the way.
    public func set(_ path: JSONPath, to scalar: JSONScalar) throws(JSONError) {
        try JSONDocument.checkSettable(value, path)
        value = JSONDocument.setting(value, path.components[...], JSONDocument.jv(scalar))
    }

    /// Removes the value at `path`; false when nothing was there.
    @discardableResult
    public func remove(_ path: JSONPath) -> Bool {
        let (v, removed) = JSONDocument.removing(value, path.components[...])
        value = v
        return removed
    }

    /// Moves the value at `from` to `to`. Within one object the key keeps its
    /// place. False (nothing changed) when nothing is at `from`.
    /// - Throws: `JSONError` when a scalar is in the way of `to`.
    @discardableResult
    public func rename(_ from: JSONPath, to: JSONPath) throws(JSONError) -> Bool {
        guard !from.isRoot, !to.isRoot else { return false }
        guard JSONDocument.contains(value, from) else { return false }
        if from == to { return true }
        try JSONDocument.checkSettable(value, to)
        let moved = JSONDocument.lookup(value, from.components[...]) ?? jv_null()
        let parent = from.parent
        if parent == to.parent, let container = JSONDocument.lookup(value, parent.components[...]) {
            if jv_get_kind(container) == JV_KIND_OBJECT {
                jv_free(moved)
                let renamed = JSONDocument.renamingKey(container, from.components.last!, to.components.last!)
                value = JSONDocument.setting(value, parent.components[...], renamed)
                return true
            }
            jv_free(container)
        }
        value = JSONDocument.removing(value, from.components[...]).0
        value = JSONDocument.setting(value, to.components[...], moved)
        return true
    }

    /// Keeps only the values at `paths` (and the objects leading to them), in
    /// the document's order. A document that keeps nothing becomes `{}`.
    public func keep(only paths: [JSONPath]) {
        let kept = JSONDocument.keeping(value, paths.map { $0.components[...] })
        jv_free(value)
        value = kept ?? jv_object()
    }

    // MARK: Text

    /// `s` as a JSON string literal, quoted and escaped.
    public static func quoted(_ s: String) -> String { String(decoding: JV.dump(JV.string(s)), as: UTF8.self) }

    // MARK: jv plumbing (each says what it consumes)

    static func jv(_ scalar: JSONScalar) -> jv {
        switch scalar {
        case .null: return jv_null()
        case .bool(let b): return jv_bool(b ? 1 : 0)
        case .number(let d): return jv_number(d)
        case .string(let s): return JV.string(s)
        }
    }

    /// An owned copy of the value at `path` in `root` (not consumed), or nil.
    static func lookup(_ root: jv, _ path: ArraySlice<String>) -> jv? {
        var current = jv_copy(root)
        for component in path {
            switch jv_get_kind(current) {
            case JV_KIND_OBJECT:
                let next = jv_object_get(current, JV.string(component))
                guard jv_get_kind(next) != JV_KIND_INVALID else {
                    jv_free(next)
                    return nil
                }
                current = next
            case JV_KIND_ARRAY:
                guard let i = Int(component), i >= 0, i < Int(jv_array_length(jv_copy(current))) else {
                    jv_free(current)
                    return nil
                }
                current = jv_array_get(current, Int32(i))
            default:
                jv_free(current)
                return nil
            }
        }
        return current
    }

    /// Throws unless `newValue` can be set at `path` in `root` (not consumed):
    /// every value on the way must be an object, null, missing, or an array
    /// indexed by a number.
    static func checkSettable(_ root: jv, _ path: JSONPath) throws(JSONError) {
        var current = jv_copy(root)
        defer { jv_free(current) }
        for component in path.components {
            switch jv_get_kind(current) {
            case JV_KIND_OBJECT:
                let next = jv_object_get(current, JV.string(component))
                current = next
                if jv_get_kind(current) == JV_KIND_INVALID { return }
            case JV_KIND_ARRAY:
                guard let i = Int(component), i >= 0, i < Int(Int32.max) else {
                    throw JSONError("cannot set '\(path)': '\(component)' is not an index into an array")
                }
                current = jv_array_get(current, Int32(i))
                if jv_get_kind(current) == JV_KIND_INVALID { return }
            case JV_KIND_NULL:
                return
            default:
                throw JSONError("cannot set '\(path)': a \(JV.kind(current)?.description ?? "value") is in the way")
            }
        }
    }

    /// `root` with `newValue` at `path` (consumes both). Call `checkSettable`
    /// first: a scalar in the way is replaced by an object here.
    static func setting(_ root: jv, _ path: ArraySlice<String>, _ newValue: jv) -> jv {
        guard let component = path.first else {
            jv_free(root)
            return newValue
        }
        let rest = path.dropFirst()
        var root = root
        if jv_get_kind(root) == JV_KIND_ARRAY, let i = Int(component), i >= 0, i < Int(Int32.max) {
            var child = jv_array_get(jv_copy(root), Int32(i))
            if jv_get_kind(child) == JV_KIND_INVALID {
                jv_free(child)
                child = jv_null()
            }
            return jv_array_set(root, Int32(i), setting(child, rest, newValue))
        }
        if jv_get_kind(root) != JV_KIND_OBJECT {
            jv_free(root)
            root = jv_object()
        }
        let key = JV.string(component)
        var child = jv_object_get(jv_copy(root), jv_copy(key))
        if jv_get_kind(child) == JV_KIND_INVALID {
            jv_free(child)
            child = jv_null()
        }
        return jv_object_set(root, key, setting(child, rest, newValue))
    }

    /// `root` without the value at `path` (consumes `root`).
    static func removing(_ root: jv, _ path: ArraySlice<String>) -> (jv, Bool) {
        guard let component = path.first else { return (root, false) }
        let rest = path.dropFirst()
        switch jv_get_kind(root) {
        case JV_KIND_OBJECT:
            let key = JV.string(component)
            guard jv_object_has(jv_copy(root), jv_copy(key)) != 0 else {
                jv_free(key)
                return (root, false)
            }
            if rest.isEmpty { return (jv_object_delete(root, key), true) }
            let (child, removed) = removing(jv_object_get(jv_copy(root), jv_copy(key)), rest)
            guard removed else {
                jv_free(child)
                jv_free(key)
                return (root, false)
            }
            return (jv_object_set(root, key, child), true)
        case JV_KIND_ARRAY:
            guard let i = Int(component), i >= 0, i < Int(jv_array_length(jv_copy(root))) else { return (root, false) }
            if rest.isEmpty {
                let paths = jv_array_append(jv_array(), jv_array_append(jv_array(), jv_number(Double(i))))
                return (jv_delpaths(root, paths), true)
            }
            let (child, removed) = removing(jv_array_get(jv_copy(root), Int32(i)), rest)
            guard removed else {
                jv_free(child)
                return (root, false)
            }
            return (jv_array_set(root, Int32(i), child), true)
        default:
            return (root, false)
        }
    }

    /// A copy of `object` with key `old` renamed `new` in place (consumes `object`).
    static func renamingKey(_ object: jv, _ old: String, _ new: String) -> jv {
        var out = jv_object()
        var it = jv_object_iter(object)
        while jv_object_iter_valid(object, it) != 0 {
            let key = jv_object_iter_key(object, it)
            let name = JV.text(ofString: key)
            let v = jv_object_iter_value(object, it)
            if name == old {
                jv_free(key)
                out = jv_object_set(out, JV.string(new), v)
            } else if name == new {
                jv_free(key)
                jv_free(v)
            } else {
                out = jv_object_set(out, key, v)
            }
            it = jv_object_iter_next(object, it)
        }
        jv_free(object)
        return out
    }

    /// A new value with only `paths` of `value` (not consumed), or nil when nothing is kept.
    static func keeping(_ value: jv, _ paths: [ArraySlice<String>]) -> jv? {
        if paths.contains(where: \.isEmpty) { return jv_copy(value) }
        switch jv_get_kind(value) {
        case JV_KIND_OBJECT:
            var out = jv_object()
            var any = false
            var it = jv_object_iter(value)
            while jv_object_iter_valid(value, it) != 0 {
                let key = jv_object_iter_key(value, it)
                let name = JV.text(ofString: key)
                let sub = paths.filter { $0.first == name }.map { $0.dropFirst() }
                if !sub.isEmpty {
                    let child = jv_object_iter_value(value, it)
                    if let kept = keeping(child, sub) {
                        out = jv_object_set(out, key, kept)
                        any = true
                    } else {
                        jv_free(key)
                    }
                    jv_free(child)
                } else {
                    jv_free(key)
                }
                it = jv_object_iter_next(value, it)
            }
            if !any {
                jv_free(out)
                return nil
            }
            return out
        case JV_KIND_ARRAY:
            var out = jv_array()
            var any = false
            let n = Int(jv_array_length(jv_copy(value)))
            for i in 0..<n {
                let sub = paths.filter { $0.first == String(i) }.map { $0.dropFirst() }
                guard !sub.isEmpty else { continue }
                let child = jv_array_get(jv_copy(value), Int32(i))
                if let kept = keeping(child, sub) {
                    out = jv_array_append(out, kept)
                    any = true
                }
                jv_free(child)
            }
            if !any {
                jv_free(out)
                return nil
            }
            return out
        default:
            return nil
        }
    }
}

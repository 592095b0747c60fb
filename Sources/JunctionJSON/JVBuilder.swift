import CJQ
import CSimdJSON

/// Builds libjq values from simdjson's flattened DOM (`jsx_events`): a fast
/// path in front of libjq's own parser, which stays the authority.
///
/// `build` answers nil whenever simdjson does not take the document as it is
/// (invalid JSON, `-0`, huge integers, deep nesting): the caller then parses
/// with libjq, so accepted inputs, values and error messages stay jq's own.
final class JVBuilder {
    private let parser: OpaquePointer
    private var containers: [jv] = []
    private var keys: [jv] = []

    init?() {
        guard let parser = jsx_parser_new() else { return nil }
        self.parser = parser
    }

    deinit { jsx_parser_free(parser) }

    /// An owned jv for `json`, or nil to fall back to libjq's parser.
    func build(_ json: UnsafeRawBufferPointer) -> jv? {
        var events: UnsafePointer<jsx_event>?
        var count = 0
        let status = jsx_events(parser, json.baseAddress?.assumingMemoryBound(to: UInt8.self), json.count, &events, &count)
        guard status == .JSX_OK, let events, count > 0 else { return nil }
        // Work on locals (moved out and back) to spare per-access exclusivity checks.
        var containers = self.containers
        var keys = self.keys
        self.containers = []
        self.keys = []
        defer {
            containers.removeAll(keepingCapacity: true)
            keys.removeAll(keepingCapacity: true)
            self.containers = containers
            self.keys = keys
        }
        var root: jv?
        for i in 0..<count {
            let e = events[i]
            let value: jv
            switch e.kind {
            case .JSX_EV_OBJECT_START:
                containers.append(jv_object())
                continue
            case .JSX_EV_ARRAY_START:
                containers.append(jv_array())
                continue
            case .JSX_EV_KEY:
                keys.append(Self.string(e))
                continue
            case .JSX_EV_OBJECT_END, .JSX_EV_ARRAY_END:
                value = containers.removeLast()
            case .JSX_EV_NULL: value = jv_null()
            case .JSX_EV_FALSE: value = jv_false()
            case .JSX_EV_TRUE: value = jv_true()
            case .JSX_EV_NUMBER: value = jv_number(e.number)
            case .JSX_EV_STRING: value = Self.string(e)
            }
            if containers.isEmpty {
                root = value
            } else {
                let top = containers.count - 1
                if jv_get_kind(containers[top]) == JV_KIND_OBJECT {
                    containers[top] = jv_object_set(containers[top], keys.removeLast(), value)
                } else {
                    containers[top] = jv_array_append(containers[top], value)
                }
            }
        }
        return root
    }

    private static func string(_ e: jsx_event) -> jv {
        guard let data = e.data, e.length > 0 else { return jv_string("") }
        return jv_string_sized(data, Int32(e.length))
    }
}

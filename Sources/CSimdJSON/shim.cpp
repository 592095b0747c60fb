// The C face of simdjson for Swift: see include/CSimdJSON.h.
//
// Stage 1 (structural indexing) runs on the best kernel for this CPU, picked
// at run time by libsimdjson; the On-Demand navigation compiled here only
// touches the fields that are asked for.

#include "CSimdJSON.h"

#include <simdjson.h>

#include <cstring>
#include <new>
#include <string>
#include <vector>

namespace od = simdjson::ondemand;

struct jsx_parser {
    od::parser parser;
    simdjson::dom::parser validator;
    std::vector<uint8_t> input;   // the padded copy of the current document
    std::string arena;            // unescaped strings and number literals
    std::vector<size_t> offsets;  // where each answer's bytes start in `arena` (or SIZE_MAX: in `input`)
    std::vector<jsx_string> elements;
    std::vector<jsx_event> events;
    const char *error = "no error";
};

namespace {

constexpr size_t kInitialCapacity = 64 * 1024;
constexpr size_t kInArena = static_cast<size_t>(-1);

// Copies `json` into the parser's padded buffer.
const uint8_t *load(jsx_parser *p, const uint8_t *json, size_t length) {
    size_t needed = length + simdjson::SIMDJSON_PADDING;
    if (p->input.size() < needed) p->input.resize(needed < kInitialCapacity ? kInitialCapacity : needed * 2);
    if (length > 0) std::memcpy(p->input.data(), json, length);
    std::memset(p->input.data() + length, 0, simdjson::SIMDJSON_PADDING);
    return p->input.data();
}

bool invalid(jsx_parser *p, simdjson::error_code code) {
    p->error = simdjson::error_message(code);
    return false;
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// The literal text of a scalar (value and document differ in signature).
simdjson::error_code rawToken(od::value &v, std::string_view &out) {
    out = v.raw_json_token();
    return simdjson::SUCCESS;
}
simdjson::error_code rawToken(od::document &d, std::string_view &out) { return d.raw_json_token().get(out); }

// Fills `out` from a value or a document (both offer the same getters).
// Strings go to the arena (On-Demand reuses its string buffer on rewind);
// raw JSON points into the input copy, which stays put until the next call.
// `last`: no more lookups follow, so a string may stay in simdjson's buffer.
template <class V>
bool extract(jsx_parser *p, V &v, jsx_value &out, size_t &offset, bool last) {
    od::json_type type;
    if (auto e = v.type().get(type)) return invalid(p, e);
    switch (type) {
    case od::json_type::null: {
        bool isNull = false;
        if (auto e = v.is_null().get(isNull)) return invalid(p, e);
        if (!isNull) return invalid(p, simdjson::N_ATOM_ERROR);
        out.kind = JSX_NULL;
        return true;
    }
    case od::json_type::boolean: {
        bool b = false;
        if (auto e = v.get_bool().get(b)) return invalid(p, e);
        out.kind = b ? JSX_TRUE : JSX_FALSE;
        return true;
    }
    case od::json_type::number: {
        std::string_view token;
        if (auto e = rawToken(v, token)) return invalid(p, e);
        double d = 0;
        if (auto e = v.get_double().get(d)) return invalid(p, e);
        token = trimmed(token);  // points into the input copy, which stays put
        out.kind = JSX_NUMBER;
        out.number = d;
        out.data = token.data();
        out.length = token.size();
        return true;
    }
    case od::json_type::string: {
        std::string_view s;
        if (auto e = v.get_string().get(s)) return invalid(p, e);
        if (last) {
            out.data = s.data();
        } else {
            offset = p->arena.size();
            p->arena.append(s.data(), s.size());
        }
        out.kind = JSX_STRING;
        out.length = s.size();
        return true;
    }
    case od::json_type::array: {
        od::array a;
        if (auto e = v.get_array().get(a)) return invalid(p, e);
        std::string_view raw;
        if (auto e = a.raw_json().get(raw)) return invalid(p, e);
        raw = trimmed(raw);
        out.kind = JSX_ARRAY;
        out.data = raw.data();
        out.length = raw.size();
        return true;
    }
    case od::json_type::object: {
        od::object o;
        if (auto e = v.get_object().get(o)) return invalid(p, e);
        std::string_view raw;
        if (auto e = o.raw_json().get(raw)) return invalid(p, e);
        raw = trimmed(raw);
        out.kind = JSX_OBJECT;
        out.data = raw.data();
        out.length = raw.size();
        return true;
    }
    }
    return invalid(p, simdjson::TAPE_ERROR);
}

bool isMissing(simdjson::error_code e) {
    return e == simdjson::NO_SUCH_FIELD || e == simdjson::INDEX_OUT_OF_BOUNDS ||
           e == simdjson::INCORRECT_TYPE || e == simdjson::INVALID_JSON_POINTER;
}

// "/key" with no nesting and no escapes.
bool isTopLevelKey(const jsx_string &pointer) {
    if (pointer.length < 1 || pointer.data[0] != '/') return false;
    for (size_t i = 1; i < pointer.length; i++) {
        if (pointer.data[i] == '/' || pointer.data[i] == '~') return false;
    }
    return true;
}

// The common case: every pointer names a key of the root object. One pass
// over the object with find_field_unordered, no rewinds, so strings can stay
// in simdjson's buffer.
jsx_status readTopLevel(jsx_parser *p, od::document &doc, const jsx_string *pointers, size_t count, jsx_value *values) {
    od::object object;
    if (auto e = doc.get_object().get(object)) {
        invalid(p, e);
        return JSX_INVALID_JSON;
    }
    for (size_t i = 0; i < count; i++) {
        od::value v;
        auto e = object.find_field_unordered(std::string_view(pointers[i].data + 1, pointers[i].length - 1)).get(v);
        if (e) {
            if (e == simdjson::NO_SUCH_FIELD) continue;
            invalid(p, e);
            return JSX_INVALID_JSON;
        }
        size_t unused = kInArena;
        if (!extract(p, v, values[i], unused, true)) return JSX_INVALID_JSON;
    }
    return JSX_OK;
}

jsx_status read(jsx_parser *p, const uint8_t *json, size_t length,
                const jsx_string *pointers, size_t count, jsx_value *values) {
    for (size_t i = 0; i < count; i++) values[i] = jsx_value{JSX_MISSING, 0, nullptr, 0};

    const uint8_t *buf = load(p, json, length);
    od::document doc;
    if (auto e = p->parser.iterate(buf, length, p->input.size()).get(doc)) {
        invalid(p, e);
        return JSX_INVALID_JSON;
    }
    od::json_type rootType;
    if (auto e = doc.type().get(rootType)) {
        invalid(p, e);
        return JSX_INVALID_JSON;
    }
    bool container = rootType == od::json_type::object || rootType == od::json_type::array;
    if (rootType == od::json_type::object) {
        bool simple = true;
        for (size_t i = 0; i < count && simple; i++) simple = isTopLevelKey(pointers[i]);
        if (simple) return readTopLevel(p, doc, pointers, count, values);
    }
    p->arena.clear();
    p->offsets.assign(count, kInArena);
    if (!container) {
        // A scalar document: check it, then only "" can find anything.
        jsx_value root{};
        size_t offset = kInArena;
        if (!extract(p, doc, root, offset, false)) return JSX_INVALID_JSON;
        for (size_t i = 0; i < count; i++) {
            if (pointers[i].length == 0) {
                values[i] = root;
                p->offsets[i] = offset;
            }
        }
    } else {
        for (size_t i = 0; i < count; i++) {
            std::string_view pointer(pointers[i].data, pointers[i].length);
            if (pointer.empty()) {
                doc.rewind();
                if (!extract(p, doc, values[i], p->offsets[i], i + 1 == count)) return JSX_INVALID_JSON;
                continue;
            }
            od::value v;
            auto e = doc.at_pointer(pointer).get(v);
            if (e) {
                if (isMissing(e)) continue;
                invalid(p, e);
                return JSX_INVALID_JSON;
            }
            if (!extract(p, v, values[i], p->offsets[i], i + 1 == count)) return JSX_INVALID_JSON;
        }
    }
    // The arena has stopped growing: point the answers into it.
    for (size_t i = 0; i < count; i++) {
        if (p->offsets[i] != kInArena) values[i].data = p->arena.data() + p->offsets[i];
    }
    return JSX_OK;
}

jsx_status elementsOf(jsx_parser *p, const uint8_t *json, size_t length,
                      const jsx_string **elements, size_t *count) {
    p->elements.clear();
    *elements = nullptr;
    *count = 0;
    const uint8_t *buf = load(p, json, length);

    // Full validation first (On-Demand only checks what it reads).
    simdjson::dom::element root;
    if (auto e = p->validator.parse(buf, length, false).get(root)) {
        invalid(p, e);
        return JSX_INVALID_JSON;
    }
    if (!root.is_array()) return JSX_NOT_AN_ARRAY;

    od::document doc;
    if (auto e = p->parser.iterate(buf, length, p->input.size()).get(doc)) {
        invalid(p, e);
        return JSX_INVALID_JSON;
    }
    od::array array;
    if (auto e = doc.get_array().get(array)) {
        invalid(p, e);
        return JSX_INVALID_JSON;
    }
    for (auto item : array) {
        od::value v;
        if (auto e = item.get(v)) {
            invalid(p, e);
            return JSX_INVALID_JSON;
        }
        od::json_type type;
        if (auto e = v.type().get(type)) {
            invalid(p, e);
            return JSX_INVALID_JSON;
        }
        std::string_view raw;
        simdjson::error_code e = simdjson::SUCCESS;
        if (type == od::json_type::object) {
            od::object o;
            e = v.get_object().get(o);
            if (!e) e = o.raw_json().get(raw);
            raw = trimmed(raw);
        } else if (type == od::json_type::array) {
            od::array a;
            e = v.get_array().get(a);
            if (!e) e = a.raw_json().get(raw);
            raw = trimmed(raw);
        } else {
            e = rawToken(v, raw);
            raw = trimmed(raw);
        }
        if (e) {
            invalid(p, e);
            return JSX_INVALID_JSON;
        }
        p->elements.push_back(jsx_string{raw.data(), raw.size()});
    }
    *elements = p->elements.data();
    *count = p->elements.size();
    return JSX_OK;
}

constexpr int kMaxEventDepth = 100;

bool flatten(jsx_parser *p, simdjson::dom::element e, int depth) {
    using simdjson::dom::element_type;
    switch (e.type()) {
    case element_type::NULL_VALUE:
        p->events.push_back(jsx_event{JSX_EV_NULL, 0, nullptr, 0});
        return true;
    case element_type::BOOL:
        p->events.push_back(jsx_event{e.get_bool().value_unsafe() ? JSX_EV_TRUE : JSX_EV_FALSE, 0, nullptr, 0});
        return true;
    case element_type::INT64:
        p->events.push_back(jsx_event{JSX_EV_NUMBER, static_cast<double>(e.get_int64().value_unsafe()), nullptr, 0});
        return true;
    case element_type::UINT64:
        p->events.push_back(jsx_event{JSX_EV_NUMBER, static_cast<double>(e.get_uint64().value_unsafe()), nullptr, 0});
        return true;
    case element_type::DOUBLE:
        p->events.push_back(jsx_event{JSX_EV_NUMBER, e.get_double().value_unsafe(), nullptr, 0});
        return true;
    case element_type::STRING: {
        std::string_view s = e.get_string().value_unsafe();
        p->events.push_back(jsx_event{JSX_EV_STRING, 0, s.data(), s.size()});
        return true;
    }
    case element_type::ARRAY: {
        if (depth >= kMaxEventDepth) return false;
        p->events.push_back(jsx_event{JSX_EV_ARRAY_START, 0, nullptr, 0});
        // Copy the array handle: value_unsafe() returns a reference into a
        // temporary result that would not outlive the range-for's init.
        simdjson::dom::array array(e.get_array().value_unsafe());
        for (simdjson::dom::element child : array) {
            if (!flatten(p, child, depth + 1)) return false;
        }
        p->events.push_back(jsx_event{JSX_EV_ARRAY_END, 0, nullptr, 0});
        return true;
    }
    case element_type::OBJECT: {
        if (depth >= kMaxEventDepth) return false;
        p->events.push_back(jsx_event{JSX_EV_OBJECT_START, 0, nullptr, 0});
        simdjson::dom::object object(e.get_object().value_unsafe());
        for (simdjson::dom::key_value_pair field : object) {
            p->events.push_back(jsx_event{JSX_EV_KEY, 0, field.key.data(), field.key.size()});
            if (!flatten(p, field.value, depth + 1)) return false;
        }
        p->events.push_back(jsx_event{JSX_EV_OBJECT_END, 0, nullptr, 0});
        return true;
    }
    }
    return false;
}

// True when `-0` (an integer minus zero, which the tape stores as 0) may
// appear outside a string: `-0` not followed by a digit, '.', 'e' or 'E'.
bool mayHaveMinusZero(const uint8_t *json, size_t length) {
    const uint8_t *end = json + length;
    for (const uint8_t *q = json; q + 1 < end; q++) {
        q = static_cast<const uint8_t *>(std::memchr(q, '-', static_cast<size_t>(end - q) - 1));
        if (!q) return false;
        if (q[1] != '0') continue;
        if (q + 2 == end) return true;
        uint8_t c = q[2];
        if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E')) return true;
    }
    return false;
}

jsx_status eventsOf(jsx_parser *p, const uint8_t *json, size_t length,
                    const jsx_event **events, size_t *count) {
    p->events.clear();
    *events = nullptr;
    *count = 0;
    const uint8_t *buf = load(p, json, length);
    simdjson::dom::element root;
    if (auto e = p->validator.parse(buf, length, false).get(root)) {
        invalid(p, e);
        return JSX_INVALID_JSON;
    }
    if (mayHaveMinusZero(json, length)) return JSX_UNSUPPORTED;
    if (!flatten(p, root, 0)) return JSX_UNSUPPORTED;
    *events = p->events.data();
    *count = p->events.size();
    return JSX_OK;
}

} // namespace

extern "C" {

jsx_parser *jsx_parser_new(void) {
    try {
        auto *p = new jsx_parser();
        if (p->parser.allocate(kInitialCapacity)) {
            delete p;
            return nullptr;
        }
        p->input.resize(kInitialCapacity + simdjson::SIMDJSON_PADDING);
        return p;
    } catch (...) {
        return nullptr;
    }
}

void jsx_parser_free(jsx_parser *parser) { delete parser; }

jsx_status jsx_read(jsx_parser *parser, const uint8_t *json, size_t length,
                    const jsx_string *pointers, size_t count, jsx_value *values) {
    try {
        return read(parser, json, length, pointers, count, values);
    } catch (...) {
        return JSX_NO_MEMORY;
    }
}

jsx_status jsx_array_elements(jsx_parser *parser, const uint8_t *json, size_t length,
                              const jsx_string **elements, size_t *count) {
    try {
        return elementsOf(parser, json, length, elements, count);
    } catch (...) {
        return JSX_NO_MEMORY;
    }
}

jsx_status jsx_events(jsx_parser *parser, const uint8_t *json, size_t length,
                      const jsx_event **events, size_t *count) {
    try {
        return eventsOf(parser, json, length, events, count);
    } catch (...) {
        return JSX_NO_MEMORY;
    }
}

const char *jsx_parser_error(const jsx_parser *parser) { return parser ? parser->error : "no parser"; }

} // extern "C"

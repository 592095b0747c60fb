/*
 * CSimdJSON: a tiny C face over simdjson's On-Demand API, for Swift.
 *
 * A `jsx_parser` owns a simdjson parser and the buffers its answers point
 * into. Each call copies the input into an internal padded buffer, so the
 * caller's bytes need no padding. Answers (string bytes, raw JSON spans) stay
 * valid until the next call on the same parser, or until it is freed.
 *
 * A parser is not thread-safe: use one per thread (or per serial queue).
 */
#ifndef JUNCTION_CSIMDJSON_H
#define JUNCTION_CSIMDJSON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A reusable parser. */
typedef struct jsx_parser jsx_parser;

/** The kind of a value found at a JSON pointer. */
typedef enum __attribute__((enum_extensibility(closed))) jsx_kind : int32_t {
    JSX_MISSING = 0, /**< nothing at that pointer */
    JSX_NULL = 1,
    JSX_FALSE = 2,
    JSX_TRUE = 3,
    JSX_NUMBER = 4, /**< `number` holds the value, `data`/`length` the literal text */
    JSX_STRING = 5, /**< `data`/`length` hold the unescaped UTF-8 bytes */
    JSX_ARRAY = 6,  /**< `data`/`length` hold the raw JSON text */
    JSX_OBJECT = 7  /**< `data`/`length` hold the raw JSON text */
} jsx_kind;

/** The outcome of a call. */
typedef enum __attribute__((enum_extensibility(closed))) jsx_status : int32_t {
    JSX_OK = 0,
    JSX_INVALID_JSON = 1,  /**< see jsx_parser_error */
    JSX_NOT_AN_ARRAY = 2,  /**< jsx_array_elements on something else */
    JSX_NO_MEMORY = 3,
    JSX_UNSUPPORTED = 4    /**< jsx_events: valid or not, leave this document to another parser */
} jsx_status;

/** One step of a document walk (jsx_events), in document order. */
typedef enum __attribute__((enum_extensibility(closed))) jsx_event_kind : int32_t {
    JSX_EV_NULL = 0,
    JSX_EV_FALSE = 1,
    JSX_EV_TRUE = 2,
    JSX_EV_NUMBER = 3,       /**< `number` */
    JSX_EV_STRING = 4,       /**< `data`/`length`: unescaped UTF-8 */
    JSX_EV_KEY = 5,          /**< an object key, before its value */
    JSX_EV_ARRAY_START = 6,
    JSX_EV_ARRAY_END = 7,
    JSX_EV_OBJECT_START = 8,
    JSX_EV_OBJECT_END = 9
} jsx_event_kind;

/** One event of jsx_events. */
typedef struct jsx_event {
    jsx_event_kind kind;
    double number;
    const char *data;
    size_t length;
} jsx_event;

/** A byte string: pointer and length (no NUL needed). */
typedef struct jsx_string {
    const char *data;
    size_t length;
} jsx_string;

/** One answer of jsx_read. */
typedef struct jsx_value {
    jsx_kind kind;
    double number;
    const char *data;
    size_t length;
} jsx_value;

/** A new parser, or NULL when out of memory. */
jsx_parser *jsx_parser_new(void);

/** Frees a parser (NULL is fine). */
void jsx_parser_free(jsx_parser *parser);

/**
 * Parses `json` once and fills `values[i]` with what sits at `pointers[i]`
 * (RFC 6901 JSON pointers: "" is the whole document, "/a/b" a nested field,
 * "/items/0" an array element).
 *
 * The document is validated as far as it is read: structure and UTF-8
 * everywhere, and every value that is looked at. A pointer that leads
 * nowhere (no such field, index out of range, a scalar on the way) gives
 * JSX_MISSING.
 */
jsx_status jsx_read(jsx_parser *parser, const uint8_t *json, size_t length,
                    const jsx_string *pointers, size_t count, jsx_value *values);

/**
 * Validates `json` completely and, when it is an array, returns the raw JSON
 * text of each top-level element in `*elements` (`*count` of them).
 */
jsx_status jsx_array_elements(jsx_parser *parser, const uint8_t *json, size_t length,
                              const jsx_string **elements, size_t *count);

/**
 * Validates `json` completely and flattens it into events, for building
 * another library's values without a second parse.
 *
 * Returns JSX_UNSUPPORTED (instead of a result that could differ from a
 * JSON parser that keeps every number as a double) for: nesting deeper than
 * 100, an integer outside 64 bits, and any `-0` outside a string.
 */
jsx_status jsx_events(jsx_parser *parser, const uint8_t *json, size_t length,
                      const jsx_event **events, size_t *count);

/** A description of the last JSX_INVALID_JSON (static text, never NULL). */
const char *jsx_parser_error(const jsx_parser *parser);

#ifdef __cplusplus
}
#endif

#endif

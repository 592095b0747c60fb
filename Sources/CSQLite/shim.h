#ifndef JUNCTION_CSQLITE_SHIM_H
#define JUNCTION_CSQLITE_SHIM_H
#include <sqlite3.h>

/*
 * SQLITE_TRANSIENT is a cast of an integer to a function pointer type: Swift
 * cannot import it. The bind calls (which make SQLite copy the value) take it
 * from here.
 */
static inline sqlite3_destructor_type junction_sqlite_transient(void) { return SQLITE_TRANSIENT; }
#endif

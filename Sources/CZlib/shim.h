#ifndef JUNCTION_CZLIB_SHIM_H
#define JUNCTION_CZLIB_SHIM_H
/* zlib, for its crc32 (the STUN FINGERPRINT checksum). */
#include <zlib.h>
#endif

#ifndef JUNCTION_CJQ_SHIM_H
#define JUNCTION_CJQ_SHIM_H
#include <jq.h>
#include <jv.h>
#endif

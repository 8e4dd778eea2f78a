#ifndef TL_FORMATS_JSON_H
#define TL_FORMATS_JSON_H
/* struct tl_value -> JSON text through jansson: scalars keep their type
 * (numbers, booleans, null), object keys are sorted, output is indented. */
#include <stdio.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/value.h"

/* JSON reports are parsed whole (jansson builds a tree): larger input is
 * refused before it can take the memory. */
#define TL_JSON_REPORT_MAX ((size_t)256 << 20)

/* Loads a JSON document from f, refusing more than TL_JSON_REPORT_MAX
 * bytes; errors are "name:line:col: ...". Caller json_decref()s. */
struct json_t;
int tl_json_load(struct json_t **out, FILE *f, size_t flags, const char *name,
	struct tl_err *err);

int tl_json_emit(
	struct tl_buf *out, const struct tl_value *v, struct tl_err *err);

#endif

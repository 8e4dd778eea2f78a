#ifndef TL_FORMATS_JSON_H
#define TL_FORMATS_JSON_H
/* struct tl_value -> JSON text through jansson: scalars keep their type
 * (numbers, booleans, null), object keys are sorted, output is indented. */
#include "core/buf.h"
#include "core/err.h"
#include "core/value.h"

int tl_json_emit(
	struct tl_buf *out, const struct tl_value *v, struct tl_err *err);

#endif

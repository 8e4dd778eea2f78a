#ifndef TL_FORMATS_CTRF_H
#define TL_FORMATS_CTRF_H
/*
 * CTRF (Common Test Report Format) 1.0 JSON, validated against the spec's
 * schema (required keys, types, enums, string constraints, closed objects)
 * before any test is read: an invalid document is refused whole.
 */
#include <stdio.h>

#include "formats/report.h"

int tl_ctrf_read(FILE *f, const char *name, tl_test_fn fn, void *ctx,
	struct tl_report_info *info, struct tl_err *err);

#endif

#ifndef TL_FORMATS_TAP_H
#define TL_FORMATS_TAP_H
/*
 * TAP 12, 13 and 14, line by line: plans anywhere, YAML diagnostics
 * (message, duration_ms, stack), subtests (indented, # Subtest:) kept as
 * the trace of their parent point, SKIP and TODO directives, Bail out!,
 * pragmas and junk lines tolerated. TODO maps to: ok # TODO -> passed,
 * not ok # TODO -> skipped with the message "TODO: ...", since a TODO
 * failure is by definition not a failure.
 */
#include <stdio.h>

#include "formats/report.h"

int tl_tap_read(FILE *f, const char *name, tl_test_fn fn, void *ctx,
	struct tl_report_info *info, struct tl_err *err);

#endif

#ifndef TL_FORMATS_JUNIT_H
#define TL_FORMATS_JUNIT_H
/*
 * JUnit XML in its flavours (Ant, Surefire, jest-junit, pytest, PHPUnit,
 * go-junit-report, ...), streamed with expat. No entity is ever expanded:
 * a document that declares entities is refused, so an XXE or a billion
 * laughs file is never followed.
 */
#include <stdio.h>

#include "formats/report.h"

/* Reads f to its end, calling fn for every test case. name prefixes
 * errors ("results.xml:12:4: ..."). */
int tl_junit_read(FILE *f, const char *name, tl_test_fn fn, void *ctx,
	struct tl_report_info *info, struct tl_err *err);

#endif

#ifndef TL_FORMATS_REPORT_H
#define TL_FORMATS_REPORT_H
/*
 * What every test-report reader (JUnit, TAP, CTRF, ...) produces: one
 * event per test, streamed to a callback, so memory does not grow with the
 * size of the report. Statuses are the tracker's names.
 */
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/value.h"

#define TL_REPORT_TEXT_MAX (1u << 20) /* message, trace, output: per test */

struct tl_attempt {
	const char *status; /* "passed", "failed", "skipped" */
	int has_duration;
	double duration;
	char *message;
	char *type;
	char *trace;
};

struct tl_test {
	char *suite; /* enclosing suite names, joined with " / " */
	char *classname; /* JUnit classname, TAP/CTRF suite */
	char *name;
	char *file;
	const char *status;
	int errored; /* an error rather than an assertion failure */
	int has_duration;
	double duration;
	char *message;
	char *type;
	struct tl_buf trace;
	struct tl_buf output; /* captured stdout and stderr */
	struct tl_attempt *retries; /* earlier attempts, oldest first */
	size_t nretries;
	struct tl_value *properties; /* of the test (name -> value) */
	unsigned line; /* where it starts in the report */
	const char *directive; /* TAP: "skip", "todo" or NULL */
	int raw_ok; /* TAP: the point said ok */
};

typedef int (*tl_test_fn)(struct tl_test *t, void *ctx, struct tl_err *err);

struct tl_report_info {
	struct tl_value *properties; /* suite-level properties */
	long long declared_tests; /* the report's own summary, -1 unknown */
};

void tl_test_reset(struct tl_test *t);

/* Sniffs a report's format from its first bytes, not its name: "junit",
 * "trx", "nunit", "xunit", "json" (CTRF), "json-array" (Cucumber) or
 * "tap"; f is rewound (a pipe cannot be: then a usage error asks for
 * --format). An empty file is refused with name:1:1. */
const char *tl_report_detect(FILE *f, const char *name, struct tl_err *err);

#endif

#ifndef TL_FORMATS_CUCUMBER_H
#define TL_FORMATS_CUCUMBER_H
/*
 * Cucumber JSON (cucumber-js, cucumber-jvm, cucumber-ruby): a scenario is
 * a test under its feature; backgrounds are not tests. A scenario failed
 * when a step or hook failed, else skipped when a step was skipped,
 * pending, undefined or ambiguous, else passed. Its steps, with their
 * statuses, become the result's output.
 */
#include <stdio.h>

#include "formats/report.h"

int tl_cucumber_read(FILE *f, const char *name, tl_test_fn fn, void *ctx,
	struct tl_report_info *info, struct tl_err *err);

#endif

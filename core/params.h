#ifndef TL_PARAMS_H
#define TL_PARAMS_H
/*
 * The tunables of METRICS.md: every default there is a key of tally.yaml's
 * flaky:, durations: or gate: section. Loaded and checked in one place, so
 * a typo or a wrong type is an error with its file:line:col, never a
 * silently ignored setting.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/value.h"

struct tl_params {
	/* flaky: */
	size_t window; /* window: results the windowed rates cover (30) */
	int64_t evidence_days; /* evidence-days: the evidence window (14) */
	size_t evidence_results; /* evidence-results: widened to (20) */
	size_t hold; /* hold: verdicts a transition holds for, L (3) */
	double lambda; /* lambda: of the weighted flip rate (0.1) */
	size_t confidence_verdicts; /* confidence-verdicts: high at (2) */
	double confidence_rate; /* confidence-rate: source flake rate (0.01) */
	double suspect_flip_rate; /* suspect-flip-rate: (0.2) */
	size_t suspect_flips; /* suspect-flips: (3) */
	size_t suspect_results; /* suspect-results: over at least (10) */
	int64_t leave_days; /* leave-days: flaky ends after (14) days */
	size_t leave_results; /* leave-results: and (30) clean in a row */
	size_t infra_results; /* infra-min-results: (20) decisive */
	double infra_bad_rate; /* infra-bad-rate: more bad than (0.8) */
	/* code-paths: folders whose tree is a revision's code identity
	 * (NULL: the revision itself); borrowed from tally.yaml */
	const struct tl_value *code_paths;
	/* durations: */
	size_t samples; /* samples: last passing durations used (30) */
	size_t recent; /* recent: judged against the rest (5) */
	size_t min_samples; /* min-samples: before judging (10) */
	double ratio; /* ratio: recent median / earlier (1.2) */
	double mad_factor; /* mad-factor: and by this many MADs (3) */
	double min_delta; /* min-delta: and by at least, seconds (0.05) */
	/* gate: (< 0: the rule is off) */
	double max_new_failures; /* (0) */
	double max_failures, min_pass_rate, max_flaky_rate;
	double max_duration_regressions, min_tests;
};

void tl_params_default(struct tl_params *p);

/* Reads the three sections (any may be NULL) over the defaults; path is
 * the file they came from, for errors. */
int tl_params_load(struct tl_params *p, const struct tl_value *flaky,
	const struct tl_value *durations, const struct tl_value *gate,
	const char *path, struct tl_err *err);

struct tl_store;
/* The store's tally.yaml sections. */
int tl_params_of(
	struct tl_params *p, const struct tl_store *s, struct tl_err *err);

#endif

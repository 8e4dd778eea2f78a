#ifndef TL_METRICS_H
#define TL_METRICS_H
/*
 * The history metrics of METRICS.md as pure functions over plain arrays:
 * verdicts, rates, flip rates, duration statistics and states. No I/O and
 * no git here; core/history.c turns commits into these inputs.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/params.h"

/* Verdicts, ordered so that merging is easy to read. */
enum tl_verdict {
	TL_VERDICT_SKIP, /* no decisive attempt */
	TL_VERDICT_PASS,
	TL_VERDICT_FLAKY, /* at least one pass and one bad attempt */
	TL_VERDICT_FAIL,
};

const char *tl_verdict_name(enum tl_verdict v);

/* Outcome of one attempt from its status: 'P' passed, 'F' failed (bad),
 * 'N' not decisive (blocked, skipped, not-executed, running). */
char tl_outcome_of(const char *status);

/* The verdict over attempts written as a string of outcomes in order
 * ("FFP"); pass_on_retry (may be NULL) is set when FLAKY and the last
 * decisive attempt passed. */
enum tl_verdict tl_verdict_of(const char *outcomes, int *pass_on_retry);

/* A result as the metrics see it: its attempts' outcomes, oldest first. */
struct tl_mresult {
	const char *outcomes;
	double retry_cost; /* summed durations of the non-final attempts */
};

struct tl_rates {
	size_t results, decisive;
	double fail_rate, pass_rate;
	double first_attempt_fail_rate, first_attempt_low, first_attempt_high;
	double flaky_rate; /* FLAKY with pass_on_retry / decisive */
	double pass_on_retry_rate; /* passed finally / had a bad attempt */
	size_t pass_on_retry; /* how many results passed on a retry */
	double retry_cost;
};

void tl_rates_of(const struct tl_mresult *r, size_t n, struct tl_rates *out);

/* Wilson 95% interval of k successes in n. */
void tl_wilson(size_t k, size_t n, double *low, double *high);

/* y: decisive final outcomes in time order (0 pass, 1 bad). */
double tl_flip_rate(const int *y, size_t n);
/* Bias-corrected exponentially weighted flip rate (lambda 0.1). */
double tl_weighted_flip_rate(const int *y, size_t n, double lambda);
/* Over the timeline of source verdicts (SKIP verdicts left out by the
 * caller): flips and FLAKY verdicts per scored step, with changes that
 * hold for hold verdicts counted as transitions; flips (may be NULL)
 * receives the number of scoring steps. */
double tl_revision_flip_rate(
	const enum tl_verdict *v, size_t n, size_t hold, size_t *flips);

struct tl_durations {
	size_t n; /* samples used (the last p->samples passing durations) */
	double median, p95, mad, slope; /* slope: seconds per sample */
	int regression; /* the last p->recent against the p->samples before */
	double before, after; /* the two medians when regression is judged */
	size_t first_slow; /* regression: the first sample of the streak
			    * past the bound, an index into samples */
};

/* samples: durations of passing attempts, oldest first; p: the knobs
 * (NULL: METRICS.md's defaults). */
void tl_durations_of(const double *samples, size_t n, const struct tl_params *p,
	struct tl_durations *out);

/* The median of v (0 when empty); reorders v. */
double tl_median(double *v, size_t n);

/* One point of a case's timeline: a source verdict. */
struct tl_point {
	enum tl_verdict verdict; /* not SKIP */
	const char *revision; /* may be NULL */
	int64_t time;
};

enum tl_state {
	TL_STATE_NEW,
	TL_STATE_REGRESSED,
	TL_STATE_BROKEN,
	TL_STATE_FLAKY,
	TL_STATE_FLAKY_SUSPECTED,
	TL_STATE_FIXED,
	TL_STATE_FAILING,
	TL_STATE_STABLE,
};

const char *tl_state_name(enum tl_state s);

struct tl_state_info {
	enum tl_state state;
	int high_confidence; /* flaky: 2 or more FLAKY verdicts, rate >= 1% */
	size_t flaky_verdicts; /* in the evidence window */
	double revision_flip_rate;
	size_t flips;
	/* regressed: (last passing, first failing] as indexes into the
	 * timeline; -1 when not regressed */
	long last_pass, first_fail;
};

/* The state at the head of the timeline (oldest first); now is the time
 * the evidence window ends at; p (NULL: the defaults) the knobs. */
void tl_state_of(const struct tl_point *t, size_t n, int64_t now,
	const struct tl_params *p, struct tl_state_info *out);

#endif

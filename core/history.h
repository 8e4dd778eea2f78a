#ifndef TL_HISTORY_H
#define TL_HISTORY_H
/*
 * Results as events, from the commits (DESIGN.md "History and flakiness"):
 * every result blob a commit added or changed under a project's runs/
 * becomes an event, so runs deleted from the tree still count. The latest
 * version of a (run, case) result is the one that counts. Then, per case,
 * the metrics of METRICS.md over those events (core/metrics.h).
 */
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/metrics.h"
#include "core/store.h"
#include "core/strpool.h"

struct tl_hsnap_saving;

struct tl_event {
	/* What a case's metrics read of every event first, together in
	 * the first 64 bytes: the passes over 200,000 of them (30 MB) are
	 * bound by the memory they touch, and this touches two cache
	 * lines an event instead of three. */
	const char *outcomes; /* every attempt, oldest first: "FFP" */
	const char *revision; /* the result's, else its run's; may be NULL */
	/* the code identity of revision under flaky.code-paths, or NULL:
	 * source groups are by this when set */
	const char *code;
	/* when revision is a commit here, its committer time (else 0):
	 * source groups are ordered by the time of their code */
	int64_t code_time;
	int64_t time; /* started, else the commit's time */
	double duration; /* the final attempt's */
	double retry_cost;
	int has_duration;
	int infra; /* its run is infra-suspect: 20+ decisive, over 80% bad */
	/* strings live in the history's pool */
	const char *casekey;
	const char *run;
	/* "key=value" lines: the result's environment, else its run's;
	 * may be NULL */
	const char *environment;
	const char *status; /* the final attempt's */
	const char *message; /* the final attempt's failure message, else
			      * (passed on a retry) the last failed attempt's */
	const char *type;
	const char *trace; /* the first lines of the trace, for signatures */
	const char *commit; /* hex id of the commit that recorded it */
	const char *author;
	size_t seq; /* walk order: ties in time keep the commits' order */
	const char *blob; /* the result file's blob id */
};
/* 200,000 of them fill and fault in, and are sorted and scanned: the two
 * ints share 8 bytes rather than pad two */
_Static_assert(sizeof(struct tl_event) <= 152, "struct tl_event grew");

struct tl_history {
	struct tl_event *v; /* sorted by case, then time */
	size_t n;
	/* room in v beyond n, when a snapshot left some for the commits
	 * after it (0: none known) */
	size_t cap;
	struct tl_strpool pool; /* the events' strings */
	/* or, read from a snapshot (core/hsnap.c), there: one block, which
	 * v starts (tl_history_events_in_snap) until more events than its
	 * room move them out */
	char *snap;
	const char *snap_strings; /* in snap */
	size_t snap_strings_len;
	/* the snapshot being saved from v, or NULL: v and its strings stay
	 * as they are until tl_history_release waits for it */
	struct tl_hsnap_saving *saving;
	struct tl_params params; /* tally.yaml's flaky:, durations:, gate: */
};

/* Events of a project's results along the first parents of rev (NULL:
 * HEAD). aliases (may be NULL) maps earlier case keys to current ones
 * (tally case mv), so a renamed case keeps its history; casekey (may be
 * NULL) keeps one case, by its current key. */
int tl_history_load(struct tl_history *h, struct tl_store *s,
	const char *project, const char *rev, const struct tl_value *aliases,
	const char *casekey, struct tl_err *err);

void tl_history_release(struct tl_history *h);
/* Whether h->v lives in the snapshot's block (freed with it, not apart). */
static inline int tl_history_events_in_snap(const struct tl_history *h)
{
	return h->snap && (const char *)h->v == h->snap;
}
/* Sorts h->v by case key, then time, then seq (what the loader leaves;
 * no two events share a seq). A sorted run followed by a shorter unsorted
 * tail is merged, not sorted again. */
void tl_history_sort(struct tl_history *h);

/* What the metrics say of one case's events (ev: n events, time order). */
struct tl_case_metrics {
	struct tl_rates rates; /* over the last `window` results */
	struct tl_rates all; /* over every result */
	double flip_rate, weighted_flip_rate;
	struct tl_state_info state;
	struct tl_durations durations;
	const char *slow_revision; /* a duration regression's first revision */
	struct tl_point *timeline; /* source verdicts, oldest first */
	size_t ntimeline;
	/* source groups where one environment always passed and another
	 * always failed: counted as FAIL verdicts, not FLAKY */
	size_t env_divergent;
	size_t results;
	int64_t last_seen;
};

/* Over one case's events; p->window sets the windowed rates. */
void tl_case_metrics_of(const struct tl_event *ev, size_t n,
	const struct tl_params *p, int64_t now, struct tl_case_metrics *out);
void tl_case_metrics_release(struct tl_case_metrics *m);

/* One case's events in a history: v[first .. first + n). */
struct tl_case_span {
	size_t first, n;
};

/* tl_case_metrics_of over many cases (out[i] for spans[i]), on two
 * threads, each case measured alone. Their timelines are freed as they
 * are made (NULL in out): kept, 200,000 results' worth of them were
 * fresh memory to fault in, which took longer than the measuring. */
void tl_cases_metrics(const struct tl_history *h,
	const struct tl_case_span *spans, size_t n, int64_t now,
	struct tl_case_metrics *out);

#endif

/* Per-case metrics over events (core/history.c): source groups and
 * METRICS.md's environment divergence. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/history.h"

/* Events of one case, one per "OUTCOMES@REV/ENV" word (ENV "-": none). */
static size_t events(const char *spec, struct tl_event *v, char words[][32])
{
	size_t n = 0;
	char buf[256];
	char *save = NULL;
	strncpy(buf, spec, sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	for (char *w = strtok_r(buf, " ", &save); w;
		w = strtok_r(NULL, " ", &save)) {
		char *at = strchr(w, '@'), *slash = strchr(w, '/');
		memset(&v[n], 0, sizeof(v[n]));
		strcpy(words[n], w);
		at = words[n] + (at - w);
		slash = words[n] + (slash - w);
		*at = *slash = '\0';
		v[n].casekey = "c";
		v[n].run = "r";
		v[n].status = "x";
		v[n].outcomes = words[n];
		v[n].revision = at + 1;
		v[n].environment = strcmp(slash + 1, "-") ? slash + 1 : NULL;
		v[n].time = 1000 + (int64_t)n;
		v[n].seq = n;
		n++;
	}
	return n;
}

static void metrics(const char *spec, struct tl_case_metrics *m)
{
	struct tl_event v[16];
	char words[16][32];
	struct tl_params p;
	size_t n = events(spec, v, words);
	tl_params_default(&p);
	tl_case_metrics_of(v, n, &p, 2000, m);
}

Test(history, one_environment_passing_another_failing_is_not_a_flake)
{
	struct tl_case_metrics m;
	metrics("P@r0/os=linux P@r0/os=windows P@r1/os=linux F@r1/os=windows",
		&m);
	cr_assert_eq(m.env_divergent, 1);
	cr_assert_eq(m.ntimeline, 2);
	cr_assert_eq(m.timeline[1].verdict, TL_VERDICT_FAIL);
	cr_assert_eq(m.state.flaky_verdicts, 0);
	cr_assert_neq(m.state.state, TL_STATE_FLAKY);
	tl_case_metrics_release(&m);
}

Test(history, a_flake_within_one_environment_stays_a_flake)
{
	struct tl_case_metrics m;
	metrics("P@r0/os=linux P@r1/os=linux F@r1/os=linux P@r1/os=windows",
		&m);
	cr_assert_eq(m.env_divergent, 0);
	cr_assert_eq(m.timeline[1].verdict, TL_VERDICT_FLAKY);
	cr_assert_eq(m.state.state, TL_STATE_FLAKY);
	tl_case_metrics_release(&m);
	/* a retry that passed in the failing environment: flaky there */
	metrics("P@r0/os=linux P@r1/os=linux FP@r1/os=windows", &m);
	cr_assert_eq(m.env_divergent, 0);
	cr_assert_eq(m.state.state, TL_STATE_FLAKY);
	tl_case_metrics_release(&m);
}

Test(history, without_environments_a_split_revision_is_a_flake)
{
	struct tl_case_metrics m;
	metrics("P@r0/- P@r1/- F@r1/-", &m);
	cr_assert_eq(m.env_divergent, 0);
	cr_assert_eq(m.state.state, TL_STATE_FLAKY);
	tl_case_metrics_release(&m);
	/* one result with and one without: not known to diverge */
	metrics("P@r0/- P@r1/os=linux F@r1/-", &m);
	cr_assert_eq(m.env_divergent, 0);
	cr_assert_eq(m.state.state, TL_STATE_FLAKY);
	tl_case_metrics_release(&m);
}

/* Many cases at once (two threads): each exactly as measured alone, in
 * its place, whatever the split; cases of uneven length so the halves by
 * events are not halves by cases. */
Test(history, many_cases_at_once_measure_as_each_alone)
{
	enum { NCASE = 37, MAXN = 90 };
	static struct tl_event v[NCASE * MAXN];
	static char keys[NCASE][16];
	static const char *const outs[] = { "P", "F", "FP", "N", "FFP" };
	static const char *const revs[] = { "r0", "r1", "r2", "r3" };
	struct tl_history h;
	struct tl_case_span spans[NCASE];
	struct tl_case_metrics got[NCASE];
	size_t n = 0;
	unsigned x = 12345;
	memset(&h, 0, sizeof(h));
	tl_params_default(&h.params);
	for (size_t c = 0; c < NCASE; c++) {
		size_t len = 1 + (c * 7919) % MAXN;
		snprintf(keys[c], sizeof(keys[c]), "case%02zu", c);
		spans[c].first = n;
		spans[c].n = len;
		for (size_t i = 0; i < len; i++, n++) {
			x = x * 1103515245u + 12345u;
			memset(&v[n], 0, sizeof(v[n]));
			v[n].casekey = keys[c];
			v[n].run = "r";
			v[n].status = "x";
			v[n].outcomes = outs[(x >> 16) % 5];
			v[n].revision = revs[(x >> 8) % 4];
			v[n].has_duration = 1;
			v[n].duration = (double)((x >> 4) % 1000) / 10.0;
			v[n].time = 1000 + (int64_t)i;
			v[n].seq = n;
		}
	}
	h.v = v;
	h.n = n;
	tl_cases_metrics(&h, spans, NCASE, 5000, got);
	for (size_t c = 0; c < NCASE; c++) {
		struct tl_case_metrics want;
		tl_case_metrics_of(
			v + spans[c].first, spans[c].n, &h.params, 5000, &want);
		cr_assert_null(got[c].timeline, "case %zu kept a timeline", c);
		cr_assert_eq(got[c].results, want.results, "case %zu", c);
		cr_assert_eq(
			got[c].state.state, want.state.state, "case %zu", c);
		cr_assert_eq(got[c].state.flaky_verdicts,
			want.state.flaky_verdicts, "case %zu", c);
		cr_assert_eq(got[c].flip_rate, want.flip_rate, "case %zu", c);
		cr_assert_eq(got[c].weighted_flip_rate, want.weighted_flip_rate,
			"case %zu", c);
		cr_assert_eq(got[c].all.pass_on_retry, want.all.pass_on_retry,
			"case %zu", c);
		cr_assert_eq(got[c].rates.fail_rate, want.rates.fail_rate,
			"case %zu", c);
		cr_assert_eq(got[c].durations.median, want.durations.median,
			"case %zu", c);
		cr_assert_eq(got[c].last_seen, want.last_seen, "case %zu", c);
		tl_case_metrics_release(&want);
	}
	/* none, and one: no thread to split to */
	tl_cases_metrics(&h, spans, 0, 5000, got);
	tl_cases_metrics(&h, spans + 5, 1, 5000, got);
	cr_assert_eq(got[0].results, spans[5].n);
}

/* The order tl_history_sort promises, written plainly. */
static int reference_order(const void *a, const void *b)
{
	const struct tl_event *x = a, *y = b;
	int c = strcmp(x->casekey, y->casekey);
	if (c)
		return c;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* n events over ncase cases, times drawn from a few values (so many
 * tie and seq decides); each case's name exists twice, at different
 * addresses, as keys from a snapshot and from a walk do. */
static void random_events(struct tl_event *v, size_t n, char names[][2][32],
	size_t ncase, unsigned *seed)
{
	for (size_t i = 0; i < ncase; i++) {
		/* names out of creation order: "case-17" before "case-3" */
		snprintf(names[i][0], sizeof(names[i][0]), "case-%zu",
			(i * 7919) % ncase);
		strcpy(names[i][1], names[i][0]);
	}
	for (size_t i = 0; i < n; i++) {
		size_t c = (size_t)rand_r(seed) % ncase;
		memset(&v[i], 0, sizeof(v[i]));
		v[i].casekey = names[c][rand_r(seed) % 2];
		v[i].time = 1000 + rand_r(seed) % 50;
		v[i].seq = i;
	}
}

static void expect_sorted_as_reference(struct tl_event *v, size_t n)
{
	struct tl_event *want = malloc(n * sizeof(*want));
	struct tl_history h;
	memcpy(want, v, n * sizeof(*want));
	qsort(want, n, sizeof(*want), reference_order);
	memset(&h, 0, sizeof(h));
	h.v = v;
	h.n = n;
	tl_history_sort(&h);
	for (size_t i = 0; i < n; i++) {
		cr_assert_str_eq(h.v[i].casekey, want[i].casekey, "at %zu", i);
		cr_assert_eq(h.v[i].time, want[i].time, "at %zu", i);
		cr_assert_eq(h.v[i].seq, want[i].seq, "at %zu", i);
	}
	free(want);
}

Test(history, sorting_a_walk_orders_by_case_then_time_then_seq)
{
	enum { N = 20000, NCASE = 301 };
	static struct tl_event v[N];
	static char names[NCASE][2][32];
	unsigned seed = 12345;
	random_events(v, N, names, NCASE, &seed);
	expect_sorted_as_reference(v, N);
}

Test(history, sorting_a_snapshot_and_a_short_tail_merges_them_in_order)
{
	enum { N = 5000, TAIL = 700, NCASE = 53 };
	static struct tl_event v[N];
	static char names[NCASE][2][32];
	unsigned seed = 99;
	random_events(v, N, names, NCASE, &seed);
	/* a sorted snapshot, then what the commits after it added */
	qsort(v, N - TAIL, sizeof(*v), reference_order);
	expect_sorted_as_reference(v, N);
}

Test(history, sorting_one_case_follows_time_not_walk_order)
{
	struct tl_event v[64];
	for (size_t i = 0; i < 64; i++) {
		memset(&v[i], 0, sizeof(v[i]));
		v[i].casekey = "only";
		v[i].time = 5000 - (int64_t)(i / 8); /* time decides, not seq */
		v[i].seq = i;
	}
	expect_sorted_as_reference(v, 64);
}

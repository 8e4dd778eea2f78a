/* METRICS.md's definitions, with its worked examples. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics.h"

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)

/* "PPF" -> verdicts; '~' is a FLAKY verdict */
static size_t verdicts(const char *s, enum tl_verdict *v)
{
	size_t n = 0;
	for (; *s; s++)
		if (*s != ' ')
			v[n++] = *s == 'P'  ? TL_VERDICT_PASS
				: *s == 'F' ? TL_VERDICT_FAIL
					    : TL_VERDICT_FLAKY;
	return n;
}

static size_t outcomes(const char *s, int *y)
{
	size_t n = 0;
	for (; *s; s++)
		if (*s != ' ')
			y[n++] = *s == 'F';
	return n;
}

Test(metrics, verdicts_over_attempts)
{
	int por;
	cr_assert_eq(tl_verdict_of("P", &por), TL_VERDICT_PASS);
	cr_assert_eq(tl_verdict_of("FF", &por), TL_VERDICT_FAIL);
	cr_assert_eq(tl_verdict_of("FP", &por), TL_VERDICT_FLAKY);
	cr_assert(por, "pass on retry");
	cr_assert_eq(tl_verdict_of("PF", &por), TL_VERDICT_FLAKY);
	cr_assert(!por, "the last decisive attempt failed");
	cr_assert_eq(tl_verdict_of("FPN", &por), TL_VERDICT_FLAKY);
	cr_assert(por, "not-decisive attempts do not count");
	cr_assert_eq(tl_verdict_of("NN", &por), TL_VERDICT_SKIP);
	cr_assert_eq(tl_outcome_of("blocked"), 'N');
	cr_assert_eq(tl_outcome_of("failed"), 'F');
}

Test(metrics, flip_rates_of_the_worked_examples)
{
	enum tl_verdict v[16];
	int y[16];
	size_t n, flips;
	/* P P F F F P P P: 2/7, revision-aware 0 (a regression, a fix) */
	n = outcomes("PPFFFPPP", y);
	cr_assert(NEAR(tl_flip_rate(y, n), 2.0 / 7));
	n = verdicts("PPFFFPPP", v);
	cr_assert(NEAR(tl_revision_flip_rate(v, n, 3, &flips), 0));
	/* P F P F P: 1.0 and 3/3 (the last change pending) */
	n = outcomes("PFPFP", y);
	cr_assert(NEAR(tl_flip_rate(y, n), 1.0));
	n = verdicts("PFPFP", v);
	cr_assert(NEAR(tl_revision_flip_rate(v, n, 3, &flips), 1.0));
	cr_assert_eq(flips, 3);
	/* P P P ~ P P P P: 0 and 1/7 (~ a FLAKY verdict whose final passed) */
	n = outcomes("PPPPPPPP", y);
	cr_assert(NEAR(tl_flip_rate(y, n), 0));
	n = verdicts("PPP~PPPP", v);
	cr_assert(NEAR(tl_revision_flip_rate(v, n, 3, NULL), 1.0 / 7));
	/* fewer than two results: 0 */
	cr_assert(NEAR(tl_flip_rate(y, 1), 0));
}

Test(metrics, weighted_flip_rate_is_bias_corrected)
{
	int y[] = { 0, 1 };
	int steady[] = { 0, 0, 0, 0 };
	/* one step that flips: e1 = 0.1, corrected by 1 - 0.9 = 0.1 -> 1 */
	cr_assert(NEAR(tl_weighted_flip_rate(y, 2, 0.1), 1.0));
	cr_assert(NEAR(tl_weighted_flip_rate(steady, 4, 0.1), 0));
	/* P F P F P: every step flips -> 1 */
	{
		int alt[] = { 0, 1, 0, 1, 0 };
		cr_assert(NEAR(tl_weighted_flip_rate(alt, 5, 0.1), 1.0));
	}
}

Test(metrics, rates_count_decisive_results)
{
	struct tl_mresult r[] = { { "P", 0 }, { "F", 0 }, { "FP", 1.5 },
		{ "FF", 2 }, { "N", 0 } };
	struct tl_rates k;
	tl_rates_of(r, 5, &k);
	cr_assert_eq(k.decisive, 4);
	cr_assert(NEAR(k.fail_rate, 2.0 / 4));
	cr_assert(NEAR(k.pass_rate, 1.0 / 4));
	cr_assert(NEAR(k.first_attempt_fail_rate, 3.0 / 4));
	cr_assert(NEAR(k.flaky_rate, 1.0 / 4));
	cr_assert(NEAR(k.pass_on_retry_rate, 1.0 / 3));
	cr_assert(NEAR(k.retry_cost, 3.5));
	cr_assert(k.first_attempt_low < 0.75 && k.first_attempt_high > 0.75);
}

Test(metrics, wilson_interval)
{
	double lo, hi;
	/* 0 of 10: [0, 0.2775] */
	tl_wilson(0, 10, &lo, &hi);
	cr_assert(NEAR(lo, 0));
	cr_assert(fabs(hi - 0.2775) < 1e-4, "%f", hi);
	tl_wilson(5, 10, &lo, &hi);
	cr_assert(fabs(lo - 0.2366) < 1e-4 && fabs(hi - 0.7634) < 1e-4);
}

Test(metrics, durations_median_p95_mad_slope_and_regression)
{
	double s[40];
	struct tl_durations d;
	for (int i = 0; i < 20; i++)
		s[i] = 1.0 + (i % 2) * 0.1; /* 1.0, 1.1, ... */
	tl_durations_of(s, 20, NULL, &d);
	cr_assert_eq(d.n, 20);
	cr_assert(NEAR(d.median, 1.05));
	cr_assert(NEAR(d.p95, 1.1)); /* sorted[ceil(19) - 1] */
	cr_assert(NEAR(d.mad, 0.05));
	cr_assert(!d.regression);
	/* the last 5 at 2 s: a regression against the median of 1.05 */
	for (int i = 20; i < 25; i++)
		s[i] = 2.0;
	tl_durations_of(s, 25, NULL, &d);
	cr_assert(d.regression);
	cr_assert(NEAR(d.before, 1.05) && NEAR(d.after, 2.0));
	cr_assert_eq(d.first_slow, 20);
	/* slow from sample 18 on, the newest back under the bound: the
	 * regression still starts at 18 */
	for (int i = 0; i < 18; i++)
		s[i] = 1.0 + (i % 2) * 0.1;
	for (int i = 18; i < 24; i++)
		s[i] = 2.0;
	s[24] = 1.1;
	tl_durations_of(s, 25, NULL, &d);
	cr_assert(d.regression);
	cr_assert_eq(d.first_slow, 18, "got %zu", d.first_slow);
	/* a rising line: Theil-Sen slope 0.5 per sample */
	for (int i = 0; i < 10; i++)
		s[i] = 0.5 * i;
	tl_durations_of(s, 10, NULL, &d);
	cr_assert(NEAR(d.slope, 0.5));
	/* 1.2 times but within 50 ms is not a regression */
	for (int i = 0; i < 20; i++)
		s[i] = 0.1;
	for (int i = 20; i < 25; i++)
		s[i] = 0.13;
	tl_durations_of(s, 25, NULL, &d);
	cr_assert(!d.regression);
}

static void state_of(const char *line, enum tl_state want, const char *why)
{
	enum tl_verdict v[64];
	struct tl_point t[64];
	struct tl_state_info st;
	size_t n = verdicts(line, v);
	for (size_t i = 0; i < n; i++) {
		t[i].verdict = v[i];
		t[i].revision = NULL;
		t[i].time = 1000000 + (int64_t)i * 3600;
	}
	tl_state_of(t, n, 1000000 + (int64_t)n * 3600, NULL, &st);
	cr_assert_eq(st.state, want, "%s: %s is %s, not %s", why, line,
		tl_state_name(st.state), tl_state_name(want));
}

Test(metrics, states_first_rule_that_holds)
{
	state_of("P", TL_STATE_NEW, "no earlier decisive result");
	state_of("PPPPPF", TL_STATE_REGRESSED, "a FAIL streak after passes");
	state_of("PPFFF", TL_STATE_BROKEN, "3 FAIL in a row, 2 passes before");
	state_of("FPFPFFPFPF", TL_STATE_BROKEN, "6 of the last 10");
	state_of("PPP~PPP", TL_STATE_FLAKY, "same-code proof");
	state_of("PFPPFPPFPPPP", TL_STATE_FLAKY_SUSPECTED,
		"flips without same-code proof");
	state_of("FFPF", TL_STATE_FAILING, "any other FAIL");
	state_of("FP", TL_STATE_FIXED, "PASS right after a FAIL");
	state_of("PPPP", TL_STATE_STABLE, "nothing else");
}

Test(metrics, regressed_reports_the_culprit_range)
{
	struct tl_point t[6];
	struct tl_state_info st;
	const char *rev[] = { "a", "b", "c", "d", "e", "f" };
	for (int i = 0; i < 6; i++) {
		t[i].verdict = i < 4 ? TL_VERDICT_PASS : TL_VERDICT_FAIL;
		t[i].revision = rev[i];
		t[i].time = i;
	}
	tl_state_of(t, 6, 10, NULL, &st);
	cr_assert_eq(st.state, TL_STATE_REGRESSED);
	cr_assert_eq(st.last_pass, 3); /* (d, e] */
	cr_assert_eq(st.first_fail, 4);
}

/* One FLAKY verdict at day 0, then clean verdicts one every step. */
static enum tl_state after_flake(
	size_t clean, int64_t step, int64_t now, const struct tl_params *p)
{
	struct tl_point t[80];
	struct tl_state_info st;
	cr_assert(clean + 3 <= 80);
	t[0].verdict = TL_VERDICT_PASS;
	t[1].verdict = TL_VERDICT_FLAKY;
	t[0].time = 0;
	t[1].time = 0;
	for (size_t i = 0; i < clean; i++) {
		t[2 + i].verdict = TL_VERDICT_PASS;
		t[2 + i].time = (int64_t)(i + 1) * step;
	}
	for (size_t i = 0; i < clean + 2; i++)
		t[i].revision = NULL;
	tl_state_of(t, clean + 2, now, p, &st);
	return st.state;
}

Test(metrics, flaky_is_left_only_after_14_days_and_30_clean_results)
{
	const int64_t day = 86400;
	/* 29 clean results spread over 60 days: still flaky, though the
	 * FLAKY verdict is out of the 14-day, 20-verdict evidence window */
	cr_assert_eq(after_flake(29, 2 * day, 61 * day, NULL), TL_STATE_FLAKY);
	/* the 30th clean result, past 14 days: stable */
	cr_assert_eq(after_flake(30, 2 * day, 61 * day, NULL), TL_STATE_STABLE);
	/* 40 clean results within 3 days: not yet 14 days... */
	cr_assert_eq(after_flake(40, 3600, 3 * day, NULL), TL_STATE_FLAKY);
	/* ...and once 14 days have passed since, stable */
	cr_assert_eq(after_flake(40, 3600, 15 * day, NULL), TL_STATE_STABLE);
}

Test(metrics, a_case_that_left_flaky_does_not_come_back_by_hysteresis)
{
	/* flaky, 30 clean over 30 days (it left), then a FAIL and a PASS:
	 * fixed, not flaky again */
	struct tl_point t[40];
	struct tl_state_info st;
	size_t n = 0;
	t[n++] = (struct tl_point){ TL_VERDICT_PASS, NULL, 0 };
	t[n++] = (struct tl_point){ TL_VERDICT_FLAKY, NULL, 0 };
	for (int i = 1; i <= 30; i++)
		t[n++] = (struct tl_point){ TL_VERDICT_PASS, NULL,
			(int64_t)i * 86400 };
	t[n++] = (struct tl_point){ TL_VERDICT_FAIL, NULL, 31 * 86400 };
	t[n++] = (struct tl_point){ TL_VERDICT_PASS, NULL, 32 * 86400 };
	tl_state_of(t, n, 33 * 86400, NULL, &st);
	cr_assert_eq(st.state, TL_STATE_FIXED, "%s", tl_state_name(st.state));
}

Test(metrics, the_knobs_come_from_params)
{
	struct tl_params p;
	tl_params_default(&p);
	p.leave_results = 5;
	p.leave_days = 1;
	p.evidence_days = 1; /* so only the hysteresis keeps it flaky */
	p.evidence_results = 1;
	cr_assert_eq(after_flake(5, 86400, 6 * 86400, &p), TL_STATE_STABLE);
	cr_assert_eq(after_flake(4, 86400, 6 * 86400, &p), TL_STATE_FLAKY);
	{
		/* a 10% slowdown is a regression at ratio 1.05, not at 1.2 */
		double s[20];
		struct tl_durations d;
		for (int i = 0; i < 20; i++)
			s[i] = i < 15 ? 1.0 : 1.1;
		tl_durations_of(s, 20, NULL, &d);
		cr_assert_not(d.regression);
		p.ratio = 1.05;
		tl_durations_of(s, 20, &p, &d);
		cr_assert(d.regression);
		p.recent = 10; /* 10 recent need 10 + min-samples (10) */
		tl_durations_of(s, 19, &p, &d);
		cr_assert_not(d.regression);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The selection-based median against a sorted copy's, on shapes that
 * trip selection: duplicates, sorted, reversed, all equal, odd and even. */
Test(metrics, median_is_the_sorted_middle)
{
	double v[257], s[257];
	srand(7);
	for (size_t n = 1; n <= 257; n++) {
		for (int shape = 0; shape < 5; shape++) {
			double want, got;
			for (size_t i = 0; i < n; i++)
				v[i] = shape == 0    ? rand() % 1000 / 10.0
					: shape == 1 ? rand() % 3
					: shape == 2 ? (double)i
					: shape == 3 ? (double)(n - i)
						     : 4.5;
			memcpy(s, v, n * sizeof(*v));
			qsort(s, n, sizeof(*s), cmp_double);
			want = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
			got = tl_median(v, n);
			cr_assert(got == want, "n %zu shape %d: %g, not %g", n,
				shape, got, want);
			/* reordered, nothing lost */
			qsort(v, n, sizeof(*v), cmp_double);
			cr_assert(!memcmp(v, s, n * sizeof(*v)));
		}
	}
	cr_assert(tl_median(v, 0) == 0);
}

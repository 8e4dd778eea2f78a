/* METRICS.md as arithmetic: verdicts, rates, flip rates, durations, states. */
#include "core/metrics.h"
#include "core/buf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define DAY (24 * 3600)

const char *tl_verdict_name(enum tl_verdict v)
{
	static const char *const names[] = { "SKIP", "PASS", "FLAKY", "FAIL" };
	return names[v];
}

const char *tl_state_name(enum tl_state s)
{
	static const char *const names[] = { "new", "regressed", "broken",
		"flaky", "flaky-suspected", "fixed", "failing", "stable" };
	return names[s];
}

char tl_outcome_of(const char *status)
{
	if (!status)
		return 'N';
	if (!strcmp(status, "passed"))
		return 'P';
	if (!strcmp(status, "failed"))
		return 'F';
	return 'N';
}

enum tl_verdict tl_verdict_of(const char *outcomes, int *pass_on_retry)
{
	int pass = 0, bad = 0;
	char last = 0;
	for (const char *o = outcomes; *o; o++) {
		pass |= *o == 'P';
		bad |= *o == 'F';
		if (*o != 'N')
			last = *o;
	}
	if (pass_on_retry)
		*pass_on_retry = pass && bad && last == 'P';
	if (pass && bad)
		return TL_VERDICT_FLAKY;
	return bad ? TL_VERDICT_FAIL : pass ? TL_VERDICT_PASS : TL_VERDICT_SKIP;
}

void tl_wilson(size_t k, size_t n, double *low, double *high)
{
	const double z = 1.959963984540054;
	double p, d, c, h;
	if (!n) {
		*low = 0;
		*high = 1;
		return;
	}
	p = (double)k / (double)n;
	d = 1 + z * z / (double)n;
	c = (p + z * z / (2.0 * (double)n)) / d;
	h = z *
		sqrt(p * (1 - p) / (double)n +
			z * z / (4.0 * (double)n * (double)n)) /
		d;
	*low = c - h < 0 ? 0 : c - h;
	*high = c + h > 1 ? 1 : c + h;
}

void tl_rates_of(const struct tl_mresult *r, size_t n, struct tl_rates *out)
{
	size_t fail = 0, pass = 0, first_bad = 0, flaky = 0, had_bad = 0;
	memset(out, 0, sizeof(*out));
	out->results = n;
	for (size_t i = 0; i < n; i++) {
		int por = 0;
		enum tl_verdict v = tl_verdict_of(r[i].outcomes, &por);
		const char *first = r[i].outcomes;
		out->retry_cost += r[i].retry_cost;
		if (v == TL_VERDICT_SKIP)
			continue;
		out->decisive++;
		fail += v == TL_VERDICT_FAIL;
		pass += v == TL_VERDICT_PASS;
		while (*first == 'N')
			first++;
		first_bad += *first == 'F';
		flaky += por;
		if (strchr(r[i].outcomes, 'F')) {
			had_bad++;
			out->pass_on_retry += por;
		}
	}
	if (out->decisive) {
		double d = (double)out->decisive;
		out->fail_rate = (double)fail / d;
		out->pass_rate = (double)pass / d;
		out->first_attempt_fail_rate = (double)first_bad / d;
		out->flaky_rate = (double)flaky / d;
	}
	tl_wilson(first_bad, out->decisive, &out->first_attempt_low,
		&out->first_attempt_high);
	if (had_bad)
		out->pass_on_retry_rate =
			(double)out->pass_on_retry / (double)had_bad;
}

double tl_flip_rate(const int *y, size_t n)
{
	size_t flips = 0;
	if (n < 2)
		return 0;
	for (size_t i = 1; i < n; i++)
		flips += y[i] != y[i - 1];
	return (double)flips / (double)(n - 1);
}

double tl_weighted_flip_rate(const int *y, size_t n, double lambda)
{
	double e = 0;
	size_t steps = 0;
	for (size_t i = 1; i < n; i++, steps++)
		e = lambda * (y[i] != y[i - 1]) + (1 - lambda) * e;
	if (!steps)
		return 0;
	return e / (1 - pow(1 - lambda, (double)steps));
}

double tl_revision_flip_rate(
	const enum tl_verdict *v, size_t n, size_t hold, size_t *flips)
{
	size_t scored = 0, score = 0;
	for (size_t i = 1; i < n; i++) {
		if (v[i] == TL_VERDICT_FLAKY) {
			scored++;
			score++;
			continue;
		}
		if (v[i] == v[i - 1]) {
			scored++;
			continue;
		}
		/* a change: a transition when it holds for `hold` verdicts
		 * with no FLAKY among them, a flip when contradicted sooner,
		 * pending (unscored) at the head */
		{
			size_t k = i + 1;
			while (k < n && k < i + hold && v[k] == v[i])
				k++;
			if (k == i + hold) {
				scored++;
			} else if (k < n) {
				scored++;
				score++;
			}
		}
	}
	if (flips)
		*flips = score;
	return scored ? (double)score / (double)scored : 0;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Moves the k-th smallest of v to v[k], the smaller ones before it and
 * the larger after (Hoare's selection): linear on average, where a sort
 * was most of a warm tally flaky (Theil-Sen's slopes are n^2/2). */
static void select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, i = lo, j = hi;
		double pivot, t;
		/* median of three: sorted or reversed input stays linear */
		if (v[mid] < v[lo])
			t = v[mid], v[mid] = v[lo], v[lo] = t;
		if (v[hi] < v[lo])
			t = v[hi], v[hi] = v[lo], v[lo] = t;
		if (v[hi] < v[mid])
			t = v[hi], v[hi] = v[mid], v[mid] = t;
		pivot = v[mid];
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (pivot < v[j])
				j--;
			if (i <= j) {
				t = v[i], v[i] = v[j], v[j] = t;
				i++;
				if (!j--)
					break;
			}
		}
		/* v[lo..j] <= pivot <= v[i..hi], and between them == pivot */
		if (k <= j && j != (size_t)-1)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return;
	}
}

double tl_median(double *v, size_t n)
{
	double hi, lo;
	if (!n)
		return 0;
	select_kth(v, n, n / 2);
	hi = v[n / 2];
	if (n % 2)
		return hi;
	/* the lower middle: the largest of those before it */
	lo = v[0];
	for (size_t i = 1; i < n / 2; i++)
		if (v[i] > lo)
			lo = v[i];
	return (lo + hi) / 2;
}

static double mad_of(const double *s, size_t n, double med)
{
	double *d = tl_calloc(n ? n : 1, sizeof(*d));
	double m;
	for (size_t i = 0; i < n; i++)
		d[i] = fabs(s[i] - med);
	m = tl_median(d, n);
	free(d);
	return m;
}

static const struct tl_params *params_or_default(
	const struct tl_params *p, struct tl_params *def)
{
	if (p)
		return p;
	tl_params_default(def);
	return def;
}

void tl_durations_of(const double *samples, size_t n, const struct tl_params *p,
	struct tl_durations *out)
{
	struct tl_params def;
	size_t use, np = 0, r;
	p = params_or_default(p, &def);
	r = p->recent;
	use = n > p->samples ? p->samples : n;
	const double *s = samples + (n - use);
	double *v = tl_calloc(use ? use : 1, sizeof(*v));
	double *pairs;
	memset(out, 0, sizeof(*out));
	out->n = use;
	if (!use) {
		free(v);
		return;
	}
	memcpy(v, s, use * sizeof(*v));
	tl_sort(v, use, sizeof(*v), by_value);
	out->median = tl_median(v, use);
	out->p95 = v[(size_t)ceil(0.95 * (double)use) - 1];
	out->mad = mad_of(s, use, out->median);
	/* Theil-Sen: the median of the slopes between every pair */
	pairs = tl_calloc(use * use / 2 + 1, sizeof(*pairs));
	for (size_t i = 0; i < use; i++)
		for (size_t j = i + 1; j < use; j++)
			pairs[np++] = (s[j] - s[i]) / (double)(j - i);
	out->slope = tl_median(pairs, np);
	free(pairs);
	free(v);
	/* a regression: the last r against up to p->samples before them
	 * (at least p->min_samples) */
	if (n >= r + p->min_samples) {
		size_t nb = n - r > p->samples ? p->samples : n - r;
		const double *b = samples + (n - r - nb);
		double *x = tl_calloc(nb, sizeof(*x));
		double *last = tl_calloc(r, sizeof(*last));
		double mad, delta;
		memcpy(x, b, nb * sizeof(*x));
		memcpy(last, samples + n - r, r * sizeof(*last));
		out->before = tl_median(x, nb);
		out->after = tl_median(last, r);
		mad = mad_of(b, nb, out->before);
		delta = fmax(p->mad_factor * 1.4826 * mad, p->min_delta);
		out->regression = out->after >= p->ratio * out->before &&
			out->after - out->before >= delta;
		if (out->regression) {
			double bound = fmax(
				p->ratio * out->before, out->before + delta);
			size_t i = n;
			/* the newest samples may dip below the bound while
			 * the median of the last r is past it */
			while (i > n - r && samples[i - 1] < bound)
				i--;
			while (i > 0 && samples[i - 1] >= bound)
				i--;
			out->first_slow = i;
		}
		free(last);
		free(x);
	}
}

/* The up to 10 verdicts before end are all PASS. */
static int passes_before(const enum tl_verdict *v, size_t end)
{
	for (size_t i = end > 10 ? end - 10 : 0; i < end; i++)
		if (v[i] != TL_VERDICT_PASS)
			return 0;
	return 1;
}

/* A case leaves flaky only once, after its last FLAKY verdict, it has
 * had p->leave_results clean (PASS) verdicts in a row and p->leave_days
 * have passed: this says whether it is still inside that hysteresis. */
static int still_flaky(const enum tl_verdict *v, const struct tl_point *t,
	size_t n, int64_t now, const struct tl_params *p)
{
	size_t f = n, clean = 0;
	int64_t days = p->leave_days * DAY;
	while (f > 0 && v[f - 1] != TL_VERDICT_FLAKY)
		f--;
	if (!f)
		return 0;
	f--;
	for (size_t i = f + 1; i < n; i++) {
		clean = v[i] == TL_VERDICT_PASS ? clean + 1 : 0;
		if (clean >= p->leave_results && t[i].time - t[f].time >= days)
			return 0; /* it left then */
	}
	return !(clean >= p->leave_results && now - t[f].time >= days);
}

void tl_state_of(const struct tl_point *t, size_t n, int64_t now,
	const struct tl_params *p, struct tl_state_info *out)
{
	struct tl_params def;
	enum tl_verdict *v = tl_calloc(n ? n : 1, sizeof(*v));
	size_t streak = 0, fails10 = 0, window = 0, flaky_all = 0;
	p = params_or_default(p, &def);
	memset(out, 0, sizeof(*out));
	out->last_pass = out->first_fail = -1;
	for (size_t i = 0; i < n; i++) {
		v[i] = t[i].verdict;
		flaky_all += v[i] == TL_VERDICT_FLAKY;
	}
	out->revision_flip_rate =
		tl_revision_flip_rate(v, n, p->hold, &out->flips);
	/* the evidence window: so many days, widened to so many verdicts */
	for (size_t i = n; i > 0; i--) {
		int in_days = now - t[i - 1].time <= p->evidence_days * DAY;
		if (!in_days && window >= p->evidence_results)
			break;
		window++;
		out->flaky_verdicts += v[i - 1] == TL_VERDICT_FLAKY;
	}
	while (streak < n && v[n - 1 - streak] == TL_VERDICT_FAIL)
		streak++;
	for (size_t i = n > 10 ? n - 10 : 0; i < n; i++)
		fails10 += v[i] == TL_VERDICT_FAIL;
	if (n < 2) {
		out->state = TL_STATE_NEW;
	} else if (streak && n - streak >= 3 && passes_before(v, n - streak)) {
		out->state = TL_STATE_REGRESSED;
		out->last_pass = (long)(n - streak - 1);
		out->first_fail = (long)(n - streak);
	} else if (streak >= 3 || fails10 >= 6) {
		out->state = TL_STATE_BROKEN;
	} else if (out->flaky_verdicts || still_flaky(v, t, n, now, p)) {
		out->state = TL_STATE_FLAKY;
		out->high_confidence =
			out->flaky_verdicts >= p->confidence_verdicts &&
			(double)flaky_all / (double)n >= p->confidence_rate;
	} else if (out->revision_flip_rate >= p->suspect_flip_rate &&
		out->flips >= p->suspect_flips && n >= p->suspect_results) {
		out->state = TL_STATE_FLAKY_SUSPECTED;
	} else if (v[n - 1] == TL_VERDICT_PASS && v[n - 2] == TL_VERDICT_FAIL) {
		out->state = TL_STATE_FIXED;
	} else if (v[n - 1] == TL_VERDICT_FAIL) {
		out->state = TL_STATE_FAILING;
	} else {
		out->state = TL_STATE_STABLE;
	}
	free(v);
}

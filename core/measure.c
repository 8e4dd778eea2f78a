/* A case's metrics over its events (METRICS.md), and many cases' at once,
 * on two threads. */
#include "core/history.h"
#include "core/buf.h"
#include "core/strmap.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static char final_outcome(const struct tl_event *e)
{
	return e->outcomes[strlen(e->outcomes) - 1];
}

struct gorder {
	size_t g; /* groups are numbered in the order of their first result */
	int64_t key;
};

static int by_key(const void *a, const void *b)
{
	const struct gorder *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->g < y->g ? -1 : x->g > y->g;
}

/* METRICS.md's environment divergence: the results of one source group
 * (linked by next from first), each environment's own verdict PASS or
 * FAIL, at least one of each: one environment always passes, another
 * always fails. Every result needs a known environment. */
static int env_divergent(const struct tl_event *ev, size_t first,
	const size_t *next, struct tl_buf *scratch)
{
	int pass = 0, fail = 0;
	for (size_t j = first; j != (size_t)-1; j = next[j])
		if (!ev[j].environment)
			return 0;
	for (size_t j = first; j != (size_t)-1; j = next[j]) {
		enum tl_verdict v;
		int seen = 0;
		for (size_t k = first; k != j; k = next[k])
			seen |= !strcmp(ev[k].environment, ev[j].environment);
		if (seen)
			continue; /* judged with its first result */
		tl_buf_reset(scratch);
		for (size_t k = j; k != (size_t)-1; k = next[k])
			if (!strcmp(ev[k].environment, ev[j].environment))
				tl_buf_puts(scratch, ev[k].outcomes);
		v = tl_verdict_of(scratch->ptr, NULL);
		if (v == TL_VERDICT_FLAKY)
			return 0; /* flaky within one environment */
		pass |= v == TL_VERDICT_PASS;
		fail |= v == TL_VERDICT_FAIL;
	}
	return pass && fail;
}

void tl_case_metrics_of(const struct tl_event *ev, size_t n,
	const struct tl_params *p, int64_t now, struct tl_case_metrics *out)
{
	size_t window = p->window;
	struct tl_mresult *r = tl_calloc(n ? n : 1, sizeof(*r));
	int *y = tl_calloc(n ? n : 1, sizeof(*y));
	double *samples = tl_calloc(n ? n : 1, sizeof(*samples));
	size_t *sample_at = tl_calloc(n ? n : 1, sizeof(*sample_at));
	size_t ny = 0, ns = 0, from = n > window ? n - window : 0;
	struct tl_buf o = TL_BUF_INIT;

	memset(out, 0, sizeof(*out));
	out->results = n;
	for (size_t i = 0; i < n; i++) {
		char f = final_outcome(&ev[i]);
		r[i].outcomes = ev[i].outcomes;
		r[i].retry_cost = ev[i].retry_cost;
		if (f != 'N')
			y[ny++] = f == 'F';
		if (f == 'P' && ev[i].has_duration) {
			sample_at[ns] = i;
			samples[ns++] = ev[i].duration;
		}
		out->last_seen = ev[i].time;
	}
	tl_rates_of(r + from, n - from, &out->rates);
	tl_rates_of(r, n, &out->all);
	out->flip_rate = tl_flip_rate(y, ny);
	out->weighted_flip_rate = tl_weighted_flip_rate(y, ny, p->lambda);
	tl_durations_of(samples, ns, p, &out->durations);
	if (out->durations.regression)
		out->slow_revision =
			ev[sample_at[out->durations.first_slow]].revision;
	/* source verdicts: all attempts of the results on one revision; a
	 * result without a revision is its own group. Groups in the order
	 * of their first result. */
	out->timeline = tl_calloc(n ? n : 1, sizeof(*out->timeline));
	{
		/* groups by revision in linear time: next links the events
		 * of one group, first[g] and last[g] its ends */
		struct tl_strmap byrev = { 0 };
		size_t *next = tl_calloc(n ? n : 1, sizeof(*next));
		size_t *first = tl_calloc(n ? n : 1, sizeof(*first));
		size_t *last = tl_calloc(n ? n : 1, sizeof(*last));
		size_t ng = 0;
		/* at most a group per event: one table, never grown */
		tl_strmap_reserve(&byrev, n);
		for (size_t i = 0; i < n; i++) {
			size_t g = (size_t)-1;
			next[i] = (size_t)-1;
			if (ev[i].infra)
				continue;
			const char *c =
				ev[i].code ? ev[i].code : ev[i].revision;
			uint64_t hc = c ? tl_strmap_hash(c) : 0;
			size_t at = c ? tl_strmap_index_hashed(&byrev, c, hc)
				      : (size_t)-1;
			if (at != (size_t)-1)
				g = byrev.slots[at].val;
			if (g == (size_t)-1) {
				g = ng++;
				first[g] = i;
				if (c)
					tl_strmap_put_hashed(&byrev, c, hc, g);
			} else {
				next[last[g]] = i;
			}
			last[g] = i;
		}
		/* in the order of their code: a commit here by its time,
		 * else by when the group's first result was recorded */
		struct gorder *order = tl_calloc(ng ? ng : 1, sizeof(*order));
		for (size_t g = 0; g < ng; g++) {
			order[g].g = g;
			order[g].key = ev[first[g]].code_time
				? ev[first[g]].code_time
				: ev[first[g]].time;
		}
		tl_sort(order, ng, sizeof(*order), by_key);
		for (size_t gi = 0; gi < ng; gi++) {
			size_t g = order[gi].g;
			enum tl_verdict v;
			tl_buf_reset(&o);
			for (size_t j = first[g]; j != (size_t)-1; j = next[j])
				tl_buf_puts(&o, ev[j].outcomes);
			v = tl_verdict_of(o.ptr, NULL);
			if (v == TL_VERDICT_SKIP)
				continue;
			if (v == TL_VERDICT_FLAKY &&
				env_divergent(ev, first[g], next, &o)) {
				/* it fails for sure in one environment: a
				 * failure, not a flake */
				v = TL_VERDICT_FAIL;
				out->env_divergent++;
			}
			out->timeline[out->ntimeline].verdict = v;
			out->timeline[out->ntimeline].revision =
				ev[first[g]].revision;
			out->timeline[out->ntimeline].time = ev[last[g]].time;
			out->ntimeline++;
		}
		tl_strmap_release(&byrev);
		free(order);
		free(next);
		free(first);
		free(last);
	}
	tl_state_of(out->timeline, out->ntimeline, now, p, &out->state);
	tl_buf_release(&o);
	free(samples);
	free(sample_at);
	free(y);
	free(r);
}

void tl_case_metrics_release(struct tl_case_metrics *m)
{
	free(m->timeline);
	memset(m, 0, sizeof(*m));
}

struct share {
	const struct tl_history *h;
	const struct tl_case_span *spans;
	size_t from, to;
	int64_t now;
	struct tl_case_metrics *out;
};

static void *measure(void *arg)
{
	const struct share *s = arg;
	for (size_t i = s->from; i < s->to; i++) {
		struct tl_case_metrics *m = &s->out[i];
		tl_case_metrics_of(s->h->v + s->spans[i].first, s->spans[i].n,
			&s->h->params, s->now, m);
		free(m->timeline);
		m->timeline = NULL;
		m->ntimeline = 0;
	}
	return NULL;
}

void tl_cases_metrics(const struct tl_history *h,
	const struct tl_case_span *spans, size_t n, int64_t now,
	struct tl_case_metrics *out)
{
	struct share a = { h, spans, 0, n, now, out }, b = a;
	size_t total = 0, half = 0, k = 0;
	pthread_t th;
	int threaded = 0;
	/* halves by events, not cases: a case's cost is about its length */
	for (size_t i = 0; i < n; i++)
		total += spans[i].n;
	while (k < n && half < total / 2)
		half += spans[k++].n;
	a.to = b.from = k;
	if (k < n && k > 0)
		threaded = !pthread_create(&th, NULL, measure, &b);
	measure(&a);
	if (threaded)
		pthread_join(th, NULL);
	else if (b.from < b.to)
		measure(&b);
}

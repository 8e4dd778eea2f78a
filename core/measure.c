/* Many cases' metrics at once, on two threads. */
#include "core/history.h"

#include <pthread.h>
#include <stdlib.h>

#include "core/banned.h"

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

/* Indices handed out in order to two threads: see par.h. */
#include "core/par.h"

#include <pthread.h>

#include "core/banned.h"

struct par {
	size_t n;
	int (*fn)(size_t i, void *ctx);
	void *ctx;
	pthread_mutex_t mu;
	size_t next;
	size_t failed; /* the first index that failed; n: none */
};

static void *worker(void *arg)
{
	struct par *p = arg;
	for (;;) {
		size_t i;
		pthread_mutex_lock(&p->mu);
		i = p->next < p->failed ? p->next++ : p->n;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->n)
			break;
		if (!p->fn(i, p->ctx))
			continue;
		pthread_mutex_lock(&p->mu);
		if (i < p->failed)
			p->failed = i;
		pthread_mutex_unlock(&p->mu);
	}
	return NULL;
}

size_t tl_par_for(
	size_t n, int threads, int (*fn)(size_t i, void *ctx), void *ctx)
{
	struct par p = { n, fn, ctx, PTHREAD_MUTEX_INITIALIZER, 0, n };
	pthread_t th;
	int threaded =
		threads > 1 && n > 1 && !pthread_create(&th, NULL, worker, &p);
	worker(&p);
	if (threaded)
		pthread_join(th, NULL);
	pthread_mutex_destroy(&p.mu);
	return p.failed;
}

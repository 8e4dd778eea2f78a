#include "helpers.h"

#include "core/par.h"

#include <pthread.h>
#include <stdatomic.h>

struct seen {
	atomic_int *count; /* by index: how many times fn ran */
	size_t fail_at; /* fn fails there; (size_t)-1: nowhere */
	pthread_t first; /* the thread of the first call */
	atomic_int others; /* calls on another thread */
	atomic_flag started;
};

static int note(size_t i, void *vctx)
{
	struct seen *s = vctx;
	if (!atomic_flag_test_and_set(&s->started))
		s->first = pthread_self();
	else if (!pthread_equal(s->first, pthread_self()))
		atomic_fetch_add(&s->others, 1);
	atomic_fetch_add(&s->count[i], 1);
	return i == s->fail_at ||
		(s->fail_at != (size_t)-1 && i > s->fail_at && i % 2);
}

static struct seen *new_seen(size_t n, size_t fail_at)
{
	struct seen *s = calloc(1, sizeof(*s));
	s->count = calloc(n, sizeof(*s->count));
	s->fail_at = fail_at;
	atomic_flag_clear(&s->started);
	return s;
}

static void free_seen(struct seen *s)
{
	free(s->count);
	free(s);
}

Test(par, every_index_once_and_none_failed)
{
	struct seen *s = new_seen(1000, (size_t)-1);
	cr_assert_eq(tl_par_for(1000, 2, note, s), 1000);
	for (size_t i = 0; i < 1000; i++)
		cr_assert_eq(atomic_load(&s->count[i]), 1, "index %zu", i);
	free_seen(s);
}

Test(par, one_thread_runs_them_all_on_the_caller)
{
	struct seen *s = new_seen(300, (size_t)-1);
	cr_assert_eq(tl_par_for(300, 1, note, s), 300);
	cr_assert_eq(atomic_load(&s->others), 0);
	cr_assert(pthread_equal(s->first, pthread_self()));
	free_seen(s);
}

Test(par, the_first_failure_in_order_and_nothing_started_after_it)
{
	/* 700 fails, and so do the odd indices after it that were started
	 * before it failed: the answer is still 700 */
	struct seen *s = new_seen(5000, 700);
	size_t started = 0;
	cr_assert_eq(tl_par_for(5000, 2, note, s), 700);
	for (size_t i = 0; i <= 700; i++)
		cr_assert_eq(atomic_load(&s->count[i]), 1, "index %zu", i);
	for (size_t i = 701; i < 5000; i++)
		started += (size_t)atomic_load(&s->count[i]);
	/* at most the index the other thread had taken when 700 failed
	 * (701, which fails too and so stops it) */
	cr_assert_leq(started, 1, "%zu started after the failure", started);
	free_seen(s);
}

Test(par, nothing_to_do)
{
	struct seen *s = new_seen(1, (size_t)-1);
	cr_assert_eq(tl_par_for(0, 2, note, s), 0);
	cr_assert_eq(atomic_load(&s->count[0]), 0);
	free_seen(s);
}

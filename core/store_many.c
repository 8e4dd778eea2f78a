/* Loading a folder's entities on two threads: see tl_store_load_many. */
#include "core/store.h"
#include "formats/entity.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

struct many {
	struct tl_store *s;
	const char *dir;
	const struct tl_strlist *rels;
	const enum tl_kind *kinds;
	void **ents;
	struct tl_err *errs;
	pthread_mutex_t mu;
	size_t next;
};

static void *worker(void *arg)
{
	struct many *m = arg;
	for (;;) {
		size_t i;
		const char *rel;
		char *path, *key;
		pthread_mutex_lock(&m->mu);
		i = m->next < m->rels->n ? m->next++ : m->rels->n;
		pthread_mutex_unlock(&m->mu);
		if (i >= m->rels->n)
			break;
		rel = m->rels->v[i];
		path = tl_format("%s/%s", m->dir, rel);
		key = tl_strndup(rel, strlen(rel) - 5); /* less ".yaml" */
		tl_store_load(
			&m->ents[i], m->s, m->kinds[i], path, key, &m->errs[i]);
		free(path);
		free(key);
	}
	return NULL;
}

/* Fewer files than this are read on the calling thread alone: a thread
 * costs more than it saves. */
#define MANY_MIN 64

void tl_store_load_files(struct tl_store *s, const char *dir,
	const struct tl_strlist *rels, const enum tl_kind *kinds, int threads,
	void **ents, struct tl_err *errs)
{
	struct many m;
	pthread_t th;
	int threaded;
	memset(&m, 0, sizeof(m));
	m.s = s;
	m.dir = dir;
	m.rels = rels;
	m.kinds = kinds;
	m.ents = ents;
	m.errs = errs;
	pthread_mutex_init(&m.mu, NULL);
	/* a snapshot (--at) reads through libgit2, whose repository handle
	 * is not shared between threads */
	threaded = threads > 1 && !s->snap && rels->n >= MANY_MIN &&
		!pthread_create(&th, NULL, worker, &m);
	worker(&m);
	if (threaded)
		pthread_join(th, NULL);
	pthread_mutex_destroy(&m.mu);
}

struct collected {
	int (*keep)(const char *rel);
	struct tl_strlist rels;
};

static int collect(const char *rel, void *vctx, struct tl_err *err)
{
	struct collected *c = vctx;
	(void)err;
	if (!c->keep || c->keep(rel))
		tl_strlist_push(&c->rels, rel);
	return 0;
}

int tl_store_load_many(struct tl_store *s, const char *dir, enum tl_kind kind,
	int (*keep)(const char *rel), int threads, struct tl_list *out,
	struct tl_err *err)
{
	struct collected c = { keep, { 0 } };
	enum tl_kind *kinds;
	void **ents;
	struct tl_err *errs;
	size_t n, failed;
	int rc;

	out->kind = kind;
	if ((rc = tl_store_walk(s, dir, collect, &c, err))) {
		tl_strlist_release(&c.rels);
		return rc;
	}
	n = c.rels.n;
	kinds = tl_calloc(n ? n : 1, sizeof(*kinds));
	ents = tl_calloc(n ? n : 1, sizeof(*ents));
	errs = tl_calloc(n ? n : 1, sizeof(*errs));
	for (size_t i = 0; i < n; i++) {
		kinds[i] = kind;
		errs[i] = (struct tl_err)TL_ERR_INIT;
	}
	tl_store_load_files(s, dir, &c.rels, kinds, threads, ents, errs);
	/* the first failure in order is the error, as a loop would stop
	 * there; what was read after it is dropped */
	for (failed = 0; failed < n && !errs[failed].code; failed++)
		;
	if (failed < n)
		rc = tl_err_move(err, &errs[failed]);
	for (size_t i = 0; i < n; i++) {
		if (failed < n)
			tl_entity_free(kind, ents[i]);
		else
			tl_list_push(out, ents[i]);
		tl_err_clear(&errs[i]);
	}
	free(kinds);
	free(ents);
	free(errs);
	tl_strlist_release(&c.rels);
	return rc;
}

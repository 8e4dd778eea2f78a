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
	enum tl_kind kind;
	int (*keep)(const char *rel);
	struct tl_strlist rels; /* the files, in the walk's order */
	void **ents; /* by index in rels */
	pthread_mutex_t mu;
	size_t next;
	/* the first file in order that failed (rels.n: none), and why */
	size_t failed;
	struct tl_err err;
};

static int collect(const char *rel, void *vctx, struct tl_err *err)
{
	struct many *m = vctx;
	(void)err;
	if (!m->keep || m->keep(rel))
		tl_strlist_push(&m->rels, rel);
	return 0;
}

static void *worker(void *arg)
{
	struct many *m = arg;
	struct tl_err err = TL_ERR_INIT;
	for (;;) {
		size_t i;
		const char *rel;
		char *path, *key;
		int rc;
		pthread_mutex_lock(&m->mu);
		/* files after a failed one are not needed: a loop in order
		 * would have stopped there */
		i = m->next < m->failed ? m->next++ : m->rels.n;
		pthread_mutex_unlock(&m->mu);
		if (i >= m->rels.n)
			break;
		rel = m->rels.v[i];
		path = tl_format("%s/%s", m->dir, rel);
		key = tl_strndup(rel, strlen(rel) - 5); /* less ".yaml" */
		rc = tl_store_load(&m->ents[i], m->s, m->kind, path, key, &err);
		free(path);
		free(key);
		if (!rc)
			continue;
		pthread_mutex_lock(&m->mu);
		if (i < m->failed) {
			m->failed = i;
			tl_err_clear(&m->err);
			tl_err_move(&m->err, &err);
		}
		pthread_mutex_unlock(&m->mu);
		tl_err_clear(&err);
	}
	return NULL;
}

/* Fewer files than this are read on the calling thread alone: a thread
 * costs more than it saves. */
#define MANY_MIN 64

int tl_store_load_many(struct tl_store *s, const char *dir, enum tl_kind kind,
	int (*keep)(const char *rel), int threads, struct tl_list *out,
	struct tl_err *err)
{
	struct many m;
	pthread_t th;
	int threaded, rc;

	memset(&m, 0, sizeof(m));
	m.s = s;
	m.dir = dir;
	m.kind = kind;
	m.keep = keep;
	m.err = (struct tl_err)TL_ERR_INIT;
	out->kind = kind;
	if ((rc = tl_store_walk(s, dir, collect, &m, err))) {
		tl_strlist_release(&m.rels);
		return rc;
	}
	m.ents = tl_calloc(m.rels.n ? m.rels.n : 1, sizeof(*m.ents));
	m.failed = m.rels.n;
	pthread_mutex_init(&m.mu, NULL);
	/* a snapshot (--at) reads through libgit2, whose repository handle
	 * is not shared between threads */
	threaded = threads > 1 && !s->snap && m.rels.n >= MANY_MIN &&
		!pthread_create(&th, NULL, worker, &m);
	worker(&m);
	if (threaded)
		pthread_join(th, NULL);
	pthread_mutex_destroy(&m.mu);
	if (m.failed < m.rels.n) {
		for (size_t i = 0; i < m.rels.n; i++)
			tl_entity_free(kind, m.ents[i]);
		rc = tl_err_move(err, &m.err);
	} else {
		for (size_t i = 0; i < m.rels.n; i++)
			tl_list_push(out, m.ents[i]);
	}
	free(m.ents);
	tl_strlist_release(&m.rels);
	return rc;
}

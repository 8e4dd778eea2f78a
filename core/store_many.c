/* Loading a folder's entities on two threads: see tl_store_load_many. */
#include "core/store.h"
#include "core/par.h"
#include "formats/entity.h"

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
};

/* Every file is read: its error is kept, not a reason to stop. */
static int load_at(size_t i, void *vctx)
{
	struct many *m = vctx;
	const char *rel = m->rels->v[i];
	char *path = tl_format("%s/%s", m->dir, rel);
	char *key = tl_strndup(rel, strlen(rel) - 5); /* less ".yaml" */
	tl_store_load(&m->ents[i], m->s, m->kinds[i], path, key, &m->errs[i]);
	free(path);
	free(key);
	return 0;
}

/* Fewer files than this are read on the calling thread alone: a thread
 * costs more than it saves. */
#define MANY_MIN 64

void tl_store_load_files(struct tl_store *s, const char *dir,
	const struct tl_strlist *rels, const enum tl_kind *kinds, int threads,
	void **ents, struct tl_err *errs)
{
	struct many m = { s, dir, rels, kinds, ents, errs };
	/* a snapshot (--at) reads through libgit2, whose repository handle
	 * is not shared between threads */
	tl_par_for(rels->n, s->snap || rels->n < MANY_MIN ? 1 : threads,
		load_at, &m);
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
	int rc = tl_store_walk(s, dir, collect, &c, err);
	out->kind = kind;
	if (!rc)
		rc = tl_store_load_listed(
			s, dir, kind, &c.rels, threads, out, err);
	tl_strlist_release(&c.rels);
	return rc;
}

int tl_store_load_listed(struct tl_store *s, const char *dir, enum tl_kind kind,
	const struct tl_strlist *rels, int threads, struct tl_list *out,
	struct tl_err *err)
{
	enum tl_kind *kinds;
	void **ents;
	struct tl_err *errs;
	size_t n = rels->n, failed;
	int rc = 0;

	out->kind = kind;
	kinds = tl_calloc(n ? n : 1, sizeof(*kinds));
	ents = tl_calloc(n ? n : 1, sizeof(*ents));
	errs = tl_calloc(n ? n : 1, sizeof(*errs));
	for (size_t i = 0; i < n; i++) {
		kinds[i] = kind;
		errs[i] = (struct tl_err)TL_ERR_INIT;
	}
	tl_store_load_files(s, dir, rels, kinds, threads, ents, errs);
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
	return rc;
}

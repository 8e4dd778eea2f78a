/* Summing up every run of a project, through the results index
 * (rcache.h). */
#include "core/runs.h"
#include "core/par.h"
#include "core/rcache.h"
#include "core/store.h"
#include "core/trace.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/banned.h"

struct summing {
	struct tl_runs *runs;
	struct tl_store *s;
	struct tl_rcache *cache; /* NULL: off, or a snapshot (--at) */
	struct tl_run_sum *out;
	const struct tl_rc_rec **hit; /* by run: its record when still */
	struct tl_rc_new *made; /* by run: the record read anew */
	int per_run; /* threads for one run's results: 2 when alone */
	struct tl_err *errs; /* by run */
};

/* The stats of a run's folders and result files, each taken before the
 * walk lists or the load reads it. */
struct signing {
	struct tl_rc_new *rec;
	int fd;
	struct tl_strlist rels; /* the result files, to be read */
};

static void sign(struct signing *g, const char *rel)
{
	struct stat st;
	tl_rc_new_add(g->rec, rel,
		fstatat(g->fd, rel[0] ? rel : ".", &st, AT_SYMLINK_NOFOLLOW)
			? NULL
			: &st);
}

static int sign_dir(const char *rel, void *ctx, struct tl_err *err)
{
	(void)err;
	sign(ctx, rel);
	return 0;
}

static int sign_file(const char *rel, void *ctx, struct tl_err *err)
{
	struct signing *g = ctx;
	(void)err;
	if (tl_run_is_result_file(rel)) {
		sign(g, rel);
		tl_strlist_push(&g->rels, rel);
	}
	return 0;
}

/* A run's summary from its results, read. */
static void sum_up(const struct tl_rundata *d, struct tl_run_sum *out)
{
	tl_run_counts(d, &out->counts);
	for (size_t j = 0; j < d->results.n; j++) {
		const struct tl_result *x = d->results.v[j];
		struct tl_run_link *l;
		if (!x->defects.n)
			continue;
		if (!(out->nlinks &
			    (out->nlinks - 1))) /* 0, 1, 2, 4...: double */
			out->links = tl_realloc(out->links,
				tl_mul(out->nlinks ? out->nlinks * 2 : 1,
					sizeof(*out->links)));
		l = &out->links[out->nlinks++];
		memset(l, 0, sizeof(*l));
		l->casekey = tl_strdup(x->ent.key);
		l->status = x->status ? tl_strdup(x->status) : NULL;
		for (size_t k = 0; k < x->defects.n; k++)
			tl_strlist_push(&l->defects, x->defects.v[k]);
	}
}

void tl_run_sum_release(struct tl_run_sum *s)
{
	for (size_t i = 0; i < s->nlinks; i++) {
		free(s->links[i].casekey);
		free(s->links[i].status);
		tl_strlist_release(&s->links[i].defects);
	}
	free(s->links);
	memset(s, 0, sizeof(*s));
}

static int sum_one(size_t i, void *vctx)
{
	struct summing *c = vctx;
	struct tl_rundata *d = c->runs->v[i];
	char *rel = NULL, *dir = NULL;
	uint64_t sel = 0;
	struct signing g = { NULL, -1, { 0 } };
	int rc, listed = 0;
	if (c->cache) {
		const struct tl_rc_rec *rec =
			tl_rcache_find(c->cache, d->run->ent.key);
		rel = tl_store_run_dir(d->project, d->run->ent.key);
		dir = tl_format("%s/%s/results", c->s->root, rel);
		sel = tl_rc_selection_sum(&d->run->cases);
		if (rec && rec->sel == sel &&
			tl_rcache_still(c->cache, rec, dir)) {
			c->hit[i] = rec;
			c->out[i].counts = rec->counts;
			tl_rc_rec_links(rec, &c->out[i]);
			free(rel);
			free(dir);
			return 0;
		}
		tl_rc_new_begin(&c->made[i], d->run->ent.key, sel);
		g.rec = &c->made[i];
		g.fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		/* without a results folder, or with one the walk refuses
		 * (nested too deep), the run is read as before: its error
		 * is the load's to give */
		if (g.fd >= 0) {
			struct tl_err ignore = TL_ERR_INIT;
			listed = !tl_fs_walk_dirs(
				dir, sign_dir, sign_file, &g, &ignore);
			tl_err_clear(&ignore);
			close(g.fd);
		}
		/* results read before the stats were taken could be older
		 * than them: such a run is summed up but not recorded */
		if (!listed || d->loaded)
			c->made[i].bad = 1;
	}
	/* the files signed are the files read: one listing, not two */
	rc = tl_run_need_results_listed(
		d, c->s, c->per_run, listed ? &g.rels : NULL, &c->errs[i]);
	tl_strlist_release(&g.rels);
	if (!rc) {
		sum_up(d, &c->out[i]);
		if (c->cache)
			tl_rc_new_end(&c->made[i], &c->out[i]);
		tl_run_drop_results(d);
	}
	free(rel);
	free(dir);
	return rc;
}

static int cmp_part(const void *a, const void *b)
{
	const struct tl_part *x = a, *y = b;
	/* a record's key follows its fixed head (rcache.h) */
	return strcmp((const char *)x->data + TL_RC_KEY_AT,
		(const char *)y->data + TL_RC_KEY_AT);
}

/* The index again, when a run was read anew or one it held is gone. */
static void save(struct summing *c)
{
	size_t n = c->runs->n, kept = 0, hits = 0, made = 0;
	struct tl_part *recs = tl_calloc(n ? n : 1, sizeof(*recs));
	for (size_t i = 0; i < n; i++) {
		if (c->hit[i]) {
			recs[kept].data = c->hit[i]->start;
			recs[kept++].len = c->hit[i]->len;
			hits++;
		} else if (!c->made[i].bad && c->made[i].b.len) {
			recs[kept].data = c->made[i].b.ptr;
			recs[kept++].len = c->made[i].b.len;
			made++;
		}
	}
	if (made || hits != c->cache->n) {
		tl_sort(recs, kept, sizeof(*recs), cmp_part);
		tl_rcache_save(c->cache, recs, kept);
	}
	free(recs);
}

int tl_runs_summarize(struct tl_runs *runs, struct tl_store *s,
	const char *project, struct tl_run_sum *out, struct tl_err *err)
{
	struct summing c = { runs, s, NULL, out, NULL, NULL,
		runs->n > 1 ? 1 : 2, NULL };
	size_t n = runs->n, failed, hits = 0;
	int rc = 0;
	if (!s->snap)
		c.cache = tl_rcache_open(s->repo, project);
	c.hit = tl_calloc(n ? n : 1, sizeof(*c.hit));
	c.made = tl_calloc(n ? n : 1, sizeof(*c.made));
	c.errs = tl_calloc(n ? n : 1, sizeof(*c.errs));
	for (size_t i = 0; i < n; i++)
		c.errs[i] = (struct tl_err)TL_ERR_INIT;
	/* a snapshot reads through libgit2, whose repository handle is not
	 * shared between threads; runs after a failed one are not read,
	 * as a loop in order would have stopped there */
	failed = tl_par_for(n, s->snap ? 1 : 2, sum_one, &c);
	if (failed < n)
		rc = tl_err_move(err, &c.errs[failed]);
	else if (c.cache)
		save(&c);
	for (size_t i = 0; i < n; i++) {
		hits += c.hit[i] != NULL;
		tl_err_clear(&c.errs[i]);
		tl_rc_new_release(&c.made[i]);
	}
	if (c.cache && getenv("TALLY_TRACE_PERF")) {
		char *what = tl_format("run summaries: %zu of %zu runs from "
				       "the results index",
			hits, n);
		tl_trace_perf(what);
		free(what);
	}
	tl_rcache_free(c.cache);
	free(c.hit);
	free(c.made);
	free(c.errs);
	return rc;
}

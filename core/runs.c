#include "core/runs.h"
#include "core/buf.h"
#include "core/fs.h"
#include "core/resolve.h"
#include "core/time.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

int tl_status_from_name(const char *s)
{
	for (int i = 0; i < TL_STATUS__COUNT; i++)
		if (!strcmp(tl_statuses[i], s))
			return i;
	return -1;
}

const char *tl_status_name(int status)
{
	return status >= 0 && status < TL_STATUS__COUNT ? tl_statuses[status]
							: "unknown";
}

int tl_status_executed(int s)
{
	return s == TL_PASSED || s == TL_FAILED || s == TL_BLOCKED ||
		s == TL_SKIPPED;
}

char *tl_store_run_dir(const char *project, const char *key)
{
	return tl_format("%s/runs/%s", project, key);
}

char *tl_store_result_path(
	const char *project, const char *run, const char *casekey)
{
	return tl_format("%s/runs/%s/results/%s.yaml", project, run, casekey);
}

void tl_rundata_free(struct tl_rundata *r)
{
	if (!r)
		return;
	tl_entity_free(TL_KIND_RUN, r->run);
	tl_list_release(&r->results);
	tl_strlist_release(&r->cases);
	free(r->project);
	free(r);
}

void tl_runs_release(struct tl_runs *r)
{
	for (size_t i = 0; i < r->n; i++)
		tl_rundata_free(r->v[i]);
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_entity(const void *a, const void *b)
{
	return strcmp((*(struct tl_entity *const *)a)->key,
		(*(struct tl_entity *const *)b)->key);
}

/* Sorts and drops duplicates: n log n where membership tests were n^2. */
static void sort_unique(struct tl_strlist *l)
{
	size_t kept = 0;
	if (!l->n)
		return;
	tl_sort(l->v, l->n, sizeof(*l->v), cmp_str);
	for (size_t i = 0; i < l->n; i++) {
		if (kept && !strcmp(l->v[kept - 1], l->v[i])) {
			free(l->v[i]);
			continue;
		}
		l->v[kept++] = l->v[i];
	}
	l->n = kept;
}

int tl_run_is_result_file(const char *rel)
{
	size_t n = strlen(rel);
	return n >= 6 && !strcmp(rel + n - 5, ".yaml");
}

static void compute_cases(struct tl_rundata *r)
{
	struct tl_strlist *c = &r->cases;
	tl_strlist_release(c);
	for (size_t i = 0; i < r->run->cases.n; i++)
		tl_strlist_push(c, r->run->cases.v[i]);
	for (size_t i = 0; i < r->results.n; i++)
		tl_strlist_push(c, ((struct tl_entity *)r->results.v[i])->key);
	sort_unique(c);
}

/* With threads > 1 the results are read on two threads; a caller that
 * reads runs on two threads already reads each run's on one. */
static int need_results(struct tl_rundata *r, struct tl_store *s, int threads,
	const struct tl_strlist *rels, struct tl_err *err)
{
	char *resdir;
	int rc;
	if (r->loaded)
		return 0;
	resdir = tl_format("%s/runs/%s/results", r->project, r->run->ent.key);
	rc = rels ? tl_store_load_listed(s, resdir, TL_KIND_RESULT, rels,
			    threads, &r->results, err)
		  : tl_store_load_many(s, resdir, TL_KIND_RESULT,
			    tl_run_is_result_file, threads, &r->results, err);
	if (!rc) {
		if (r->results.n)
			tl_sort(r->results.v, r->results.n,
				sizeof(*r->results.v), cmp_entity);
		compute_cases(r);
		r->loaded = 1;
	} else {
		tl_list_release(&r->results);
		r->results.kind = TL_KIND_RESULT;
	}
	free(resdir);
	return rc;
}

int tl_run_need_results(
	struct tl_rundata *r, struct tl_store *s, struct tl_err *err)
{
	return need_results(r, s, 2, NULL, err);
}

int tl_run_need_results_listed(struct tl_rundata *r, struct tl_store *s,
	int threads, const struct tl_strlist *rels, struct tl_err *err)
{
	return need_results(r, s, threads, rels, err);
}

void tl_run_drop_results(struct tl_rundata *r)
{
	tl_list_release(&r->results);
	r->results.kind = TL_KIND_RESULT;
	compute_cases(r);
	r->loaded = 0;
}

int tl_runs_need_results(struct tl_runs *runs, struct tl_store *s,
	int (*pick)(const struct tl_rundata *d, const void *ctx),
	const void *ctx, struct tl_err *err)
{
	int rc = 0;
	for (size_t i = 0; i < runs->n && !rc; i++)
		if (!pick || pick(runs->v[i], ctx))
			rc = tl_run_need_results(runs->v[i], s, err);
	return rc;
}

int tl_run_load(struct tl_rundata **out, struct tl_store *s,
	const char *project, const char *key, int results, struct tl_err *err)
{
	struct tl_rundata *r = tl_calloc(1, sizeof(*r));
	char *runpath = tl_format("%s/runs/%s/run.yaml", project, key);
	int rc;

	*out = NULL;
	r->project = tl_strdup(project);
	r->results.kind = TL_KIND_RESULT;
	rc = tl_store_load((void **)&r->run, s, TL_KIND_RUN, runpath, key, err);
	if (!rc) {
		compute_cases(r);
		if (r->run->created) {
			int tz;
			tl_time_parse(r->run->created, &r->created, &tz);
		}
		if (results)
			rc = tl_run_need_results(r, s, err);
	}
	free(runpath);
	if (rc) {
		tl_rundata_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

static int cmp_runs(const void *a, const void *b)
{
	const struct tl_rundata *x = *(struct tl_rundata *const *)a;
	const struct tl_rundata *y = *(struct tl_rundata *const *)b;
	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return strcmp(x->run->ent.key, y->run->ent.key);
}

int tl_runs_load(struct tl_runs *out, struct tl_store *s, const char *project,
	int results, struct tl_err *err)
{
	char *dir = tl_format("%s/runs", project);
	char **names;
	size_t n;
	int rc = tl_store_list(s, dir, 1, &names, &n, err);
	memset(out, 0, sizeof(*out));
	free(dir);
	if (rc == TL_ENOTFOUND) {
		tl_err_clear(err);
		return 0;
	}
	if (rc)
		return rc;
	out->v = tl_calloc(n ? n : 1, sizeof(*out->v));
	for (size_t i = 0; i < n && !rc; i++) {
		rc = tl_run_load(
			&out->v[out->n], s, project, names[i], results, err);
		if (!rc)
			out->n++;
	}
	tl_fs_list_free(names, n);
	if (rc) {
		tl_runs_release(out);
		return rc;
	}
	if (out->n)
		tl_sort(out->v, out->n, sizeof(*out->v), cmp_runs);
	return 0;
}

int tl_runs_find(const struct tl_runs *r, const char *ref,
	struct tl_rundata **out, struct tl_err *err)
{
	struct tl_candidate *c = tl_calloc(r->n ? r->n : 1, sizeof(*c));
	size_t idx;
	int rc;
	for (size_t i = 0; i < r->n; i++) {
		c[i].key = r->v[i]->run->ent.key;
		c[i].title = r->v[i]->run->title;
	}
	rc = tl_resolve(c, r->n, ref, "run", &idx, err);
	*out = rc ? NULL : r->v[idx];
	free(c);
	return rc;
}

int tl_run_result_read(const struct tl_rundata *r, struct tl_store *s,
	const char *casekey, struct tl_result **out, struct tl_err *err)
{
	char *path = tl_store_result_path(r->project, r->run->ent.key, casekey);
	int rc = 0;
	*out = NULL;
	if (tl_store_is_file(s, path))
		rc = tl_store_load(
			(void **)out, s, TL_KIND_RESULT, path, casekey, err);
	free(path);
	return rc;
}

struct tl_result *tl_run_result(const struct tl_rundata *r, const char *k)
{
	/* results are sorted by key when loaded */
	size_t lo = 0, hi = r->results.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(((struct tl_entity *)r->results.v[mid])->key, k);
		if (!c)
			return r->results.v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int tl_run_case_status(const struct tl_rundata *r, const char *k)
{
	struct tl_result *x = tl_run_result(r, k);
	int s = x && x->status ? tl_status_from_name(x->status) : -1;
	return s < 0 ? TL_NOT_EXECUTED : s;
}

void tl_run_counts(const struct tl_rundata *r, struct tl_counts *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < r->cases.n; i++) {
		out->n[tl_run_case_status(r, r->cases.v[i])]++;
		out->total++;
	}
}

const char *tl_run_exec_status(const struct tl_counts *c)
{
	long long executed = c->n[TL_PASSED] + c->n[TL_FAILED] +
		c->n[TL_BLOCKED] + c->n[TL_SKIPPED];
	if (!executed && !c->n[TL_RUNNING])
		return "not-started";
	if (executed < c->total)
		return "in-progress";
	if (c->n[TL_FAILED])
		return "failed";
	if (c->n[TL_BLOCKED])
		return "blocked";
	return "passed";
}

int tl_parse_duration(const char *s, double *out)
{
	double total = 0;
	const char *p = s;
	int parts = 0;
	if (!*s)
		return -1;
	while (*p) {
		char *end;
		double v = strtod(p, &end);
		if (end == p || v < 0)
			return -1;
		p = end;
		if (!strncmp(p, "ms", 2)) {
			v /= 1000;
			p += 2;
		} else if (*p == 's') {
			p++;
		} else if (*p == 'm') {
			v *= 60;
			p++;
		} else if (*p == 'h') {
			v *= 3600;
			p++;
		} else if (*p == '\0' && parts == 0) {
			/* plain seconds */
		} else {
			return -1;
		}
		total += v;
		parts++;
	}
	*out = total;
	return 0;
}

int tl_pick_release(const struct tl_rundata *d, const void *ctx)
{
	return d->run->release && !strcmp(d->run->release, ctx);
}

int tl_pick_run(const struct tl_rundata *d, const void *ctx)
{
	return !strcmp(d->run->ent.key, ctx);
}

static int64_t result_time(
	const struct tl_result *x, const struct tl_rundata *d)
{
	int64_t t;
	int tz;
	if (x->started && !tl_time_parse(x->started, &t, &tz))
		return t;
	return d->created;
}

void tl_view_build(struct tl_view *v, const struct tl_runs *runs,
	int (*pick)(const struct tl_rundata *d, const void *ctx),
	const void *ctx)
{
	int64_t *when;
	memset(v, 0, sizeof(*v));
	for (size_t i = 0; i < runs->n; i++) {
		const struct tl_rundata *d = runs->v[i];
		if (!pick(d, ctx))
			continue;
		if (!v->runs.n || d->created < v->first_created)
			v->first_created = d->created;
		tl_strlist_push(&v->runs, d->run->ent.key);
		for (size_t j = 0; j < d->cases.n; j++)
			tl_strlist_push(&v->cases, d->cases.v[j]);
	}
	sort_unique(&v->cases);
	v->latest = tl_calloc(v->cases.n ? v->cases.n : 1, sizeof(*v->latest));
	v->from = tl_calloc(v->cases.n ? v->cases.n : 1, sizeof(*v->from));
	when = tl_calloc(v->cases.n ? v->cases.n : 1, sizeof(*when));
	/* runs are oldest first, so >= lets a later run win a tie */
	for (size_t i = 0; i < runs->n; i++) {
		const struct tl_rundata *d = runs->v[i];
		if (!pick(d, ctx))
			continue;
		for (size_t j = 0; j < v->cases.n; j++) {
			const struct tl_result *x =
				tl_run_result(d, v->cases.v[j]);
			int64_t t;
			if (!x)
				continue;
			t = result_time(x, d);
			if (!v->latest[j] || t >= when[j]) {
				v->latest[j] = x;
				v->from[j] = d;
				when[j] = t;
			}
		}
	}
	free(when);
	for (size_t j = 0; j < v->cases.n; j++) {
		v->counts.n[tl_view_status(v, j)]++;
		v->counts.total++;
	}
}

int tl_view_status(const struct tl_view *v, size_t i)
{
	int s = v->latest[i] && v->latest[i]->status
		? tl_status_from_name(v->latest[i]->status)
		: -1;
	return s < 0 ? TL_NOT_EXECUTED : s;
}

void tl_view_release(struct tl_view *v)
{
	tl_strlist_release(&v->cases);
	tl_strlist_release(&v->runs);
	free(v->latest);
	free(v->from);
	memset(v, 0, sizeof(*v));
}

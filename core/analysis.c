#include "core/analysis.h"
#include "core/buf.h"
#include "core/strmap.h"
#include "core/strpool.h"
#include "core/time.h"
#include "core/walk.h"
#include "formats/entity.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static double pct(long long a, long long b)
{
	return b ? 100.0 * (double)a / (double)b : 0;
}

static struct tl_value *num1(double v)
{
	/* one decimal is what a person reads; JSON keeps it a number */
	return tl_value_num(
		(double)(long long)(v * 10 + (v >= 0 ? 0.5 : -0.5)) / 10);
}

/* ---- progress over time, from the commits ---- */

struct day {
	char date[11];
	long long recorded, newly;
};

struct timeline {
	const struct tl_view *v;
	struct day *days;
	size_t n;
	/* hash tables, not lists: a release of 100,000 results would scan
	 * them for each result */
	struct tl_strmap seen; /* cases already counted as executed */
	struct tl_strmap started; /* result path -> index in ids */
	const char **ids; /* started and attempts of a path's last record */
	size_t nids, cap;
	struct tl_strpool pool; /* the keys, paths and ids */
};

static int on_change(
	const struct tl_blob_change *ch, void *vctx, struct tl_err *err)
{
	struct timeline *t = vctx;
	const char *slash = strchr(ch->path, '/');
	struct tl_result *x = NULL;
	struct tl_err ignore = TL_ERR_INIT;
	char date[32], *run, *casekey;
	size_t n;
	int status;
	(void)err;
	/* <run>/results/<case>.yaml */
	if (!ch->data || !slash || strncmp(slash, "/results/", 9))
		return 0;
	n = strlen(ch->path);
	if (n < 5 || strcmp(ch->path + n - 5, ".yaml"))
		return 0;
	run = tl_strndup(ch->path, (size_t)(slash - ch->path));
	if (!tl_strlist_has(&t->v->runs, run)) {
		free(run);
		return 0;
	}
	free(run);
	/* history may hold files that no longer parse: they are skipped */
	if (tl_entity_parse((void **)&x, TL_KIND_RESULT, ch->path, ch->data,
		    ch->len, &ignore)) {
		tl_err_clear(&ignore);
		return 0;
	}
	status = x->status ? tl_status_from_name(x->status) : -1;
	{
		/* a change that keeps started (a defect link, an edit) is not a
		 * new record */
		char *id = tl_format("%s|%zu", x->started ? x->started : "",
			x->retries ? x->retries->n : 0);
		size_t at = tl_strmap_get(&t->started, ch->path);
		const char *before = at == (size_t)-1 ? NULL : t->ids[at];
		int same = before && x->started && !strcmp(before, id);
		if (at == (size_t)-1) {
			if (t->nids == t->cap) {
				t->cap = t->cap ? t->cap * 2 : 64;
				t->ids = tl_realloc(t->ids,
					tl_mul(t->cap, sizeof(*t->ids)));
			}
			at = t->nids++;
			tl_strmap_put(&t->started,
				tl_strpool_add(&t->pool, ch->path), at);
		}
		t->ids[at] = tl_strpool_add(&t->pool, id);
		free(id);
		tl_entity_free(TL_KIND_RESULT, x);
		if (same || status < 0 || !tl_status_executed(status))
			return 0;
	}
	tl_time_format(ch->time, date, sizeof(date));
	if (!t->n || strncmp(t->days[t->n - 1].date, date, 10)) {
		t->days =
			tl_realloc(t->days, tl_mul(t->n + 1, sizeof(*t->days)));
		memset(&t->days[t->n], 0, sizeof(t->days[t->n]));
		memcpy(t->days[t->n].date, date, 10);
		t->n++;
	}
	t->days[t->n - 1].recorded++;
	casekey = tl_strndup(slash + 9, strlen(slash + 9) - 5);
	if (tl_strmap_get(&t->seen, casekey) == (size_t)-1) {
		tl_strmap_put(&t->seen, tl_strpool_add(&t->pool, casekey), 0);
		t->days[t->n - 1].newly++;
	}
	free(casekey);
	return 0;
}

/* Only the view's runs, and only their results/ folders. */
static int want_path(const char *path, int is_folder, void *vctx)
{
	struct timeline *t = vctx;
	const char *slash = strchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : strlen(path);
	int in_view = 0;
	for (size_t i = 0; i < t->v->runs.n && !in_view; i++)
		in_view = strlen(t->v->runs.v[i]) == n &&
			!strncmp(t->v->runs.v[i], path, n);
	if (!in_view)
		return 0;
	if (!slash)
		return is_folder;
	return !strncmp(slash, "/results", 8) && (slash[8] == '/' || !slash[8]);
}

static int timeline(struct tl_value *progress, struct tl_store *s,
	const char *project, const struct tl_view *v, struct tl_err *err)
{
	struct timeline t;
	char *prefix = tl_format("%s%s/runs", s->prefix, project);
	struct tl_value *days = tl_value_seq();
	long long cumulative = 0;
	int rc;
	memset(&t, 0, sizeof(t));
	t.v = v;
	rc = tl_walk_changes(
		s->repo, NULL, prefix, want_path, on_change, &t, err);
	for (size_t i = 0; !rc && i < t.n; i++) {
		struct tl_value *d = tl_value_map();
		cumulative += t.days[i].newly;
		tl_value_put(d, "date", tl_value_str(t.days[i].date));
		tl_value_put(d, "recorded", tl_value_int(t.days[i].recorded));
		tl_value_put(
			d, "newly_executed", tl_value_int(t.days[i].newly));
		tl_value_put(d, "executed", tl_value_int(cumulative));
		tl_value_push(days, d);
	}
	tl_value_put(progress, "per_day", days);
	free(t.days);
	tl_strmap_release(&t.seen);
	tl_strmap_release(&t.started);
	tl_strpool_release(&t.pool);
	free(t.ids);
	free(prefix);
	return rc;
}

/* ---- sections ---- */

static struct tl_value *progress_section(const struct tl_view *v)
{
	struct tl_value *p = tl_value_map(), *counts = tl_value_map();
	const struct tl_counts *k = &v->counts;
	long long executed = k->n[TL_PASSED] + k->n[TL_FAILED] +
		k->n[TL_BLOCKED] + k->n[TL_SKIPPED];
	tl_value_put(counts, "total", tl_value_int(k->total));
	for (int s = 0; s < TL_STATUS__COUNT; s++) {
		char *name = tl_strdup(tl_status_name(s));
		for (char *q = name; *q; q++)
			if (*q == '-')
				*q = '_';
		tl_value_put(counts, name, tl_value_int(k->n[s]));
		free(name);
	}
	tl_value_put(p, "counts", counts);
	tl_value_put(p, "executed", tl_value_int(executed));
	tl_value_put(p, "executed_pct", num1(pct(executed, k->total)));
	tl_value_put(p, "passed_pct", num1(pct(k->n[TL_PASSED], k->total)));
	tl_value_put(p, "pass_rate_pct", num1(pct(k->n[TL_PASSED], executed)));
	return p;
}

static const char *assignee_of(const struct tl_view *v, size_t i)
{
	const struct tl_result *x = v->latest[i];
	if (x && x->assignee)
		return x->assignee;
	/* else the assignment of the run it was recorded in */
	return v->from[i]
		? tl_value_gets(v->from[i]->run->assignees, v->cases.v[i])
		: NULL;
}

static struct tl_value *ownership_section(
	const struct tl_view *v, const struct tl_runs *runs)
{
	struct tl_value *rows = tl_value_seq();
	struct tl_strlist who = { 0 };
	for (size_t i = 0; i < v->cases.n; i++) {
		const char *a = assignee_of(v, i);
		/* a case not yet recorded may be assigned in any run of the
		 * view */
		for (size_t r = 0; !a && r < runs->n; r++)
			if (tl_strlist_has(&v->runs, runs->v[r]->run->ent.key))
				a = tl_value_gets(runs->v[r]->run->assignees,
					v->cases.v[i]);
		if (!tl_strlist_has(&who, a ? a : ""))
			tl_strlist_push(&who, a ? a : "");
	}
	for (size_t w = 0; w < who.n; w++) {
		long long n[TL_STATUS__COUNT] = { 0 }, total = 0;
		struct tl_value *row = tl_value_map();
		for (size_t i = 0; i < v->cases.n; i++) {
			const char *a = assignee_of(v, i);
			for (size_t r = 0; !a && r < runs->n; r++)
				if (tl_strlist_has(
					    &v->runs, runs->v[r]->run->ent.key))
					a = tl_value_gets(
						runs->v[r]->run->assignees,
						v->cases.v[i]);
			if (strcmp(a ? a : "", who.v[w]))
				continue;
			n[tl_view_status(v, i)]++;
			total++;
		}
		tl_value_put(row, "assignee",
			who.v[w][0] ? tl_value_str(who.v[w]) : tl_value_null());
		tl_value_put(row, "assigned", tl_value_int(total));
		tl_value_put(row, "executed",
			tl_value_int(n[TL_PASSED] + n[TL_FAILED] +
				n[TL_BLOCKED] + n[TL_SKIPPED]));
		tl_value_put(row, "passed", tl_value_int(n[TL_PASSED]));
		tl_value_put(row, "failed", tl_value_int(n[TL_FAILED]));
		tl_value_put(row, "blocked", tl_value_int(n[TL_BLOCKED]));
		tl_value_put(row, "left",
			tl_value_int(n[TL_NOT_EXECUTED] + n[TL_RUNNING]));
		tl_value_push(rows, row);
	}
	tl_strlist_release(&who);
	return rows;
}

static char *suite_of(const char *key)
{
	const char *slash = strrchr(key, '/');
	return slash ? tl_strndup(key, (size_t)(slash - key)) : tl_strdup("");
}

/* The most recent run of the project created before the view, outside it. */
static struct tl_rundata *previous_run(
	const struct tl_view *v, const struct tl_runs *runs)
{
	struct tl_rundata *prev = NULL;
	for (size_t i = 0; i < runs->n; i++) {
		struct tl_rundata *d = runs->v[i];
		if (tl_strlist_has(&v->runs, d->run->ent.key))
			continue;
		if (d->created < v->first_created ||
			(d->created == v->first_created && v->runs.n &&
				strcmp(d->run->ent.key, v->runs.v[0]) < 0))
			prev = d;
	}
	return prev;
}

struct suite_stat {
	char *suite;
	long long failed, executed;
};

static int cmp_suites(const void *a, const void *b)
{
	const struct suite_stat *x = a, *y = b;
	double rx = x->executed ? (double)x->failed / (double)x->executed : 0;
	double ry = y->executed ? (double)y->failed / (double)y->executed : 0;
	if (x->failed != y->failed)
		return x->failed > y->failed ? -1 : 1;
	if (rx != ry)
		return rx > ry ? -1 : 1;
	return strcmp(x->suite, y->suite);
}

static struct tl_value *hotspots_section(
	const struct tl_view *v, const struct tl_rundata *prev)
{
	struct tl_value *h = tl_value_map(), *suites = tl_value_seq(),
			*recurring = tl_value_seq();
	struct suite_stat *st =
		tl_calloc(v->cases.n ? v->cases.n : 1, sizeof(*st));
	size_t ns = 0;
	for (size_t i = 0; i < v->cases.n; i++) {
		char *su = suite_of(v->cases.v[i]);
		int s = tl_view_status(v, i);
		size_t j;
		for (j = 0; j < ns && strcmp(st[j].suite, su); j++)
			;
		if (j == ns)
			st[ns++].suite = su;
		else
			free(su);
		st[j].failed += s == TL_FAILED;
		st[j].executed += tl_status_executed(s);
		if (s == TL_FAILED && prev &&
			tl_run_case_status(prev, v->cases.v[i]) == TL_FAILED) {
			struct tl_value *r = tl_value_map();
			tl_value_put(r, "case", tl_value_str(v->cases.v[i]));
			tl_value_put(r, "previous_run",
				tl_value_str(prev->run->ent.key));
			tl_value_push(recurring, r);
		}
	}
	tl_sort(st, ns, sizeof(*st), cmp_suites);
	for (size_t j = 0; j < ns; j++) {
		struct tl_value *r;
		if (st[j].failed) {
			r = tl_value_map();
			tl_value_put(r, "suite", tl_value_str(st[j].suite));
			tl_value_put(r, "failed", tl_value_int(st[j].failed));
			tl_value_put(
				r, "executed", tl_value_int(st[j].executed));
			tl_value_put(r, "failure_rate_pct",
				num1(pct(st[j].failed, st[j].executed)));
			tl_value_push(suites, r);
		}
		free(st[j].suite);
	}
	free(st);
	tl_value_put(h, "suites", suites);
	tl_value_put(h, "recurring_failures", recurring);
	tl_value_put(h, "previous_run",
		prev ? tl_value_str(prev->run->ent.key) : tl_value_null());
	return h;
}

static const struct tl_defect *local_defect(
	const struct tl_list *defects, const char *key)
{
	for (size_t i = 0; i < defects->n; i++)
		if (!strcmp(((struct tl_entity *)defects->v[i])->key, key))
			return defects->v[i];
	return NULL;
}

static struct tl_value *signals_section(const struct tl_view *v,
	const struct tl_rundata *prev, const struct tl_list *defects)
{
	struct tl_value *sig = tl_value_map(), *unlinked = tl_value_seq(),
			*multi = tl_value_seq(), *blocked = tl_value_seq(),
			*fresh = tl_value_seq(), *known = tl_value_seq();
	struct tl_strlist keys = { 0 };
	for (size_t i = 0; i < v->cases.n; i++) {
		const struct tl_result *x = v->latest[i];
		int s = tl_view_status(v, i);
		if (s == TL_FAILED) {
			if (!x->defects.n)
				tl_value_push(
					unlinked, tl_value_str(v->cases.v[i]));
			if (prev &&
				tl_run_case_status(prev, v->cases.v[i]) ==
					TL_FAILED)
				tl_value_push(
					known, tl_value_str(v->cases.v[i]));
			else
				tl_value_push(
					fresh, tl_value_str(v->cases.v[i]));
			for (size_t d = 0; d < x->defects.n; d++)
				if (!tl_strlist_has(&keys, x->defects.v[d]))
					tl_strlist_push(&keys, x->defects.v[d]);
		}
		if (s == TL_BLOCKED)
			for (size_t d = 0; d < x->defects.n; d++) {
				const struct tl_defect *df =
					local_defect(defects, x->defects.v[d]);
				struct tl_value *r;
				if (df && df->status &&
					strcmp(df->status, "open"))
					continue; /* the defect is no longer
						     open */
				r = tl_value_map();
				tl_value_put(
					r, "case", tl_value_str(v->cases.v[i]));
				tl_value_put(r, "defect",
					tl_value_str(x->defects.v[d]));
				tl_value_put(r, "defect_status",
					tl_value_str(
						df ? (df->status ? df->status
								 : "open")
						   : "external"));
				tl_value_push(blocked, r);
			}
	}
	for (size_t d = 0; d < keys.n; d++) {
		struct tl_value *cases = tl_value_seq(), *r;
		for (size_t i = 0; i < v->cases.n; i++)
			if (tl_view_status(v, i) == TL_FAILED &&
				tl_strlist_has(
					&v->latest[i]->defects, keys.v[d]))
				tl_value_push(
					cases, tl_value_str(v->cases.v[i]));
		if (cases->n < 2) {
			tl_value_free(cases);
			continue;
		}
		r = tl_value_map();
		tl_value_put(r, "defect", tl_value_str(keys.v[d]));
		tl_value_put(r, "failures", tl_value_int((long long)cases->n));
		tl_value_put(r, "cases", cases);
		tl_value_push(multi, r);
	}
	tl_strlist_release(&keys);
	tl_value_put(sig, "failures_without_defect", unlinked);
	tl_value_put(sig, "defects_with_several_failures", multi);
	tl_value_put(sig, "blocked_by_open_defects", blocked);
	tl_value_put(sig, "new_failures", fresh);
	tl_value_put(sig, "known_failures", known);
	return sig;
}

int tl_analyze(struct tl_value **out, struct tl_store *s, const char *project,
	const struct tl_runs *runs, const struct tl_view *v,
	const struct tl_list *defects, struct tl_err *err)
{
	struct tl_value *o = tl_value_map(), *progress = progress_section(v);
	struct tl_rundata *prev = previous_run(v, runs);
	int rc = prev ? tl_run_need_results(prev, s, err) : 0;
	if (!rc)
		rc = timeline(progress, s, project, v, err);
	*out = NULL;
	if (rc) {
		tl_value_free(progress);
		tl_value_free(o);
		return rc;
	}
	{
		struct tl_value *l = tl_value_seq();
		for (size_t i = 0; i < v->runs.n; i++)
			tl_value_push(l, tl_value_str(v->runs.v[i]));
		tl_value_put(o, "runs", l);
	}
	tl_value_put(o, "progress", progress);
	tl_value_put(o, "ownership", ownership_section(v, runs));
	tl_value_put(o, "hotspots", hotspots_section(v, prev));
	tl_value_put(o, "defect_signals", signals_section(v, prev, defects));
	*out = o;
	return 0;
}

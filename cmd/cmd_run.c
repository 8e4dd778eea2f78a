/* tally run: test runs and release executions. */
#include "cmd/tally.h"
#include "core/fs.h"
#include "core/key.h"
#include "core/resolve.h"
#include "core/runs.h"
#include "core/time.h"
#include "cmd/run_ctx.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

/* clang-format off */
const struct opt_spec opts_run_new[] = {
	{ "description", 0, OPT_STR, "TEXT", "what the run is for", NULL },
	{ "case", 0, OPT_LIST, "CASE", "select a case", NULL },
	{ "suite", 0, OPT_LIST, "SUITE", "select every case of a suite (and below)", NULL },
	{ "req", 0, OPT_LIST, "REQ", "select every case covering a requirement", NULL },
	{ "release", 0, OPT_STR, "RELEASE", "make it a release execution", NULL },
	{ "assign", 0, OPT_LIST, "CASE=USER", "assign a case to a tester", NULL },
	{ "env", 0, OPT_LIST, "KEY=VALUE", "an environment property", NULL },
	{ "revision", 0, OPT_STR, "SHA", "the code under test", NULL },
	{ "field", 0, OPT_LIST, "NAME=VALUE", "set a custom field", NULL },
	{ "key", 0, OPT_STR, "KEY", "the key instead of date-slug-xxxx", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

const struct opt_spec opts_run_edit[] = {
	{ "title", 0, OPT_STR, "TITLE", "a new title", NULL },
	{ "description", 0, OPT_STR, "TEXT", "a new description", NULL },
	{ "add-case", 0, OPT_LIST, "CASE", "select a case", NULL },
	{ "remove-case", 0, OPT_LIST, "CASE", "unselect a case", NULL },
	{ "add-suite", 0, OPT_LIST, "SUITE", "select a suite", NULL },
	{ "remove-suite", 0, OPT_LIST, "SUITE", "unselect a suite", NULL },
	{ "add-req", 0, OPT_LIST, "REQ", "select a requirement's cases", NULL },
	{ "remove-req", 0, OPT_LIST, "REQ", "unselect a requirement", NULL },
	{ "assign", 0, OPT_LIST, "CASE=USER", "assign a case (CASE= unassigns)", NULL },
	{ "env", 0, OPT_LIST, "KEY=VALUE", "an environment property (KEY= removes)", NULL },
	{ "revision", 0, OPT_STR, "SHA", "the code under test", NULL },
	{ "field", 0, OPT_LIST, "NAME=VALUE", "set a custom field (NAME= removes it)", NULL },
	{ "force", 'f', OPT_FLAG, NULL, "unselect cases that have results (their results go)", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const char *const kinds[] = { "run", "execution", NULL };
static const char *const exec_statuses[] = { "not-started", "in-progress",
	"passed", "failed", "blocked", NULL };

const struct opt_spec opts_run_list[] = {
	{ "status", 0, OPT_STR, "STATUS", "not-started, in-progress, passed, failed or blocked", exec_statuses },
	{ "since", 0, OPT_STR, "DATE", "created on or after (YYYY-MM-DD or RFC 3339)", NULL },
	{ "until", 0, OPT_STR, "DATE", "created before the end of (YYYY-MM-DD or RFC 3339)", NULL },
	{ "release", 0, OPT_STR, "RELEASE", "only executions of this release", NULL },
	{ "kind", 0, OPT_STR, "KIND", "run (standalone) or execution (of a release)", kinds },
	{ NULL, 0, 0, NULL, NULL, NULL },
};
/* clang-format on */

static void index_keys(struct tl_strmap *m, const struct tl_list *l)
{
	tl_strmap_reserve(m, l->n);
	for (size_t i = 0; i < l->n; i++)
		tl_strmap_put(m, ((struct tl_entity *)l->v[i])->key, i);
}

int runctx_load(struct ctx *c, struct runctx *r, int results)
{
	int rc;
	memset(r, 0, sizeof(*r));
	if ((rc = ctx_store(c, &r->s)) || (rc = ctx_project(c, &r->project)) ||
		(rc = tl_store_cases(r->s, r->project, &r->cases, &c->err)) ||
		(rc = tl_runs_load(
			 &r->runs, r->s, r->project, results, &c->err)) ||
		(rc = tl_store_defects(r->s, r->project, &r->defects, &c->err)))
		return rc;
	index_keys(&r->case_at, &r->cases);
	index_keys(&r->defect_at, &r->defects);
	return 0;
}

void runctx_release(struct runctx *r)
{
	tl_runs_release(&r->runs);
	tl_list_release(&r->cases);
	tl_list_release(&r->defects);
	tl_strmap_release(&r->case_at);
	tl_strmap_release(&r->defect_at);
	free(r->project);
}

const struct tl_case *runctx_case(const struct runctx *r, const char *key)
{
	size_t i = tl_strmap_get(&r->case_at, key);
	return i == (size_t)-1 ? NULL : r->cases.v[i];
}

const struct tl_defect *runctx_defect(const struct runctx *r, const char *key)
{
	size_t i = tl_strmap_get(&r->defect_at, key);
	return i == (size_t)-1 ? NULL : r->defects.v[i];
}

static int in_suite(const char *key, const char *suite)
{
	size_t n = strlen(suite);
	return !strncmp(key, suite, n) && key[n] == '/';
}

/* Adds key to out unless it is there: seen holds out's own strings (a
 * scan of out for each of a suite's 100,000 cases took minutes). */
static void add_once(
	struct tl_strlist *out, struct tl_strmap *seen, const char *key)
{
	if (tl_strmap_get(seen, key) != (size_t)-1)
		return;
	tl_strlist_push(out, key);
	tl_strmap_put(seen, out->v[out->n - 1], out->n - 1);
}

/* Resolves the sources into the run's cases, keeping the sources as keys. */
static int resolve_sources(struct ctx *c, struct runctx *r,
	struct tl_value *sources, struct tl_strlist *out)
{
	const struct tl_value *v;
	struct tl_list reqs = { 0 }, suites = { 0 };
	struct tl_strmap seen = { 0 };
	int rc = 0;

	for (size_t i = 0; i < out->n; i++)
		tl_strmap_put(&seen, out->v[i], i);

	if ((v = tl_value_get(sources, "cases")))
		for (size_t i = 0; i < v->n && !rc; i++) {
			void *k;
			rc = tl_resolve_list(&r->cases, v->items[i]->str,
				"case", &k, &c->err);
			if (rc)
				break;
			free(v->items[i]->str);
			v->items[i]->str =
				tl_strdup(((struct tl_entity *)k)->key);
			v->items[i]->len = strlen(v->items[i]->str);
			add_once(out, &seen, v->items[i]->str);
		}
	if (!rc && (v = tl_value_get(sources, "suites")) && v->n) {
		rc = tl_store_suites(r->s, r->project, &suites, &c->err);
		for (size_t i = 0; i < v->n && !rc; i++) {
			void *su;
			rc = tl_resolve_list(&suites, v->items[i]->str, "suite",
				&su, &c->err);
			if (rc)
				break;
			free(v->items[i]->str);
			v->items[i]->str =
				tl_strdup(((struct tl_entity *)su)->key);
			v->items[i]->len = strlen(v->items[i]->str);
			for (size_t j = 0; j < r->cases.n; j++) {
				const char *k =
					((struct tl_case *)r->cases.v[j])
						->ent.key;
				if (in_suite(k, v->items[i]->str))
					add_once(out, &seen, k);
			}
		}
	}
	if (!rc && (v = tl_value_get(sources, "requirements")) && v->n) {
		rc = tl_store_requirements(r->s, r->project, &reqs, &c->err);
		for (size_t i = 0; i < v->n && !rc; i++) {
			void *rq;
			const char *rk;
			rc = tl_resolve_list(&reqs, v->items[i]->str,
				"requirement", &rq, &c->err);
			if (rc)
				break;
			rk = ((struct tl_entity *)rq)->key;
			free(v->items[i]->str);
			v->items[i]->str = tl_strdup(rk);
			v->items[i]->len = strlen(rk);
			for (size_t j = 0; j < r->cases.n; j++) {
				struct tl_case *k = r->cases.v[j];
				if (tl_strlist_has(&k->requirements, rk))
					add_once(out, &seen, k->ent.key);
			}
		}
	}
	tl_list_release(&reqs);
	tl_list_release(&suites);
	tl_strmap_release(&seen);
	return rc;
}

static void add_source(
	struct tl_value *sources, const char *kind, const char *ref)
{
	struct tl_value *l = tl_value_get(sources, kind);
	if (!l) {
		l = tl_value_seq();
		l->style = TL_STYLE_FLOW;
		tl_value_put(sources, kind, l);
	}
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->items[i]->str, ref))
			return;
	tl_value_push(l, tl_value_str(ref));
}

static int remove_source(
	struct tl_value *sources, const char *kind, const char *ref)
{
	struct tl_value *l = tl_value_get(sources, kind);
	for (size_t i = 0; l && i < l->n; i++)
		if (!strcmp(l->items[i]->str, ref)) {
			tl_value_free(l->items[i]);
			memmove(l->items + i, l->items + i + 1,
				(l->n - i - 1) * sizeof(*l->items));
			l->n--;
			if (!l->n)
				tl_value_del(sources, kind);
			return 1;
		}
	return 0;
}

/* KEY=VALUE into a map (VALUE empty removes the key). */
static int assign_case(
	struct ctx *c, struct runctx *r, struct tl_run *run, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char *ref;
	void *k;
	int rc;
	if (!eq || eq == kv)
		return tl_err_set(&c->err, TL_EUSAGE,
			"--assign takes CASE=USER, not '%s'", kv);
	ref = tl_strndup(kv, (size_t)(eq - kv));
	rc = tl_resolve_list(&r->cases, ref, "case", &k, &c->err);
	free(ref);
	if (rc)
		return rc;
	if (!tl_strlist_has(&run->cases, ((struct tl_entity *)k)->key))
		return tl_err_set(&c->err, TL_EINVALID,
			"case %s is not selected in this run",
			((struct tl_entity *)k)->key);
	if (!run->assignees)
		run->assignees = tl_value_map();
	if (eq[1])
		tl_value_set(run->assignees, ((struct tl_entity *)k)->key,
			tl_value_str(eq + 1));
	else
		tl_value_del(run->assignees, ((struct tl_entity *)k)->key);
	return 0;
}

static int commit_run(struct ctx *c, struct runctx *r, struct tl_run *run,
	struct tl_strlist *drop, const char *verb, const char *action)
{
	struct tl_txn t = { 0 };
	char *dir = tl_store_run_dir(r->project, run->ent.key);
	char *path = tl_format("%s/run.yaml", dir);
	char *wpath = tl_store_wpath(r->s, path);
	char *subject = tl_format("%s run %s", verb, run->ent.key);
	char *trailers = tl_format(
		"Tally-Action: %s\nTally-Project: %s\nTally-Run: %s\n", action,
		r->project, run->ent.key);
	int rc = tl_txn_put(&t, r->s, TL_KIND_RUN, run, path, &c->err);
	for (size_t i = 0; drop && i < drop->n; i++) {
		char *p = tl_store_result_path(
			r->project, run->ent.key, drop->v[i]);
		tl_txn_remove(&t, r->s, p);
		free(p);
	}
	if (!rc)
		rc = ctx_commit(c, &t, subject, trailers, run->ent.key, wpath);
	tl_txn_release(&t);
	free(dir);
	free(path);
	free(wpath);
	free(subject);
	free(trailers);
	return rc;
}

static int check_release(
	struct ctx *c, struct runctx *r, const char *ref, char **out)
{
	struct tl_list rels = { 0 };
	void *rel;
	int rc = tl_store_releases(r->s, r->project, &rels, &c->err);
	if (!rc)
		rc = tl_resolve_list(&rels, ref, "release", &rel, &c->err);
	if (rc == TL_ENOTFOUND)
		tl_err_prefix(
			&c->err, "release (create it with tally release new)");
	*out = rc ? NULL : tl_strdup(((struct tl_entity *)rel)->key);
	tl_list_release(&rels);
	return rc;
}

static int cmp_strs(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort_strs(struct tl_strlist *l)
{
	tl_sort(l->v, l->n, sizeof(*l->v), cmp_strs);
}

/* Whether a list sorted by sort_strs holds key. */
static int sorted_has(const struct tl_strlist *l, const char *key)
{
	return l->n && bsearch(&key, l->v, l->n, sizeof(*l->v), cmp_strs);
}

int cmd_run_new(struct ctx *c, struct args *a)
{
	struct runctx r;
	struct tl_run *run = tl_entity_new(TL_KIND_RUN);
	struct tl_buf key = TL_BUF_INIT;
	const struct tl_value *v;
	char created[32];
	int64_t now = ctx_now(c);
	int rc = runctx_load(c, &r, 0);
	static const char *const src[][2] = { { "case", "cases" },
		{ "suite", "suites" }, { "req", "requirements" } };

	if (rc)
		goto out;
	tl_time_format(now, created, sizeof(created));
	created[10] = '-'; /* the date, then the slug */
	created[11] = '\0';
	if ((rc = new_key(
		     c, &key, arg_str(a, "key"), a->pos.v[0], created, "run")))
		goto out;
	for (size_t i = 0; i < r.runs.n; i++)
		if (!tl_key_casecmp(r.runs.v[i]->run->ent.key, key.ptr)) {
			rc = tl_err_set(&c->err, TL_EEXISTS,
				"run '%s' exists already",
				r.runs.v[i]->run->ent.key);
			goto out;
		}
	run->ent.key = tl_strdup(key.ptr);
	run->title = tl_strdup(a->pos.v[0]);
	opt_set_str(&run->description, arg_str(a, "description"));
	opt_set_str(&run->revision, arg_str(a, "revision"));
	if (arg_str(a, "release") &&
		(rc = check_release(
			 c, &r, arg_str(a, "release"), &run->release)))
		goto out;
	tl_time_format(now, created, sizeof(created));
	run->created = tl_strdup(created);
	run->created_by = ctx_author_string(c);
	run->sources = tl_value_map();
	for (size_t k = 0; k < 3; k++)
		if ((v = arg_list(a, src[k][0])))
			for (size_t i = 0; i < v->n; i++)
				add_source(run->sources, src[k][1],
					v->items[i]->str);
	if ((rc = resolve_sources(c, &r, run->sources, &run->cases)))
		goto out;
	sort_strs(&run->cases);
	if ((v = arg_list(a, "assign")))
		for (size_t i = 0; i < v->n && !rc; i++)
			rc = assign_case(c, &r, run, v->items[i]->str);
	if (!rc && (v = arg_list(a, "env")))
		for (size_t i = 0; i < v->n && !rc; i++)
			rc = opt_assign_kv(
				c, &run->environment, v->items[i]->str, "env");
	if (!rc && (v = arg_list(a, "field")))
		for (size_t i = 0; i < v->n && !rc; i++)
			rc = tl_fields_assign(&r.s->fields, "run", &run->fields,
				v->items[i]->str, &c->err);
	run->closed = 0;
	if (!rc) {
		char *path =
			tl_format("%s/runs/%s/run.yaml", r.project, key.ptr);
		run->ent.path = tl_store_wpath(r.s, path);
		free(path);
		rc = commit_run(c, &r, run, NULL, "new", "run-new");
	}
out:
	tl_entity_free(TL_KIND_RUN, run);
	tl_buf_release(&key);
	runctx_release(&r);
	return rc;
}

static struct tl_value *counts_value(const struct tl_counts *k)
{
	struct tl_value *m = tl_value_map();
	tl_value_put(m, "total", tl_value_int(k->total));
	for (int s = 0; s < TL_STATUS__COUNT; s++) {
		char *name = tl_strdup(tl_status_name(s));
		for (char *p = name; *p; p++)
			if (*p == '-')
				*p = '_';
		tl_value_put(m, name, tl_value_int(k->n[s]));
		free(name);
	}
	return m;
}

struct tl_value *run_row(const struct tl_rundata *d)
{
	struct tl_counts k;
	tl_run_counts(d, &k);
	return run_row_counted(d, &k);
}

struct tl_value *run_row_counted(
	const struct tl_rundata *d, const struct tl_counts *counts)
{
	struct tl_value *row = tl_value_map();
	const struct tl_counts k = *counts;
	const struct tl_run *run = d->run;
	long long executed;
	executed = k.n[TL_PASSED] + k.n[TL_FAILED] + k.n[TL_BLOCKED] +
		k.n[TL_SKIPPED];
	tl_value_put(row, "key", tl_value_str(run->ent.key));
	tl_value_put(row, "title", tl_value_str(run->title));
	tl_value_put(row, "description", opt_strv(run->description));
	tl_value_put(row, "project", tl_value_str(d->project));
	tl_value_put(
		row, "kind", tl_value_str(run->release ? "execution" : "run"));
	tl_value_put(row, "release", opt_strv(run->release));
	tl_value_put(row, "status", tl_value_str(tl_run_exec_status(&k)));
	tl_value_put(row, "closed", tl_value_bool(run->closed == 1));
	tl_value_put(row, "created", opt_strv(run->created));
	tl_value_put(row, "created_by", opt_strv(run->created_by));
	tl_value_put(row, "revision", opt_strv(run->revision));
	tl_value_put(row, "environment",
		run->environment ? tl_value_dup(run->environment)
				 : tl_value_map());
	tl_value_put(row, "fields",
		run->fields ? tl_value_dup(run->fields) : tl_value_map());
	tl_value_put(row, "counts", counts_value(&k));
	{
		char *p = tl_format("%lld/%lld", executed, k.total);
		tl_value_put(row, "progress", tl_value_str(p));
		free(p);
	}
	tl_value_put(row, "total", tl_value_int(k.total));
	tl_value_put(row, "passed", tl_value_int(k.n[TL_PASSED]));
	tl_value_put(row, "failed", tl_value_int(k.n[TL_FAILED]));
	tl_value_put(row, "blocked", tl_value_int(k.n[TL_BLOCKED]));
	tl_value_put(row, "path", tl_value_str(run->ent.path));
	return row;
}

/* YYYY-MM-DD or RFC 3339; an until date covers its whole day. */
static int parse_when(struct ctx *c, const char *s, int end, int64_t *out)
{
	int tz;
	if (!tl_time_parse(s, out, &tz))
		return 0;
	if (!tl_date_parse(s, out)) {
		if (end)
			*out += 86400;
		return 0;
	}
	return tl_err_set(&c->err, TL_EUSAGE,
		"'%s' is not a date (YYYY-MM-DD or RFC 3339)", s);
}

int cmd_run_list(struct ctx *c, struct args *a)
{
	static const char *const defaults[] = { "key", "title", "description",
		"status", "progress", "passed", "failed", "created", NULL };
	static const char *const defaults_ws[] = { "project", "key", "title",
		"description", "status", "progress", "passed", "failed",
		"created", NULL };
	static const char *const all[] = { "key", "title", "description",
		"project", "kind", "release", "status", "closed", "created",
		"created_by", "revision", "environment", "fields", "counts",
		"progress", "total", "passed", "failed", "blocked", "path",
		NULL };
	struct tl_store *s;
	struct tl_strlist projects = { 0 };
	struct tl_value *rows = tl_value_seq();
	const char *status = arg_str(a, "status"), *kind = arg_str(a, "kind");
	const char *release = arg_str(a, "release");
	int64_t since = 0, until = 0;
	int rc;

	if ((arg_str(a, "since") &&
		    (rc = parse_when(c, arg_str(a, "since"), 0, &since))) ||
		(arg_str(a, "until") &&
			(rc = parse_when(c, arg_str(a, "until"), 1, &until))))
		goto out;
	if ((rc = ctx_store(c, &s)) || (rc = ctx_projects(c, &projects)))
		goto out;
	for (size_t p = 0; p < projects.n && !rc; p++) {
		struct tl_runs runs;
		struct tl_run_sum *sums;
		if ((rc = tl_runs_load(&runs, s, projects.v[p], 0, &c->err)))
			break;
		sums = tl_calloc(runs.n ? runs.n : 1, sizeof(*sums));
		rc = tl_runs_summarize(&runs, s, projects.v[p], sums, &c->err);
		for (size_t i = 0; i < runs.n && !rc; i++) {
			const struct tl_rundata *d = runs.v[i];
			struct tl_value *row =
				run_row_counted(d, &sums[i].counts);
			int keep = (!status ||
					   !strcmp(status,
						   tl_value_gets(
							   row, "status"))) &&
				(!kind ||
					!strcmp(kind,
						tl_value_gets(row, "kind"))) &&
				(!release ||
					(d->run->release &&
						!strcmp(release,
							d->run->release))) &&
				(!since || d->created >= since) &&
				(!until || d->created < until);
			if (keep)
				tl_value_push(rows, row);
			else
				tl_value_free(row);
		}
		for (size_t i = 0; i < runs.n; i++)
			tl_run_sum_release(&sums[i]);
		free(sums);
		tl_runs_release(&runs);
	}
	if (!rc)
		rc = out_rows(c, a, rows,
			c->all_projects ? defaults_ws : defaults, all);
out:
	tl_value_free(rows);
	tl_strlist_release(&projects);
	return rc;
}

static int edit_sources(struct ctx *c, struct args *a, struct tl_run *run)
{
	static const char *const ops[][2] = { { "case", "cases" },
		{ "suite", "suites" }, { "req", "requirements" } };
	int changed = 0;
	if (!run->sources)
		run->sources = tl_value_map();
	for (size_t k = 0; k < 3; k++) {
		char add[16], rm[16];
		const struct tl_value *v;
		snprintf(add, sizeof(add), "add-%s", ops[k][0]);
		snprintf(rm, sizeof(rm), "remove-%s", ops[k][0]);
		if ((v = arg_list(a, add)))
			for (size_t i = 0; i < v->n; i++, changed = 1)
				add_source(run->sources, ops[k][1],
					v->items[i]->str);
		if ((v = arg_list(a, rm)))
			for (size_t i = 0; i < v->n; i++, changed = 1)
				if (!remove_source(run->sources, ops[k][1],
					    v->items[i]->str))
					return tl_err_set(&c->err, TL_ENOTFOUND,
						"%s '%s' is not among the run's sources "
						"(see tally run show %s)",
						ops[k][0], v->items[i]->str,
						run->ent.key);
	}
	return changed;
}

int cmd_run_edit(struct ctx *c, struct args *a)
{
	struct runctx r;
	struct tl_rundata *d;
	struct tl_strlist cases = { 0 }, drop = { 0 };
	const struct tl_value *v;
	int rc = runctx_load(c, &r, 0), changed;
	if (!rc)
		rc = tl_runs_find(&r.runs, a->pos.v[0], &d, &c->err);
	if (!rc)
		rc = tl_run_need_results(d, r.s, &c->err);
	if (rc)
		goto out;
	if (!a->vals->n) {
		rc = tl_err_set(&c->err, TL_EUSAGE,
			"nothing to change (see tally run edit --help)");
		goto out;
	}
	opt_set_str(&d->run->title, arg_str(a, "title"));
	opt_set_str(&d->run->description, arg_str(a, "description"));
	opt_set_str(&d->run->revision, arg_str(a, "revision"));
	changed = edit_sources(c, a, d->run);
	if (changed < 0) {
		rc = changed;
		goto out;
	}
	if (changed) {
		if ((rc = resolve_sources(c, &r, d->run->sources, &cases)))
			goto out;
		sort_strs(&cases);
		/* a case that leaves the selection must not take a result along
		 * silently */
		for (size_t i = 0; i < d->cases.n; i++) {
			const char *k = d->cases.v[i];
			if (sorted_has(&cases, k) || !tl_run_result(d, k))
				continue;
			if (!arg_flag(a, "force")) {
				rc = tl_err_set(&c->err, TL_ECONFLICT,
					"case %s has a result in this run; use --force to "
					"unselect it and remove its result (it stays in git history)",
					k);
				goto out;
			}
			tl_strlist_push(&drop, k);
		}
		tl_strlist_release(&d->run->cases);
		tl_strlist_copy(&d->run->cases, &cases);
		if (d->run->assignees)
			for (size_t i = d->run->assignees->n; i-- > 0;)
				if (!sorted_has(
					    &cases, d->run->assignees->keys[i]))
					tl_value_del(d->run->assignees,
						d->run->assignees->keys[i]);
	}
	if ((v = arg_list(a, "assign")))
		for (size_t i = 0; i < v->n && !rc; i++)
			rc = assign_case(c, &r, d->run, v->items[i]->str);
	if (!rc && (v = arg_list(a, "env")))
		for (size_t i = 0; i < v->n && !rc; i++)
			rc = opt_assign_kv(c, &d->run->environment,
				v->items[i]->str, "env");
	if (!rc && (v = arg_list(a, "field")))
		for (size_t i = 0; i < v->n && !rc; i++)
			rc = tl_fields_assign(&r.s->fields, "run",
				&d->run->fields, v->items[i]->str, &c->err);
	if (!rc)
		rc = commit_run(c, &r, d->run, &drop, "edit", "run-edit");
out:
	tl_strlist_release(&cases);
	tl_strlist_release(&drop);
	runctx_release(&r);
	return rc;
}

static int set_closed(struct ctx *c, struct args *a, int closed)
{
	struct runctx r;
	struct tl_rundata *d;
	int rc = runctx_load(c, &r, 0);
	if (!rc)
		rc = tl_runs_find(&r.runs, a->pos.v[0], &d, &c->err);
	if (!rc && (d->run->closed == 1) == closed)
		rc = tl_err_set(&c->err, TL_ECONFLICT, "run %s is %s already",
			d->run->ent.key, closed ? "closed" : "open");
	if (!rc) {
		d->run->closed = closed;
		rc = commit_run(c, &r, d->run, NULL,
			closed ? "close" : "reopen",
			closed ? "run-close" : "run-reopen");
	}
	runctx_release(&r);
	return rc;
}

int cmd_run_close(struct ctx *c, struct args *a)
{
	return set_closed(c, a, 1);
}

int cmd_run_reopen(struct ctx *c, struct args *a)
{
	return set_closed(c, a, 0);
}

struct rm_ctx {
	struct tl_txn *t;
	struct tl_store *s;
	const char *dir;
};

static int remove_one(const char *rel, void *vctx, struct tl_err *err)
{
	struct rm_ctx *rm = vctx;
	char *p = tl_format("%s/%s", rm->dir, rel);
	(void)err;
	tl_txn_remove(rm->t, rm->s, p);
	free(p);
	return 0;
}

int cmd_run_rm(struct ctx *c, struct args *a)
{
	struct runctx r;
	struct tl_rundata *d;
	struct tl_txn t = { 0 };
	int rc = runctx_load(c, &r, 0);
	if (!rc)
		rc = tl_runs_find(&r.runs, a->pos.v[0], &d, &c->err);
	if (!rc) {
		char *dir = tl_store_run_dir(r.project, d->run->ent.key);
		char *subject = tl_format("remove run %s", d->run->ent.key);
		char *trailers = tl_format(
			"Tally-Action: run-rm\nTally-Project: %s\nTally-Run: %s\n",
			r.project, d->run->ent.key);
		struct rm_ctx rm = { &t, r.s, dir };
		char *full = tl_path_join(r.s->root, dir);
		/* everything in the folder: run.yaml, results, attachments */
		rc = tl_fs_walk(full, remove_one, &rm, &c->err);
		free(full);
		if (!rc)
			rc = ctx_commit(c, &t, subject, trailers,
				d->run->ent.key, d->run->ent.path);
		free(dir);
		free(subject);
		free(trailers);
	}
	tl_txn_release(&t);
	runctx_release(&r);
	return rc;
}

/* clang-format off */
const struct opt_spec opts_prune[] = {
	{ "older-than", 0, OPT_STR, "AGE", "runs created more than AGE ago (90d, 12w)", NULL },
	{ "keep", 0, OPT_STR, "N", "keep the N newest runs", NULL },
	{ "dry-run", 'n', OPT_FLAG, NULL, "list what would go, change nothing", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};
/* clang-format on */

/* "90d" or "12w" in seconds. */
static int parse_age(const char *s, int64_t *out)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (end == s || n < 0 || n > 100000 || !end[0] || end[1] ||
		!strchr("dw", end[0]))
		return -1;
	*out = (int64_t)n * 24 * 3600 * (end[0] == 'w' ? 7 : 1);
	return 0;
}

static int newest_first(const void *x, const void *y)
{
	const struct tl_rundata *a = *(struct tl_rundata *const *)x;
	const struct tl_rundata *b = *(struct tl_rundata *const *)y;
	const char *ca = a->run->created ? a->run->created : "";
	const char *cb = b->run->created ? b->run->created : "";
	int c = strcmp(cb, ca);
	return c ? c : strcmp(a->run->ent.key, b->run->ent.key);
}

int cmd_prune(struct ctx *c, struct args *a)
{
	const char *older = arg_str(a, "older-than"),
		   *keep = arg_str(a, "keep");
	struct runctx r;
	struct tl_txn t = { 0 };
	struct tl_value *gone = tl_value_seq();
	struct tl_rundata **v = NULL;
	int64_t age = 0, now = ctx_now(c);
	long nkeep = -1;
	char id[64] = "";
	int rc;

	if (!older == !keep) {
		tl_value_free(gone);
		return tl_err_set(&c->err, TL_EUSAGE,
			"give --older-than AGE (90d) or --keep N");
	}
	if (older && parse_age(older, &age)) {
		tl_value_free(gone);
		return tl_err_set(&c->err, TL_EUSAGE,
			"--older-than wants days or weeks (90d, 12w), not '%s'",
			older);
	}
	if (keep) {
		char *end;
		nkeep = strtol(keep, &end, 10);
		if (end == keep || *end || nkeep < 0) {
			tl_value_free(gone);
			return tl_err_set(&c->err, TL_EUSAGE,
				"--keep wants a number, not '%s'", keep);
		}
	}
	rc = runctx_load(c, &r, 0);
	if (!rc) {
		v = tl_calloc(r.runs.n ? r.runs.n : 1, sizeof(*v));
		memcpy(v, r.runs.v, r.runs.n * sizeof(*v));
		tl_sort(v, r.runs.n, sizeof(*v), newest_first);
	}
	for (size_t i = 0; !rc && i < r.runs.n; i++) {
		struct tl_rundata *d = v[i];
		int64_t created;
		int drop = keep ? (long)i >= nkeep
				: d->run->created &&
				!tl_time_parse(
					d->run->created, &created, NULL) &&
				now - created > age;
		if (!drop)
			continue;
		tl_value_push(gone, tl_value_str(d->run->ent.key));
		if (!arg_flag(a, "dry-run")) {
			char *dir =
				tl_store_run_dir(r.project, d->run->ent.key);
			char *full = tl_path_join(r.s->root, dir);
			struct rm_ctx rm = { &t, r.s, dir };
			rc = tl_fs_walk(full, remove_one, &rm, &c->err);
			free(full);
			free(dir);
		}
	}
	if (!rc && gone->n && !arg_flag(a, "dry-run")) {
		/* history keeps them: it lives in the commits */
		char *subject = tl_format("prune %zu runs", gone->n);
		char *trailers = tl_format(
			"Tally-Action: prune\nTally-Project: %s\n", r.project);
		struct tl_ident au, cm;
		struct tl_commit_opts o = { 0 };
		char *msg = tl_format("tally: %s\n\n%s", subject, trailers);
		rc = ctx_idents(c, r.s->repo, &au, &cm, NULL);
		if (!rc) {
			o.message = msg;
			o.author = &au;
			o.committer = &cm;
			o.no_commit = c->no_commit;
			o.stage = ctx_stage_hook(c);
			rc = tl_txn_commit(&t, r.s, &o, id, &c->err);
		}
		free(msg);
		free(subject);
		free(trailers);
	}
	if (!rc) {
		struct tl_value *o = tl_value_map();
		tl_value_put(o, "pruned", tl_value_dup(gone));
		tl_value_put(
			o, "dry_run", tl_value_bool(arg_flag(a, "dry-run")));
		tl_value_put(
			o, "commit", *id ? tl_value_str(id) : tl_value_null());
		if (c->format == FMT_JSON || c->format == FMT_YAML)
			rc = out_object(c, o, NULL);
		else if (!c->quiet) {
			struct tl_buf b = TL_BUF_INIT;
			for (size_t i = 0; i < gone->n; i++)
				tl_buf_printf(&b, "%s %s\n",
					arg_flag(a, "dry-run") ? "would prune"
							       : "pruned",
					gone->items[i]->str);
			if (!gone->n)
				tl_buf_puts(&b, "nothing to prune\n");
			out_write(&b);
			tl_buf_release(&b);
		}
		tl_value_free(o);
	}
	free(v);
	tl_value_free(gone);
	tl_txn_release(&t);
	runctx_release(&r);
	return rc;
}

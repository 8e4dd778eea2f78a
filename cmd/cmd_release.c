/* tally release: releases, their progress and readiness. */
#include "cmd/tally.h"
#include "core/key.h"
#include "core/resolve.h"
#include "core/runs.h"
#include "core/time.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

/* clang-format off */
#define RELEASE_OPTS_COMMON \
	{ "description", 0, OPT_STR, "TEXT", "what the release holds", NULL }, \
	{ "status", 0, OPT_STR, "STATUS", "planned, active, released or cancelled", tl_release_statuses }, \
	{ "start", 0, OPT_STR, "DATE", "when testing starts (YYYY-MM-DD)", NULL }, \
	{ "due", 0, OPT_STR, "DATE", "when it is due (YYYY-MM-DD)", NULL }, \
	{ "released", 0, OPT_STR, "DATE", "when it shipped (YYYY-MM-DD)", NULL }, \
	{ "url", 0, OPT_STR, "URL", "release notes or milestone", NULL }, \
	{ "field", 0, OPT_LIST, "NAME=VALUE", "set a custom field (NAME= removes it)", NULL }

const struct opt_spec opts_release_new[] = {
	{ "title", 0, OPT_STR, "TITLE", "a human title (default: the key)", NULL },
	RELEASE_OPTS_COMMON,
	{ NULL, 0, 0, NULL, NULL, NULL },
};

const struct opt_spec opts_release_edit[] = {
	{ "title", 0, OPT_STR, "TITLE", "a new title", NULL },
	RELEASE_OPTS_COMMON,
	{ NULL, 0, 0, NULL, NULL, NULL },
};
/* clang-format on */

static int apply(struct ctx *c, struct args *a, struct tl_release *r)
{
	const struct tl_value *f = arg_list(a, "field");
	int rc = 0;
	opt_set_str(&r->title, arg_str(a, "title"));
	opt_set_str(&r->description, arg_str(a, "description"));
	opt_set_str(&r->status, arg_str(a, "status"));
	opt_set_str(&r->start, arg_str(a, "start"));
	opt_set_str(&r->due, arg_str(a, "due"));
	opt_set_str(&r->released, arg_str(a, "released"));
	opt_set_str(&r->url, arg_str(a, "url"));
	for (size_t i = 0; f && i < f->n && !rc; i++)
		rc = tl_fields_assign(&c->store->fields, "release", &r->fields,
			f->items[i]->str, &c->err);
	return rc;
}

static char *release_path(const char *project, const char *key)
{
	return tl_format("%s/releases/%s.yaml", project, key);
}

int cmd_release_new(struct ctx *c, struct args *a)
{
	struct tl_store *s;
	struct tl_list rels = { 0 };
	struct tl_release *r = NULL;
	const char *key = a->pos.v[0];
	struct tl_buf checked = TL_BUF_INIT;
	char *project = NULL, *path = NULL;
	int rc;
	if ((rc = ctx_store(c, &s)) || (rc = ctx_project(c, &project)) ||
		(rc = new_key(c, &checked, key, NULL, NULL, "release")) ||
		(rc = tl_store_releases(s, project, &rels, &c->err)))
		goto out;
	for (size_t i = 0; i < rels.n; i++)
		if (!tl_key_casecmp(
			    ((struct tl_entity *)rels.v[i])->key, key)) {
			rc = tl_err_set(&c->err, TL_EEXISTS,
				"release '%s' exists already", key);
			goto out;
		}
	r = tl_entity_new(TL_KIND_RELEASE);
	r->ent.key = tl_strdup(key);
	r->title = tl_strdup(key);
	r->status = tl_strdup("planned");
	if ((rc = apply(c, a, r)))
		goto out;
	path = release_path(project, key);
	rc = commit_entity(c, TL_KIND_RELEASE, r, path, key, project, "new",
		"release-new", "Release");
out:
	tl_buf_release(&checked);
	tl_entity_free(TL_KIND_RELEASE, r);
	tl_list_release(&rels);
	free(project);
	free(path);
	return rc;
}

static struct tl_value *counts_value(const struct tl_counts *k)
{
	struct tl_value *m = tl_value_map();
	tl_value_put(m, "total", tl_value_int(k->total));
	tl_value_put(m, "passed", tl_value_int(k->n[TL_PASSED]));
	tl_value_put(m, "failed", tl_value_int(k->n[TL_FAILED]));
	tl_value_put(m, "blocked", tl_value_int(k->n[TL_BLOCKED]));
	tl_value_put(m, "skipped", tl_value_int(k->n[TL_SKIPPED]));
	tl_value_put(m, "running", tl_value_int(k->n[TL_RUNNING]));
	tl_value_put(m, "not_executed", tl_value_int(k->n[TL_NOT_EXECUTED]));
	return m;
}

static void add_rule(
	struct tl_value *rules, const char *rule, int ok, const char *detail)
{
	struct tl_value *r = tl_value_map();
	tl_value_put(r, "rule", tl_value_str(rule));
	tl_value_put(r, "ok", tl_value_bool(ok));
	tl_value_put(r, "detail", tl_value_str(detail));
	tl_value_push(rules, r);
}

static int value_true(const struct tl_value *v)
{
	return v && v->kind == TL_V_SCALAR && v->type == TL_T_BOOL &&
		strchr("yYtTo", v->str[0]) && strcmp(v->str, "off") &&
		strcmp(v->str, "Off") && strcmp(v->str, "OFF");
}

/* Evaluates tally.yaml's readiness policy; without one: every case
 * executed and none failed. */
static struct tl_value *readiness(const struct tl_view *p,
	const struct tl_value *policy, const struct tl_list *defects,
	int *ready)
{
	struct tl_value *rules = tl_value_seq();
	const struct tl_counts *k = &p->counts;
	const struct tl_value *v;
	long long executed = k->n[TL_PASSED] + k->n[TL_FAILED] +
		k->n[TL_BLOCKED] + k->n[TL_SKIPPED];
	char *d;
	int has_policy = policy && policy->kind == TL_V_MAP && policy->n;

	*ready = 1;
	if (!k->total) {
		add_rule(
			rules, "has-cases", 0, "no execution selects any case");
		*ready = 0;
	}
	if ((v = tl_value_get(policy, "min-pass-rate"))) {
		double want = strtod(v->str, NULL);
		double rate = k->total
			? (double)k->n[TL_PASSED] / (double)k->total
			: 0;
		d = tl_format(
			"pass rate %.1f%% (%lld of %lld), at least %.1f%% required",
			rate * 100, k->n[TL_PASSED], k->total, want * 100);
		add_rule(rules, "min-pass-rate", rate + 1e-12 >= want, d);
		*ready &= rate + 1e-12 >= want;
		free(d);
	}
	if ((v = tl_value_get(policy, "max-blocked"))) {
		long long max = strtoll(v->str, NULL, 10);
		d = tl_format("%lld blocked, at most %lld allowed",
			k->n[TL_BLOCKED], max);
		add_rule(rules, "max-blocked", k->n[TL_BLOCKED] <= max, d);
		*ready &= k->n[TL_BLOCKED] <= max;
		free(d);
	}
	if ((v = tl_value_get(policy, "max-failed")) || !has_policy) {
		long long max = v ? strtoll(v->str, NULL, 10) : 0;
		d = tl_format("%lld failed, at most %lld allowed",
			k->n[TL_FAILED], max);
		add_rule(rules, "max-failed", k->n[TL_FAILED] <= max, d);
		*ready &= k->n[TL_FAILED] <= max;
		free(d);
	}
	if ((v = tl_value_get(policy, "max-open-defects")) &&
		v->kind == TL_V_MAP) {
		for (size_t i = 0; i < v->n; i++) {
			const char *sev = v->keys[i];
			long long max = strtoll(v->items[i]->str, NULL, 10),
				  open = 0;
			for (size_t j = 0; j < defects->n; j++) {
				const struct tl_defect *df = defects->v[j];
				int linked = 0;
				if (!df->severity ||
					strcmp(df->severity, sev) ||
					(df->status &&
						strcmp(df->status, "open")))
					continue;
				for (size_t q = 0; q < p->cases.n && !linked;
					q++)
					linked = p->latest[q] &&
						tl_strlist_has(
							&p->latest[q]->defects,
							df->ent.key);
				open += linked;
			}
			char *rule = tl_format("max-open-defects.%s", sev);
			d = tl_format(
				"%lld open %s defect%s linked, at most %lld allowed",
				open, sev, open == 1 ? "" : "s", max);
			add_rule(rules, rule, open <= max, d);
			*ready &= open <= max;
			free(rule);
			free(d);
		}
	}
	if (value_true(tl_value_get(policy, "all-executed")) || !has_policy) {
		d = tl_format("%lld of %lld executed", executed, k->total);
		add_rule(rules, "all-executed", executed == k->total, d);
		*ready &= executed == k->total;
		free(d);
	}
	return rules;
}

static struct tl_value *release_value(struct tl_store *s, const char *project,
	const struct tl_release *r, const struct tl_runs *runs,
	const struct tl_list *defects, int *ready)
{
	struct tl_value *o = tl_value_map();
	struct tl_view p;
	int ok;
	tl_view_build(&p, runs, tl_pick_release, r->ent.key);
	tl_value_put(o, "key", tl_value_str(r->ent.key));
	tl_value_put(o, "project", tl_value_str(project));
	tl_value_put(o, "title", tl_value_str(r->title));
	tl_value_put(o, "description", opt_strv(r->description));
	tl_value_put(o, "status", opt_strv(r->status));
	tl_value_put(o, "start", opt_strv(r->start));
	tl_value_put(o, "due", opt_strv(r->due));
	tl_value_put(o, "released", opt_strv(r->released));
	tl_value_put(o, "url", opt_strv(r->url));
	tl_value_put(o, "executions", strlist_value(&p.runs));
	tl_value_put(o, "progress", counts_value(&p.counts));
	{
		struct tl_value *rules =
			readiness(&p, s->ws->readiness, defects, &ok);
		tl_value_put(o, "ready", tl_value_bool(ok));
		tl_value_put(o, "rules", rules);
	}
	{
		long long done = p.counts.total - p.counts.n[TL_NOT_EXECUTED] -
			p.counts.n[TL_RUNNING];
		char *pr = tl_format("%lld/%lld", done, p.counts.total);
		tl_value_put(o, "executed", tl_value_str(pr));
		free(pr);
	}
	tl_value_put(o, "fields",
		r->fields ? tl_value_dup(r->fields) : tl_value_map());
	tl_value_put(o, "path", tl_value_str(r->ent.path));
	if (ready)
		*ready = ok;
	tl_view_release(&p);
	return o;
}

struct relctx {
	struct tl_store *s;
	char *project;
	struct tl_list rels, defects;
	struct tl_runs runs;
};

static int is_execution(const struct tl_rundata *d, const void *ctx)
{
	(void)ctx;
	return d->run->release != NULL;
}

static int relctx_load(struct ctx *c, struct relctx *r)
{
	memset(r, 0, sizeof(*r));
	return ctx_store(c, &r->s) || ctx_project(c, &r->project) ||
			tl_store_releases(
				r->s, r->project, &r->rels, &c->err) ||
			tl_store_defects(
				r->s, r->project, &r->defects, &c->err) ||
			tl_runs_load(&r->runs, r->s, r->project, 0, &c->err) ||
			tl_runs_need_results(
				&r->runs, r->s, is_execution, NULL, &c->err)
		? (c->err.code ? c->err.code : TL_ERROR)
		: 0;
}

static void relctx_release(struct relctx *r)
{
	tl_list_release(&r->rels);
	tl_list_release(&r->defects);
	tl_runs_release(&r->runs);
	free(r->project);
}

int cmd_release_list(struct ctx *c, struct args *a)
{
	static const char *const defaults[] = { "key", "title", "status", "due",
		"executed", "ready", NULL };
	static const char *const all[] = { "key", "project", "title",
		"description", "status", "start", "due", "released", "url",
		"executions", "progress", "ready", "executed", "fields", "path",
		NULL };
	struct relctx r;
	struct tl_value *rows = tl_value_seq();
	int rc = relctx_load(c, &r);
	for (size_t i = 0; !rc && i < r.rels.n; i++) {
		struct tl_value *o = release_value(
			r.s, r.project, r.rels.v[i], &r.runs, &r.defects, NULL);
		tl_value_del(o, "rules");
		tl_value_push(rows, o);
	}
	if (!rc)
		rc = out_rows(c, a, rows, defaults, all);
	tl_value_free(rows);
	relctx_release(&r);
	return rc;
}

static void release_text(
	struct ctx *c, const struct tl_value *o, struct tl_buf *b)
{
	const struct tl_value *rules = tl_value_get(o, "rules");
	struct tl_buf cell = TL_BUF_INIT;
	int ready = !strcmp(tl_value_gets(o, "ready"), "true");
	tl_buf_printf(b, "%s%s%s  %s\n", out_bold(c), tl_value_gets(o, "key"),
		out_reset(c), tl_value_gets(o, "title"));
	if (tl_value_gets(o, "description"))
		tl_buf_printf(b, "%s\n", tl_value_gets(o, "description"));
	tl_buf_printf(b, "\nstatus      %s\n",
		tl_value_gets(o, "status") ? tl_value_gets(o, "status") : "-");
	if (tl_value_gets(o, "due"))
		tl_buf_printf(b, "due         %s\n", tl_value_gets(o, "due"));
	out_cell(&cell, tl_value_get(o, "executions"));
	tl_buf_printf(
		b, "executions  %s\n\n", cell.len ? cell.ptr : "none yet");
	{
		/* the counts object of a release has the run's shape */
		progress_bar(b, tl_value_get(o, "progress"), 30);
	}
	tl_buf_printf(b, "\n%s%s%s\n", out_bold(c),
		ready ? "READY" : "NOT READY", out_reset(c));
	for (size_t i = 0; rules && i < rules->n; i++)
		tl_buf_printf(b, "  %s %-26s %s\n",
			!strcmp(tl_value_gets(rules->items[i], "ok"), "true")
				? "ok  "
				: "FAIL",
			tl_value_gets(rules->items[i], "rule"),
			tl_value_gets(rules->items[i], "detail"));
	tl_buf_release(&cell);
}

int cmd_release_show(struct ctx *c, struct args *a)
{
	struct relctx r;
	void *rel;
	int ready = 0, rc = relctx_load(c, &r);
	if (!rc)
		rc = tl_resolve_list(
			&r.rels, a->pos.v[0], "release", &rel, &c->err);
	if (!rc) {
		struct tl_value *o = release_value(
			r.s, r.project, rel, &r.runs, &r.defects, &ready);
		rc = out_object(c, o, release_text);
		tl_value_free(o);
		/* NOT READY exits 1, so a pipeline can gate on it */
		if (!rc && !ready)
			rc = TL_EFAILED;
	}
	relctx_release(&r);
	return rc;
}

int cmd_release_edit(struct ctx *c, struct args *a)
{
	struct relctx r;
	void *rel;
	int rc = relctx_load(c, &r);
	if (!rc)
		rc = tl_resolve_list(
			&r.rels, a->pos.v[0], "release", &rel, &c->err);
	if (!rc && !a->vals->n)
		rc = tl_err_set(&c->err, TL_EUSAGE,
			"nothing to change (see tally release edit --help)");
	if (!rc)
		rc = apply(c, a, rel);
	if (!rc) {
		char *path =
			release_path(r.project, ((struct tl_entity *)rel)->key);
		rc = commit_entity(c, TL_KIND_RELEASE, rel, path,
			((struct tl_entity *)rel)->key, r.project, "edit",
			"release-edit", "Release");
		free(path);
	}
	relctx_release(&r);
	return rc;
}

/* tally defect: local defects, and links from case runs to any defect. */
#include "cmd/tally.h"
#include "core/key.h"
#include "core/resolve.h"
#include "core/runs.h"
#include "core/time.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static const char *const close_statuses[] = { "fixed", "closed", "wontfix",
	NULL };

/* clang-format off */
#define DEFECT_OPTS_COMMON \
	{ "description", 0, OPT_STR, "TEXT", "what goes wrong", NULL }, \
	{ "severity", 0, OPT_STR, "SEVERITY", "trivial, minor, major, critical or blocker", tl_severities }, \
	{ "url", 0, OPT_STR, "URL", "where it is tracked", NULL }, \
	{ "field", 0, OPT_LIST, "NAME=VALUE", "set a custom field (NAME= removes it)", NULL }

const struct opt_spec opts_defect_new[] = {
	{ "key", 0, OPT_STR, "KEY", "the key instead of slug-xxxx", NULL },
	DEFECT_OPTS_COMMON,
	{ NULL, 0, 0, NULL, NULL, NULL },
};

const struct opt_spec opts_defect_edit[] = {
	{ "title", 0, OPT_STR, "TITLE", "a new title", NULL },
	{ "status", 0, OPT_STR, "STATUS", "open, fixed, closed or wontfix", tl_defect_statuses },
	DEFECT_OPTS_COMMON,
	{ NULL, 0, 0, NULL, NULL, NULL },
};

const struct opt_spec opts_defect_close[] = {
	{ "status", 0, OPT_STR, "STATUS", "fixed, closed (the default) or wontfix", close_statuses },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

const struct opt_spec opts_defect_list[] = {
	{ "status", 0, OPT_STR, "STATUS", "only defects in this status", tl_defect_statuses },
	{ "severity", 0, OPT_STR, "SEVERITY", "only defects of this severity", tl_severities },
	{ NULL, 0, 0, NULL, NULL, NULL },
};
/* clang-format on */

static char *defect_path(const char *project, const char *key)
{
	return tl_format("%s/defects/%s.yaml", project, key);
}

static int apply(struct ctx *c, struct args *a, struct tl_defect *d)
{
	const struct tl_value *f = arg_list(a, "field");
	int rc = 0;
	opt_set_str(&d->title, arg_str(a, "title"));
	opt_set_str(&d->description, arg_str(a, "description"));
	opt_set_str(&d->severity, arg_str(a, "severity"));
	opt_set_str(&d->status, arg_str(a, "status"));
	opt_set_str(&d->url, arg_str(a, "url"));
	for (size_t i = 0; f && i < f->n && !rc; i++)
		rc = tl_fields_assign(&c->store->fields, "defect", &d->fields,
			f->items[i]->str, &c->err);
	return rc;
}

struct defctx {
	struct tl_store *s;
	char *project;
	struct tl_list defects;
	struct tl_runs runs; /* without their results (see defctx_links) */
	/* per run, in the runs' order: its case runs that link a defect,
	 * {run, case, status, defects}, or NULL (none, or not read) */
	struct tl_value **links;
};

/* The defects and the runs; no result is read (of 193,500 results,
 * tally defect new read every one). */
static int defctx_load(struct ctx *c, struct defctx *d)
{
	int rc;
	memset(d, 0, sizeof(*d));
	if ((rc = ctx_store(c, &d->s)) || (rc = ctx_project(c, &d->project)) ||
		(rc = tl_store_defects(
			 d->s, d->project, &d->defects, &c->err)) ||
		(rc = tl_runs_load(&d->runs, d->s, d->project, 0, &c->err)))
		return rc;
	return 0;
}

/* One run's case runs that link defects, from its summary. */
static struct tl_value *links_of(
	const struct tl_rundata *run, const struct tl_run_sum *sum)
{
	struct tl_value *l = NULL;
	for (size_t j = 0; j < sum->nlinks; j++) {
		const struct tl_run_link *x = &sum->links[j];
		struct tl_value *r = tl_value_map(), *keys = tl_value_seq();
		for (size_t k = 0; k < x->defects.n; k++)
			tl_value_push(keys, tl_value_str(x->defects.v[k]));
		tl_value_put(r, "run", tl_value_str(run->run->ent.key));
		tl_value_put(r, "case", tl_value_str(x->casekey));
		tl_value_put(r, "status", opt_strv(x->status));
		tl_value_put(r, "defects", keys);
		if (!l)
			l = tl_value_seq();
		tl_value_push(l, r);
	}
	return l;
}

/* Every run's links, from the runs' summaries (core/rcache.h: a run
 * whose files did not change is not read again). */
static int defctx_links(struct ctx *c, struct defctx *d)
{
	size_t n = d->runs.n;
	struct tl_run_sum *sums = tl_calloc(n ? n : 1, sizeof(*sums));
	int rc = tl_runs_summarize(&d->runs, d->s, d->project, sums, &c->err);
	d->links = tl_calloc(n ? n : 1, sizeof(*d->links));
	for (size_t i = 0; i < n; i++) {
		if (!rc)
			d->links[i] = links_of(d->runs.v[i], &sums[i]);
		tl_run_sum_release(&sums[i]);
	}
	free(sums);
	return rc;
}

static void defctx_release(struct defctx *d)
{
	for (size_t i = 0; d->links && i < d->runs.n; i++)
		tl_value_free(d->links[i]);
	free(d->links);
	tl_list_release(&d->defects);
	tl_runs_release(&d->runs);
	free(d->project);
}

int cmd_defect_new(struct ctx *c, struct args *a)
{
	struct defctx d;
	struct tl_defect *df = NULL;
	struct tl_buf key = TL_BUF_INIT;
	char created[32], *path = NULL;
	int rc = defctx_load(c, &d);
	if (rc)
		goto out;
	if ((rc = new_key(
		     c, &key, arg_str(a, "key"), a->pos.v[0], NULL, "defect")))
		goto out;
	for (size_t i = 0; i < d.defects.n; i++)
		if (!tl_key_casecmp(((struct tl_entity *)d.defects.v[i])->key,
			    key.ptr)) {
			rc = tl_err_set(&c->err, TL_EEXISTS,
				"defect '%s' exists already", key.ptr);
			goto out;
		}
	df = tl_entity_new(TL_KIND_DEFECT);
	df->ent.key = tl_strdup(key.ptr);
	df->title = tl_strdup(a->pos.v[0]);
	df->severity = tl_strdup("major");
	df->status = tl_strdup("open");
	tl_time_format(ctx_now(c), created, sizeof(created));
	df->created = tl_strdup(created);
	if ((rc = apply(c, a, df)))
		goto out;
	path = defect_path(d.project, key.ptr);
	rc = commit_entity(c, TL_KIND_DEFECT, df, path, key.ptr, d.project,
		"new", "defect-new", "Defect");
out:
	tl_entity_free(TL_KIND_DEFECT, df);
	tl_buf_release(&key);
	free(path);
	defctx_release(&d);
	return rc;
}

/* The case runs that link a defect: "RUN:CASE" references. */
static struct tl_value *linked_results(const struct defctx *d, const char *key)
{
	struct tl_value *l = tl_value_seq();
	for (size_t i = 0; i < d->runs.n; i++)
		for (size_t j = 0; d->links[i] && j < d->links[i]->n; j++) {
			const struct tl_value *x = d->links[i]->items[j];
			const struct tl_value *keys =
				tl_value_get(x, "defects");
			struct tl_value *r;
			size_t k = 0;
			while (k < keys->n && strcmp(keys->items[k]->str, key))
				k++;
			if (k == keys->n)
				continue;
			r = tl_value_map();
			tl_value_put(
				r, "run", tl_value_dup(tl_value_get(x, "run")));
			tl_value_put(r, "case",
				tl_value_dup(tl_value_get(x, "case")));
			tl_value_put(r, "status",
				tl_value_dup(tl_value_get(x, "status")));
			tl_value_push(l, r);
		}
	return l;
}

static struct tl_value *defect_row(
	const struct defctx *d, const struct tl_defect *df)
{
	struct tl_value *o = tl_value_map(), *links;
	tl_value_put(o, "key", tl_value_str(df->ent.key));
	tl_value_put(o, "project", tl_value_str(d->project));
	tl_value_put(o, "title", tl_value_str(df->title));
	tl_value_put(o, "description", opt_strv(df->description));
	tl_value_put(o, "severity", opt_strv(df->severity));
	tl_value_put(o, "status", opt_strv(df->status));
	tl_value_put(o, "url", opt_strv(df->url));
	tl_value_put(o, "created", opt_strv(df->created));
	links = linked_results(d, df->ent.key);
	tl_value_put(o, "linked", tl_value_int((long long)links->n));
	tl_value_put(o, "results", links);
	tl_value_put(o, "fields",
		df->fields ? tl_value_dup(df->fields) : tl_value_map());
	tl_value_put(o, "path", tl_value_str(df->ent.path));
	return o;
}

int cmd_defect_list(struct ctx *c, struct args *a)
{
	static const char *const defaults[] = { "key", "title", "severity",
		"status", "linked", NULL };
	static const char *const all[] = { "key", "project", "title",
		"description", "severity", "status", "url", "created", "linked",
		"results", "fields", "path", NULL };
	struct defctx d;
	struct tl_value *rows = tl_value_seq();
	const char *status = arg_str(a, "status"),
		   *sev = arg_str(a, "severity");
	int rc = defctx_load(c, &d);
	if (!rc)
		rc = defctx_links(c, &d);
	for (size_t i = 0; !rc && i < d.defects.n; i++) {
		const struct tl_defect *df = d.defects.v[i];
		if ((status && (!df->status || strcmp(df->status, status))) ||
			(sev && (!df->severity || strcmp(df->severity, sev))))
			continue;
		tl_value_push(rows, defect_row(&d, df));
	}
	if (!rc)
		rc = out_rows(c, a, rows, defaults, all);
	tl_value_free(rows);
	defctx_release(&d);
	return rc;
}

static void defect_text(
	struct ctx *c, const struct tl_value *o, struct tl_buf *b)
{
	const struct tl_value *links = tl_value_get(o, "results");
	tl_buf_printf(b, "%s%s%s  %s\n", out_bold(c), tl_value_gets(o, "key"),
		out_reset(c), tl_value_gets(o, "title"));
	if (tl_value_gets(o, "description"))
		tl_buf_printf(b, "\n%s\n", tl_value_gets(o, "description"));
	tl_buf_printf(b,
		"\nseverity  %s\nstatus    %s\nurl       %s\ncreated   %s\n",
		tl_value_gets(o, "severity") ? tl_value_gets(o, "severity")
					     : "-",
		tl_value_gets(o, "status") ? tl_value_gets(o, "status") : "-",
		tl_value_gets(o, "url") ? tl_value_gets(o, "url") : "-",
		tl_value_gets(o, "created") ? tl_value_gets(o, "created")
					    : "-");
	tl_buf_printf(b, "\n%sLinked to %zu case run%s%s\n", out_bold(c),
		links->n, links->n == 1 ? "" : "s", out_reset(c));
	for (size_t i = 0; i < links->n; i++)
		tl_buf_printf(b, "  %-8s %s:%s\n",
			tl_value_gets(links->items[i], "status"),
			tl_value_gets(links->items[i], "run"),
			tl_value_gets(links->items[i], "case"));
}

int cmd_defect_show(struct ctx *c, struct args *a)
{
	struct defctx d;
	void *df;
	int rc = defctx_load(c, &d);
	if (!rc)
		rc = tl_resolve_list(
			&d.defects, a->pos.v[0], "defect", &df, &c->err);
	if (!rc)
		rc = defctx_links(c, &d);
	if (!rc) {
		struct tl_value *o = defect_row(&d, df);
		rc = out_object(c, o, defect_text);
		tl_value_free(o);
	}
	defctx_release(&d);
	return rc;
}

static int update(struct ctx *c, struct args *a, const char *verb,
	const char *action, const char *status)
{
	struct defctx d;
	void *df;
	int rc = defctx_load(c, &d);
	if (!rc)
		rc = tl_resolve_list(
			&d.defects, a->pos.v[0], "defect", &df, &c->err);
	if (!rc && !status && !a->vals->n)
		rc = tl_err_set(&c->err, TL_EUSAGE,
			"nothing to change (see tally defect edit --help)");
	if (!rc && status) {
		struct tl_defect *x = df;
		if (x->status && !strcmp(x->status, status))
			rc = tl_err_set(&c->err, TL_ECONFLICT,
				"defect %s is %s already", x->ent.key, status);
		opt_set_str(&x->status, status);
	} else if (!rc) {
		rc = apply(c, a, df);
	}
	if (!rc) {
		const char *key = ((struct tl_entity *)df)->key;
		char *path = defect_path(d.project, key);
		rc = commit_entity(c, TL_KIND_DEFECT, df, path, key, d.project,
			verb, action, "Defect");
		free(path);
	}
	defctx_release(&d);
	return rc;
}

int cmd_defect_edit(struct ctx *c, struct args *a)
{
	return update(c, a, "edit", "defect-edit", NULL);
}

int cmd_defect_close(struct ctx *c, struct args *a)
{
	const char *status = arg_str(a, "status");
	return update(
		c, a, "close", "defect-close", status ? status : "closed");
}

int cmd_defect_rm(struct ctx *c, struct args *a)
{
	struct defctx d;
	void *df;
	int rc = defctx_load(c, &d);
	if (!rc)
		rc = tl_resolve_list(
			&d.defects, a->pos.v[0], "defect", &df, &c->err);
	if (!rc)
		rc = defctx_links(c, &d);
	if (!rc) {
		const char *key = ((struct tl_entity *)df)->key;
		struct tl_value *links = linked_results(&d, key);
		if (links->n && !arg_flag(a, "force"))
			rc = tl_err_set(&c->err, TL_ECONFLICT,
				"defect %s is linked to %zu case run%s (see tally defect show %s); "
				"use --force to remove it anyway",
				key, links->n, links->n == 1 ? "" : "s", key);
		tl_value_free(links);
		if (!rc) {
			char *path = defect_path(d.project, key);
			rc = commit_entity(c, TL_KIND_DEFECT, NULL, path, key,
				d.project, "remove", "defect-rm", "Defect");
			free(path);
		}
	}
	defctx_release(&d);
	return rc;
}

/* RUN:CASE, the reference of one case run: that case's result, read
 * alone (*out is the caller's). */
static int find_result(struct ctx *c, struct defctx *d, const char *ref,
	struct tl_rundata **run, struct tl_result **out)
{
	const char *colon = strchr(ref, ':');
	char *runref;
	struct tl_list cases = { 0 };
	struct tl_case *k;
	int rc;
	*out = NULL;
	if (!colon || colon == ref || !colon[1])
		return tl_err_set(&c->err, TL_EUSAGE,
			"a case run is RUN:CASE (such as sprint-42:auth/login), not '%s'",
			ref);
	runref = tl_strndup(ref, (size_t)(colon - ref));
	rc = tl_runs_find(&d->runs, runref, run, &c->err);
	free(runref);
	if (!rc)
		rc = tl_store_case_find(
			d->s, d->project, colon + 1, &cases, &k, &c->err);
	if (!rc)
		rc = tl_run_result_read(*run, d->s, k->ent.key, out, &c->err);
	if (!rc && !*out)
		rc = tl_err_set(&c->err, TL_ENOTFOUND,
			"case %s has no result in run %s yet (tally record first)",
			k->ent.key, (*run)->run->ent.key);
	tl_list_release(&cases);
	return rc;
}

static int link(struct ctx *c, struct args *a, int add)
{
	struct defctx d;
	struct tl_rundata *run;
	struct tl_result *x = NULL;
	struct tl_txn t = { 0 };
	char *key = NULL;
	int rc = defctx_load(c, &d);
	if (!rc)
		rc = find_result(c, &d, a->pos.v[0], &run, &x);
	if (!rc && add)
		rc = resolve_defect(c, d.s, d.project, a->pos.v[1], &key);
	else if (!rc && resolve_defect(c, d.s, d.project, a->pos.v[1], &key)) {
		/* a key that no longer resolves can still be unlinked as
		 * written */
		tl_err_clear(&c->err);
		key = tl_strdup(a->pos.v[1]);
	}
	if (!rc && add && tl_strlist_has(&x->defects, key))
		rc = tl_err_set(
			&c->err, TL_ECONFLICT, "%s is linked already", key);
	if (!rc && !add && !tl_strlist_remove(&x->defects, key))
		rc = tl_err_set(&c->err, TL_ENOTFOUND, "%s is not linked to %s",
			key, a->pos.v[0]);
	if (!rc) {
		char *path = tl_store_result_path(
			d.project, run->run->ent.key, x->ent.key);
		char *subject = tl_format("%s %s %s %s:%s",
			add ? "link" : "unlink", key, add ? "to" : "from",
			run->run->ent.key, x->ent.key);
		char *trailers = tl_format(
			"Tally-Action: %s\nTally-Project: %s\n"
			"Tally-Run: %s\nTally-Case: %s\nTally-Defect: %s\n",
			add ? "defect-link" : "defect-unlink", d.project,
			run->run->ent.key, x->ent.key, key);
		if (add)
			tl_strlist_push(&x->defects, key);
		rc = tl_txn_put(&t, d.s, TL_KIND_RESULT, x, path, &c->err);
		if (!rc)
			rc = ctx_commit(
				c, &t, subject, trailers, key, x->ent.path);
		free(path);
		free(subject);
		free(trailers);
	}
	tl_txn_release(&t);
	tl_entity_free(TL_KIND_RESULT, x);
	free(key);
	defctx_release(&d);
	return rc;
}

int cmd_defect_link(struct ctx *c, struct args *a)
{
	return link(c, a, 1);
}

int cmd_defect_unlink(struct ctx *c, struct args *a)
{
	return link(c, a, 0);
}

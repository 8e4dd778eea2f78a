#include "core/check.h"
#include "core/params.h"
#include "core/buf.h"
#include "core/fs.h"
#include "core/key.h"
#include "core/regex.h"
#include "core/strmap.h"
#include "formats/entity.h"

#include <stdlib.h>
#include <string.h>

#include "core/quarantine.h"

#include "core/banned.h"

static void add(struct tl_problems *p, const char *path, unsigned line,
	unsigned col, const char *msg)
{
	struct tl_problem *x;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->v = tl_realloc(p->v, tl_mul(p->cap, sizeof(*p->v)));
	}
	x = &p->v[p->n++];
	x->path = tl_strdup(path);
	x->line = line;
	x->col = col;
	x->message = tl_strdup(msg);
}

void tl_problems_add_err(
	struct tl_problems *p, const char *path, const char *msg)
{
	size_t n = strlen(path);
	unsigned line = 0, col = 0;
	if (!strncmp(msg, path, n) && msg[n] == ':') {
		const char *q = msg + n + 1;
		char *end;
		unsigned long l = strtoul(q, &end, 10);
		if (end != q && *end == ':') {
			unsigned long c = strtoul(end + 1, &end, 10);
			if (*end == ':') {
				line = (unsigned)l;
				col = (unsigned)c;
				q = end + 1;
			}
		}
		while (*q == ' ')
			q++;
		msg = q;
	}
	add(p, path, line, col, msg);
}

void tl_problems_release(struct tl_problems *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].path);
		free(p->v[i].message);
	}
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}

struct pctx {
	struct tl_store *s;
	struct tl_problems *out;
	const char *project;
	const char *sub; /* "cases", "requirements", ... */
	enum tl_kind kind;
	struct tl_list loaded;
};

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

static int collect(const char *rel, void *vctx, struct tl_err *unused)
{
	(void)unused;
	tl_strlist_push(vctx, rel);
	return 0;
}

/* One file's problems, in the order a reading of the folder meets them;
 * e is the file loaded (NULL when it was not: errs says why, when it
 * was tried). */
static void visit(struct pctx *c, const char *rel, void *e, struct tl_err *err)
{
	char *path = tl_format("%s/%s/%s", c->project, c->sub, rel);
	char *wpath = tl_store_wpath(c->s, path);
	const char *slash = strrchr(rel, '/');
	int suite = !strcmp(slash ? slash + 1 : rel, "_suite.yaml");
	enum tl_kind kind = suite ? TL_KIND_SUITE : c->kind;
	struct tl_err why = TL_ERR_INIT;

	if (!ends_with(rel, ".yaml")) {
		if (c->kind == TL_KIND_CASE)
			add(c->out, wpath, 0, 0,
				"not a case file (case files end in .yaml)");
	} else if (suite && c->kind != TL_KIND_CASE) {
		add(c->out, wpath, 0, 0, "_suite.yaml belongs under cases/");
	} else if (!e) {
		tl_problems_add_err(c->out, wpath, err->msg);
	} else if (!suite) {
		const char *key = ((struct tl_entity *)e)->key;
		if (tl_key_check(key, tl_schema_of(kind)->name, &why))
			add(c->out, wpath, 0, 0, why.msg);
		else if (tl_store_check_fields(c->s, kind, e, &why))
			tl_problems_add_err(c->out, wpath, why.msg);
		tl_list_push(&c->loaded, e);
		e = NULL;
	}
	tl_entity_free(kind, e);
	tl_err_clear(&why);
	free(wpath);
	free(path);
}

/* Every file of the folder: read and parsed on two threads, then checked
 * in order. */
static void walk_kind(struct pctx *c, const char *sub, enum tl_kind kind)
{
	char *dir = tl_format("%s/%s", c->project, sub);
	struct tl_err err = TL_ERR_INIT;
	struct tl_strlist rels = { 0 }, load = { 0 };
	enum tl_kind *kinds;
	size_t *at; /* index in load, or (size_t)-1 */
	void **ents;
	struct tl_err *errs;
	int walked;

	c->sub = sub;
	c->kind = kind;
	c->loaded.kind = kind;
	walked = tl_store_walk(c->s, dir, collect, &rels, &err);
	kinds = tl_calloc(rels.n ? rels.n : 1, sizeof(*kinds));
	at = tl_calloc(rels.n ? rels.n : 1, sizeof(*at));
	for (size_t i = 0; i < rels.n; i++) {
		const char *slash = strrchr(rels.v[i], '/');
		int suite =
			!strcmp(slash ? slash + 1 : rels.v[i], "_suite.yaml");
		at[i] = (size_t)-1;
		if (!ends_with(rels.v[i], ".yaml") ||
			(suite && kind != TL_KIND_CASE))
			continue;
		kinds[load.n] = suite ? TL_KIND_SUITE : kind;
		at[i] = load.n;
		tl_strlist_push(&load, rels.v[i]);
	}
	ents = tl_calloc(load.n ? load.n : 1, sizeof(*ents));
	errs = tl_calloc(load.n ? load.n : 1, sizeof(*errs));
	for (size_t i = 0; i < load.n; i++)
		errs[i] = (struct tl_err)TL_ERR_INIT;
	tl_store_load_files(c->s, dir, &load, kinds, 2, ents, errs);
	for (size_t i = 0; i < rels.n; i++)
		visit(c, rels.v[i], at[i] == (size_t)-1 ? NULL : ents[at[i]],
			at[i] == (size_t)-1 ? NULL : &errs[at[i]]);
	if (walked) {
		char *w = tl_store_wpath(c->s, dir);
		add(c->out, w, 0, 0, err.msg);
		free(w);
	}
	for (size_t i = 0; i < load.n; i++)
		tl_err_clear(&errs[i]);
	free(errs);
	free(ents);
	free(at);
	free(kinds);
	tl_strlist_release(&load);
	tl_strlist_release(&rels);
	tl_err_clear(&err);
	free(dir);
}

static int cmp_lower(const void *a, const void *b)
{
	return tl_key_casecmp(*(char *const *)a, *(char *const *)b);
}

/* The entities' keys, for lookups: a scan of a list for each of 100,000
 * cases made a check of an imported suite run for minutes. */
static void key_map(struct tl_strmap *m, const struct tl_list *l)
{
	memset(m, 0, sizeof(*m));
	tl_strmap_reserve(m, l->n);
	for (size_t i = 0; i < l->n; i++)
		tl_strmap_put(m, ((struct tl_entity *)l->v[i])->key, i);
}

static void check_cases(struct pctx *c, const struct tl_list *reqs)
{
	const struct tl_list *cases = &c->loaded;
	char **keys = tl_calloc(cases->n ? cases->n : 1, sizeof(*keys));
	struct tl_strmap req_keys, autos; /* automation id -> first case */

	key_map(&req_keys, reqs);
	memset(&autos, 0, sizeof(autos));
	for (size_t i = 0; i < cases->n; i++) {
		struct tl_case *k = cases->v[i];
		size_t first;
		keys[i] = k->ent.key;
		for (size_t r = 0; r < k->requirements.n; r++) {
			if (tl_strmap_get(&req_keys, k->requirements.v[r]) ==
				(size_t)-1) {
				const struct tl_value *at = tl_value_get(
					k->ent.doc, "requirements");
				char *m = tl_format(
					"requirement '%s' does not exist in "
					"project '%s'",
					k->requirements.v[r], c->project);
				add(c->out, k->ent.path, at ? at->line : 0,
					at ? at->col : 0, m);
				free(m);
			}
		}
		if (!k->automation)
			continue;
		first = tl_strmap_get(&autos, k->automation);
		if (first == (size_t)-1) {
			tl_strmap_put(&autos, k->automation, i);
		} else {
			const struct tl_case *o = cases->v[first];
			const struct tl_value *at =
				tl_value_get(k->ent.doc, "automation");
			char *m = tl_format(
				"automation id '%s' is also used by %s",
				k->automation, o->ent.path);
			add(c->out, k->ent.path, at ? at->line : 0,
				at ? at->col : 0, m);
			free(m);
		}
	}
	/* Keys differing only in case collide on macOS and Windows. */
	tl_sort(keys, cases->n, sizeof(*keys), cmp_lower);
	for (size_t i = 1; i < cases->n; i++)
		if (!tl_key_casecmp(keys[i - 1], keys[i])) {
			char *m = tl_format(
				"case keys '%s' and '%s' differ only in "
				"letter case",
				keys[i - 1], keys[i]);
			char *p = tl_store_case_path(c->project, keys[i]);
			char *w = tl_store_wpath(c->s, p);
			add(c->out, w, 0, 0, m);
			free(w);
			free(p);
			free(m);
		}
	tl_strmap_release(&req_keys);
	tl_strmap_release(&autos);
	free(keys);
}

static int has_key(const struct tl_strmap *m, const char *key)
{
	return tl_strmap_get(m, key) != (size_t)-1;
}

static void problem_at(struct tl_problems *out, const struct tl_entity *e,
	const char *key, const char *msg)
{
	const struct tl_value *at = tl_value_get(e->doc, key);
	add(out, e->path, at ? at->line : 0, at ? at->col : 0, msg);
}

/* Runs: run.yaml and results/ of each, and what they refer to. */
static void check_runs(struct pctx *c, const struct tl_list *rels,
	const struct tl_list *defects)
{
	char *dir = tl_format("%s/runs", c->project);
	const char *pat = tl_value_gets(c->s->ws->defects, "pattern");
	struct tl_regex *re = NULL;
	struct tl_err err = TL_ERR_INIT;
	char **names;
	size_t n;
	struct tl_strmap rel_keys, defect_keys;
	key_map(&rel_keys, rels);
	key_map(&defect_keys, defects);
	if (pat && tl_regex_new(&re, pat, 0, &err))
		tl_err_clear(&err); /* tally.yaml's own check reports it */
	if (tl_store_list(c->s, dir, 1, &names, &n, &err)) {
		tl_err_clear(&err);
		n = 0;
		names = NULL;
	}
	for (size_t i = 0; i < n; i++) {
		char *runpath =
			tl_format("%s/runs/%s/run.yaml", c->project, names[i]);
		char *results = tl_format("runs/%s/results", names[i]);
		struct tl_run *run;
		if (tl_store_load((void **)&run, c->s, TL_KIND_RUN, runpath,
			    names[i], &err)) {
			char *w = tl_store_wpath(c->s, runpath);
			tl_problems_add_err(c->out, w, err.msg);
			free(w);
			tl_err_clear(&err);
		} else {
			if (run->release && !has_key(&rel_keys, run->release)) {
				char *m =
					tl_format("release '%s' does not exist",
						run->release);
				problem_at(c->out, &run->ent, "release", m);
				free(m);
			}
			if (tl_store_check_fields(c->s, TL_KIND_RUN, run, &err))
				tl_problems_add_err(
					c->out, run->ent.path, err.msg);
			tl_err_clear(&err);
			tl_entity_free(TL_KIND_RUN, run);
		}
		walk_kind(c, results, TL_KIND_RESULT);
		for (size_t j = 0; j < c->loaded.n; j++) {
			const struct tl_result *x = c->loaded.v[j];
			for (size_t d = 0; d < x->defects.n; d++) {
				const char *k = x->defects.v[d];
				char *m;
				if (has_key(&defect_keys, k) ||
					(re &&
						tl_regex_search(re, k,
							strlen(k), &err) == 1))
					continue;
				tl_err_clear(&err);
				m = tl_format(
					"defect '%s' is neither a local defect nor "
					"an external key matching defects.pattern",
					k);
				problem_at(c->out, &x->ent, "defects", m);
				free(m);
			}
		}
		tl_list_release(&c->loaded);
		free(runpath);
		free(results);
	}
	tl_fs_list_free(names, n);
	tl_regex_free(re);
	tl_strmap_release(&rel_keys);
	tl_strmap_release(&defect_keys);
	free(dir);
}

/* A load error of a tracker file, as a problem at its work-tree path. */
static void add_file_err(struct tl_problems *out, struct tl_store *s,
	const char *path, const char *msg)
{
	char *w = tl_store_wpath(s, path);
	tl_problems_add_err(out, w, msg);
	free(w);
}

int tl_check(struct tl_store *s, struct tl_problems *out, struct tl_err *err)
{
	char **names;
	size_t n;
	int rc = tl_store_list(s, "", 1, &names, &n, err), keep = s->keep_docs;
	if (rc)
		return rc;
	/* problems point at the line and column of their key */
	s->keep_docs = 1;
	for (size_t i = 0; i < n; i++) {
		struct pctx c = { s, out, names[i], NULL, 0, { 0 } };
		struct tl_list reqs, rels, defects;
		char *ppath = tl_format("%s/project.yaml", names[i]);
		struct tl_err e = TL_ERR_INIT;
		void *proj;
		if (!tl_store_is_file(s, ppath)) {
			free(ppath);
			continue; /* not a project folder */
		}
		if (tl_store_load(
			    &proj, s, TL_KIND_PROJECT, ppath, names[i], &e)) {
			add_file_err(out, s, ppath, e.msg);
		} else {
			if (tl_store_check_fields(s, TL_KIND_PROJECT, proj, &e))
				tl_problems_add_err(out,
					((struct tl_entity *)proj)->path,
					e.msg);
			tl_entity_free(TL_KIND_PROJECT, proj);
		}
		tl_err_clear(&e);
		walk_kind(&c, "requirements", TL_KIND_REQUIREMENT);
		reqs = c.loaded;
		memset(&c.loaded, 0, sizeof(c.loaded));
		walk_kind(&c, "releases", TL_KIND_RELEASE);
		rels = c.loaded;
		memset(&c.loaded, 0, sizeof(c.loaded));
		walk_kind(&c, "defects", TL_KIND_DEFECT);
		defects = c.loaded;
		memset(&c.loaded, 0, sizeof(c.loaded));
		walk_kind(&c, "cases", TL_KIND_CASE);
		check_cases(&c, &reqs);
		tl_list_release(&c.loaded);
		check_runs(&c, &rels, &defects);
		tl_list_release(&reqs);
		tl_list_release(&rels);
		tl_list_release(&defects);
		free(ppath);
	}
	tl_fs_list_free(names, n);
	{
		struct tl_quarantine q;
		struct tl_err e = TL_ERR_INIT;
		if (tl_quarantine_load(&q, s, &e))
			add_file_err(out, s, "quarantine.yaml", e.msg);
		tl_quarantine_release(&q);
		tl_err_clear(&e);
	}
	{
		struct tl_params p;
		struct tl_err e = TL_ERR_INIT;
		if (tl_params_of(&p, s, &e))
			add_file_err(out, s, "tally.yaml", e.msg);
		tl_err_clear(&e);
	}
	s->keep_docs = keep;
	return 0;
}

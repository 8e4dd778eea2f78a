#include "cmd/tally.h"
#include "core/fs.h"
#include "core/key.h"
#include "core/resolve.h"
#include "core/strmap.h"
#include "formats/entity.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

/* clang-format off */
#define REQ_OPTS_COMMON \
	{ "description", 0, OPT_STR, "TEXT", "what is required", NULL }, \
	{ "status", 0, OPT_STR, "STATUS", "draft, approved, implemented, verified or obsolete", tl_req_statuses }, \
	{ "priority", 0, OPT_STR, "PRIORITY", "low, medium, high or critical", tl_priorities }, \
	{ "owner", 0, OPT_STR, "USER", "who owns it", NULL }, \
	{ "url", 0, OPT_STR, "URL", "where it is specified", NULL }, \
	{ "field", 0, OPT_LIST, "NAME=VALUE", "set a custom field (NAME= removes it)", NULL }
/* clang-format on */

const struct opt_spec opts_req_new[] = {
	{ "key", 0, OPT_STR, "KEY",
		"the key (like REQ-12) instead of a generated one", NULL },
	REQ_OPTS_COMMON,
	{ NULL, 0, 0, NULL, NULL, NULL },
};

const struct opt_spec opts_req_edit[] = {
	{ "title", 0, OPT_STR, "TITLE", "a new title", NULL },
	REQ_OPTS_COMMON,
	{ NULL, 0, 0, NULL, NULL, NULL },
};

const struct opt_spec opts_req_list[] = {
	{ "status", 0, OPT_STR, "STATUS", "only requirements in this status",
		tl_req_statuses },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static int apply(struct ctx *c, struct args *a, struct tl_requirement *r)
{
	const struct tl_value *fields = arg_list(a, "field");
	int rc = 0;
	opt_set_str(&r->description, arg_str(a, "description"));
	opt_set_str(&r->status, arg_str(a, "status"));
	opt_set_str(&r->priority, arg_str(a, "priority"));
	opt_set_str(&r->owner, arg_str(a, "owner"));
	opt_set_str(&r->url, arg_str(a, "url"));
	for (size_t i = 0; fields && i < fields->n && !rc; i++)
		rc = tl_fields_assign(&c->store->fields, "requirement",
			&r->fields, fields->items[i]->str, &c->err);
	return rc;
}

static int commit_req(struct ctx *c, const char *project,
	struct tl_requirement *r, const char *verb, const char *action)
{
	char *path = tl_store_req_path(project, r->ent.key);
	int rc = commit_entity(c, TL_KIND_REQUIREMENT, r, path, r->ent.key,
		project, verb, action, "Requirement");
	free(path);
	return rc;
}

int cmd_req_new(struct ctx *c, struct args *a)
{
	struct tl_store *s;
	struct tl_requirement *r = NULL;
	struct tl_list existing = { 0 };
	struct tl_buf key = TL_BUF_INIT;
	char *project = NULL, *path = NULL;
	int rc;

	if ((rc = ctx_store(c, &s)) || (rc = ctx_project(c, &project)))
		return rc;
	if ((rc = new_key(c, &key, arg_str(a, "key"), a->pos.v[0], NULL,
		     "requirement")))
		goto out;
	if ((rc = tl_store_requirements(s, project, &existing, &c->err)))
		goto out;
	for (size_t i = 0; i < existing.n; i++) {
		const char *ek =
			((struct tl_requirement *)existing.v[i])->ent.key;
		if (!tl_key_casecmp(ek, key.ptr)) {
			rc = tl_err_set(&c->err, TL_EEXISTS,
				"requirement '%s' exists already", ek);
			goto out;
		}
	}
	path = tl_store_req_path(project, key.ptr);
	r = tl_entity_new(TL_KIND_REQUIREMENT);
	r->ent.key = tl_strdup(key.ptr);
	r->ent.path = tl_store_wpath(s, path);
	r->title = tl_strdup(a->pos.v[0]);
	r->status = tl_strdup("draft");
	rc = apply(c, a, r);
	if (!rc)
		rc = commit_req(c, project, r, "new", "req-new");
out:
	tl_requirement_free(r);
	tl_list_release(&existing);
	tl_buf_release(&key);
	free(project);
	free(path);
	return rc;
}

/* Whether l's item j came earlier in l too. */
static int seen_before(const struct tl_strlist *l, size_t j)
{
	for (size_t i = 0; i < j; i++)
		if (!strcmp(l->v[i], l->v[j]))
			return 1;
	return 0;
}

/* How many cases cover a requirement. */
static long long cases_covering(
	const struct tl_requirement *r, const struct tl_list *cases)
{
	long long n = 0;
	for (size_t i = 0; i < cases->n; i++)
		n += tl_strlist_has(
			&((struct tl_case *)cases->v[i])->requirements,
			r->ent.key);
	return n;
}

/* The covering cases of every requirement, in one pass over the cases
 * (a pass for each requirement is requirements times cases). */
static long long *count_covering(
	const struct tl_list *reqs, const struct tl_list *cases)
{
	long long *n = tl_calloc(reqs->n ? reqs->n : 1, sizeof(*n));
	struct tl_strmap at = { 0 };
	tl_strmap_reserve(&at, reqs->n);
	for (size_t i = 0; i < reqs->n; i++)
		tl_strmap_put(&at, ((struct tl_entity *)reqs->v[i])->key, i);
	for (size_t i = 0; i < cases->n; i++) {
		const struct tl_strlist *l =
			&((struct tl_case *)cases->v[i])->requirements;
		for (size_t j = 0; j < l->n; j++) {
			size_t k = tl_strmap_get(&at, l->v[j]);
			/* a case naming one twice covers it once */
			if (k != (size_t)-1 && !seen_before(l, j))
				n[k]++;
		}
	}
	tl_strmap_release(&at);
	return n;
}

static struct tl_value *req_row(
	const char *project, const struct tl_requirement *r, long long n)
{
	struct tl_value *row = tl_value_map();
	tl_value_put(row, "key", tl_value_str(r->ent.key));
	tl_value_put(row, "project", tl_value_str(project));
	tl_value_put(row, "title", tl_value_str(r->title));
	tl_value_put(row, "description", opt_strv(r->description));
	tl_value_put(row, "status", opt_strv(r->status));
	tl_value_put(row, "priority", opt_strv(r->priority));
	tl_value_put(row, "owner", opt_strv(r->owner));
	tl_value_put(row, "url", opt_strv(r->url));
	tl_value_put(row, "cases", tl_value_int(n));
	tl_value_put(row, "fields",
		r->fields ? tl_value_dup(r->fields) : tl_value_map());
	tl_value_put(row, "path", tl_value_str(r->ent.path));
	return row;
}

int cmd_req_list(struct ctx *c, struct args *a)
{
	static const char *const defaults[] = { "key", "title", "status",
		"cases", NULL };
	static const char *const defaults_ws[] = { "project", "key", "title",
		"status", "cases", NULL };
	static const char *const all[] = { "key", "project", "title",
		"description", "status", "priority", "owner", "url", "cases",
		"fields", "path", NULL };
	struct tl_store *s;
	struct tl_strlist projects = { 0 };
	struct tl_value *rows = tl_value_seq();
	const char *status = arg_str(a, "status");
	int rc;
	if ((rc = ctx_store(c, &s)) || (rc = ctx_projects(c, &projects)))
		goto out;
	for (size_t p = 0; p < projects.n && !rc; p++) {
		struct tl_list reqs = { 0 }, cases = { 0 };
		rc = tl_store_requirements(s, projects.v[p], &reqs, &c->err);
		if (!rc)
			rc = tl_store_cases(s, projects.v[p], &cases, &c->err);
		if (!rc) {
			long long *n = count_covering(&reqs, &cases);
			for (size_t i = 0; i < reqs.n; i++) {
				struct tl_requirement *r = reqs.v[i];
				if (status &&
					(!r->status ||
						strcmp(r->status, status)))
					continue;
				tl_value_push(
					rows, req_row(projects.v[p], r, n[i]));
			}
			free(n);
		}
		tl_list_release(&reqs);
		tl_list_release(&cases);
	}
	if (!rc)
		rc = out_rows(c, a, rows,
			c->all_projects ? defaults_ws : defaults, all);
out:
	tl_value_free(rows);
	tl_strlist_release(&projects);
	return rc;
}

/* Loads the project's requirements and cases, and resolves one. */
static int load_req(struct ctx *c, const char *ref, char **project,
	struct tl_list *reqs, struct tl_list *cases,
	struct tl_requirement **out)
{
	struct tl_store *s;
	int rc;
	if ((rc = ctx_store(c, &s)) || (rc = ctx_project(c, project)) ||
		(rc = tl_store_requirements(s, *project, reqs, &c->err)) ||
		(rc = tl_store_cases(s, *project, cases, &c->err)))
		return rc;
	return tl_resolve_list(reqs, ref, "requirement", (void **)out, &c->err);
}

static void req_text(struct ctx *c, const struct tl_value *o, struct tl_buf *b)
{
	static const char *const keys[] = { "status", "priority", "owner",
		"url", NULL };
	const struct tl_value *cases = tl_value_get(o, "covered_by");
	tl_buf_printf(b, "%s%s%s  %s\n", out_bold(c), tl_value_gets(o, "key"),
		out_reset(c), tl_value_gets(o, "title"));
	if (tl_value_gets(o, "description"))
		tl_buf_printf(b, "\n%s\n", tl_value_gets(o, "description"));
	tl_buf_putc(b, '\n');
	for (const char *const *k = keys; *k; k++)
		tl_buf_printf(b, "%-9s %s\n", *k,
			tl_value_gets(o, *k) ? tl_value_gets(o, *k) : "-");
	tl_buf_printf(b, "\n%sCovered by %zu case%s%s\n", out_bold(c),
		cases ? cases->n : 0, cases && cases->n == 1 ? "" : "s",
		out_reset(c));
	for (size_t i = 0; cases && i < cases->n; i++)
		tl_buf_printf(b, "  %s  %s\n",
			tl_value_gets(cases->items[i], "key"),
			tl_value_gets(cases->items[i], "title"));
}

int cmd_req_show(struct ctx *c, struct args *a)
{
	struct tl_list reqs = { 0 }, cases = { 0 };
	struct tl_requirement *r;
	char *project = NULL;
	int rc = load_req(c, a->pos.v[0], &project, &reqs, &cases, &r);
	if (!rc) {
		struct tl_value *o =
			req_row(project, r, cases_covering(r, &cases));
		struct tl_value *cov = tl_value_seq();
		for (size_t i = 0; i < cases.n; i++) {
			struct tl_case *k = cases.v[i];
			struct tl_value *row;
			if (!tl_strlist_has(&k->requirements, r->ent.key))
				continue;
			row = tl_value_map();
			tl_value_put(row, "key", tl_value_str(k->ent.key));
			tl_value_put(row, "title", tl_value_str(k->title));
			tl_value_push(cov, row);
		}
		tl_value_put(o, "covered_by", cov);
		rc = out_object(c, o, req_text);
		tl_value_free(o);
	}
	tl_list_release(&reqs);
	tl_list_release(&cases);
	free(project);
	return rc;
}

int cmd_req_edit(struct ctx *c, struct args *a)
{
	struct tl_list reqs = { 0 }, cases = { 0 };
	struct tl_requirement *r, *edited = NULL;
	char *project = NULL, *path = NULL;
	int rc = load_req(c, a->pos.v[0], &project, &reqs, &cases, &r);
	if (rc)
		goto out;
	if (!a->vals->n) {
		path = tl_store_req_path(project, r->ent.key);
		rc = edit_with_editor(c, TL_KIND_REQUIREMENT, path, r->ent.key,
			(void **)&edited);
		if (rc == 1) {
			if (!c->quiet)
				fprintf(stderr, "no change to requirement %s\n",
					r->ent.key);
			rc = 0;
		} else if (!rc) {
			rc = commit_req(c, project, edited, "edit", "req-edit");
		}
		goto out;
	}
	opt_set_str(&r->title, arg_str(a, "title"));
	rc = apply(c, a, r);
	if (!rc)
		rc = commit_req(c, project, r, "edit", "req-edit");
out:
	tl_requirement_free(edited);
	tl_list_release(&reqs);
	tl_list_release(&cases);
	free(project);
	free(path);
	return rc;
}

int cmd_req_rm(struct ctx *c, struct args *a)
{
	struct tl_list reqs = { 0 }, cases = { 0 };
	struct tl_requirement *r;
	char *project = NULL, *path = NULL;
	size_t covering = 0;
	int rc = load_req(c, a->pos.v[0], &project, &reqs, &cases, &r);
	if (rc)
		goto out;
	covering = (size_t)cases_covering(r, &cases);
	if (covering && !arg_flag(a, "force")) {
		rc = tl_err_set(&c->err, TL_ECONFLICT,
			"requirement %s is covered by %zu case%s (see tally req show %s); "
			"use --force to remove it anyway",
			r->ent.key, covering, covering == 1 ? "" : "s",
			r->ent.key);
		goto out;
	}
	path = tl_store_req_path(project, r->ent.key);
	rc = commit_entity(c, TL_KIND_REQUIREMENT, NULL, path, r->ent.key,
		project, "remove", "req-rm", "Requirement");
out:
	tl_list_release(&reqs);
	tl_list_release(&cases);
	free(project);
	free(path);
	return rc;
}

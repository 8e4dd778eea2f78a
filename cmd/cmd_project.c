#include "cmd/tally.h"
#include "core/fs.h"
#include "core/key.h"
#include "formats/entity.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

const struct opt_spec opts_project_new[] = {
	{ "title", 0, OPT_STR, "TITLE", "a human title (default: the key)",
		NULL },
	{ "description", 0, OPT_STR, "TEXT", "what the project covers", NULL },
	{ "owner", 0, OPT_STR, "USER", "who owns it", NULL },
	{ "field", 0, OPT_LIST, "NAME=VALUE", "set a custom field", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

int cmd_project_new(struct ctx *c, struct args *a)
{
	const char *key = a->pos.v[0];
	struct tl_store *s;
	struct tl_project *p = NULL;
	struct tl_txn t = { 0 };
	const struct tl_value *fields = arg_list(a, "field");
	char *path = NULL, *full = NULL, *subject = NULL, *trailers = NULL;
	int rc = ctx_store(c, &s);

	if (rc)
		return rc;
	if ((rc = tl_key_check(key, "project", &c->err)))
		return rc;
	if (strchr(key, '/'))
		return tl_err_set(&c->err, TL_EINVALID,
			"a project key is one folder name, not '%s'", key);
	path = tl_format("%s/project.yaml", key);
	full = tl_path_join(s->root, key);
	if (tl_fs_is_dir(full)) {
		rc = tl_err_set(&c->err, TL_EEXISTS,
			"project '%s' exists already", key);
		goto out;
	}
	p = tl_entity_new(TL_KIND_PROJECT);
	p->ent.path = tl_store_wpath(s, path);
	p->title = tl_strdup(arg_str(a, "title") ? arg_str(a, "title") : key);
	p->description = tl_strdup(arg_str(a, "description"));
	p->owner = tl_strdup(arg_str(a, "owner"));
	for (size_t i = 0; fields && i < fields->n && !rc; i++)
		rc = tl_fields_assign(&s->fields, "project", &p->fields,
			fields->items[i]->str, &c->err);
	if (rc || (rc = tl_txn_put(&t, s, TL_KIND_PROJECT, p, path, &c->err)))
		goto out;
	subject = tl_format("new project %s", key);
	trailers = tl_format(
		"Tally-Action: project-new\nTally-Project: %s\n", key);
	rc = ctx_commit(c, &t, subject, trailers, key, p->ent.path);
out:
	tl_txn_release(&t);
	tl_project_free(p);
	free(path);
	free(full);
	free(subject);
	free(trailers);
	return rc;
}

static struct tl_value *project_row(
	struct tl_store *s, const struct tl_project *p)
{
	struct tl_value *r = tl_value_map();
	struct tl_list cases = { 0 };
	struct tl_err err = TL_ERR_INIT;
	tl_value_put(r, "key", tl_value_str(p->ent.key));
	tl_value_put(r, "title", opt_strv(p->title));
	tl_value_put(r, "description", opt_strv(p->description));
	tl_value_put(r, "owner", opt_strv(p->owner));
	tl_value_put(r, "default",
		tl_value_bool(s->ws->default_project &&
			!strcmp(s->ws->default_project, p->ent.key)));
	if (!tl_store_cases(s, p->ent.key, &cases, &err))
		tl_value_put(r, "cases", tl_value_int((long long)cases.n));
	else
		tl_value_put(r, "cases", tl_value_null());
	tl_list_release(&cases);
	tl_err_clear(&err);
	tl_value_put(r, "fields",
		p->fields ? tl_value_dup(p->fields) : tl_value_map());
	tl_value_put(r, "path", tl_value_str(p->ent.path));
	return r;
}

int cmd_project_list(struct ctx *c, struct args *a)
{
	static const char *const defaults[] = { "key", "title", "cases",
		"owner", NULL };
	static const char *const all[] = { "key", "title", "description",
		"owner", "default", "cases", "fields", "path", NULL };
	struct tl_store *s;
	struct tl_list l = { 0 };
	struct tl_value *rows;
	int rc;
	if ((rc = ctx_store(c, &s)) || (rc = tl_store_projects(s, &l, &c->err)))
		return rc;
	rows = tl_value_seq();
	for (size_t i = 0; i < l.n; i++)
		tl_value_push(rows, project_row(s, l.v[i]));
	rc = out_rows(c, a, rows, defaults, all);
	tl_value_free(rows);
	tl_list_release(&l);
	return rc;
}

static void project_text(
	struct ctx *c, const struct tl_value *o, struct tl_buf *b)
{
	tl_buf_printf(b, "%s%s%s  %s\n", out_bold(c), tl_value_gets(o, "key"),
		out_reset(c),
		tl_value_gets(o, "title") ? tl_value_gets(o, "title") : "");
	if (tl_value_gets(o, "description"))
		tl_buf_printf(b, "\n%s\n\n", tl_value_gets(o, "description"));
	tl_buf_printf(b, "owner:   %s\n",
		tl_value_gets(o, "owner") ? tl_value_gets(o, "owner") : "-");
	tl_buf_printf(b, "cases:   %s\n",
		tl_value_gets(o, "cases") ? tl_value_gets(o, "cases") : "?");
	tl_buf_printf(b, "default: %s\n", tl_value_gets(o, "default"));
	tl_buf_printf(b, "file:    %s\n", tl_value_gets(o, "path"));
}

int cmd_project_show(struct ctx *c, struct args *a)
{
	struct tl_store *s;
	struct tl_project *p;
	struct tl_value *row;
	char *key = NULL, *path;
	int rc = ctx_store(c, &s);
	if (!rc)
		rc = tl_store_project(
			s, a->pos.n ? a->pos.v[0] : c->project, &key, &c->err);
	if (rc)
		return rc;
	path = tl_format("%s/project.yaml", key);
	rc = tl_store_load((void **)&p, s, TL_KIND_PROJECT, path, key, &c->err);
	if (!rc) {
		row = project_row(s, p);
		rc = out_object(c, row, project_text);
		tl_value_free(row);
		tl_project_free(p);
	}
	free(path);
	free(key);
	return rc;
}

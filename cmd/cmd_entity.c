/* Helpers shared by the entity commands: values for rows, and the
 * edit-in-$EDITOR flow with validation before anything is committed. */
#include "cmd/tally.h"
#include "core/fs.h"
#include "core/key.h"
#include "formats/entity.h"
#include "formats/yaml.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

struct tl_value *strlist_value(const struct tl_strlist *l)
{
	struct tl_value *v = tl_value_seq();
	for (size_t i = 0; i < l->n; i++)
		tl_value_push(v, tl_value_str(l->v[i]));
	return v;
}

struct tl_value *opt_strv(const char *s)
{
	return s ? tl_value_str(s) : tl_value_null();
}

/* Returns 0 with *out set, 1 when the file was not changed, or an error
 * (the file then stays as the user left it, uncommitted). */
int edit_with_editor(struct ctx *c, enum tl_kind kind, const char *path,
	const char *key, void **out)
{
	struct tl_store *s = c->store;
	char *full = tl_path_join(s->root, path);
	char *wpath = tl_store_wpath(s, path);
	struct tl_buf before = TL_BUF_INIT, after = TL_BUF_INIT;
	int rc;

	*out = NULL;
	rc = tl_fs_read(&before, full, TL_YAML_MAX_BYTES, &c->err);
	if (!rc)
		rc = ctx_run_editor(c, full);
	if (!rc)
		rc = tl_fs_read(&after, full, TL_YAML_MAX_BYTES, &c->err);
	if (rc)
		goto out;
	if (after.len == before.len &&
		!memcmp(after.ptr, before.ptr, after.len)) {
		rc = 1;
		goto out;
	}
	rc = tl_entity_parse(out, kind, wpath, after.ptr, after.len, &c->err);
	if (!rc) {
		((struct tl_entity *)*out)->key = tl_strdup(key);
		((struct tl_entity *)*out)->path = tl_strdup(wpath);
		rc = tl_store_check_fields(s, kind, *out, &c->err);
	}
	if (rc) {
		tl_entity_free(kind, *out);
		*out = NULL;
		char *why = c->err.msg;
		int code = c->err.code;
		c->err.msg = NULL;
		tl_err_set(&c->err, code,
			"%s\nthe edit was not committed; the file "
			"keeps your text: fix it and edit again, or undo it with "
			"'git checkout -- %s'",
			why, wpath);
		free(why);
	}
out:
	tl_buf_release(&before);
	tl_buf_release(&after);
	free(full);
	free(wpath);
	return rc;
}

void opt_set_str(char **dst, const char *v)
{
	if (!v)
		return;
	free(*dst);
	*dst = *v ? tl_strdup(v) : NULL;
}

int commit_entity(struct ctx *c, enum tl_kind kind, const void *e,
	const char *path, const char *key, const char *project,
	const char *verb, const char *action, const char *trailer)
{
	struct tl_txn t = { 0 };
	char *wpath = tl_store_wpath(c->store, path);
	char *subject =
		tl_format("%s %s %s", verb, tl_schema_of(kind)->name, key);
	char *trailers =
		tl_format("Tally-Action: %s\nTally-Project: %s\nTally-%s: %s\n",
			action, project, trailer, key);
	int rc = 0;
	if (e)
		rc = tl_txn_put(&t, c->store, kind, e, path, &c->err);
	else
		tl_txn_remove(&t, c->store, path);
	if (!rc)
		rc = ctx_commit(c, &t, subject, trailers, key, wpath);
	tl_txn_release(&t);
	free(wpath);
	free(subject);
	free(trailers);
	return rc;
}

int opt_assign_kv(
	struct ctx *c, struct tl_value **map, const char *kv, const char *opt)
{
	const char *eq = strchr(kv, '=');
	char *k;
	if (!eq || eq == kv)
		return tl_err_set(&c->err, TL_EUSAGE,
			"--%s takes KEY=VALUE, not '%s'", opt, kv);
	if (!*map)
		*map = tl_value_map();
	k = tl_strndup(kv, (size_t)(eq - kv));
	if (eq[1])
		tl_value_set(*map, k, tl_value_str(eq + 1));
	else
		tl_value_del(*map, k);
	free(k);
	return 0;
}

int new_key(struct ctx *c, struct tl_buf *key, const char *given,
	const char *title, const char *prefix, const char *what)
{
	int rc;
	if (given) {
		tl_buf_puts(key, given);
	} else {
		/* two offline users never generate the same key (DESIGN.md) */
		tl_buf_puts(key, prefix ? prefix : "");
		tl_slugify(key, title);
		tl_buf_putc(key, '-');
		if ((rc = tl_key_random(key, 4, &c->err)))
			return rc;
	}
	if ((rc = tl_key_check(key->ptr, what, &c->err)))
		return rc;
	if (strchr(key->ptr, '/'))
		return tl_err_set(&c->err, TL_EINVALID,
			"a %s key has no '/': '%s'", what, key->ptr);
	return 0;
}

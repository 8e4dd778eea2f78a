/* tally log [RUN [CASE]]: the audit trail, from the commits. */
#include "cmd/tally.h"
#include "core/strmap.h"
#include "core/strpool.h"
#include "core/time.h"
#include "core/walk.h"
#include "formats/yaml.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

/* clang-format off */
const struct opt_spec opts_log[] = {
	{ "max-count", 'n', OPT_STR, "N", "only the N newest changes", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};
/* clang-format on */

struct trail {
	const char *run; /* a run folder name, or NULL */
	const char *casekey; /* with run: one result */
	/* path -> index in status: what each file's last version said (""
	 * when it had no status; NULL when it is deleted). A hash table: a
	 * tl_value map is searched in a line, and the whole trail of a
	 * 5,000-commit tracker ran for more than ten minutes on it. */
	struct tl_strmap paths;
	struct tl_strpool pool; /* the paths and statuses */
	const char **status;
	size_t n, cap;
	struct tl_value *rows; /* oldest first */
	size_t max; /* with -n: rows kept (0: all) */
};

/* With -n, only the newest rows are kept: at twice the count, the older
 * half goes (the walk is oldest first; a trail of 195,684 changes held
 * 456 MB as rows). */
static void keep_newest(struct trail *t)
{
	size_t drop;
	if (!t->max || t->rows->n < 2 * t->max)
		return;
	drop = t->rows->n - t->max;
	for (size_t i = 0; i < drop; i++)
		tl_value_free(t->rows->items[i]);
	memmove(t->rows->items, t->rows->items + drop,
		t->max * sizeof(*t->rows->items));
	t->rows->n = t->max;
}

/* What kind of file a path below the project is, and its key. */
static const char *kind_of(const char *path, char **key)
{
	static const struct {
		const char *dir, *kind;
	} dirs[] = { { "cases/", "case" }, { "requirements/", "requirement" },
		{ "releases/", "release" }, { "defects/", "defect" } };
	const char *slash;
	size_t n = strlen(path);
	*key = NULL;
	if (!strncmp(path, "runs/", 5) && (slash = strchr(path + 5, '/'))) {
		const char *rest = slash + 1;
		char *run = tl_strndup(path + 5, (size_t)(slash - path - 5));
		if (!strcmp(rest, "run.yaml")) {
			*key = run;
			return "run";
		}
		if (!strncmp(rest, "results/", 8) && n > 5 &&
			!strcmp(path + n - 5, ".yaml")) {
			*key = tl_format("%s:%.*s", run,
				(int)(strlen(rest + 8) - 5), rest + 8);
			free(run);
			return "result";
		}
		if (!strncmp(rest, "attachments/", 12)) {
			*key = tl_format("%s:%s", run, rest + 12);
			free(run);
			return "attachment";
		}
		free(run);
		return NULL;
	}
	if (!strcmp(path, "project.yaml")) {
		*key = tl_strdup("-");
		return "project";
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		size_t d = strlen(dirs[i].dir);
		if (!strncmp(path, dirs[i].dir, d) && n > d + 5 &&
			!strcmp(path + n - 5, ".yaml")) {
			*key = tl_strndup(path + d, n - d - 5);
			return dirs[i].kind;
		}
	}
	return NULL;
}

static int want(const char *path, int is_folder, void *vctx)
{
	struct trail *t = vctx;
	size_t n;
	if (!t->run)
		return 1;
	if (!strcmp(path, "runs"))
		return is_folder;
	if (strncmp(path, "runs/", 5))
		return 0;
	n = strlen(t->run);
	if (strncmp(path + 5, t->run, n) || (path[5 + n] && path[5 + n] != '/'))
		return 0;
	if (!t->casekey || !path[5 + n])
		return 1;
	{
		const char *rest = path + 5 + n + 1;
		size_t k = strlen(t->casekey);
		if (!strcmp(rest, "results"))
			return is_folder;
		if (strncmp(rest, "results/", 8))
			return 0;
		rest += 8;
		if (is_folder)
			return !strncmp(t->casekey, rest, strlen(rest)) &&
				t->casekey[strlen(rest)] == '/';
		return !strncmp(rest, t->casekey, k) &&
			!strcmp(rest + k, ".yaml");
	}
}

static char *status_in(const char *data, size_t len)
{
	struct tl_value *doc = NULL;
	struct tl_err ignore = TL_ERR_INIT;
	char *s = NULL;
	if (!tl_yaml_parse(&doc, "result", data, len, &ignore) && doc &&
		tl_value_gets(doc, "status"))
		s = tl_strdup(tl_value_gets(doc, "status"));
	tl_err_clear(&ignore);
	tl_value_free(doc);
	return s;
}

/* A result blob's status, on a helper thread (tl_walk_opts.parse): "="
 * and its text, or nothing when it has none (or is no result). */
static void parse_status(
	const char *path, const char *data, size_t len, struct tl_buf *out)
{
	char *key = NULL, *status;
	const char *kind = kind_of(path, &key);
	free(key);
	if (!kind || strcmp(kind, "result"))
		return;
	if ((status = status_in(data, len))) {
		tl_buf_putc(out, '=');
		tl_buf_puts(out, status);
	}
	free(status);
}

static int on_change(
	const struct tl_blob_change *ch, void *vctx, struct tl_err *err)
{
	struct trail *t = vctx;
	struct tl_value *r;
	char *key = NULL, *now = NULL, date[32];
	const char *kind = kind_of(ch->path, &key);
	size_t at = tl_strmap_get(&t->paths, ch->path);
	const char *before = at == (size_t)-1 ? NULL : t->status[at];
	(void)err;
	if (!kind) {
		free(key);
		return 0;
	}
	if (!strcmp(kind, "result") && ch->rec && ch->rec_len)
		now = tl_strndup(ch->rec + 1, ch->rec_len - 1);
	r = tl_value_map();
	tl_time_format(ch->time, date, sizeof(date));
	tl_value_put(r, "time", tl_value_str(date));
	tl_value_put(r, "commit", tl_value_str(ch->commit));
	tl_value_put(r, "author", tl_value_str(ch->author));
	tl_value_put(r, "action",
		tl_value_str(!ch->blob	 ? "deleted"
				: before ? "changed"
					 : "added"));
	tl_value_put(r, "kind", tl_value_str(kind));
	tl_value_put(r, "key", tl_value_str(key));
	tl_value_put(r, "from",
		before && *before ? tl_value_str(before) : tl_value_null());
	tl_value_put(r, "to", now ? tl_value_str(now) : tl_value_null());
	tl_value_put(r, "subject",
		ch->subject ? tl_value_str(ch->subject) : tl_value_null());
	tl_value_push(t->rows, r);
	keep_newest(t);
	if (at == (size_t)-1) {
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 256;
			t->status = tl_realloc(
				t->status, tl_mul(t->cap, sizeof(*t->status)));
		}
		at = t->n++;
		tl_strmap_put(
			&t->paths, tl_strpool_add(&t->pool, ch->path), at);
	}
	/* statuses are few words: kept once each */
	t->status[at] =
		!ch->blob ? NULL : tl_strpool_intern(&t->pool, now ? now : "");
	free(now);
	free(key);
	return 0;
}

int cmd_log(struct ctx *c, struct args *a)
{
	static const char *const cols[] = { "time", "commit", "author",
		"action", "kind", "key", "from", "to", NULL };
	static const char *const all[] = { "time", "commit", "author", "action",
		"kind", "key", "from", "to", "subject", NULL };
	struct tl_store *s;
	struct trail t;
	struct tl_value *rows = tl_value_seq();
	char *project = NULL, *prefix = NULL;
	int rc;

	memset(&t, 0, sizeof(t));
	t.rows = tl_value_seq();
	if ((rc = arg_number(c, a, "max-count", 0, &t.max)) ||
		(rc = ctx_store(c, &s)) || (rc = ctx_project(c, &project)))
		goto out;
	t.run = a->pos.n > 0 ? a->pos.v[0] : NULL;
	t.casekey = a->pos.n > 1 ? a->pos.v[1] : NULL;
	prefix = tl_format("%s%s", s->prefix, project);
	/* the run's key as written: deleted runs are not in the tree, so
	 * the reference is its folder's name */
	{
		/* blobs read as the walk goes and parsed for their status on
		 * a second thread */
		struct tl_walk_opts o = { NULL, NULL, NULL, NULL, parse_status,
			0 };
		if ((rc = tl_walk_changes_opts(s->repo, c->at, prefix, want,
			     on_change, &t, &o, &c->err)))
			goto out;
	}
	if (t.run && !t.rows->n) {
		rc = tl_err_set(&c->err, TL_ENOTFOUND,
			"no change to run '%s'%s%s in the history (give the run's full key)",
			t.run, t.casekey ? " case " : "",
			t.casekey ? t.casekey : "");
		goto out;
	}
	/* newest first, as git log */
	for (size_t i = t.rows->n; i > 0 && (!t.max || rows->n < t.max); i--) {
		tl_value_push(rows, t.rows->items[i - 1]);
		t.rows->items[i - 1] = NULL;
	}
	for (size_t i = 0; i < rows->n; i++) {
		/* the short id in tables; JSON keeps the full one */
		if (c->format != FMT_JSON && c->format != FMT_YAML) {
			char shortid[8];
			snprintf(shortid, sizeof(shortid), "%.7s",
				tl_value_gets(rows->items[i], "commit"));
			tl_value_set(rows->items[i], "commit",
				tl_value_str(shortid));
		}
	}
	rc = out_rows(c, a, rows, cols, all);
out:
	tl_value_free(rows);
	tl_value_free(t.rows);
	tl_strmap_release(&t.paths);
	tl_strpool_release(&t.pool);
	free(t.status);
	free(prefix);
	free(project);
	return rc;
}

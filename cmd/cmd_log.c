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

enum action { ADDED, CHANGED, DELETED };

static const char *const actions[] = { "added", "changed", "deleted" };

/* The kinds kind_of names, in the order of its answers' indexes. */
static const char *const kinds[] = { "run", "result", "attachment", "project",
	"case", "requirement", "release", "defect" };

/* A commit the trail has a change of. */
struct lcommit {
	const char *hex; /* in the trail's pool */
	int64_t time;
	const char *author, *subject; /* interned, in the trail's pool */
};

/* A change, as a few numbers and pooled strings: a trail of 195,684
 * changes held 456 MB as value rows, and the rows are made again only
 * as they are written. */
struct lrow {
	const char *path; /* the key is made from it; in the pool */
	const char *from, *to; /* statuses, interned; NULL: none */
	uint32_t commit; /* index in commits */
	unsigned char action, kind;
};

struct trail {
	const char *run; /* a run folder name, or NULL */
	const char *casekey; /* with run: one result */
	/* path -> index in status: what each file's last version said (""
	 * when it had no status; NULL when it is deleted). A hash table: a
	 * tl_value map is searched in a line, and the whole trail of a
	 * 5,000-commit tracker ran for more than ten minutes on it. */
	struct tl_strmap paths;
	struct tl_strpool pool; /* paths, keys, statuses, authors, subjects */
	const char **status;
	size_t n, cap;
	struct lcommit *commits;
	size_t ncommits, ccap;
	struct lrow *rows; /* oldest first; with back, as written */
	size_t nrows, rcap;
	size_t max; /* with -n: rows kept (0: all) */
	int back; /* walked newest first (tl_walk_back), for -n */
	int short_ids; /* tables show 7 digits of a commit's id */
	char date[32], shortid[8]; /* a row being made */
};

/* With -n, only the newest rows are kept: at twice the count, the older
 * half goes (the walk is oldest first). */
static void keep_newest(struct trail *t)
{
	size_t drop;
	if (!t->max || t->nrows < 2 * t->max)
		return;
	drop = t->nrows - t->max;
	memmove(t->rows, t->rows + drop, t->max * sizeof(*t->rows));
	t->nrows = t->max;
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

static unsigned char kind_index(const char *kind)
{
	unsigned char i = 0;
	while (strcmp(kinds[i], kind))
		i++;
	return i;
}

/* The commit of a change: the last one the trail has, mostly (a commit's
 * changes come together). */
static uint32_t commit_of(struct trail *t, const struct tl_blob_change *ch)
{
	struct lcommit *k;
	if (t->ncommits && !strcmp(t->commits[t->ncommits - 1].hex, ch->commit))
		return (uint32_t)(t->ncommits - 1);
	if (t->ncommits == t->ccap) {
		t->ccap = t->ccap ? t->ccap * 2 : 256;
		t->commits = tl_realloc(
			t->commits, tl_mul(t->ccap, sizeof(*t->commits)));
	}
	k = &t->commits[t->ncommits];
	k->hex = tl_strpool_add(&t->pool, ch->commit);
	k->time = ch->time;
	k->author = tl_strpool_intern(&t->pool, ch->author);
	k->subject = tl_strpool_add(&t->pool, ch->subject);
	return (uint32_t)t->ncommits++;
}

/* A row for a change, its commit and kind set. */
static struct lrow *new_row(struct trail *t, const struct tl_blob_change *ch,
	const char *kind, const char *path)
{
	struct lrow *r;
	if (t->nrows == t->rcap) {
		t->rcap = t->rcap ? t->rcap * 2 : 256;
		t->rows =
			tl_realloc(t->rows, tl_mul(t->rcap, sizeof(*t->rows)));
	}
	r = &t->rows[t->nrows++];
	r->commit = commit_of(t, ch);
	r->kind = kind_index(kind);
	r->path = path;
	return r;
}

static int on_change(
	const struct tl_blob_change *ch, void *vctx, struct tl_err *err)
{
	struct trail *t = vctx;
	struct lrow *r;
	char *key = NULL;
	const char *kind = kind_of(ch->path, &key), *now = NULL, *path;
	size_t slot = tl_strmap_index(&t->paths, ch->path), at;
	const char *before;
	free(key);
	if (!kind)
		return 0;
	if (t->ncommits >= UINT32_MAX)
		return tl_err_set(err, TL_ERROR, "more than %u commits",
			(unsigned)UINT32_MAX);
	if (slot == (size_t)-1) {
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 256;
			t->status = tl_realloc(
				t->status, tl_mul(t->cap, sizeof(*t->status)));
		}
		at = t->n++;
		path = tl_strpool_add(&t->pool, ch->path);
		tl_strmap_put(&t->paths, path, at);
		before = NULL;
	} else {
		at = t->paths.slots[slot].val;
		path = t->paths.slots[slot].key;
		before = t->status[at];
	}
	if (!strcmp(kind, "result") && ch->rec && ch->rec_len) {
		struct tl_buf b = TL_BUF_INIT;
		tl_buf_put(&b, ch->rec + 1, ch->rec_len - 1);
		/* statuses are few words: kept once each */
		now = tl_strpool_intern(&t->pool, b.ptr);
		tl_buf_release(&b);
	}
	r = new_row(t, ch, kind, path);
	r->action = !ch->blob ? DELETED : before ? CHANGED : ADDED;
	r->from = before && *before ? before : NULL;
	r->to = now;
	keep_newest(t);
	t->status[at] = !ch->blob ? NULL
		: now		  ? now
				  : tl_strpool_intern(&t->pool, "");
	return 0;
}

/* A row of a walk newest first: its statuses from the blobs on either
 * side of it, as the walk oldest first has them from the file's earlier
 * version. Once the rows asked for are there, the first change of the
 * next commit ends the walk: a commit's rows are turned around as a
 * whole (git log's order), so each commit is taken whole. */
static int on_change_back(
	const struct tl_blob_change *ch, void *vctx, struct tl_err *err)
{
	struct trail *t = vctx;
	struct lrow *r;
	char *key = NULL;
	const char *kind = kind_of(ch->path, &key);
	free(key);
	(void)err;
	if (!kind)
		return 0;
	if (t->max && t->nrows >= t->max &&
		strcmp(t->commits[t->ncommits - 1].hex, ch->commit))
		return TL_WALK_STOP;
	r = new_row(t, ch, kind, tl_strpool_add(&t->pool, ch->path));
	r->action = !ch->blob ? DELETED : ch->old_blob ? CHANGED : ADDED;
	r->from = r->to = NULL;
	if (!strcmp(kind, "result")) {
		char *from = ch->old_data ? status_in(ch->old_data, ch->old_len)
					  : NULL;
		char *to = ch->data ? status_in(ch->data, ch->len) : NULL;
		r->from = from ? tl_strpool_intern(&t->pool, from) : NULL;
		r->to = to ? tl_strpool_intern(&t->pool, to) : NULL;
		free(from);
		free(to);
	}
	return 0;
}

/* A walk newest first has each commit's rows in path order: turned
 * around, commit by commit, they are in the order of the walk oldest
 * first read from its end. */
static void turn_commits(struct trail *t)
{
	for (size_t i = 0; i < t->nrows;) {
		size_t j = i;
		while (j < t->nrows && t->rows[j].commit == t->rows[i].commit)
			j++;
		for (size_t a = i, b = j - 1; a < b; a++, b--) {
			struct lrow x = t->rows[a];
			t->rows[a] = t->rows[b];
			t->rows[b] = x;
		}
		i = j;
	}
}

static struct tl_value *str_or_null(const char *s)
{
	return s ? tl_value_str(s) : tl_value_null();
}

/* Row i of the output, newest first, as git log. */
static struct tl_value *make_row(void *ctx, size_t i)
{
	struct trail *t = ctx;
	const struct lrow *r = &t->rows[t->back ? i : t->nrows - 1 - i];
	const struct lcommit *k = &t->commits[r->commit];
	struct tl_value *v = tl_value_map();
	char *key = NULL;
	kind_of(r->path, &key);
	tl_time_format(k->time, t->date, sizeof(t->date));
	/* the short id in tables; JSON and YAML keep the full one */
	snprintf(t->shortid, sizeof(t->shortid), "%s", k->hex);
	tl_value_put(v, "time", tl_value_str(t->date));
	tl_value_put(
		v, "commit", tl_value_str(t->short_ids ? t->shortid : k->hex));
	tl_value_put(v, "author", tl_value_str(k->author));
	tl_value_put(v, "action", tl_value_str(actions[r->action]));
	tl_value_put(v, "kind", tl_value_str(kinds[r->kind]));
	tl_value_put(v, "key", tl_value_str(key));
	tl_value_put(v, "from", str_or_null(r->from));
	tl_value_put(v, "to", str_or_null(r->to));
	tl_value_put(v, "subject", str_or_null(k->subject));
	free(key);
	return v;
}

int cmd_log(struct ctx *c, struct args *a)
{
	static const char *const cols[] = { "time", "commit", "author",
		"action", "kind", "key", "from", "to", NULL };
	static const char *const all[] = { "time", "commit", "author", "action",
		"kind", "key", "from", "to", "subject", NULL };
	struct tl_store *s;
	struct trail t;
	char *project = NULL, *prefix = NULL;
	size_t n;
	int rc;

	memset(&t, 0, sizeof(t));
	if ((rc = arg_number(c, a, "max-count", 0, &t.max)) ||
		(rc = ctx_store(c, &s)) || (rc = ctx_project(c, &project)))
		goto out;
	t.run = a->pos.n > 0 ? a->pos.v[0] : NULL;
	t.casekey = a->pos.n > 1 ? a->pos.v[1] : NULL;
	t.short_ids = c->format != FMT_JSON && c->format != FMT_YAML;
	prefix = tl_format("%s%s", s->prefix, project);
	/* the run's key as written: deleted runs are not in the tree, so
	 * the reference is its folder's name */
	if (t.max) {
		/* the last few: newest first, as far back as they go (the
		 * whole history took 0.9 s for 20 rows on 5,000 commits) */
		t.back = 1;
		if ((rc = tl_walk_back(s->repo, c->at, prefix, want,
			     on_change_back, &t, &c->err)))
			goto out;
		turn_commits(&t);
	} else {
		/* blobs read as the walk goes and parsed for their status on
		 * a second thread */
		struct tl_walk_opts o = { NULL, NULL, NULL, NULL, parse_status,
			0 };
		if ((rc = tl_walk_changes_opts(s->repo, c->at, prefix, want,
			     on_change, &t, &o, &c->err)))
			goto out;
	}
	if (t.run && !t.nrows) {
		rc = tl_err_set(&c->err, TL_ENOTFOUND,
			"no change to run '%s'%s%s in the history (give the run's full key)",
			t.run, t.casekey ? " case " : "",
			t.casekey ? t.casekey : "");
		goto out;
	}
	n = t.max && t.max < t.nrows ? t.max : t.nrows;
	rc = out_rows_each(c, a, n, make_row, &t, cols, all);
out:
	tl_strmap_release(&t.paths);
	tl_strpool_release(&t.pool);
	free(t.status);
	free(t.commits);
	free(t.rows);
	free(prefix);
	free(project);
	return rc;
}

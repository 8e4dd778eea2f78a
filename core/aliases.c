/* The committed aliases of a project's cases, cached by the cases' tree. */
#define _GNU_SOURCE /* memmem */
#include "core/aliases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/fs.h"
#include "core/strmap.h"
#include "core/sum.h"
#include "core/walk_internal.h"
#include "formats/entity.h"
#include "formats/yaml.h"

#include "core/banned.h"

#define MAGIC "tally-aliases 1\n"

/* One alias a case file names; ord keeps the file's own order. */
struct entry {
	char *path; /* in the cases tree: "c/K/a.yaml" */
	char *alias;
	size_t ord;
};

struct aliases {
	struct tl_store *s;
	git_repository *git;
	const char *dir; /* "<prefix><project>/cases", for messages */
	struct entry *v;
	size_t n, cap;
	struct tl_buf b;
	struct tl_err *err;
};

static void add(struct aliases *a, const char *path, size_t plen,
	const char *alias, size_t alen, size_t ord)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->v = tl_realloc(a->v, tl_mul(a->cap, sizeof(*a->v)));
	}
	a->v[a->n].path = tl_strndup(path, plen);
	a->v[a->n].alias = tl_strndup(alias, alen);
	a->v[a->n].ord = ord;
	a->n++;
}

/* Drops what path named (it changed or went). */
static void drop(struct aliases *a, const char *path)
{
	size_t k = 0;
	for (size_t i = 0; i < a->n; i++) {
		if (!strcmp(a->v[i].path, path)) {
			free(a->v[i].path);
			free(a->v[i].alias);
		} else {
			a->v[k++] = a->v[i];
		}
	}
	a->n = k;
}

static void release(struct aliases *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].path);
		free(a->v[i].alias);
	}
	free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
}

/* A case file as committed: its aliases, if it has any. Only a file
 * that says "aliases" can: the others are not parsed (tally check is
 * what validates them). */
static int read_one(struct aliases *a, const char *path, const git_oid *id)
{
	git_blob *blob = NULL;
	struct tl_case *k = NULL;
	char *name;
	size_t len;
	int rc;
	if (!tl_store_is_entity_file(path))
		return 0;
	name = tl_format("%s/%s", a->dir, path);
	if ((rc = git_blob_lookup(&blob, a->git, id))) {
		rc = tl_git_fail(a->err, rc, "reading a case file");
		goto out;
	}
	len = (size_t)git_blob_rawsize(blob);
	if (len > TL_YAML_MAX_BYTES) {
		rc = tl_err_set(a->err, TL_EINVALID,
			"%s: file is larger than the %u MiB limit", name,
			TL_YAML_MAX_BYTES >> 20);
		goto out;
	}
	if (!memmem(git_blob_rawcontent(blob), len, "aliases", 7))
		goto out;
	rc = tl_entity_parse((void **)&k, TL_KIND_CASE, name,
		git_blob_rawcontent(blob), len, a->err);
	for (size_t j = 0; !rc && j < k->aliases.n; j++)
		add(a, path, strlen(path), k->aliases.v[j],
			strlen(k->aliases.v[j]), j);
	tl_entity_free(TL_KIND_CASE, k);
out:
	git_blob_free(blob);
	free(name);
	return rc;
}

static int walk_one(const char *root, const git_tree_entry *e, void *ctx)
{
	struct aliases *a = ctx;
	if (git_tree_entry_filemode(e) != GIT_FILEMODE_BLOB &&
		git_tree_entry_filemode(e) != GIT_FILEMODE_BLOB_EXECUTABLE)
		return 0; /* a folder (walked into), a link, a submodule */
	tl_buf_reset(&a->b);
	tl_buf_puts(&a->b, root);
	tl_buf_puts(&a->b, git_tree_entry_name(e));
	return read_one(a, a->b.ptr, git_tree_entry_id(e)) ? -1 : 0;
}

static int delta_one(const git_diff_delta *d, float progress, void *ctx)
{
	struct aliases *a = ctx;
	(void)progress;
	drop(a, d->old_file.path);
	drop(a, d->new_file.path);
	if (d->status == GIT_DELTA_DELETED ||
		(d->new_file.mode != GIT_FILEMODE_BLOB &&
			d->new_file.mode != GIT_FILEMODE_BLOB_EXECUTABLE))
		return 0;
	return read_one(a, d->new_file.path, &d->new_file.id) ? -1 : 0;
}

/* The cache's entries and the tree they are of; 0 when it is usable. */
static int load_cache(struct aliases *a, const char *path, git_oid *tree)
{
	struct tl_buf f = TL_BUF_INIT;
	struct tl_err ignore = TL_ERR_INIT;
	struct tl_sum sum;
	const char *p, *end, *last;
	char hex[17];
	int ok = 0;
	if (tl_fs_read(&f, path, 256u << 20, &ignore) ||
		f.len < strlen(MAGIC) + 41 ||
		memcmp(f.ptr, MAGIC, strlen(MAGIC)) || f.ptr[f.len - 1] != '\n')
		goto out;
	/* the last line is the sum of everything before it */
	for (last = f.ptr + f.len - 1; last > f.ptr && last[-1] != '\n';)
		last--;
	tl_sum_init(&sum);
	tl_sum_add(&sum, f.ptr, (size_t)(last - f.ptr));
	snprintf(hex, sizeof(hex), "%016llx",
		(unsigned long long)tl_sum_value(&sum));
	tl_sum_release(&sum);
	if (f.ptr + f.len - last != 17 || memcmp(last, hex, 16))
		goto out;
	p = f.ptr + strlen(MAGIC);
	if (p[40] != '\n' || git_oid_fromstrn(tree, p, 40))
		goto out;
	for (p += 41; p < last; p = end + 1) {
		const char *tab;
		size_t ord = 0;
		end = memchr(p, '\n', (size_t)(last - p));
		tab = memchr(p, '\t', (size_t)(end - p));
		if (!tab || tab == p || tab + 1 == end)
			goto out;
		/* the file's own order: entries are written grouped */
		if (a->n &&
			!strncmp(a->v[a->n - 1].path, p, (size_t)(tab - p)) &&
			!a->v[a->n - 1].path[tab - p])
			ord = a->v[a->n - 1].ord + 1;
		add(a, p, (size_t)(tab - p), tab + 1, (size_t)(end - tab - 1),
			ord);
	}
	ok = 1;
out:
	if (!ok)
		release(a);
	tl_buf_release(&f);
	tl_err_clear(&ignore);
	return ok ? 0 : -1;
}

static int by_path(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int c = strcmp(a->path, b->path);
	return c ? c : (a->ord > b->ord) - (a->ord < b->ord);
}

/* Written beside the history cache; a failure is not the command's. A
 * path or alias with a tab or a newline would not read back: then none
 * is written, and the next query reads the files again. */
static void save_cache(struct aliases *a, const char *path, const git_oid *tree)
{
	struct tl_buf f = TL_BUF_INIT;
	struct tl_err ignore = TL_ERR_INIT;
	struct tl_sum sum;
	char hex[GIT_OID_HEXSZ + 1];
	char *dir = tl_strndup(path, (size_t)(strrchr(path, '/') - path));
	tl_buf_puts(&f, MAGIC);
	git_oid_tostr(hex, sizeof(hex), tree);
	tl_buf_puts(&f, hex);
	tl_buf_putc(&f, '\n');
	for (size_t i = 0; i < a->n; i++) {
		if (strpbrk(a->v[i].path, "\t\n") ||
			strpbrk(a->v[i].alias, "\t\n"))
			goto out;
		tl_buf_puts(&f, a->v[i].path);
		tl_buf_putc(&f, '\t');
		tl_buf_puts(&f, a->v[i].alias);
		tl_buf_putc(&f, '\n');
	}
	tl_sum_init(&sum);
	tl_sum_add(&sum, f.ptr, f.len);
	snprintf(hex, sizeof(hex), "%016llx\n",
		(unsigned long long)tl_sum_value(&sum));
	tl_sum_release(&sum);
	tl_buf_puts(&f, hex);
	if (!tl_fs_mkdirs(dir, &ignore))
		tl_fs_write_file(path, f.ptr, f.len, 0, &ignore);
out:
	tl_err_clear(&ignore);
	tl_buf_release(&f);
	free(dir);
}

/* The entries for tree: from the cache when it is of that tree, else
 * the cache's tree compared with it (only the files that changed are
 * read), else every file; *changed says whether the cache is stale. */
static int refresh(
	struct aliases *a, const char *cache, git_tree *tree, int *changed)
{
	git_oid was;
	git_tree *old = NULL;
	git_diff *diff = NULL;
	int rc;
	*changed = 1;
	if (cache && !load_cache(a, cache, &was)) {
		if (git_oid_equal(&was, git_tree_id(tree))) {
			*changed = 0;
			return 0;
		}
		/* a tree gone with gc, or a cache of another repository */
		if (git_tree_lookup(&old, a->git, &was)) {
			git_error_clear();
			release(a);
		}
	}
	if (old) {
		rc = git_diff_tree_to_tree(&diff, a->git, old, tree, NULL);
		if (!rc)
			rc = git_diff_foreach(
				diff, delta_one, NULL, NULL, NULL, a);
		git_diff_free(diff);
		git_tree_free(old);
	} else {
		rc = git_tree_walk(tree, GIT_TREEWALK_PRE, walk_one, a);
	}
	/* a callback's own error is already set */
	if (rc && a->err->code)
		return a->err->code;
	if (rc)
		rc = tl_git_fail(a->err, rc, "reading the cases' tree");
	return rc;
}

int tl_aliases_load(struct tl_value **out, struct tl_store *s,
	const char *project, const char *rev, struct tl_err *err)
{
	struct aliases a;
	git_oid start;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	char *dir = tl_format("%s%s/cases", s->prefix, project);
	char *cache = NULL;
	int rc, changed = 0;
	*out = NULL;
	memset(&a, 0, sizeof(a));
	a.s = s;
	a.git = s->repo->git;
	a.dir = dir;
	a.b = (struct tl_buf)TL_BUF_INIT;
	a.err = err;
	rc = tl_walk_start(s->repo, rev, &start, err);
	if (rc == 1) { /* no commit: no history to rename */
		free(dir);
		return 0;
	}
	if (!rc && (rc = git_commit_lookup(&c, a.git, &start)))
		rc = tl_git_fail(err, rc, "reading a commit");
	if (!rc && (rc = tl_walk_subtree(&tree, a.git, c, dir)))
		rc = tl_git_fail(err, rc, "reading a tree");
	if (rc || !tree)
		goto out;
	/* one cache per cases folder, named for its path's hash */
	/* TALLY_NO_CACHE: read every file, keep nothing */
	if (!getenv("TALLY_NO_CACHE"))
		cache = tl_format("%s/tally/aliases-%016llx", s->repo->gitdir,
			(unsigned long long)tl_strmap_hash(dir));
	if ((rc = refresh(&a, cache, tree, &changed)))
		goto out;
	if (changed && cache)
		save_cache(&a, cache, git_tree_id(tree));
	tl_sort(a.v, a.n, sizeof(*a.v), by_path);
	for (size_t i = 0; i < a.n; i++) {
		char *key = tl_strndup(a.v[i].path, strlen(a.v[i].path) - 5);
		if (!*out)
			*out = tl_value_map();
		tl_value_set(*out, a.v[i].alias, tl_value_str(key));
		free(key);
	}
out:
	release(&a);
	tl_buf_release(&a.b);
	git_tree_free(tree);
	git_commit_free(c);
	free(cache);
	free(dir);
	return rc;
}

#include "core/snapshot.h"
#include "core/repo_internal.h"
#include "core/revs.h"
#include "core/walk.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

struct tl_snapshot {
	git_repository *git; /* borrowed from the tl_repo */
	git_tree *root; /* the tracker root's tree at the commit */
	/* the folder of the last path looked up: reads go folder by folder
	 * (a run's results), and libgit2 would read every tree on the way
	 * down again for each file (it caches no trees, core/repo.c) */
	struct tl_buf dir;
	git_tree *dir_tree;
	char commit[GIT_OID_HEXSZ + 1];
	int64_t time;
};

int tl_snapshot_open(struct tl_snapshot **out, struct tl_repo *r,
	const char *rev, const char *prefix, struct tl_err *err)
{
	struct tl_snapshot *s;
	git_commit *c = NULL;
	git_tree *top = NULL;
	git_tree_entry *e = NULL;
	git_oid id;
	int rc;

	*out = NULL;
	s = tl_calloc(1, sizeof(*s));
	s->git = r->git;
	s->dir = (struct tl_buf)TL_BUF_INIT;
	if ((rc = tl_repo_resolve(r, rev, s->commit, err)))
		goto out;
	git_oid_fromstr(&id, s->commit);
	if ((rc = git_commit_lookup(&c, r->git, &id)) ||
		(rc = git_commit_tree(&top, c))) {
		rc = tl_git_fail(err, rc, "reading a commit");
		goto out;
	}
	s->time = (int64_t)git_commit_time(c);
	if (!*prefix) {
		s->root = top;
		top = NULL;
		goto out;
	}
	{
		/* "qa/" names the folder "qa" */
		char *dir = tl_strndup(prefix, strlen(prefix) - 1);
		rc = git_tree_entry_bypath(&e, top, dir);
		free(dir);
	}
	if (rc == GIT_ENOTFOUND ||
		(!rc && git_tree_entry_type(e) != GIT_OBJECT_TREE)) {
		git_error_clear();
		rc = tl_err_set(err, TL_ENOTFOUND,
			"%.*s is not a folder in %s: no tracker there at that revision",
			(int)strlen(prefix) - 1, prefix, rev);
	} else if (rc ||
		(rc = git_tree_lookup(
			 &s->root, r->git, git_tree_entry_id(e)))) {
		rc = tl_git_fail(err, rc, "reading a tree");
	}
out:
	git_tree_entry_free(e);
	git_tree_free(top);
	git_commit_free(c);
	if (rc)
		tl_snapshot_free(s);
	else
		*out = s;
	return rc;
}

void tl_snapshot_free(struct tl_snapshot *s)
{
	if (!s)
		return;
	git_tree_free(s->root);
	git_tree_free(s->dir_tree);
	tl_buf_release(&s->dir);
	free(s);
}

const char *tl_snapshot_commit(const struct tl_snapshot *s)
{
	return s->commit;
}

int64_t tl_snapshot_time(const struct tl_snapshot *s)
{
	return s->time;
}

/* git_tree_entry_bypath(out, s->root, path), through the last folder. */
static int entry_bypath(
	git_tree_entry **out, struct tl_snapshot *s, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) : 0;
	const git_tree_entry *e;
	if (!slash || !slash[1])
		return git_tree_entry_bypath(out, s->root, path);
	if (!s->dir_tree || s->dir.len != dlen ||
		memcmp(s->dir.ptr, path, dlen)) {
		git_tree_entry *de = NULL;
		git_tree *t = NULL;
		int rc;
		tl_buf_reset(&s->dir);
		tl_buf_put(&s->dir, path, dlen);
		rc = git_tree_entry_bypath(&de, s->root, s->dir.ptr);
		if (!rc && git_tree_entry_type(de) != GIT_OBJECT_TREE) {
			git_error_set_str(GIT_ERROR_TREE, "not a folder");
			rc = GIT_ENOTFOUND;
		}
		if (!rc)
			rc = git_tree_lookup(&t, s->git, git_tree_entry_id(de));
		git_tree_entry_free(de);
		git_tree_free(s->dir_tree);
		s->dir_tree = t;
		if (rc) {
			tl_buf_reset(&s->dir);
			return rc;
		}
	}
	if (!(e = git_tree_entry_byname(s->dir_tree, slash + 1))) {
		git_error_set_str(GIT_ERROR_TREE, "no such entry");
		return GIT_ENOTFOUND;
	}
	return git_tree_entry_dup(out, e);
}

/* The entry at path ("" is the root itself: *out stays NULL). Only
 * folders and regular files count; a link or a submodule is absent. */
static int lookup(git_tree_entry **out, struct tl_snapshot *s, const char *path)
{
	int rc;
	*out = NULL;
	if (!*path)
		return 0;
	rc = entry_bypath(out, s, path);
	if (rc) {
		git_error_clear();
		return rc;
	}
	if (git_tree_entry_type(*out) == GIT_OBJECT_TREE ||
		git_tree_entry_filemode(*out) == GIT_FILEMODE_BLOB ||
		git_tree_entry_filemode(*out) == GIT_FILEMODE_BLOB_EXECUTABLE)
		return 0;
	git_tree_entry_free(*out);
	*out = NULL;
	return GIT_ENOTFOUND;
}

int tl_snapshot_kind(struct tl_snapshot *s, const char *path)
{
	git_tree_entry *e;
	int kind;
	if (lookup(&e, s, path))
		return TL_SNAP_NONE;
	kind = !e || git_tree_entry_type(e) == GIT_OBJECT_TREE ? TL_SNAP_DIR
							       : TL_SNAP_FILE;
	git_tree_entry_free(e);
	return kind;
}

int tl_snapshot_read(struct tl_snapshot *s, const char *path, const char *name,
	size_t cap, struct tl_buf *out, struct tl_err *err)
{
	git_tree_entry *e = NULL;
	git_blob *blob = NULL;
	int rc = entry_bypath(&e, s, path);

	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		return tl_err_set(err, TL_ENOTFOUND,
			"%s: no such file at %.12s", name, s->commit);
	}
	if (rc)
		return tl_git_fail(err, rc, "reading a tree");
	if (git_tree_entry_filemode(e) == GIT_FILEMODE_LINK)
		rc = tl_err_set(err, TL_EINVALID,
			"%s: is a symbolic link; tally reads no file outside the tracker",
			name);
	else if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
		rc = tl_err_set(err, TL_EINVALID, "%s: is a directory", name);
	else if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		rc = tl_err_set(err, TL_ENOTFOUND, "%s: no such file at %.12s",
			name, s->commit);
	else if ((rc = git_blob_lookup(&blob, s->git, git_tree_entry_id(e))))
		rc = tl_git_fail(err, rc, "reading a blob");
	else if (cap && (size_t)git_blob_rawsize(blob) > cap)
		rc = tl_err_set(err, TL_EINVALID,
			"%s: file is larger than the %zu MiB limit", name,
			cap >> 20);
	else
		tl_buf_put(out, git_blob_rawcontent(blob),
			(size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	git_tree_entry_free(e);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The tree at dir: *out NULL with TL_ENOTFOUND when there is none. */
static int tree_at(git_tree **out, struct tl_snapshot *s, const char *dir,
	struct tl_err *err)
{
	git_tree_entry *e;
	int rc;
	*out = NULL;
	if (!*dir)
		return git_tree_dup(out, s->root)
			? tl_git_fail(err, -1, "a tree")
			: 0;
	if (lookup(&e, s, dir) || git_tree_entry_type(e) != GIT_OBJECT_TREE) {
		git_tree_entry_free(e);
		return tl_err_set(err, TL_ENOTFOUND,
			"%s: no such folder at %.12s", dir, s->commit);
	}
	rc = git_tree_lookup(out, s->git, git_tree_entry_id(e));
	git_tree_entry_free(e);
	return rc ? tl_git_fail(err, rc, "reading a tree") : 0;
}

/* dirs: 1 folders, 0 files, -1 both; kinds (may be NULL) gets 'd'/'f'. */
static int list_tree(
	git_tree *t, int dirs, char ***out, char **kinds, size_t *n)
{
	size_t cnt = git_tree_entrycount(t), kept = 0;
	char **v = tl_calloc(cnt ? cnt : 1, sizeof(*v));
	for (size_t i = 0; i < cnt; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);
		const char *name = git_tree_entry_name(e);
		git_filemode_t m = git_tree_entry_filemode(e);
		int is_dir = m == GIT_FILEMODE_TREE;
		if (name[0] == '.' ||
			(!is_dir && m != GIT_FILEMODE_BLOB &&
				m != GIT_FILEMODE_BLOB_EXECUTABLE) ||
			(dirs >= 0 && is_dir != dirs))
			continue;
		/* the kind rides in front of the name until the sort is done */
		v[kept++] = tl_format("%c%s", is_dir ? 'd' : 'f', name);
	}
	/* git orders a folder as if its name ended in '/'; the work tree's
	 * listing is plain byte order */
	tl_sort(v, kept, sizeof(*v), by_name);
	if (kinds)
		*kinds = tl_calloc(kept ? kept : 1, 1);
	for (size_t i = 0; i < kept; i++) {
		if (kinds)
			(*kinds)[i] = v[i][0];
		memmove(v[i], v[i] + 1, strlen(v[i]));
	}
	*out = v;
	*n = kept;
	return 0;
}

int tl_snapshot_list(struct tl_snapshot *s, const char *dir, int dirs,
	char ***out, size_t *n, struct tl_err *err)
{
	git_tree *t;
	int rc = tree_at(&t, s, dir, err);
	*out = NULL;
	*n = 0;
	if (rc)
		return rc;
	rc = list_tree(t, dirs, out, NULL, n);
	git_tree_free(t);
	return rc;
}

static int walk(struct tl_snapshot *s, git_tree *t, struct tl_buf *rel,
	tl_walk_fn fn, void *ctx, int depth, struct tl_err *err)
{
	size_t base = rel->len;
	char **names, *kinds;
	size_t n;
	int rc = 0;

	if (depth > 32)
		return tl_err_set(err, TL_EINVALID,
			"%s: folders nested too deep", rel->ptr);
	list_tree(t, -1, &names, &kinds, &n);
	for (size_t i = 0; i < n && !rc; i++) {
		tl_buf_truncate(rel, base);
		tl_buf_printf(rel, "%s%s", base ? "/" : "", names[i]);
		if (kinds[i] == 'd') {
			git_tree *sub = NULL;
			const git_tree_entry *e =
				git_tree_entry_byname(t, names[i]);
			if ((rc = git_tree_lookup(
				     &sub, s->git, git_tree_entry_id(e))))
				rc = tl_git_fail(err, rc, "reading a tree");
			else
				rc = walk(s, sub, rel, fn, ctx, depth + 1, err);
			git_tree_free(sub);
		} else {
			rc = fn(rel->ptr, ctx, err);
		}
	}
	tl_buf_truncate(rel, base);
	tl_fs_list_free(names, n);
	free(kinds);
	return rc;
}

int tl_snapshot_walk(struct tl_snapshot *s, const char *dir, tl_walk_fn fn,
	void *ctx, struct tl_err *err)
{
	git_tree *t;
	struct tl_buf rel = TL_BUF_INIT;
	int rc = tree_at(&t, s, dir, err);
	if (rc == TL_ENOTFOUND) { /* like tl_fs_walk: none is empty */
		tl_err_clear(err);
		return 0;
	}
	if (rc)
		return rc;
	rc = walk(s, t, &rel, fn, ctx, 0, err);
	git_tree_free(t);
	tl_buf_release(&rel);
	return rc;
}

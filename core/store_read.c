/* The store's reads: from the work tree, or with --at from a snapshot of
 * one revision. Every read-only path of the store goes through here, so
 * both sources follow the same rules. */
#include "core/snapshot.h"
#include "core/store.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

int tl_store_read(struct tl_store *s, const char *path, size_t cap,
	struct tl_buf *out, struct tl_err *err)
{
	char *wpath = tl_store_wpath(s, path);
	char *full;
	int rc;

	if (s->snap) {
		rc = tl_snapshot_read(s->snap, path, wpath, cap, out, err);
		free(wpath);
		return rc;
	}
	full = tl_path_join(s->root, path);
	rc = tl_fs_read_flags(out, full, cap, 1, err);
	if (rc == TL_ENOTFOUND)
		tl_err_set(err, rc, "%s: no such file", wpath);
	else if (rc && err->msg && !strncmp(err->msg, full, strlen(full)))
		tl_err_set(err, rc, "%s%s", wpath, err->msg + strlen(full));
	free(full);
	free(wpath);
	return rc;
}

int tl_store_list(struct tl_store *s, const char *dir, int dirs, char ***out,
	size_t *n, struct tl_err *err)
{
	char *full;
	int rc;
	if (s->snap)
		return tl_snapshot_list(s->snap, dir, dirs, out, n, err);
	full = tl_path_join(s->root, dir);
	rc = tl_fs_list(out, n, full, dirs, err);
	free(full);
	return rc;
}

int tl_store_walk(struct tl_store *s, const char *dir, tl_walk_fn fn, void *ctx,
	struct tl_err *err)
{
	char *full;
	int rc;
	if (s->snap)
		return tl_snapshot_walk(s->snap, dir, fn, ctx, err);
	full = tl_path_join(s->root, dir);
	rc = tl_fs_walk(full, fn, ctx, err);
	free(full);
	return rc;
}

static int kind(struct tl_store *s, const char *path)
{
	char *full;
	int k;
	if (s->snap)
		return tl_snapshot_kind(s->snap, path);
	full = tl_path_join(s->root, path);
	k = tl_fs_is_dir(full)	      ? TL_SNAP_DIR
		: tl_fs_is_file(full) ? TL_SNAP_FILE
				      : TL_SNAP_NONE;
	free(full);
	return k;
}

int tl_store_is_file(struct tl_store *s, const char *path)
{
	return kind(s, path) == TL_SNAP_FILE;
}

int tl_store_is_dir(struct tl_store *s, const char *path)
{
	return kind(s, path) == TL_SNAP_DIR;
}

#ifndef TL_SNAPSHOT_H
#define TL_SNAPSHOT_H
/*
 * The tracker's files as of one revision, read straight from git's
 * objects (for --at REV): the store reads through a snapshot instead of
 * the work tree, so every read-only command can look at the past without
 * checking anything out. Paths are relative to the tracker root, and the
 * rules match the work tree's: names sorted by byte order, dot entries
 * skipped, symbolic links and submodules neither listed nor read.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/fs.h"
#include "core/repo.h"

struct tl_snapshot;

/* The tree at prefix ("qa/", or "" for the top) of rev's commit.
 * TL_ENOTFOUND when rev is unknown or has no tracker there. */
int tl_snapshot_open(struct tl_snapshot **out, struct tl_repo *r,
	const char *rev, const char *prefix, struct tl_err *err);
void tl_snapshot_free(struct tl_snapshot *s);

/* The commit's id in hex, and its committer time (the "now" of --at). */
const char *tl_snapshot_commit(const struct tl_snapshot *s);
int64_t tl_snapshot_time(const struct tl_snapshot *s);

enum { TL_SNAP_NONE = 0, TL_SNAP_FILE = 1, TL_SNAP_DIR = 2 };
int tl_snapshot_kind(struct tl_snapshot *s, const char *path);

/* The same contracts as tl_fs_read_flags (nofollow), tl_fs_list and
 * tl_fs_walk; name is the path errors should show. */
int tl_snapshot_read(struct tl_snapshot *s, const char *path, const char *name,
	size_t cap, struct tl_buf *out, struct tl_err *err);
int tl_snapshot_list(struct tl_snapshot *s, const char *dir, int dirs,
	char ***out, size_t *n, struct tl_err *err);
int tl_snapshot_walk(struct tl_snapshot *s, const char *dir, tl_walk_fn fn,
	void *ctx, struct tl_err *err);

#endif

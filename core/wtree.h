#ifndef TL_WTREE_H
#define TL_WTREE_H
/*
 * Writes many files into the work tree, in path order, with as few system
 * calls as a file allows (a bulk commit of 200,000 files).
 *
 * A folder that does not exist yet is built whole under a hidden name
 * beside it and renamed into place once its last file is written, so a
 * reader sees all of it or none of it, and its files need no temporary
 * name of their own. A file in a folder that exists is written to a
 * hidden temporary name and renamed over the old one, as tl_fs_write_file
 * does. Folders are opened once and files named relative to them, which
 * saves the kernel a path walk per file.
 *
 * Paths must come in strcmp order (every folder's files are then
 * together) and be relative to root without "." or ".." segments (the
 * caller checks them with tl_repo_check_path).
 */
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* What the index records of a file, read while it was still open. */
struct tl_wstat {
	int64_t ctime_s, mtime_s;
	uint32_t ctime_ns, mtime_ns;
	uint32_t dev, ino, uid, gid, size;
	int has;
};

struct stat;
void tl_wstat_from(struct tl_wstat *st, const struct stat *s);

struct tl_wtree;

int tl_wtree_open(struct tl_wtree **out, const char *root, struct tl_err *err);
/* Writes rel (mode 0644 less the umask) and, when st is not NULL, fills
 * it with the file's stat data as it will be in place. */
int tl_wtree_put(struct tl_wtree *w, const char *rel, const void *data,
	size_t len, struct tl_wstat *st, struct tl_err *err);
/* Removes rel, and every folder that leaves empty, below root. */
int tl_wtree_remove(struct tl_wtree *w, const char *rel, struct tl_err *err);
/* Renames the last new folder into place. */
int tl_wtree_finish(struct tl_wtree *w, struct tl_err *err);
/* Closes; a new folder not yet renamed into place is deleted. */
void tl_wtree_free(struct tl_wtree *w);

#endif

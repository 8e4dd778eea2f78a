#ifndef TL_FS_H
#define TL_FS_H
/* File system helpers: bounded reads, atomic writes, directory walks. */
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* Reads a whole file, refusing one larger than cap bytes. */
int tl_fs_read(
	struct tl_buf *out, const char *path, size_t cap, struct tl_err *err);
/* The same; with nofollow a symbolic link is refused (TL_EINVALID). */
int tl_fs_read_flags(struct tl_buf *out, const char *path, size_t cap,
	int nofollow, struct tl_err *err);
/* Writes data to a temporary file beside path, fsyncs it and renames it
 * over path, so a reader sees the old file or the new one, never half. */
int tl_fs_write_atomic(
	const char *path, const char *data, size_t len, struct tl_err *err);
/* The same, without the fsync when sync is 0: for bulk writes that end
 * with one tl_fs_sync. The rename still makes each file appear whole. */
int tl_fs_write_file(const char *path, const char *data, size_t len, int sync,
	struct tl_err *err);
/* The same with the bytes in parts, written in order: a large file
 * built in pieces needs no joined copy. */
struct tl_part {
	const void *data;
	size_t len;
};
int tl_fs_write_parts(const char *path, const struct tl_part *parts,
	size_t nparts, int sync, struct tl_err *err);
/* The same, streamed: a temporary file beside path, written in pieces,
 * then renamed over path by commit (abort removes it). For files too
 * large to build in memory first. */
struct tl_fs_out {
	int fd;
	char *tmp, *path;
};
int tl_fs_out_open(struct tl_fs_out *o, const char *path, struct tl_err *err);
int tl_fs_out_write(
	struct tl_fs_out *o, const void *data, size_t len, struct tl_err *err);
int tl_fs_out_commit(struct tl_fs_out *o, int sync, struct tl_err *err);
void tl_fs_out_abort(struct tl_fs_out *o);
/* write(2) and pread(2) until all len bytes are through (EINTR retried);
 * 0, or -1 with errno set (EIO for an end of file or a zero write). */
int tl_fd_write_all(int fd, const void *data, size_t len);
int tl_fd_pread_all(int fd, void *to, size_t len, long long off);
int tl_fd_pwrite_all(int fd, const void *data, size_t len, long long off);
/* Flushes the file system holding dir (syncfs). */
int tl_fs_sync(const char *dir, struct tl_err *err);
/* mkdir -p. */
int tl_fs_mkdirs(const char *path, struct tl_err *err);
int tl_fs_is_dir(const char *path);
int tl_fs_is_file(const char *path);
/* Removes a file and then every parent folder it leaves empty, up to but
 * not including stop. */
int tl_fs_remove(const char *path, const char *stop, struct tl_err *err);
/* Joins two path parts with one slash. Caller frees. */
char *tl_path_join(const char *a, const char *b);

/* Calls fn for every regular file below dir (relative path from dir,
 * sorted by byte order within each folder), skipping dot entries. */
typedef int (*tl_walk_fn)(const char *rel, void *ctx, struct tl_err *err);
int tl_fs_walk(const char *dir, tl_walk_fn fn, void *ctx, struct tl_err *err);
/* The same walk, calling on_dir for each folder ("" for dir itself)
 * before it is listed: what on_dir learns of a folder (its stat) is
 * never newer than the listing. */
int tl_fs_walk_dirs(const char *dir, tl_walk_fn on_dir, tl_walk_fn fn,
	void *ctx, struct tl_err *err);
/* The names in dir (sorted, no dot entries); folders only when dirs. */
int tl_fs_list(
	char ***out, size_t *n, const char *dir, int dirs, struct tl_err *err);
void tl_fs_list_free(char **names, size_t n);

#endif

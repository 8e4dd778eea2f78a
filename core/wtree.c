/* Many files into the work tree, in path order: see wtree.h. */
#define _GNU_SOURCE /* nftw's FTW_DEPTH and FTW_PHYS */
#include "core/wtree.h"
#include "core/buf.h"
#include "core/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/banned.h"

struct tl_wtree {
	char *root;
	char *dir; /* the folder fd is open on (relative), or NULL */
	int fd;
	/* the new folder being built: its place and its hidden name */
	char *final, *tmp;
	unsigned long pid, seq;
};

int tl_wtree_open(struct tl_wtree **out, const char *root, struct tl_err *err)
{
	struct tl_wtree *w = tl_calloc(1, sizeof(*w));
	(void)err;
	w->root = tl_strdup(root);
	w->fd = -1;
	w->pid = (unsigned long)getpid();
	*out = w;
	return 0;
}

static int fail(
	struct tl_err *err, const char *what, const char *root, const char *rel)
{
	return tl_err_set(
		err, TL_EIO, "%s %s/%s: %s", what, root, rel, strerror(errno));
}

static void close_dir(struct tl_wtree *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	free(w->dir);
	w->dir = NULL;
}

/* Is rel at or below the folder dir? */
static int below(const char *rel, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(rel, dir, n) && (rel[n] == '/' || rel[n] == '\0');
}

static int finish_stage(struct tl_wtree *w, struct tl_err *err)
{
	char *from, *to;
	int rc = 0;
	if (!w->final)
		return 0;
	close_dir(w);
	from = tl_path_join(w->root, w->tmp);
	to = tl_path_join(w->root, w->final);
	if (rename(from, to))
		rc = tl_err_set(err, TL_EIO, "moving %s into place: %s", to,
			errno == ENOTEMPTY || errno == EEXIST
				? "it appeared while tally was writing"
				: strerror(errno));
	free(from);
	free(to);
	if (rc)
		return rc; /* the stage stays: free deletes it */
	free(w->final);
	free(w->tmp);
	w->final = w->tmp = NULL;
	return 0;
}

/* Makes the hidden stand-in for the new folder rel (whose parent exists). */
static int start_stage(struct tl_wtree *w, const char *rel, struct tl_err *err)
{
	const char *slash = strrchr(rel, '/');
	size_t dirlen = slash ? (size_t)(slash - rel + 1) : 0;
	char *tmp = NULL, *full = NULL;
	/* mkdir(2), not mkdtemp: the folder gets the umask's mode, as git
	 * gives its folders, without asking for the umask (which only
	 * umask(2) can, by changing it under the other thread) */
	for (;;) {
		free(tmp);
		free(full);
		tmp = tl_format("%.*s.%s.tally-%lu-%lu", (int)dirlen, rel,
			rel + dirlen, w->pid, w->seq++);
		full = tl_path_join(w->root, tmp);
		if (!mkdir(full, 0777))
			break;
		if (errno != EEXIST) {
			int rc = fail(err, "creating", w->root, tmp);
			free(full);
			free(tmp);
			return rc;
		}
	}
	free(full);
	w->final = tl_strdup(rel);
	w->tmp = tmp;
	return 0;
}

/* The shallowest missing folder on the way to dir (which is missing). */
static char *first_missing(const char *root, const char *dir)
{
	for (const char *s = dir;; s++) {
		if (*s == '/' || *s == '\0') {
			char *prefix = tl_strndup(dir, (size_t)(s - dir));
			char *full = tl_path_join(root, prefix);
			struct stat st;
			int missing = lstat(full, &st) && errno == ENOENT;
			free(full);
			if (missing)
				return prefix;
			free(prefix);
		}
		if (!*s)
			return NULL;
	}
}

static int open_dir(struct tl_wtree *w, const char *dir, struct tl_err *err)
{
	char *phys, *full;
	close_dir(w);
	if (!w->final) {
		full = tl_path_join(w->root, dir);
		w->fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		free(full);
		if (w->fd < 0 && errno == ENOENT) {
			char *top = first_missing(w->root, dir);
			int rc = top ? start_stage(w, top, err)
				     : fail(err, "opening", w->root, dir);
			free(top);
			if (rc)
				return rc;
		} else if (w->fd < 0) {
			return fail(err, "opening", w->root, dir);
		}
	}
	if (w->fd < 0) {
		/* inside the new folder: its stand-in's path */
		int rc;
		phys = tl_format("%s%s", w->tmp, dir + strlen(w->final));
		full = tl_path_join(w->root, phys);
		rc = tl_fs_mkdirs(full, err);
		if (!rc) {
			w->fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (w->fd < 0)
				rc = fail(err, "opening", w->root, phys);
		}
		free(phys);
		free(full);
		if (rc)
			return rc;
	}
	w->dir = tl_strdup(dir);
	return 0;
}

void tl_wstat_from(struct tl_wstat *st, const struct stat *s)
{
	memset(st, 0, sizeof(*st));
	st->ctime_s = (int64_t)s->st_ctim.tv_sec;
	st->ctime_ns = (uint32_t)s->st_ctim.tv_nsec;
	st->mtime_s = (int64_t)s->st_mtim.tv_sec;
	st->mtime_ns = (uint32_t)s->st_mtim.tv_nsec;
	st->dev = (uint32_t)s->st_dev;
	st->ino = (uint32_t)s->st_ino;
	st->uid = (uint32_t)s->st_uid;
	st->gid = (uint32_t)s->st_gid;
	st->size = (uint32_t)s->st_size;
	st->has = 1;
}

static void fill_stat(int fd, struct tl_wstat *st)
{
	struct stat s;
	if (!st)
		return;
	if (fstat(fd, &s))
		memset(st, 0, sizeof(*st)); /* the index stats it later */
	else
		tl_wstat_from(st, &s);
}

int tl_wtree_put(struct tl_wtree *w, const char *rel, const void *data,
	size_t len, struct tl_wstat *st, struct tl_err *err)
{
	const char *slash = strrchr(rel, '/');
	const char *base = slash ? slash + 1 : rel;
	char *dir =
		slash ? tl_strndup(rel, (size_t)(slash - rel)) : tl_strdup("");
	char *tmp = NULL;
	int rc = 0, fd;

	if (w->final && !below(rel, w->final))
		rc = finish_stage(w, err);
	if (!rc && (!w->dir || strcmp(w->dir, dir)))
		rc = open_dir(w, dir, err);
	free(dir);
	if (rc)
		return rc;
	if (w->final) {
		/* a new folder: nobody sees the file until it is whole */
		fd = openat(w->fd, base,
			O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0)
			return fail(err, "writing", w->root, rel);
		if (tl_fd_write_all(fd, data, len)) {
			rc = fail(err, "writing", w->root, rel);
			close(fd);
			return rc;
		}
		fill_stat(fd, st);
		if (close(fd))
			return fail(err, "writing", w->root, rel);
		return 0;
	}
	do {
		free(tmp);
		tmp = tl_format(".%s.tally-%lu-%lu", base, w->pid, w->seq++);
		fd = openat(w->fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			0644);
	} while (fd < 0 && errno == EEXIST);
	if (fd < 0) {
		free(tmp);
		return fail(err, "writing", w->root, rel);
	}
	if (tl_fd_write_all(fd, data, len) ||
		renameat(w->fd, tmp, w->fd, base)) {
		rc = fail(err, "writing", w->root, rel);
		unlinkat(w->fd, tmp, 0);
		close(fd);
		free(tmp);
		return rc;
	}
	free(tmp);
	/* after the rename, which changes the file's ctime */
	fill_stat(fd, st);
	if (close(fd))
		return fail(err, "writing", w->root, rel);
	return 0;
}

int tl_wtree_remove(struct tl_wtree *w, const char *rel, struct tl_err *err)
{
	char *full;
	int rc;
	if (w->final && below(rel, w->final))
		return 0; /* a new folder holds nothing to remove */
	if ((rc = finish_stage(w, err)))
		return rc;
	close_dir(w); /* the removal may take its folder away */
	full = tl_path_join(w->root, rel);
	rc = tl_fs_remove(full, w->root, err);
	free(full);
	return rc;
}

int tl_wtree_finish(struct tl_wtree *w, struct tl_err *err)
{
	int rc = finish_stage(w, err);
	close_dir(w);
	return rc;
}

static int remove_one(
	const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void tl_wtree_free(struct tl_wtree *w)
{
	if (!w)
		return;
	close_dir(w);
	if (w->final) {
		/* given up: the half-built folder goes */
		char *full = tl_path_join(w->root, w->tmp);
		nftw(full, remove_one, 16, FTW_DEPTH | FTW_PHYS);
		free(full);
	}
	free(w->final);
	free(w->tmp);
	free(w->root);
	free(w);
}

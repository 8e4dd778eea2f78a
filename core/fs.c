/* d_type, DT_* and syncfs are not POSIX; glibc shows them under _GNU_SOURCE. */
#define _GNU_SOURCE
#include "core/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/banned.h"

int tl_fs_read(
	struct tl_buf *out, const char *path, size_t cap, struct tl_err *err)
{
	return tl_fs_read_flags(out, path, cap, 0, err);
}

int tl_fs_read_flags(struct tl_buf *out, const char *path, size_t cap,
	int nofollow, struct tl_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
	struct stat st;
	char chunk[65536];
	ssize_t n;

	if (fd < 0 && nofollow && errno == ELOOP)
		return tl_err_set(err, TL_EINVALID,
			"%s: is a symbolic link; tally reads no file outside the tracker",
			path);
	if (fd < 0)
		return tl_err_set(err, errno == ENOENT ? TL_ENOTFOUND : TL_EIO,
			"%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return tl_err_set(err, TL_EINVALID, "%s: is a directory", path);
	}
	if (cap && st.st_size > 0 && (size_t)st.st_size > cap) {
		close(fd);
		return tl_err_set(err, TL_EINVALID,
			"%s: file is larger than the %zu MiB limit", path,
			cap >> 20);
	}
	if (st.st_size > 0)
		tl_buf_grow(out, (size_t)st.st_size + 1); /* one allocation */
	if (S_ISREG(st.st_mode) && st.st_size > 0 && !out->limit) {
		/* the size it has: read straight into the buffer, and no
		 * read past it to see the end (as git reads a file): one
		 * read of a small file, not two; tally run list reads
		 * 193,500 of them */
		size_t want = (size_t)st.st_size, got = 0;
		while (got < want) {
			n = read(fd, out->ptr + out->len + got, want - got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				close(fd);
				out->ptr[out->len] = '\0';
				return tl_err_set(err, TL_EIO, "%s: %s", path,
					strerror(errno));
			}
			if (n == 0)
				break; /* shorter now than it was */
			got += (size_t)n;
		}
		out->len += got;
		out->ptr[out->len] = '\0';
		close(fd);
		return 0;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return tl_err_set(
				err, TL_EIO, "%s: %s", path, strerror(errno));
		}
		if (cap && out->len + (size_t)n > cap) {
			close(fd);
			return tl_err_set(err, TL_EINVALID,
				"%s: file is larger than the %zu MiB limit",
				path, cap >> 20);
		}
		tl_buf_put(out, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

/* The deepest level first: mostly only it is missing, and a walk down
 * from the top paid a failing mkdir(2) per level of every folder (15,900
 * of the 17,600 calls a 20,000-test import made). */
int tl_fs_mkdirs(const char *path, struct tl_err *err)
{
	char *parent, *slash;
	int rc;
	if (!mkdir(path, 0777) || errno == EEXIST)
		return 0;
	if (errno != ENOENT || !(slash = strrchr(path, '/')) || slash == path)
		return tl_err_set(err, TL_EIO, "creating folder %s: %s", path,
			strerror(errno));
	/* a parent is missing: it first, then this level */
	parent = tl_strndup(path, (size_t)(slash - path));
	rc = tl_fs_mkdirs(parent, err);
	free(parent);
	if (!rc && mkdir(path, 0777) && errno != EEXIST)
		rc = tl_err_set(err, TL_EIO, "creating folder %s: %s", path,
			strerror(errno));
	return rc;
}

int tl_fs_write_atomic(
	const char *path, const char *data, size_t len, struct tl_err *err)
{
	return tl_fs_write_file(path, data, len, 1, err);
}

int tl_fs_sync(const char *dir, struct tl_err *err)
{
	int fd = open(dir, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
	int rc = 0;
	if (fd < 0)
		return tl_err_set(err, TL_EIO, "%s: %s", dir, strerror(errno));
	if (syncfs(fd))
		rc = tl_err_set(
			err, TL_EIO, "syncing %s: %s", dir, strerror(errno));
	close(fd);
	return rc;
}

int tl_fs_write_file(const char *path, const char *data, size_t len, int sync,
	struct tl_err *err)
{
	struct tl_part one = { data, len };
	return tl_fs_write_parts(path, &one, 1, sync, err);
}

int tl_fs_out_open(struct tl_fs_out *o, const char *path, struct tl_err *err)
{
	struct tl_buf tmp = TL_BUF_INIT;
	const char *slash = strrchr(path, '/');
	int fd;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	/* A hidden name in the same folder: rename(2) is atomic only within one
	 * file system, and a leftover from a kill is easy to spot and ignore.
	 */
	if (slash)
		tl_buf_put(&tmp, path, (size_t)(slash - path + 1));
	tl_buf_printf(&tmp, ".%s.tally-XXXXXX", slash ? slash + 1 : path);
	fd = mkstemp(tmp.ptr);
	if (fd < 0 && errno == ENOENT && slash && slash != path) {
		/* the folder is missing: make it (tried second, so that a bulk
		 * write does not pay a mkdir per level per file) */
		char *dir = tl_strndup(path, (size_t)(slash - path));
		int rc = tl_fs_mkdirs(dir, err);
		free(dir);
		if (rc) {
			tl_buf_release(&tmp);
			return rc;
		}
		memcpy(tmp.ptr + tmp.len - 6, "XXXXXX", 6);
		fd = mkstemp(tmp.ptr);
	}
	if (fd < 0) {
		tl_buf_release(&tmp);
		return tl_err_set(
			err, TL_EIO, "writing %s: %s", path, strerror(errno));
	}
	o->fd = fd;
	o->tmp = tl_buf_detach(&tmp);
	o->path = tl_strdup(path);
	return 0;
}

int tl_fd_write_all(int fd, const void *data, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, (const char *)data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		off += (size_t)n;
	}
	return 0;
}

/* pread(2) into to, or pwrite(2) from from, until len bytes are done. */
static int rw_all(int fd, void *to, const void *from, size_t len, long long off)
{
	for (size_t done = 0; done < len;) {
		off_t at = (off_t)(off + (long long)done);
		ssize_t n = to
			? pread(fd, (char *)to + done, len - done, at)
			: pwrite(fd, (const char *)from + done, len - done, at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

int tl_fd_pread_all(int fd, void *to, size_t len, long long off)
{
	return rw_all(fd, to, NULL, len, off);
}

int tl_fd_pwrite_all(int fd, const void *data, size_t len, long long off)
{
	return rw_all(fd, NULL, data, len, off);
}

int tl_fs_out_write(
	struct tl_fs_out *o, const void *data, size_t len, struct tl_err *err)
{
	if (tl_fd_write_all(o->fd, data, len))
		return tl_err_set(err, TL_EIO, "writing %s: %s", o->path,
			strerror(errno));
	return 0;
}

int tl_fs_out_commit(struct tl_fs_out *o, int sync, struct tl_err *err)
{
	int rc = 0;
	if (fchmod(o->fd, 0644))
		rc = tl_err_set(err, TL_EIO, "writing %s: %s", o->path,
			strerror(errno));
	if (!rc && sync && fsync(o->fd))
		rc = tl_err_set(err, TL_EIO, "writing %s: %s", o->path,
			strerror(errno));
	if (close(o->fd) && !rc)
		rc = tl_err_set(err, TL_EIO, "writing %s: %s", o->path,
			strerror(errno));
	o->fd = -1;
	if (!rc && rename(o->tmp, o->path))
		rc = tl_err_set(err, TL_EIO, "writing %s: %s", o->path,
			strerror(errno));
	if (rc)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	return rc;
}

void tl_fs_out_abort(struct tl_fs_out *o)
{
	if (o->fd >= 0)
		close(o->fd);
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
	o->fd = -1;
}

int tl_fs_write_parts(const char *path, const struct tl_part *parts,
	size_t nparts, int sync, struct tl_err *err)
{
	struct tl_fs_out o;
	int rc = tl_fs_out_open(&o, path, err);
	for (size_t i = 0; i < nparts && !rc; i++)
		rc = tl_fs_out_write(&o, parts[i].data, parts[i].len, err);
	if (rc) {
		tl_fs_out_abort(&o);
		return rc;
	}
	return tl_fs_out_commit(&o, sync, err);
}

int tl_fs_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int tl_fs_is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int tl_fs_remove(const char *path, const char *stop, struct tl_err *err)
{
	char *dir;
	if (unlink(path) && errno != ENOENT)
		return tl_err_set(
			err, TL_EIO, "removing %s: %s", path, strerror(errno));
	dir = tl_strdup(path);
	for (;;) {
		char *slash = strrchr(dir, '/');
		if (!slash)
			break;
		*slash = '\0';
		if (!strcmp(dir, stop) || strlen(dir) <= strlen(stop) ||
			rmdir(dir))
			break;
	}
	free(dir);
	return 0;
}

char *tl_path_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	if (!la)
		return tl_strdup(b);
	if (a[la - 1] == '/')
		return tl_format("%s%s", a, b);
	return tl_format("%s/%s", a, b);
}

struct named {
	char *name;
	char kind;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name,
		((const struct named *)b)->name);
}

/* Lists dir with each entry's kind: 'd' folder, 'f' regular file. Links
 * and other kinds are left out: a symbolic link could lead out of the
 * tracker root, so links are never followed. d_type saves a stat per
 * entry where the file system gives it. */
static int list_typed(char ***out, char **kinds, size_t *n, const char *dir,
	struct tl_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL, *k = NULL;
	size_t cnt = 0;

	*out = NULL;
	*kinds = NULL;
	*n = 0;
	if (!d)
		return tl_err_set(err, errno == ENOENT ? TL_ENOTFOUND : TL_EIO,
			"%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		char kind = 0;
		if (de->d_name[0] == '.')
			continue;
		if (de->d_type == DT_DIR) {
			kind = 'd';
		} else if (de->d_type == DT_REG) {
			kind = 'f';
		} else if (de->d_type == DT_UNKNOWN) {
			struct stat st;
			char *full = tl_path_join(dir, de->d_name);
			if (!lstat(full, &st))
				kind = S_ISDIR(st.st_mode)    ? 'd'
					: S_ISREG(st.st_mode) ? 'f'
							      : 0;
			free(full);
		}
		if (!kind)
			continue;
		v = tl_realloc(v, tl_mul(cnt + 1, sizeof(*v)));
		k = tl_realloc(k, cnt + 1);
		v[cnt] = tl_strdup(de->d_name);
		k[cnt++] = kind;
	}
	closedir(d);
	/* sorted by name, kinds alongside: the kind rides in a sort key, as
	 * readdir's order on large folders is hashed, not near sorted */
	if (cnt > 1) {
		struct named *t = tl_calloc(cnt, sizeof(*t));
		for (size_t i = 0; i < cnt; i++) {
			t[i].name = v[i];
			t[i].kind = k[i];
		}
		tl_sort(t, cnt, sizeof(*t), by_name);
		for (size_t i = 0; i < cnt; i++) {
			v[i] = t[i].name;
			k[i] = t[i].kind;
		}
		free(t);
	}
	*out = v;
	*kinds = k;
	*n = cnt;
	return 0;
}

int tl_fs_list(
	char ***out, size_t *n, const char *dir, int dirs, struct tl_err *err)
{
	char **v, *k;
	size_t cnt, kept = 0;
	int rc = list_typed(&v, &k, &cnt, dir, err);
	if (rc) {
		*out = NULL;
		*n = 0;
		return rc;
	}
	for (size_t i = 0; i < cnt; i++) {
		if (dirs >= 0 && (k[i] == 'd') != dirs) {
			free(v[i]);
			continue;
		}
		v[kept++] = v[i];
	}
	free(k);
	*out = v;
	*n = kept;
	return 0;
}

void tl_fs_list_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int walk(const char *root, const char *rel, tl_walk_fn on_dir,
	tl_walk_fn fn, void *ctx, int depth, struct tl_err *err)
{
	char *dir = rel[0] ? tl_path_join(root, rel) : tl_strdup(root);
	char **names, *kinds;
	size_t n;
	int rc;

	if (depth > 32) {
		free(dir);
		return tl_err_set(
			err, TL_EINVALID, "%s: folders nested too deep", root);
	}
	if (on_dir && (rc = on_dir(rel, ctx, err))) {
		free(dir);
		return rc;
	}
	rc = list_typed(&names, &kinds, &n, dir, err);
	if (rc) {
		free(dir);
		return rc == TL_ENOTFOUND && !rel[0] ? (tl_err_clear(err), 0)
						     : rc;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		char *sub = rel[0] ? tl_format("%s/%s", rel, names[i])
				   : tl_strdup(names[i]);
		if (kinds[i] == 'd')
			rc = walk(root, sub, on_dir, fn, ctx, depth + 1, err);
		else
			rc = fn(sub, ctx, err);
		free(sub);
	}
	tl_fs_list_free(names, n);
	free(kinds);
	free(dir);
	return rc;
}

int tl_fs_walk(const char *dir, tl_walk_fn fn, void *ctx, struct tl_err *err)
{
	return walk(dir, "", NULL, fn, ctx, 0, err);
}

int tl_fs_walk_dirs(const char *dir, tl_walk_fn on_dir, tl_walk_fn fn,
	void *ctx, struct tl_err *err)
{
	return walk(dir, "", on_dir, fn, ctx, 0, err);
}

/* Bulk commits in bounded memory: a spill file, then packfiles. */
#include "core/bulk.h"
#include "core/repo_internal.h"
#include "core/fs.h"
#include "core/strmap.h"
#include "core/trace.h"
#include "core/packer.h"
#include "core/wtree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/banned.h"

struct slot {
	char *path;
	size_t job; /* the packer's, for the bytes */
	int remove;
};

struct tl_bulk {
	struct tl_repo *r;
	int fd; /* the spill file, already unlinked */
	off_t end;
	struct slot *v;
	size_t n, cap;
	struct tl_strmap paths; /* path -> slot (keys are the slots' paths) */
	struct tl_packer *pk;
};

int tl_bulk_open(struct tl_bulk **out, struct tl_repo *r, struct tl_err *err)
{
	struct tl_bulk *b = tl_calloc(1, sizeof(*b));
	char *tmp = tl_format("%s/tally-bulk-XXXXXX", r->gitdir);
	b->r = r;
	b->fd = mkstemp(tmp);
	if (b->fd < 0) {
		int rc = tl_err_set(
			err, TL_EIO, "creating %s: %s", tmp, strerror(errno));
		free(tmp);
		free(b);
		return rc;
	}
	/* gone from the file system at once: a kill leaves nothing behind */
	unlink(tmp);
	free(tmp);
	*out = b;
	return tl_packer_start(&b->pk, r, b->fd, err);
}

static struct slot *slot_for(struct tl_bulk *b, const char *path)
{
	size_t i = tl_strmap_get(&b->paths, path);
	if (i != (size_t)-1)
		return &b->v[i];
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->v = tl_realloc(b->v, tl_mul(b->cap, sizeof(*b->v)));
	}
	memset(&b->v[b->n], 0, sizeof(b->v[b->n]));
	b->v[b->n].path = tl_strdup(path);
	tl_strmap_put(&b->paths, b->v[b->n].path, b->n);
	return &b->v[b->n++];
}

int tl_bulk_put(struct tl_bulk *b, const char *path, const char *data,
	size_t len, struct tl_err *err)
{
	struct slot *s;
	int rc = tl_repo_check_path(path, err);
	if (rc)
		return rc;
	/* appended: the file's offset is always b->end */
	if (tl_fd_write_all(b->fd, data, len))
		return tl_err_set(err, TL_EIO,
			"writing the bulk spill file: %s", strerror(errno));
	/* a later put of the same path leaves the old bytes unused */
	s = slot_for(b, path);
	s->job = tl_packer_add(b->pk, b->end, len, s->path);
	s->remove = 0;
	b->end += (off_t)len;
	return 0;
}

int tl_bulk_remove(struct tl_bulk *b, const char *path, struct tl_err *err)
{
	int rc = tl_repo_check_path(path, err);
	if (!rc)
		slot_for(b, path)->remove = 1;
	return rc;
}

static int read_slot(struct tl_bulk *b, const struct slot *s,
	struct tl_buf *out, struct tl_err *err)
{
	return tl_packer_read(b->pk, s->job, out, err);
}

int tl_bulk_get(struct tl_bulk *b, const char *path, struct tl_buf *out,
	struct tl_err *err)
{
	size_t i = tl_strmap_get(&b->paths, path);
	if (i == (size_t)-1 || b->v[i].remove)
		return tl_err_set(
			err, TL_ENOTFOUND, "%s: not in this commit", path);
	return read_slot(b, &b->v[i], out, err);
}

/* Before a ref moves: the last objects on disk, then the work tree's file
 * system flushed once. */
static int persist(void *ctx, struct tl_err *err)
{
	struct tl_bulk *b = ctx;
	int rc = tl_packer_flush(b->pk, err);
	if (!rc)
		rc = tl_fs_sync(b->r->workdir, err);
	tl_trace_perf("bulk: synced");
	return rc;
}

static int by_path(const void *x, const void *y)
{
	return strcmp(
		((const struct slot *)x)->path, ((const struct slot *)y)->path);
}

/* The files, in path order, on the calling thread. */
static int write_files(
	struct tl_bulk *b, struct tl_staged *st, struct tl_err *err)
{
	struct tl_wtree *w = NULL;
	struct tl_buf data = TL_BUF_INIT;
	int rc = tl_wtree_open(&w, b->r->workdir, err);
	for (size_t i = 0; i < b->n && !rc; i++) {
		const struct slot *s = &b->v[i];
		if (s->remove)
			rc = tl_wtree_remove(w, s->path, err);
		else if (!(rc = read_slot(b, s, &data, err)))
			rc = tl_wtree_put(w, s->path, data.ptr, data.len,
				&st[i].stat, err);
	}
	if (!rc)
		rc = tl_wtree_finish(w, err);
	tl_wtree_free(w);
	tl_buf_release(&data);
	return rc;
}

int tl_bulk_commit(struct tl_bulk *b, const struct tl_commit_opts *opts,
	char *out_id, struct tl_err *err)
{
	struct tl_staged *st = tl_calloc(b->n ? b->n : 1, sizeof(*st));
	size_t *jobs = tl_calloc(b->n ? b->n : 1, sizeof(*jobs));
	struct tl_persist p;
	int rc;

	if ((rc = tl_repo_check_idents(opts, err))) {
		free(st);
		free(jobs);
		return rc;
	}
	/* in path order, so files of one folder are written together */
	tl_sort(b->v, b->n, sizeof(*b->v), by_path);
	tl_strmap_release(&b->paths); /* the indexes moved */
	for (size_t i = 0; i < b->n; i++) {
		st[i].path = b->v[i].path;
		st[i].remove = b->v[i].remove;
		jobs[i] = b->v[i].job;
	}
	memset(&p, 0, sizeof(p));
	p.fn = persist;
	p.ctx = b;
	/* the packer finishes the blobs and builds the tree meanwhile */
	tl_packer_close(b->pk, st, jobs, b->n, opts->no_commit ? NULL : &p);
	rc = write_files(b, st, err);
	if (rc)
		tl_packer_stop(b->pk);
	if (!rc)
		rc = tl_packer_wait(b->pk, err);
	else
		tl_packer_wait(b->pk, NULL);
	tl_trace_perf("bulk: files and blobs written");
	if (!rc)
		rc = tl_repo_finish(b->r, tl_packer_git(b->pk), st, b->n, opts,
			&p, out_id, err);
	free(st);
	free(jobs);
	return rc;
}

void tl_bulk_free(struct tl_bulk *b)
{
	if (!b)
		return;
	/* first: it borrows the slots' paths */
	tl_packer_free(b->pk);
	for (size_t i = 0; i < b->n; i++)
		free(b->v[i].path);
	free(b->v);
	tl_strmap_release(&b->paths);
	if (b->fd >= 0)
		close(b->fd);
	free(b);
}

/* Bulk commits in bounded memory: a spill file, then packfiles. */
#include "core/bulk.h"
#include "core/repo_internal.h"
#include "core/fs.h"
#include "core/strpool.h"
#include "core/trace.h"
#include "core/packer.h"
#include "core/spill.h"
#include "core/wtree.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/banned.h"

/* A put or a remove, in the order they came (seq); the last one of a
 * path wins at the commit, so no path -> slot table is kept while an
 * import reads its reports. */
struct slot {
	const char *path; /* in the bulk's pool */
	uint32_t job; /* the packer's, for the bytes */
	uint32_t seq : 31, remove : 1; /* 16 bytes a file, not 32 */
};

/* The puts and removes one commit takes (seq's bits). */
#define MAX_SLOTS ((size_t)1 << 31)

/* Puts are gathered and written to the spill file, and handed to the
 * packer, a buffer at a time: a write(2) per file cost the reading
 * thread a sixth of its time. */
#define SPILL_BUF ((size_t)1 << 20)

struct pend {
	off_t off;
	size_t len;
	const char *name;
};

struct tl_bulk {
	struct tl_repo *r;
	int fd; /* the spill file, already unlinked */
	off_t end; /* the bytes put, the buffered ones too */
	struct tl_buf wbuf; /* the last bytes put, not yet in the file */
	struct pend *pend; /* their jobs, not yet the packer's */
	size_t npend, cpend;
	size_t jobs; /* given out to puts, in order */
	size_t given; /* handed to the packer: the first ones */
	struct slot *v; /* by seq until the commit sorts them */
	size_t n, cap;
	struct tl_strpool pool; /* the paths, a few large chunks */
	struct tl_packer *pk;
};

int tl_bulk_open(struct tl_bulk **out, struct tl_repo *r, struct tl_err *err)
{
	struct tl_bulk *b = tl_calloc(1, sizeof(*b));
	char *tmp = tl_format("%s/tally-bulk-XXXXXX", r->gitdir);
	b->r = r;
	b->wbuf = (struct tl_buf)TL_BUF_INIT;
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

static struct slot *new_slot(struct tl_bulk *b, const char *path)
{
	struct slot *s;
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->v = tl_realloc(b->v, tl_mul(b->cap, sizeof(*b->v)));
	}
	s = &b->v[b->n];
	memset(s, 0, sizeof(*s));
	s->path = tl_strpool_add(&b->pool, path);
	s->seq = (uint32_t)b->n++;
	return s;
}

/* The buffered bytes to the spill file, their jobs to the packer (whose
 * numbers follow the puts' order, so each slot knew its own). */
static int flush(struct tl_bulk *b, struct tl_err *err)
{
	if (b->wbuf.len && tl_fd_write_all(b->fd, b->wbuf.ptr, b->wbuf.len))
		return tl_err_set(err, TL_EIO,
			"writing the bulk spill file: %s", strerror(errno));
	tl_buf_reset(&b->wbuf);
	for (size_t i = 0; i < b->npend; i++)
		b->given = 1 +
			tl_packer_add(b->pk, b->pend[i].off, b->pend[i].len,
				b->pend[i].name);
	b->npend = 0;
	return 0;
}

size_t tl_bulk_mark(const struct tl_bulk *b)
{
	return b->n;
}

static int too_many(struct tl_bulk *b, size_t len, struct tl_err *err)
{
	if (b->n >= MAX_SLOTS)
		return tl_err_set(err, TL_EINVALID,
			"more than %zu files in one commit", MAX_SLOTS);
	if (len > UINT32_MAX)
		return tl_err_set(err, TL_EINVALID,
			"a file of %zu bytes: a commit takes files under 4 GiB",
			len);
	return 0;
}

int tl_bulk_put(struct tl_bulk *b, const char *path, const char *data,
	size_t len, struct tl_err *err)
{
	struct slot *s;
	int rc = tl_repo_check_path(path, err);
	if (!rc)
		rc = too_many(b, len, err);
	if (!rc && b->wbuf.len + len > SPILL_BUF)
		rc = flush(b, err);
	if (rc)
		return rc;
	/* appended: the file's offset is always b->end */
	if (len >= SPILL_BUF) {
		if (tl_fd_write_all(b->fd, data, len))
			return tl_err_set(err, TL_EIO,
				"writing the bulk spill file: %s",
				strerror(errno));
	} else {
		tl_buf_put(&b->wbuf, data, len);
	}
	/* a later put of the same path leaves the old bytes unused */
	s = new_slot(b, path);
	s->job = (uint32_t)b->jobs++;
	if (b->npend == b->cpend) {
		b->cpend = b->cpend ? b->cpend * 2 : 256;
		b->pend =
			tl_realloc(b->pend, tl_mul(b->cpend, sizeof(*b->pend)));
	}
	b->pend[b->npend++] = (struct pend){ b->end, len, s->path };
	b->end += (off_t)len;
	return len >= SPILL_BUF ? flush(b, err) : 0;
}

int tl_bulk_remove(struct tl_bulk *b, const char *path, struct tl_err *err)
{
	int rc = tl_repo_check_path(path, err);
	if (!rc)
		rc = too_many(b, 0, err);
	if (!rc)
		new_slot(b, path)->remove = 1;
	return rc;
}

int tl_bulk_read(
	struct tl_bulk *b, size_t mark, struct tl_buf *out, struct tl_err *err)
{
	if (mark >= b->n || b->v[mark].seq != mark)
		return tl_err_set(err, TL_EINVALID,
			"bulk mark %zu: not a put of this commit", mark);
	if (b->v[mark].remove)
		return tl_err_set(
			err, TL_ENOTFOUND, "%s: removed", b->v[mark].path);
	if (b->v[mark].job >= b->given) {
		int rc = flush(b, err);
		if (rc)
			return rc;
	}
	return tl_packer_read(b->pk, b->v[mark].job, out, err);
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

/* The branch names the objects: the packer's repository handle, its
 * caches and buffers go before the index takes its memory. */
static void done(void *ctx)
{
	struct tl_bulk *b = ctx;
	tl_packer_free(b->pk);
	b->pk = NULL;
	tl_mem_trim();
}

static int by_path(const void *x, const void *y)
{
	const struct slot *a = x, *b = y;
	int c = strcmp(a->path, b->path);
	return c ? c : a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Path order, and of several puts and removes of one path the last. */
static void sort_slots(struct tl_bulk *b)
{
	size_t n = 0;
	tl_sort(b->v, b->n, sizeof(*b->v), by_path);
	for (size_t i = 0; i < b->n; i++) {
		if (n && !strcmp(b->v[n - 1].path, b->v[i].path))
			n--;
		b->v[n++] = b->v[i];
	}
	b->n = n;
}

/* The files, in path order, on the calling thread. */
static int write_files(struct tl_bulk *b, struct tl_staged *st,
	const size_t *jobs, size_t n, struct tl_err *err)
{
	struct tl_wtree *w = NULL;
	struct tl_spill_reader in;
	int rc = tl_wtree_open(&w, b->r->workdir, err);
	/* path order: an import's case files rise, and its result files */
	tl_spill_init(&in, b->fd, TL_SPILL_WINDOWS);
	for (size_t i = 0; i < n && !rc; i++) {
		const char *data = NULL;
		off_t off;
		size_t len;
		if (st[i].remove) {
			rc = tl_wtree_remove(w, st[i].path, err);
			continue;
		}
		if (!(rc = tl_packer_span(b->pk, jobs[i], &off, &len, err)) &&
			!(data = tl_spill_get(&in, off, len, err)))
			rc = err->code;
		if (!rc)
			rc = tl_wtree_put(
				w, st[i].path, data, len, &st[i].stat, err);
	}
	if (!rc)
		rc = tl_wtree_finish(w, err);
	tl_wtree_free(w);
	tl_spill_release(&in);
	return rc;
}

int tl_bulk_commit(struct tl_bulk *b, const struct tl_commit_opts *opts,
	char *out_id, struct tl_err *err)
{
	struct tl_staged *st;
	size_t *jobs, n;
	struct tl_persist p;
	int rc;

	if ((rc = tl_repo_check_idents(opts, err)) || (rc = flush(b, err)))
		return rc;
	tl_buf_release(&b->wbuf);
	free(b->pend);
	b->pend = NULL;
	b->cpend = 0;
	/* in path order, so files of one folder are written together */
	sort_slots(b);
	n = b->n;
	st = tl_calloc(n ? n : 1, sizeof(*st));
	jobs = tl_calloc(n ? n : 1, sizeof(*jobs));
	for (size_t i = 0; i < n; i++) {
		st[i].path = b->v[i].path;
		st[i].remove = b->v[i].remove;
		jobs[i] = b->v[i].job;
	}
	/* st and jobs say it all now: the slots go before the index and
	 * the tree take their memory (the paths stay, in the pool) */
	free(b->v);
	b->v = NULL;
	b->n = b->cap = 0;
	memset(&p, 0, sizeof(p));
	p.fn = persist;
	p.done = done;
	p.ctx = b;
	/* the packer finishes the blobs and builds the tree meanwhile */
	tl_packer_close(b->pk, st, jobs, n, opts->no_commit ? NULL : &p);
	rc = write_files(b, st, jobs, n, err);
	tl_trace_perf("bulk: files written");
	if (rc)
		tl_packer_stop(b->pk);
	if (!rc)
		rc = tl_packer_wait(b->pk, err);
	else
		tl_packer_wait(b->pk, NULL);
	tl_trace_perf("bulk: files and blobs written");
	/* the index takes its memory next: give back what the reading
	 * and the tree building left in holes */
	tl_mem_trim();
	if (!rc)
		rc = tl_repo_finish(b->r, tl_packer_git(b->pk), st, n, opts, &p,
			out_id, err);
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
	free(b->v);
	free(b->pend);
	tl_buf_release(&b->wbuf);
	tl_strpool_release(&b->pool);
	if (b->fd >= 0)
		close(b->fd);
	free(b);
}

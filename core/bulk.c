/* Bulk commits in bounded memory: a spill file, records, sorted runs. */
#include "core/bulk.h"
#include "core/repo_internal.h"
#include "core/fs.h"
#include "core/trace.h"
#include "core/packer.h"
#include "core/spill.h"
#include "core/spool.h"
#include "core/wtree.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/banned.h"

/* The puts and removes one commit takes. */
#define MAX_SLOTS ((size_t)1 << 31)

/* Puts are gathered and written to the spill file, and their records
 * handed to the packer, a buffer at a time: a write(2) per file cost the
 * reading thread a sixth of its time. */
#define SPILL_BUF ((size_t)64 << 10)

/* Records sorted in memory at a time, at the commit: each such run is
 * written out sorted, and the runs are merged as they are read. The
 * sort overlaps the packing of the last blobs: 2 MiB put a 100,000-test
 * import's peak 1 MB higher. */
#define RUN_BYTES ((size_t)1 << 20)

/* A run's reader window during the merge (22 runs in that import, read
 * by two streams at once). */
#define RUN_WINDOW ((size_t)16 << 10)

struct tl_bulk {
	struct tl_repo *r;
	int fd; /* the spill file, already unlinked */
	off_t end; /* the bytes put, the buffered ones too */
	struct tl_buf wbuf; /* the last bytes put, not yet in the file */
	struct tl_spool recs; /* a record per put or remove, in order */
	int idfd; /* the puts' blob ids, from the packer, in order */
	uint64_t seq; /* records made */
	uint32_t jobs; /* puts made */
	struct tl_buf rec; /* the record being made */
	int committing;
	/* at the commit */
	struct tl_spool runs; /* the records again, sorted a run at a time */
	off_t *run_at; /* run i is [run_at[i], run_at[i + 1]) */
	size_t nruns;
	struct tl_spool stats; /* the files' stat data, in path order */
	struct tl_packer *pk;
};

int tl_bulk_open(struct tl_bulk **out, struct tl_repo *r, struct tl_err *err)
{
	struct tl_bulk *b = tl_calloc(1, sizeof(*b));
	char *tmp = tl_format("%s/tally-bulk-XXXXXX", r->gitdir);
	char *ids = tl_format("%s/tally-ids-XXXXXX", r->gitdir);
	int rc = 0;
	b->r = r;
	b->wbuf = (struct tl_buf)TL_BUF_INIT;
	b->rec = (struct tl_buf)TL_BUF_INIT;
	b->idfd = -1;
	*out = b;
	if ((b->fd = mkstemp(tmp)) < 0 || (b->idfd = mkstemp(ids)) < 0)
		rc = tl_err_set(err, TL_EIO, "creating %s: %s",
			b->fd < 0 ? tmp : ids, strerror(errno));
	/* gone from the file system at once: a kill leaves nothing behind */
	if (b->fd >= 0)
		unlink(tmp);
	if (b->idfd >= 0)
		unlink(ids);
	free(tmp);
	free(ids);
	if (!rc)
		rc = tl_spool_open(&b->recs, r->gitdir, err);
	if (!rc)
		rc = tl_packer_start(
			&b->pk, r, b->fd, b->recs.fd, b->idfd, err);
	return rc;
}

/* The buffered bytes to the spill file and the records to theirs; then
 * the packer may read both that far. */
static int flush(struct tl_bulk *b, struct tl_err *err)
{
	int rc;
	if (b->wbuf.len && tl_fd_write_all(b->fd, b->wbuf.ptr, b->wbuf.len))
		return tl_err_set(err, TL_EIO,
			"writing the bulk spill file: %s", strerror(errno));
	tl_buf_reset(&b->wbuf);
	if ((rc = tl_spool_flush(&b->recs, err)))
		return rc;
	tl_packer_publish(b->pk, b->recs.end, b->end);
	return 0;
}

size_t tl_bulk_mark(const struct tl_bulk *b)
{
	return (size_t)tl_spool_tell(&b->recs);
}

static int check(
	struct tl_bulk *b, const char *path, size_t len, struct tl_err *err)
{
	int rc = tl_repo_check_path(path, err);
	if (rc)
		return rc;
	if (b->committing)
		return tl_err_set(err, TL_EINVALID, "the bulk is committed");
	if (b->seq >= MAX_SLOTS)
		return tl_err_set(err, TL_EINVALID,
			"more than %zu files in one commit", MAX_SLOTS);
	if (len > UINT32_MAX)
		return tl_err_set(err, TL_EINVALID,
			"a file of %zu bytes: a commit takes files under 4 GiB",
			len);
	return 0;
}

static int add_record(struct tl_bulk *b, const char *path, off_t off,
	size_t len, int remove, struct tl_err *err)
{
	struct tl_bulk_rec h;
	uint64_t at;
	memset(&h, 0, sizeof(h));
	h.self = tl_spool_tell(&b->recs);
	h.seq = b->seq++;
	h.off = (uint64_t)off;
	h.len = (uint32_t)len;
	h.job = remove ? 0 : b->jobs++;
	h.pathlen = (uint32_t)strlen(path);
	h.remove = (uint32_t)remove;
	/* one add: a record is never split between file and buffer */
	tl_buf_reset(&b->rec);
	tl_buf_put(&b->rec, &h, sizeof(h));
	tl_buf_put(&b->rec, path, (size_t)h.pathlen + 1);
	return tl_spool_add(&b->recs, b->rec.ptr, b->rec.len, &at, err);
}

int tl_bulk_put(struct tl_bulk *b, const char *path, const char *data,
	size_t len, struct tl_err *err)
{
	off_t off = b->end;
	int rc = check(b, path, len, err);
	if (!rc && !tl_buf_fits(&b->wbuf, len, SPILL_BUF))
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
	b->end += (off_t)len;
	/* a later put of the same path leaves the old bytes unused */
	rc = add_record(b, path, off, len, 0, err);
	return !rc && len >= SPILL_BUF ? flush(b, err) : rc;
}

int tl_bulk_remove(struct tl_bulk *b, const char *path, struct tl_err *err)
{
	int rc = check(b, path, 0, err);
	return rc ? rc : add_record(b, path, 0, 0, 1, err);
}

int tl_bulk_read(
	struct tl_bulk *b, size_t mark, struct tl_buf *out, struct tl_err *err)
{
	struct tl_bulk_rec h;
	struct tl_err ignored = TL_ERR_INIT;
	const char *x = NULL;
	off_t written = b->end - (off_t)b->wbuf.len;
	if (!b->committing && mark < tl_spool_tell(&b->recs))
		x = tl_spool_get(&b->recs, mark, sizeof(h), &ignored);
	tl_err_clear(&ignored);
	if (x)
		memcpy(&h, x, sizeof(h));
	if (!x || h.self != mark)
		return tl_err_set(err, TL_EINVALID,
			"bulk mark %zu: not a put of this commit", mark);
	if (h.remove) {
		const char *path = tl_spool_get(
			&b->recs, mark + sizeof(h), (size_t)h.pathlen + 1, err);
		return path ? tl_err_set(err, TL_ENOTFOUND, "%s: removed", path)
			    : err->code;
	}
	tl_buf_reset(out);
	tl_buf_grow(out, h.len);
	if ((off_t)h.off >= written) {
		/* still in the buffer: a put's bytes are never split */
		memcpy(out->ptr, b->wbuf.ptr + ((off_t)h.off - written), h.len);
	} else if (tl_fd_pread_all(b->fd, out->ptr, h.len, (long long)h.off)) {
		return tl_err_set(err, TL_EIO,
			"reading the bulk spill file: %s", strerror(errno));
	}
	out->len = h.len;
	out->ptr[out->len] = '\0';
	return 0;
}

/* One run of records, read in order. */
struct cursor {
	struct tl_spill_reader in;
	off_t start, at, end;
	struct tl_bulk_rec h;
	const char *path; /* valid until the cursor moves */
	int live;
};

/* The runs merged: the staged files in path order, of several records of
 * a path the last, with the blob ids (from the ids file) and the stat
 * data (from the stats spool) when asked for. */
struct stream {
	struct tl_bulk *b;
	struct cursor *c;
	size_t k;
	int ids, stats;
	struct tl_spill_reader idr;
	uint64_t given;
	struct tl_buf path;
	struct tl_bulk_rec h; /* the entry's record */
	struct tl_staged e;
};

static int cursor_next(struct cursor *c, struct tl_err *err)
{
	const char *x;
	c->live = 0;
	if (c->at >= c->end)
		return 0;
	if (!(x = tl_spill_get(&c->in, c->at, sizeof(c->h), err)))
		return err->code;
	memcpy(&c->h, x, sizeof(c->h));
	if (!(c->path = tl_spill_get(&c->in, c->at + (off_t)sizeof(c->h),
		      (size_t)c->h.pathlen + 1, err)))
		return err->code;
	c->at += (off_t)(sizeof(c->h) + c->h.pathlen + 1);
	c->live = 1;
	return 0;
}

static int stream_rewind(void *ctx, struct tl_err *err)
{
	struct stream *s = ctx;
	int rc = 0;
	s->given = 0;
	for (size_t i = 0; i < s->k && !rc; i++) {
		s->c[i].at = s->c[i].start;
		rc = cursor_next(&s->c[i], err);
	}
	return rc;
}

/* The cursor with the least (path, order), or NULL. */
static struct cursor *least(struct stream *s)
{
	struct cursor *m = NULL;
	for (size_t i = 0; i < s->k; i++) {
		struct cursor *c = &s->c[i];
		int cmp;
		if (!c->live)
			continue;
		cmp = m ? strcmp(c->path, m->path) : -1;
		if (cmp < 0 || (cmp == 0 && c->h.seq < m->h.seq))
			m = c;
	}
	return m;
}

static int stream_next(
	void *ctx, const struct tl_staged **out, struct tl_err *err)
{
	struct stream *s = ctx;
	struct cursor *m = least(s);
	int rc = 0;
	*out = NULL;
	if (!m)
		return 0;
	tl_buf_reset(&s->path);
	tl_buf_put(&s->path, m->path, m->h.pathlen);
	/* the later records of the path come next: the last wins */
	while (!rc && m && !strcmp(m->path, s->path.ptr)) {
		s->h = m->h;
		if (!(rc = cursor_next(m, err)))
			m = least(s);
	}
	if (rc)
		return rc;
	memset(&s->e, 0, sizeof(s->e));
	s->e.path = s->path.ptr;
	s->e.remove = (int)s->h.remove;
	if (s->ids && !s->h.remove) {
		const char *id = tl_spill_get(&s->idr,
			(off_t)s->h.job * GIT_OID_RAWSZ, GIT_OID_RAWSZ, err);
		if (!id)
			return err->code;
		memcpy(s->e.id.id, id, GIT_OID_RAWSZ);
	}
	if (s->stats) {
		const char *st = tl_spool_get(&s->b->stats,
			s->given * sizeof(s->e.stat), sizeof(s->e.stat), err);
		if (!st)
			return err->code;
		memcpy(&s->e.stat, st, sizeof(s->e.stat));
	}
	s->given++;
	*out = &s->e;
	return 0;
}

static int stream_open(struct stream *s, struct tl_bulk *b, int ids, int stats,
	struct tl_stage_iter *it, struct tl_err *err)
{
	memset(s, 0, sizeof(*s));
	s->b = b;
	s->ids = ids;
	s->stats = stats;
	s->path = (struct tl_buf)TL_BUF_INIT;
	s->k = b->nruns;
	s->c = tl_calloc(s->k ? s->k : 1, sizeof(*s->c));
	for (size_t i = 0; i < s->k; i++) {
		tl_spill_init_sized(&s->c[i].in, b->runs.fd, 1, RUN_WINDOW);
		s->c[i].start = b->run_at[i];
		s->c[i].end = b->run_at[i + 1];
	}
	/* path order: the case files' ids rise, and the result files' */
	tl_spill_init_sized(&s->idr, b->idfd, TL_SPILL_WINDOWS, RUN_WINDOW);
	*it = (struct tl_stage_iter){ stream_next, stream_rewind, s };
	return stream_rewind(s, err);
}

static void stream_close(struct stream *s)
{
	for (size_t i = 0; i < s->k; i++)
		tl_spill_release(&s->c[i].in);
	free(s->c);
	tl_spill_release(&s->idr);
	tl_buf_release(&s->path);
}

struct item {
	const char *path;
	uint64_t seq;
	size_t at, size; /* the record in the run's buffer */
};

static int by_path_seq(const void *x, const void *y)
{
	const struct item *a = x, *b = y;
	int c = strcmp(a->path, b->path);
	return c ? c : a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* The records in chunk, sorted, as one more run. */
static int write_run(struct tl_bulk *b, struct tl_buf *chunk, struct item *v,
	size_t n, struct tl_err *err)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		v[i].path = chunk->ptr + v[i].at + sizeof(struct tl_bulk_rec);
	tl_sort(v, n, sizeof(*v), by_path_seq);
	for (size_t i = 0; i < n && !rc; i++) {
		uint64_t at;
		rc = tl_spool_add(
			&b->runs, chunk->ptr + v[i].at, v[i].size, &at, err);
	}
	b->run_at =
		tl_realloc(b->run_at, tl_mul(b->nruns + 2, sizeof(*b->run_at)));
	b->run_at[++b->nruns] = (off_t)tl_spool_tell(&b->runs);
	tl_buf_reset(chunk);
	return rc;
}

/* The records sorted a few MiB at a time into runs on disk, which the
 * streams merge: an external sort, so that no list of every file is
 * held in memory. */
static int sort_runs(struct tl_bulk *b, struct tl_err *err)
{
	struct tl_buf chunk = TL_BUF_INIT;
	struct item *v = NULL;
	size_t n = 0, cap = 0;
	uint64_t at = 0, end = tl_spool_tell(&b->recs);
	int rc = tl_spool_open(&b->runs, b->r->gitdir, err);
	b->run_at = tl_calloc(2, sizeof(*b->run_at));
	while (!rc && at < end) {
		struct tl_bulk_rec h;
		const char *x = tl_spool_get(&b->recs, at, sizeof(h), err);
		size_t size;
		if (!x) {
			rc = err->code;
			break;
		}
		memcpy(&h, x, sizeof(h));
		size = sizeof(h) + h.pathlen + 1;
		if (chunk.len && chunk.len + size > RUN_BYTES) {
			rc = write_run(b, &chunk, v, n, err);
			n = 0;
		}
		if (rc || !(x = tl_spool_get(&b->recs, at, size, err))) {
			rc = rc ? rc : err->code;
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			v = tl_realloc(v, tl_mul(cap, sizeof(*v)));
		}
		v[n].seq = h.seq;
		v[n].at = chunk.len;
		v[n++].size = size;
		tl_buf_put(&chunk, x, size);
		at += size;
	}
	if (!rc && n)
		rc = write_run(b, &chunk, v, n, err);
	if (!rc)
		rc = tl_spool_flush(&b->runs, err);
	tl_buf_release(&chunk);
	free(v);
	return rc;
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

/* The files, in path order, on the calling thread; their stat data to
 * the stats spool, in the same order. */
static int write_files(struct tl_bulk *b, struct tl_err *err)
{
	struct tl_wtree *w = NULL;
	struct tl_spill_reader in;
	struct tl_stage_iter it;
	struct stream s;
	const struct tl_staged *e = NULL;
	int rc = tl_wtree_open(&w, b->r->workdir, err);
	/* path order: an import's case files rise, and its result files */
	tl_spill_init(&in, b->fd, TL_SPILL_WINDOWS);
	if (!rc)
		rc = stream_open(&s, b, 0, 0, &it, err);
	else
		memset(&s, 0, sizeof(s));
	while (!rc && !(rc = stream_next(&s, &e, err)) && e) {
		struct tl_wstat ws;
		const char *data;
		uint64_t at;
		memset(&ws, 0, sizeof(ws));
		if (e->remove)
			rc = tl_wtree_remove(w, e->path, err);
		else if (!(data = tl_spill_get(
				   &in, (off_t)s.h.off, s.h.len, err)))
			rc = err->code;
		else
			rc = tl_wtree_put(w, e->path, data, s.h.len, &ws, err);
		if (!rc)
			rc = tl_spool_add(&b->stats, &ws, sizeof(ws), &at, err);
	}
	if (!rc)
		rc = tl_wtree_finish(w, err);
	stream_close(&s);
	tl_wtree_free(w);
	tl_spill_release(&in);
	return rc;
}

int tl_bulk_commit(struct tl_bulk *b, const struct tl_commit_opts *opts,
	char *out_id, struct tl_err *err)
{
	struct tl_stage_iter tree_it, index_it;
	struct stream tree_s, index_s;
	struct tl_persist p;
	int rc, tree_open = 0, index_open = 0;

	if ((rc = tl_repo_check_idents(opts, err)) || (rc = flush(b, err)))
		return rc;
	b->committing = 1;
	tl_buf_release(&b->wbuf);
	tl_buf_release(&b->rec);
	memset(&p, 0, sizeof(p));
	p.fn = persist;
	p.done = done;
	p.ctx = b;
	/* in path order, so files of one folder are written together */
	rc = sort_runs(b, err);
	tl_trace_perf("bulk: records sorted");
	if (!rc)
		rc = tl_spool_open(&b->stats, b->r->gitdir, err);
	if (!rc && !opts->no_commit) {
		/* the packer finishes the blobs and builds the tree from a
		 * stream of its own meanwhile */
		rc = stream_open(&tree_s, b, 1, 0, &tree_it, err);
		tree_open = 1;
	}
	tl_packer_close(b->pk, !rc && !opts->no_commit ? &tree_it : NULL, &p);
	if (!rc)
		rc = write_files(b, err);
	tl_trace_perf("bulk: files written");
	if (rc)
		tl_packer_stop(b->pk);
	if (!rc)
		rc = tl_packer_wait(b->pk, err);
	else
		tl_packer_wait(b->pk, NULL);
	if (tree_open)
		stream_close(&tree_s);
	tl_trace_perf("bulk: files and blobs written");
	if (!rc)
		rc = tl_spool_flush(&b->stats, err);
	if (!rc) {
		rc = stream_open(&index_s, b, 1, 1, &index_it, err);
		index_open = 1;
	}
	/* the index takes its memory next: give back what the reading
	 * and the tree building left in holes */
	tl_mem_trim();
	if (!rc)
		rc = tl_repo_finish_iter(b->r, tl_packer_git(b->pk), &index_it,
			opts, &p, out_id, err);
	if (index_open)
		stream_close(&index_s);
	return rc;
}

void tl_bulk_free(struct tl_bulk *b)
{
	if (!b)
		return;
	/* first: it reads the files below */
	tl_packer_free(b->pk);
	tl_buf_release(&b->wbuf);
	tl_buf_release(&b->rec);
	tl_spool_release(&b->recs);
	tl_spool_release(&b->runs);
	tl_spool_release(&b->stats);
	free(b->run_at);
	if (b->fd >= 0)
		close(b->fd);
	if (b->idfd >= 0)
		close(b->idfd);
	free(b);
}

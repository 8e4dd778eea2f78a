/* Bulk commits in bounded memory: a spill file, then packfiles. */
#include "core/bulk.h"
#include "core/repo_internal.h"
#include "core/fs.h"
#include "core/strmap.h"
#include "core/trace.h"
#include "core/wtree.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/banned.h"

/* Content written to one packfile: bounds the memory the objects take
 * between two packs. */
#define PACK_BYTES (4u << 20)

struct slot {
	char *path;
	off_t off;
	size_t len;
	int remove;
};

struct tl_bulk {
	struct tl_repo *r;
	int fd; /* the spill file, already unlinked */
	off_t end;
	struct slot *v;
	size_t n, cap;
	struct tl_strmap paths; /* path -> slot (keys are the slots' paths) */
	/* a private handle, so the mempack never reaches r->git */
	git_repository *git;
	git_odb *odb;
	struct recorder *rec;
};

/*
 * An odb backend in front of a mempack that notes what is written to it:
 * those objects, and only those, go to the next packfile. (Dumping the
 * mempack would pack everything its commit reaches, old objects too.)
 */
struct recorder {
	git_odb_backend parent;
	git_odb_backend *mem;
	git_oid *ids;
	const char **names; /* borrowed paths: the packer's delta hints */
	const char *name; /* the path of the next write */
	size_t n, cap;
	size_t bytes;
};

static git_odb_backend *mem_of(git_odb_backend *be)
{
	return ((struct recorder *)be)->mem;
}

static int rec_read(void **data, size_t *len, git_object_t *type,
	git_odb_backend *be, const git_oid *id)
{
	return mem_of(be)->read(data, len, type, mem_of(be), id);
}

static int rec_read_header(
	size_t *len, git_object_t *type, git_odb_backend *be, const git_oid *id)
{
	return mem_of(be)->read_header(len, type, mem_of(be), id);
}

static int rec_exists(git_odb_backend *be, const git_oid *id)
{
	return mem_of(be)->exists(mem_of(be), id);
}

static int rec_write(git_odb_backend *be, const git_oid *id, const void *data,
	size_t len, git_object_t type)
{
	struct recorder *r = (struct recorder *)be;
	if (mem_of(be)->exists(mem_of(be), id))
		return 0;
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 1024;
		r->ids = tl_realloc(r->ids, tl_mul(r->cap, sizeof(*r->ids)));
		r->names =
			tl_realloc(r->names, tl_mul(r->cap, sizeof(*r->names)));
	}
	r->names[r->n] = r->name;
	git_oid_cpy(&r->ids[r->n++], id);
	r->bytes += len;
	return r->mem->write(r->mem, id, data, len, type);
}

static void rec_free(git_odb_backend *be)
{
	struct recorder *r = (struct recorder *)be;
	r->mem->free(r->mem);
	free(r->ids);
	free(r->names);
	free(r);
}

static int recorder_new(struct recorder **out)
{
	struct recorder *r = tl_calloc(1, sizeof(*r));
	int rc = git_odb_init_backend(&r->parent, GIT_ODB_BACKEND_VERSION);
	if (!rc)
		rc = git_mempack_new(&r->mem);
	if (rc) {
		free(r);
		return rc;
	}
	r->parent.read = rec_read;
	r->parent.read_header = rec_read_header;
	r->parent.exists = rec_exists;
	r->parent.write = rec_write;
	r->parent.free = rec_free;
	*out = r;
	return 0;
}

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
	return 0;
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
	for (size_t done = 0; done < len;) {
		ssize_t w = pwrite(
			b->fd, data + done, len - done, b->end + (off_t)done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return tl_err_set(err, TL_EIO,
				"writing the bulk spill file: %s",
				w < 0 ? strerror(errno) : "short write");
		done += (size_t)w;
	}
	/* a later put of the same path leaves the old bytes unused */
	s = slot_for(b, path);
	s->off = b->end;
	s->len = len;
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
	tl_buf_reset(out);
	tl_buf_grow(out, s->len);
	for (size_t done = 0; done < s->len;) {
		ssize_t n = pread(b->fd, out->ptr + done, s->len - done,
			s->off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return tl_err_set(err, TL_EIO,
				"reading the bulk spill file: %s",
				n < 0 ? strerror(errno) : "short read");
		done += (size_t)n;
	}
	out->len = s->len;
	out->ptr[out->len] = '\0';
	return 0;
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

/* What the recorder noted becomes one packfile on disk. */
static int write_pack(struct tl_bulk *b, struct tl_err *err)
{
	struct recorder *r = b->rec;
	git_packbuilder *pb = NULL;
	git_buf pack = { 0 };
	git_odb_writepack *wp = NULL;
	git_indexer_progress st;
	int rc;
	if (!r->n)
		return 0;
	memset(&st, 0, sizeof(st));
	rc = git_packbuilder_new(&pb, b->git);
	for (size_t i = 0; i < r->n && !rc; i++)
		rc = git_packbuilder_insert(pb, &r->ids[i], r->names[i]);
	/* built in memory and indexed in one append: git_packbuilder_write
	 * indexes object by object, remapping the file each time */
	if (!rc)
		rc = git_packbuilder_write_buf(&pack, pb);
	if (!rc && !(rc = git_odb_write_pack(&wp, b->odb, NULL, NULL)) &&
		!(rc = wp->append(wp, pack.ptr, pack.size, &st)))
		rc = wp->commit(wp, &st);
	if (wp)
		wp->free(wp);
	git_buf_dispose(&pack);
	git_packbuilder_free(pb);
	if (rc)
		return tl_git_fail(err, rc, "writing a packfile");
	if (git_mempack_reset(r->mem))
		return tl_git_fail(err, -1, "emptying the object buffer");
	r->n = 0;
	r->bytes = 0;
	return 0;
}

/* A handful of objects (the commit, when the trees were packed with the
 * blobs) go loose, as an ordinary commit's do: a packfile each time
 * would bring git's pack limit (gc.autoPackLimit) twice as near. */
#define LOOSE_MAX 16

static int write_loose(struct tl_bulk *b, struct tl_err *err)
{
	struct recorder *r = b->rec;
	git_odb *disk = NULL;
	int rc = git_repository_odb(&disk, b->r->git);
	for (size_t i = 0; i < r->n && !rc; i++) {
		git_odb_object *o = NULL;
		git_oid id;
		if (!(rc = git_odb_read(&o, b->odb, &r->ids[i])))
			rc = git_odb_write(&id, disk, git_odb_object_data(o),
				git_odb_object_size(o), git_odb_object_type(o));
		git_odb_object_free(o);
	}
	git_odb_free(disk);
	if (rc)
		return tl_git_fail(err, rc, "writing an object");
	r->n = 0;
	r->bytes = 0;
	return 0;
}

/* Before a ref moves: the last objects on disk, then the work tree's file
 * system flushed once. */
static int persist(void *ctx, struct tl_err *err)
{
	struct tl_bulk *b = ctx;
	int rc = b->rec->n <= LOOSE_MAX ? write_loose(b, err)
					: write_pack(b, err);
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

/* The blobs, hashed and packed on a second thread while the first writes
 * the files: the two take about as long each. */
struct packer {
	struct tl_bulk *b;
	struct tl_staged *st;
	struct tl_persist *tree; /* NULL: no commit, no tree to build */
	atomic_int stop;
	int rc;
	struct tl_err err;
};

/* The commit's tree on the current HEAD, and its objects packed: off the
 * critical path when the files take longer (the commit checks that HEAD
 * has not moved, and builds the tree again if it has). */
static int pack_tree(struct packer *p)
{
	struct tl_bulk *b = p->b;
	struct tl_persist *t = p->tree;
	char *refname = NULL;
	git_commit *head = NULL;
	git_tree *base = NULL;
	int has_parent = 0;
	int rc = tl_repo_read_head(
		b->git, &refname, &t->base, &has_parent, &p->err);
	free(refname);
	if (rc)
		return rc;
	if (has_parent &&
		((rc = git_commit_lookup(&head, b->git, &t->base)) ||
			(rc = git_commit_tree(&base, head))))
		rc = tl_git_fail(&p->err, rc, "reading HEAD's tree");
	b->rec->name = NULL;
	if (!rc &&
		(rc = tl_repo_build_tree(&t->tree, b->git, base, p->st, b->n)))
		rc = tl_git_fail(&p->err, rc, "building the tree");
	if (!rc)
		rc = write_pack(b, &p->err);
	if (!rc) {
		t->base_unborn = !has_parent;
		t->has_tree = 1;
	}
	git_tree_free(base);
	git_commit_free(head);
	return rc;
}

static void *pack_blobs(void *arg)
{
	struct packer *p = arg;
	struct tl_bulk *b = p->b;
	struct tl_buf data = TL_BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < b->n && !rc; i++) {
		const struct slot *s = &b->v[i];
		if (atomic_load(&p->stop))
			break;
		if (s->remove || (rc = read_slot(b, s, &data, &p->err)))
			continue;
		rc = git_odb_hash(
			&p->st[i].id, data.ptr, data.len, GIT_OBJECT_BLOB);
		/* straight into the mempack: through the odb, every new
		 * object would rescan the pack folder first */
		b->rec->name = s->path;
		if (!rc)
			rc = rec_write(&b->rec->parent, &p->st[i].id, data.ptr,
				data.len, GIT_OBJECT_BLOB);
		if (rc)
			rc = tl_git_fail(&p->err, rc, "storing a blob");
		if (!rc && b->rec->bytes >= PACK_BYTES)
			rc = write_pack(b, &p->err);
	}
	tl_buf_release(&data);
	if (!rc && p->tree && !atomic_load(&p->stop))
		rc = pack_tree(p);
	p->rc = rc;
	return NULL;
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
	struct tl_persist p;
	struct packer pk;
	pthread_t th;
	int rc;

	if ((rc = tl_repo_check_idents(opts, err))) {
		free(st);
		return rc;
	}
	/* in path order, so files of one folder are written together */
	tl_sort(b->v, b->n, sizeof(*b->v), by_path);
	tl_strmap_release(&b->paths); /* the indexes moved */
	for (size_t i = 0; i < b->n; i++) {
		st[i].path = b->v[i].path;
		st[i].remove = b->v[i].remove;
	}
	if ((rc = git_repository_open(&b->git, b->r->gitdir)) ||
		(rc = git_repository_odb(&b->odb, b->git)) ||
		(rc = recorder_new(&b->rec)))
		rc = tl_git_fail(err, rc, "preparing a bulk commit");
	if (!rc && (rc = git_odb_add_backend(b->odb, &b->rec->parent, 1000))) {
		rec_free(&b->rec->parent);
		b->rec = NULL;
		rc = tl_git_fail(err, rc, "preparing a bulk commit");
	}
	if (rc) {
		free(st);
		return rc;
	}
	memset(&p, 0, sizeof(p));
	p.fn = persist;
	p.ctx = b;
	memset(&pk, 0, sizeof(pk));
	pk.b = b;
	pk.st = st;
	pk.tree = opts->no_commit ? NULL : &p;
	atomic_init(&pk.stop, 0);
	if (pthread_create(&th, NULL, pack_blobs, &pk)) {
		pack_blobs(&pk); /* no second thread: one after the other */
		rc = pk.rc ? tl_err_move(err, &pk.err) : 0;
		if (!rc)
			rc = write_files(b, st, err);
	} else {
		rc = write_files(b, st, err);
		if (rc)
			atomic_store(&pk.stop, 1);
		pthread_join(th, NULL);
		if (!rc && pk.rc)
			rc = tl_err_move(err, &pk.err);
	}
	tl_err_clear(&pk.err);
	b->rec->name = NULL; /* trees and the commit */
	tl_trace_perf("bulk: files and blobs written");
	if (!rc)
		rc = tl_repo_finish(
			b->r, b->git, st, b->n, opts, &p, out_id, err);
	free(st);
	return rc;
}

void tl_bulk_free(struct tl_bulk *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		free(b->v[i].path);
	free(b->v);
	tl_strmap_release(&b->paths);
	if (b->fd >= 0)
		close(b->fd);
	/* the odb owns the recorder */
	git_odb_free(b->odb);
	git_repository_free(b->git);
	free(b);
}

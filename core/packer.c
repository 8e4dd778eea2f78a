/* The object side of a bulk commit, on its own thread: see packer.h. */
#include "core/packer.h"
#include "core/recorder.h"
#include "core/spill.h"
#include "core/buf.h"
#include "core/fs.h"
#include "core/model.h"

#include <errno.h>
#include <git2.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

/* A packfile is written once the objects since the last one are this
 * many bytes, or this many objects: what libgit2's pack builder and
 * indexer hold between two packs is about 250 bytes an object besides
 * the delta window's bytes, and a result file is some 110 bytes, so the
 * count bounds it first. The builder's list of objects (104 bytes each)
 * grows to (n + 1024) * 3 / 2 entries: 1,536, 3,840, 7,296, 12,480, so
 * 8,192 objects held room for 12,480 and 7,296 fill their list exactly.
 * A 100,000-test import (120,000 objects) with no count peaked at 23 MB
 * in 11 packs, with 12,288 objects at 19.6 MB in 15, with 8,192 at 16.6
 * MB in 22 and with 7,296 at 15.3 to 15.5 MB in 25 (both with 64 KiB
 * buffers; packs git gc joins, and each one a reader may search). */
#define PACK_BYTES (2u << 20)
#define PACK_OBJECTS 7296

/* Blob ids gathered before they are written to the ids file. */
#define IDS_BUF ((size_t)1 << 16)

/* A handful of objects (the commit, when the trees were packed with the
 * blobs) go loose, as an ordinary commit's do: a packfile each time
 * would bring git's pack limit (gc.autoPackLimit) twice as near. */
#define LOOSE_MAX 16

struct tl_packer {
	struct tl_repo *r;
	int fd; /* the spill file */
	int rfd; /* the records of the puts and removes */
	int idfd; /* where the blobs' ids go, in the puts' order */
	struct tl_buf idbuf;
	/* the next pack's builder: a blob goes in as it is stored, with its
	 * path as the delta hint, so that no path is kept until the pack */
	git_packbuilder *pb;
	git_repository *git;
	/* git's: the recorder (core/recorder.h; what the commit makes goes
	 * there, and from there to packs) over a reader of disk's */
	git_odb *odb, *disk;
	struct tl_recorder *rec;
	char *packdir;
	struct tl_strlist before; /* the packs there were at the start */
	struct tl_strlist made; /* the packs written since */
	int keep;
	/* shared with the thread, under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
	int threaded;
	off_t pub_rec, pub_spill; /* whole up to here, both files */
	int closed, stop, waiting;
	struct tl_stage_iter *tree_it;
	struct tl_persist *tree;
	/* the thread's result */
	int rc;
	struct tl_err err;
};

/* The pack's bytes go to the indexer 256 KiB at a time:
 * git_packbuilder_write appends object by object, remapping the file
 * each time, and git_packbuilder_write_buf holds the whole pack. */
#define FEED_BYTES ((size_t)256 << 10)

struct feed {
	git_indexer *ix;
	git_indexer_progress *st;
	struct tl_buf buf;
};

static int feed_flush(struct feed *f)
{
	int rc = 0;
	if (f->buf.len)
		rc = git_indexer_append(f->ix, f->buf.ptr, f->buf.len, f->st);
	tl_buf_reset(&f->buf);
	return rc;
}

/* The buffer never grows past FEED_BYTES (see tl_buf_fits; a chunk as
 * big goes straight on): doubling it from there held 512 KiB. */
static int feed_chunk(void *data, size_t size, void *payload)
{
	struct feed *f = payload;
	int rc = 0;
	if (!tl_buf_fits(&f->buf, size, FEED_BYTES) && (rc = feed_flush(f)))
		return rc;
	if (!tl_buf_fits(&f->buf, size, FEED_BYTES))
		return git_indexer_append(f->ix, data, size, f->st);
	tl_buf_put(&f->buf, data, size);
	return 0;
}

/* What the recorder noted becomes one packfile on disk, whose name is
 * kept so that a commit given up can take it away again. */
static int write_pack(struct tl_packer *p, struct tl_err *err)
{
	struct tl_recorder *r = p->rec;
	git_indexer_progress st;
	struct feed f = { NULL, &st, TL_BUF_INIT };
	int rc = 0;
	if (r->n == r->kept)
		return 0;
	memset(&st, 0, sizeof(st));
	if (!p->pb)
		rc = git_packbuilder_new(&p->pb, p->git);
	/* the trees, which came without a name */
	for (size_t i = r->inserted; i < r->n && !rc; i++)
		rc = git_packbuilder_insert(p->pb, &r->v[i].id, NULL);
	if (!rc &&
		!(rc = git_indexer_new(&f.ix, p->packdir, 0, p->odb, NULL)) &&
		!(rc = git_packbuilder_foreach(p->pb, feed_chunk, &f)) &&
		!(rc = feed_flush(&f)) && !(rc = git_indexer_commit(f.ix, &st)))
		tl_strlist_push(&p->made, git_indexer_name(f.ix));
	git_indexer_free(f.ix);
	tl_buf_release(&f.buf);
	git_packbuilder_free(p->pb);
	p->pb = NULL;
	if (rc)
		return tl_git_fail(err, rc, "writing a packfile");
	tl_recorder_packed(r);
	return 0;
}

/* The last few objects go loose, through an object database of the
 * loose objects alone: the repository's would first ask every pack
 * whether it holds each one (git_odb_write's freshen), twice (a miss
 * rescans the pack folder), and map each pack's index to answer: 25 of
 * them, 1.6 MB, at the end of a 100,000-test import. Not synced here:
 * the commit syncs the file system (see bulk.c's persist). */
static int loose_odb(git_odb **out, git_repository *git)
{
	git_buf dir = { 0 };
	git_odb_backend *b = NULL;
	int rc = git_repository_item_path(
		&dir, git, GIT_REPOSITORY_ITEM_OBJECTS);
	*out = NULL;
	if (!rc && !(rc = git_odb_new(out)) &&
		!(rc = git_odb_backend_loose(&b, dir.ptr, -1, 0, 0, 0)) &&
		(rc = git_odb_add_backend(*out, b, 1)))
		b->free(b);
	git_buf_dispose(&dir);
	if (rc) {
		git_odb_free(*out);
		*out = NULL;
	}
	return rc;
}

static int write_loose(struct tl_packer *p, struct tl_err *err)
{
	struct tl_recorder *r = p->rec;
	git_odb *disk = NULL;
	int rc = loose_odb(&disk, p->git);
	git_packbuilder_free(p->pb);
	p->pb = NULL;
	for (size_t i = r->kept; i < r->n && !rc; i++) {
		git_odb_object *o = NULL;
		git_oid id;
		if (!(rc = git_odb_read(&o, p->odb, &r->v[i].id)))
			rc = git_odb_write(&id, disk, git_odb_object_data(o),
				git_odb_object_size(o), git_odb_object_type(o));
		git_odb_object_free(o);
	}
	git_odb_free(disk);
	if (rc)
		return tl_git_fail(err, rc, "writing an object");
	tl_recorder_packed(r);
	return 0;
}

static int pack_blob(struct tl_packer *p, const struct tl_bulk_rec *h,
	const char *name, struct tl_spill_reader *in, git_oid *id)
{
	const char *data = tl_spill_get(in, (off_t)h->off, h->len, &p->err);
	int rc;
	if (!data)
		return p->err.code;
	/* noted with where its bytes already are (a write through the odb
	 * would copy them) */
	rc = git_odb_hash(id, data, h->len, GIT_OBJECT_BLOB);
	if (!rc)
		tl_recorder_note_blob(p->rec, id, h->off, h->len);
	if (!rc && !p->pb)
		rc = git_packbuilder_new(&p->pb, p->git);
	/* into the pack's builder now (new objects only), its path with it */
	for (struct tl_recorder *r = p->rec; !rc && r->inserted < r->n;
		r->inserted++)
		rc = git_packbuilder_insert(p->pb, &r->v[r->inserted].id,
			r->inserted + 1 == r->n ? name : NULL);
	if (rc)
		return tl_git_fail(&p->err, rc, "storing a blob");
	if (p->rec->bytes >= PACK_BYTES ||
		p->rec->n - p->rec->kept >= PACK_OBJECTS)
		return write_pack(p, &p->err);
	return 0;
}

/* After a batch of the tree's paths: its trees go out in a pack once
 * they are as many bytes as a pack of blobs, not all kept for the end. */
static int trees_written(void *ctx, struct tl_err *err)
{
	struct tl_packer *p = ctx;
	struct tl_recorder *r = p->rec;
	return r->bytes >= PACK_BYTES || r->n - r->kept >= PACK_OBJECTS
		? write_pack(p, err)
		: 0;
}

/* The commit's tree on the current HEAD, and its objects packed (the
 * commit checks that HEAD has not moved, and builds it again if it has). */
static int pack_tree(struct tl_packer *p)
{
	struct tl_persist *t = p->tree;
	char *refname = NULL;
	git_commit *head = NULL;
	git_tree *base = NULL;
	int has_parent = 0;
	int rc = tl_repo_read_head(
		p->git, &refname, &t->base, &has_parent, &p->err);
	free(refname);
	if (rc)
		return rc;
	if (has_parent &&
		((rc = git_commit_lookup(&head, p->git, &t->base)) ||
			(rc = git_commit_tree(&base, head))))
		rc = tl_git_fail(&p->err, rc, "reading HEAD's tree");
	if (!rc)
		rc = tl_repo_build_tree(&t->tree, p->git, base, p->tree_it,
			trees_written, p, &p->err);
	if (!rc)
		rc = write_pack(p, &p->err);
	if (!rc) {
		t->base_unborn = !has_parent;
		t->has_tree = 1;
	}
	git_tree_free(base);
	git_commit_free(head);
	return rc;
}

static int ids_flush(struct tl_packer *p)
{
	if (p->idbuf.len &&
		tl_fd_write_all(p->idfd, p->idbuf.ptr, p->idbuf.len))
		return tl_err_set(&p->err, TL_EIO,
			"writing the bulk's blob ids: %s", strerror(errno));
	tl_buf_reset(&p->idbuf);
	return 0;
}

/* The records from at to end: each put's blob hashed and stored, its id
 * to the ids file. */
static int pack_span(struct tl_packer *p, struct tl_spill_reader *rin,
	struct tl_spill_reader *in, off_t *at, off_t end)
{
	int rc = 0;
	while (!rc && *at < end) {
		struct tl_bulk_rec h;
		const char *x = tl_spill_get(rin, *at, sizeof(h), &p->err);
		const char *name;
		git_oid id;
		if (!x)
			return p->err.code;
		memcpy(&h, x, sizeof(h));
		if (!(name = tl_spill_get(rin, *at + (off_t)sizeof(h),
			      (size_t)h.pathlen + 1, &p->err)))
			return p->err.code;
		*at += (off_t)(sizeof(h) + h.pathlen + 1);
		if (h.remove)
			continue;
		/* flushed first (see tl_buf_fits) */
		if (!(rc = pack_blob(p, &h, name, in, &id)) &&
			(tl_buf_fits(&p->idbuf, GIT_OID_RAWSZ, IDS_BUF) ||
				!(rc = ids_flush(p))))
			tl_buf_put(&p->idbuf, id.id, GIT_OID_RAWSZ);
	}
	return rc;
}

/* The blobs of the puts in their order, as the bulk makes them whole,
 * until it says there are no more. */
static int run_blobs(struct tl_packer *p)
{
	struct tl_spill_reader in, rin;
	off_t at = 0;
	int rc = 0;

	tl_spill_init(&in, p->fd, 1); /* the puts' order */
	tl_spill_init(&rin, p->rfd, 1);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		off_t end;
		while (!p->stop && !p->closed && at == p->pub_rec) {
			p->waiting = 1;
			pthread_cond_wait(&p->cv, &p->mu);
			p->waiting = 0;
		}
		if (p->stop || at == p->pub_rec)
			break; /* stopped, or closed and all done */
		end = p->pub_rec;
		/* both files are appended to past what was said whole */
		tl_spill_whole(&rin, end);
		tl_spill_whole(&in, p->pub_spill);
		pthread_mutex_unlock(&p->mu);
		rc = pack_span(p, &rin, &in, &at, end);
		pthread_mutex_lock(&p->mu);
		if (rc)
			break;
	}
	pthread_mutex_unlock(&p->mu);
	if (!rc)
		rc = ids_flush(p);
	tl_spill_release(&in);
	tl_spill_release(&rin);
	return rc;
}

static void *run(void *arg)
{
	struct tl_packer *p = arg;
	int rc = run_blobs(p), stop;
	pthread_mutex_lock(&p->mu);
	stop = p->stop;
	pthread_mutex_unlock(&p->mu);
	if (!rc && !stop && p->tree)
		rc = pack_tree(p);
	p->rc = rc;
	return NULL;
}

/* The pack names already there: a pack written again with the same
 * content gets the same name, and must not be deleted on the way out. */
static void list_packs(struct tl_packer *p)
{
	char **names = NULL;
	size_t n = 0;
	struct tl_err ignored = TL_ERR_INIT;
	if (tl_fs_list(&names, &n, p->packdir, 0, &ignored))
		tl_err_clear(&ignored);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		if (len > 10 && !strncmp(names[i], "pack-", 5) &&
			!strcmp(names[i] + len - 5, ".pack")) {
			char *name = tl_strndup(names[i] + 5, len - 10);
			tl_strlist_push(&p->before, name);
			free(name);
		}
		free(names[i]);
	}
	free(names);
}

int tl_packer_start(struct tl_packer **out, struct tl_repo *r, int spill_fd,
	int rec_fd, int ids_fd, struct tl_err *err)
{
	struct tl_packer *p = tl_calloc(1, sizeof(*p));
	int rc;
	p->r = r;
	p->fd = spill_fd;
	p->rfd = rec_fd;
	p->idfd = ids_fd;
	p->idbuf = (struct tl_buf)TL_BUF_INIT;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	*out = p;
	if ((rc = git_repository_open(&p->git, r->gitdir)) ||
		(rc = git_repository_odb(&p->disk, p->git)) ||
		(rc = git_odb_new(&p->odb)))
		return tl_git_fail(err, rc, "preparing a bulk commit");
	if ((rc = tl_recorder_new(&p->rec, r->gitdir, spill_fd, err)))
		return rc;
	if ((rc = git_odb_add_backend(p->odb, &p->rec->parent, 1000))) {
		p->rec->parent.free(&p->rec->parent);
		p->rec = NULL;
		return tl_git_fail(err, rc, "preparing a bulk commit");
	}
	{
		git_odb_backend *rd = NULL;
		if ((rc = tl_reader_new(&rd, p->disk)) ||
			(rc = git_odb_add_backend(p->odb, rd, 1))) {
			if (rd)
				rd->free(rd);
			return tl_git_fail(err, rc, "preparing a bulk commit");
		}
	}
	git_repository_set_odb(p->git, p->odb);
	/* the objects of a linked work tree live in the main repository's
	 * folder (its common dir), not in the work tree's own git dir */
	p->packdir =
		tl_path_join(git_repository_commondir(p->git), "objects/pack");
	list_packs(p);
	/* no thread: tl_packer_wait does the work */
	p->threaded = !pthread_create(&p->th, NULL, run, p);
	return 0;
}

void tl_packer_publish(struct tl_packer *p, off_t rec_end, off_t spill_end)
{
	pthread_mutex_lock(&p->mu);
	p->pub_rec = rec_end;
	p->pub_spill = spill_end;
	if (p->waiting)
		pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void tl_packer_close(
	struct tl_packer *p, struct tl_stage_iter *it, struct tl_persist *tree)
{
	pthread_mutex_lock(&p->mu);
	p->tree_it = it;
	p->tree = it ? tree : NULL;
	p->closed = 1;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void tl_packer_stop(struct tl_packer *p)
{
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

int tl_packer_wait(struct tl_packer *p, struct tl_err *err)
{
	if (p->threaded) {
		pthread_join(p->th, NULL);
		p->threaded = 0;
	} else if (p->rec) {
		run(p);
	}
	if (p->rc)
		return tl_err_move(err, &p->err);
	return 0;
}

git_repository *tl_packer_git(struct tl_packer *p)
{
	return p->git;
}

int tl_packer_flush(struct tl_packer *p, struct tl_err *err)
{
	int rc = p->rec->n - p->rec->kept <= LOOSE_MAX ? write_loose(p, err)
						       : write_pack(p, err);
	/* a branch may name these objects from now on */
	p->keep = 1;
	return rc;
}

void tl_packer_free(struct tl_packer *p)
{
	if (!p)
		return;
	if (p->threaded) {
		tl_packer_stop(p);
		pthread_join(p->th, NULL);
	}
	for (size_t i = 0; !p->keep && i < p->made.n; i++) {
		/* given up: the packs of this commit go */
		char *base;
		if (tl_strlist_has(&p->before, p->made.v[i]))
			continue;
		base = tl_format("%s/pack-%s", p->packdir, p->made.v[i]);
		for (const char *const *ext = (const char *const[]){ ".idx",
			     ".pack", ".rev", NULL };
			*ext; ext++) {
			char *f = tl_format("%s%s", base, *ext);
			unlink(f);
			free(f);
		}
		free(base);
	}
	/* the odb owns the recorder and the reader */
	git_odb_free(p->odb);
	git_odb_free(p->disk);
	git_packbuilder_free(p->pb);
	git_repository_free(p->git);
	tl_buf_release(&p->idbuf);
	free(p->packdir);
	tl_strlist_release(&p->before);
	tl_strlist_release(&p->made);
	tl_err_clear(&p->err);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
}

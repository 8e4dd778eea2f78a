#ifndef TL_PACKER_H
#define TL_PACKER_H
/*
 * The object side of a bulk commit (core/bulk.c), on a thread of its own:
 * blobs are hashed and packed while the report is still being read, and
 * the commit's tree is built and packed while the files are written.
 *
 * Blobs come from the bulk's spill file, found through its records file
 * (a record per put or remove, in their order), which the packer reads
 * as they are written: it keeps nothing per blob in memory once it is
 * packed (core/recorder.h: 40 bytes each until then, the bytes left on
 * disk), and writes each one's id to a file the bulk reads at the
 * commit. Packs hold at most about 2 MiB of content each, and only
 * objects this commit made;
 * the trees are built a batch of paths at a time and packed as they come.
 * A packer freed before tl_packer_wait succeeded deletes the packs it
 * wrote, so a refused import leaves nothing behind, in .git either.
 *
 * Not a public header: core/ files only.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/repo_internal.h"

struct tl_packer;

/* A put or a remove of a bulk commit, as its records file holds it,
 * followed by the path and a NUL. */
struct tl_bulk_rec {
	uint64_t self; /* its own offset in the records file */
	uint64_t seq; /* the order of the puts and removes */
	uint64_t off; /* a put's bytes in the spill file */
	uint32_t len;
	uint32_t job; /* a put's number among the puts: its id's place */
	uint32_t pathlen;
	uint32_t remove;
};

/* Opens a private handle on gitdir (its object database the recorder's,
 * over a reader of the repository's) and starts the thread; without a
 * thread the work is done, the same way, in tl_packer_wait. The packer
 * reads the records (rec_fd) and the spill file as tl_packer_publish
 * says they are whole, and appends each put's blob id (20 bytes) to
 * ids_fd in their order. */
int tl_packer_start(struct tl_packer **out, struct tl_repo *r, int spill_fd,
	int rec_fd, int ids_fd, struct tl_err *err);
/* The records file is whole up to rec_end, and the spill file holds the
 * bytes of every put before it (up to spill_end). */
void tl_packer_publish(struct tl_packer *p, off_t rec_end, off_t spill_end);
/* No more records. Once every blob is packed and its id written, when
 * it is not NULL, the commit's tree is built from it (the staged files
 * with their ids; read on the packer's thread) on the current HEAD and
 * packed (tree->has_tree and its base say so). it and tree must live
 * until tl_packer_wait. */
void tl_packer_close(
	struct tl_packer *p, struct tl_stage_iter *it, struct tl_persist *tree);
/* Stops early (the files failed); tl_packer_wait still joins. */
void tl_packer_stop(struct tl_packer *p);
/* Waits for the thread; its error, if any. */
int tl_packer_wait(struct tl_packer *p, struct tl_err *err);
/* The private handle, for the commit once the thread is done. */
git_repository *tl_packer_git(struct tl_packer *p);
/* What the commit wrote since (trees, the commit): to disk, loose when a
 * handful of objects, as one more pack otherwise. */
int tl_packer_flush(struct tl_packer *p, struct tl_err *err);
/* The commit has landed: its packs stay. */
void tl_packer_keep(struct tl_packer *p);
void tl_packer_free(struct tl_packer *p);

#endif

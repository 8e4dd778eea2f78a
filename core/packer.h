#ifndef TL_PACKER_H
#define TL_PACKER_H
/*
 * The object side of a bulk commit (core/bulk.c), on a thread of its own:
 * blobs are hashed and packed while the report is still being read, and
 * the commit's tree is built and packed while the files are written.
 *
 * Blobs come from the bulk's spill file, given by offset and length, in
 * any order; each becomes a job whose number the caller keeps. Packs hold
 * at most about 4 MiB of content each, and only objects this commit made.
 * A packer freed before tl_packer_wait succeeded deletes the packs it
 * wrote, so a refused import leaves nothing behind, in .git either.
 *
 * Not a public header: core/ files only.
 */
#include <stddef.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/repo_internal.h"

struct tl_packer;

/* Opens a private handle on gitdir (the mempack never reaches the
 * repository's own) and starts the thread; without a thread the work is
 * done, the same way, in tl_packer_wait. */
int tl_packer_start(struct tl_packer **out, struct tl_repo *r, int spill_fd,
	struct tl_err *err);
/* Queues the blob at [off, off + len) of the spill file; name is the
 * file's path (borrowed until the packer is freed), a delta hint. */
size_t tl_packer_add(
	struct tl_packer *p, off_t off, size_t len, const char *name);
/* Where job's bytes are in the spill file. */
int tl_packer_span(struct tl_packer *p, size_t job, off_t *off, size_t *len,
	struct tl_err *err);
/* Reads job's bytes back into out (from the calling thread). */
int tl_packer_read(struct tl_packer *p, size_t job, struct tl_buf *out,
	struct tl_err *err);
/* No more blobs. Once they are packed, st[i].id is set from jobs[i] for
 * every st[i] that is not a removal, and, when tree is not NULL, the
 * commit's tree is built on the current HEAD and packed (tree->has_tree
 * and its base say so). st and jobs must live until tl_packer_wait. */
void tl_packer_close(struct tl_packer *p, struct tl_staged *st,
	const size_t *jobs, size_t n, struct tl_persist *tree);
/* Stops early (the files failed); tl_packer_wait still joins. */
void tl_packer_stop(struct tl_packer *p);
/* Waits for the thread; its error, if any. The jobs are forgotten:
 * tl_packer_read fails after it. */
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

#ifndef TL_BLOBPAR_H
#define TL_BLOBPAR_H
/*
 * Reads and parses a batch of blobs on a helper thread while the caller
 * goes on (the history walk's cold path: the walk reads trees and hands
 * over each batch of blobs to inflate and parse). The helper reads
 * through a repository handle of its own, so the two threads never share
 * libgit2's caches. Not a public header.
 */
#include <git2.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

struct tl_blob_job {
	git_oid id;
	const char *path; /* borrowed */
	struct tl_buf out; /* what parse made of the blob */
};

/* Turns one blob into out (called on either thread: no shared state). */
typedef void (*tl_blob_parse_fn)(
	const char *path, const char *data, size_t len, struct tl_buf *out);

struct tl_blobpar;

int tl_blobpar_open(
	struct tl_blobpar **out, git_repository *git, struct tl_err *err);
/* Starts parsing every job's blob (one batch at a time: finish first);
 * without a thread, parses them before it returns. */
void tl_blobpar_start(struct tl_blobpar *bp, struct tl_blob_job *jobs, size_t n,
	tl_blob_parse_fn parse);
/* Waits for the batch; its first error. */
int tl_blobpar_finish(struct tl_blobpar *bp, struct tl_err *err);
void tl_blobpar_free(struct tl_blobpar *bp);

#endif

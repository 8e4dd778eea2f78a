#ifndef TL_BLOBPAR_H
#define TL_BLOBPAR_H
/*
 * Parses a batch of blobs on a helper thread while the caller goes on
 * (the history walk's cold path: the walk reads trees and blobs, and
 * hands each batch of blob bytes over to parse). The helper never calls
 * libgit2: two threads reading one pack contend on libgit2's global
 * window lock, which made a walk with a reading helper slower than one
 * thread doing everything. Not a public header.
 */
#include <stddef.h>

#include "core/buf.h"

struct tl_blob_job {
	const char *path; /* borrowed */
	const char *data; /* borrowed: the blob's bytes */
	size_t len;
	/* where parse's output went in the batch's out buffer */
	size_t out_at, out_len;
};

/* Turns one blob into out (called on either thread: no shared state). */
typedef void (*tl_blob_parse_fn)(
	const char *path, const char *data, size_t len, struct tl_buf *out);

struct tl_blobpar;

struct tl_blobpar *tl_blobpar_new(void);
/* Starts parsing every job's blob, each output appended to out (one
 * batch at a time: finish first); without a thread, parses them before
 * it returns. */
void tl_blobpar_start(struct tl_blobpar *bp, struct tl_blob_job *jobs, size_t n,
	tl_blob_parse_fn parse, struct tl_buf *out);
/* Waits for the batch. */
void tl_blobpar_finish(struct tl_blobpar *bp);
void tl_blobpar_free(struct tl_blobpar *bp);

#endif

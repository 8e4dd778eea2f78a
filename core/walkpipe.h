#ifndef TL_WALKPIPE_H
#define TL_WALKPIPE_H
/*
 * The cold history walk's pipeline (tl_walk_opts.parse): the walking
 * thread fills batches of changes from the trees; two reader threads
 * (one with !apart) take the filled batches in turn, each reading and
 * parsing a batch's blobs, and the changes go to fn batch by batch in
 * walk order (on a reader, or with !apart on the walking thread). Up to
 * TL_PIPE_SLOTS batches are in flight, so no stage waits for another's
 * one batch.
 *
 * Each reader reads through an object database of its own, opened at a
 * name of the objects folder that libgit2 does not know yet
 * ("objects/.", "objects/./."): libgit2 1.5 shares one handle per pack
 * path among every database of the process, and its lock is held
 * through each lookup's search of the pack index; two threads reading
 * through one handle were four times slower than one alone. Not a
 * public header.
 */
#include <stddef.h>
#include <stdint.h>

#include <git2.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/walk.h"

#define TL_PIPE_SLOTS 8

/* A commit of a batch: its fields copied once. */
struct tl_pipe_commit {
	char hex[GIT_OID_HEXSZ + 1];
	int64_t time;
	char *author, *subject;
};

/* A change of a batch. */
struct tl_pipe_item {
	size_t path_at; /* in paths */
	char blob[GIT_OID_HEXSZ + 1]; /* "" when deleted */
	git_oid id; /* the blob to read, when read is set */
	size_t commit; /* index into commits */
	int read; /* whether its blob is read and parsed */
	size_t out_at, out_len; /* its record, in out */
};

/* A batch; its strings and records in buffers that are reused, not a
 * block each (they were a tenth of the walk, freed on another thread
 * than the one that allocated them). */
struct tl_pipe_batch {
	struct tl_pipe_item *items; /* room for the pipe's batch size */
	size_t n;
	struct tl_pipe_commit *commits;
	size_t ncommits, ccap;
	struct tl_buf paths, out;
};

struct tl_pipe;

/* A pipe for batches of up to size changes, its blobs read from git's
 * objects and turned into records by parse, its changes given to fn. */
int tl_pipe_new(struct tl_pipe **out, git_repository *git, size_t size,
	void (*parse)(const char *, const char *, size_t, struct tl_buf *),
	tl_change_fn fn, void *ctx, int apart, struct tl_err *err);
/* The batch being filled (by the walking thread only). */
struct tl_pipe_batch *tl_pipe_filling(struct tl_pipe *p);
/* Whether the batch being filled is full. */
int tl_pipe_full(const struct tl_pipe *p);
/* Sends the batch being filled down the pipe and takes a free one,
 * waiting for one when all are in flight; the first error of a reader
 * or of fn so far, moved to err. */
int tl_pipe_push(struct tl_pipe *p, struct tl_err *err);
/* Sends what is filled and waits until every change has gone to fn. */
int tl_pipe_finish(struct tl_pipe *p, struct tl_err *err);
/* Stops the readers (waiting for the batch each is on) and frees. */
void tl_pipe_free(struct tl_pipe *p);

#endif

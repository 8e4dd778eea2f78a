/* A batch of blobs read and parsed on two threads: see blobpar.h. */
#include "core/blobpar.h"
#include "core/repo_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

struct tl_blobpar {
	git_odb *odb; /* the helper's */
	git_repository *own; /* the helper's handle */
	/* the batch in flight */
	struct tl_blob_job *jobs;
	size_t n;
	tl_blob_parse_fn parse;
	pthread_t th;
	int busy, threaded, rc;
	struct tl_err err;
};

static void *work(void *arg)
{
	struct tl_blobpar *bp = arg;
	for (size_t i = 0; i < bp->n; i++) {
		git_odb_object *o = NULL;
		/* git_odb_read skips the blob object wrapper (DESIGN.md) */
		int rc = git_odb_read(&o, bp->odb, &bp->jobs[i].id);
		if (rc) {
			bp->rc = tl_git_fail(&bp->err, rc, "reading a blob");
			break;
		}
		bp->parse(bp->jobs[i].path, git_odb_object_data(o),
			git_odb_object_size(o), &bp->jobs[i].out);
		git_odb_object_free(o);
	}
	return NULL;
}

int tl_blobpar_open(
	struct tl_blobpar **out, git_repository *git, struct tl_err *err)
{
	struct tl_blobpar *bp = tl_calloc(1, sizeof(*bp));
	int rc = git_repository_open(&bp->own, git_repository_path(git));
	if (!rc)
		rc = git_repository_odb(&bp->odb, bp->own);
	*out = bp;
	return rc ? tl_git_fail(err, rc, "opening the repository") : 0;
}

void tl_blobpar_start(struct tl_blobpar *bp, struct tl_blob_job *jobs, size_t n,
	tl_blob_parse_fn parse)
{
	bp->jobs = jobs;
	bp->n = n;
	bp->parse = parse;
	bp->rc = 0;
	bp->busy = 1;
	bp->threaded = !pthread_create(&bp->th, NULL, work, bp);
	if (!bp->threaded)
		work(bp); /* no thread: now, on this one */
}

int tl_blobpar_finish(struct tl_blobpar *bp, struct tl_err *err)
{
	if (!bp->busy)
		return 0;
	if (bp->threaded)
		pthread_join(bp->th, NULL);
	bp->busy = bp->threaded = 0;
	if (bp->rc) {
		int rc = tl_err_move(err, &bp->err);
		bp->rc = 0;
		return rc;
	}
	return 0;
}

void tl_blobpar_free(struct tl_blobpar *bp)
{
	if (!bp)
		return;
	tl_blobpar_finish(bp, NULL);
	git_odb_free(bp->odb);
	git_repository_free(bp->own);
	free(bp);
}

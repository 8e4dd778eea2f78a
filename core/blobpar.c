/* A batch of blobs parsed on a helper thread: see blobpar.h. */
#include "core/blobpar.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

struct tl_blobpar {
	/* the batch in flight */
	struct tl_blob_job *jobs;
	size_t n;
	tl_blob_parse_fn parse;
	struct tl_buf *out;
	struct tl_buf one; /* a blob's output, before it joins out */
	pthread_t th;
	int busy, threaded;
};

static void *work(void *arg)
{
	struct tl_blobpar *bp = arg;
	for (size_t i = 0; i < bp->n; i++) {
		struct tl_blob_job *j = &bp->jobs[i];
		tl_buf_reset(&bp->one);
		bp->parse(j->path, j->data, j->len, &bp->one);
		j->out_at = bp->out->len;
		j->out_len = bp->one.len;
		tl_buf_put(bp->out, bp->one.ptr, bp->one.len);
	}
	return NULL;
}

struct tl_blobpar *tl_blobpar_new(void)
{
	struct tl_blobpar *bp = tl_calloc(1, sizeof(*bp));
	bp->one = (struct tl_buf)TL_BUF_INIT;
	return bp;
}

void tl_blobpar_start(struct tl_blobpar *bp, struct tl_blob_job *jobs, size_t n,
	tl_blob_parse_fn parse, struct tl_buf *out)
{
	bp->jobs = jobs;
	bp->n = n;
	bp->parse = parse;
	bp->out = out;
	bp->busy = 1;
	bp->threaded = !pthread_create(&bp->th, NULL, work, bp);
	if (!bp->threaded)
		work(bp); /* no thread: now, on this one */
}

void tl_blobpar_finish(struct tl_blobpar *bp)
{
	if (!bp->busy)
		return;
	if (bp->threaded)
		pthread_join(bp->th, NULL);
	bp->busy = bp->threaded = 0;
}

void tl_blobpar_free(struct tl_blobpar *bp)
{
	if (!bp)
		return;
	tl_blobpar_finish(bp);
	tl_buf_release(&bp->one);
	free(bp);
}

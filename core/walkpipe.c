/* The cold walk's pipeline: see walkpipe.h. */
#include "core/walkpipe.h"
#include "core/repo_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

/* With !apart one: the walking thread gives every batch (and fills the
 * per-commit cache), so it is the walk's pace; a second reader only took
 * cores and memory from it (diff's base side: 1.27 to 1.32 s and 186 MB
 * with one, 1.61 to 1.64 s and 202 MB with two). */
#define READERS 2

/* A slot's state; a slot goes round them in this order. */
enum { S_FREE, S_FILLING, S_QUEUED, S_READING, S_READ, S_GIVING };

struct reader {
	struct tl_pipe *p;
	git_odb *odb; /* its own: see walkpipe.h */
	struct tl_pipe_item **ord; /* a batch's items to read, by id */
	size_t ordcap;
	struct tl_buf one; /* a blob's record, before it joins out */
	struct tl_err err; /* this thread's error, before it is the pipe's */
	pthread_t th;
	int running;
};

struct tl_pipe {
	size_t size;
	void (*parse)(const char *, const char *, size_t, struct tl_buf *);
	tl_change_fn fn;
	void *ctx;
	int apart;
	struct tl_pipe_batch slot[TL_PIPE_SLOTS];
	int state[TL_PIPE_SLOTS];
	int fill; /* the slot being filled */
	/* batches by number: pushed so far, taken by a reader, given to fn;
	 * the slot of batch k is seqslot[k % TL_PIPE_SLOTS] */
	size_t pushed, taken, given;
	int seqslot[TL_PIPE_SLOTS];
	int giving; /* a thread is giving batches to fn */
	struct reader r[READERS];
	int nreaders; /* threads running */
	pthread_mutex_t mu;
	pthread_cond_t work; /* a batch pushed, or stop */
	pthread_cond_t done; /* a batch read, given, or an error */
	int stop;
	int rc; /* the first error; its message in err until taken */
	struct tl_err err;
};

static void batch_clear(struct tl_pipe_batch *b)
{
	for (size_t i = 0; i < b->ncommits; i++) {
		free(b->commits[i].author);
		free(b->commits[i].subject);
	}
	tl_buf_reset(&b->paths);
	tl_buf_reset(&b->out);
	b->n = b->ncommits = 0;
}

static int by_id(const void *a, const void *b)
{
	return git_oid_cmp(&(*(struct tl_pipe_item *const *)a)->id,
		&(*(struct tl_pipe_item *const *)b)->id);
}

/* Reads and parses a batch's blobs (no lock held: the batch is this
 * reader's until it says it is read). */
static int read_batch(
	struct tl_pipe *p, struct reader *r, struct tl_pipe_batch *b)
{
	size_t m = 0;
	if (b->n > r->ordcap) {
		r->ordcap = b->n;
		r->ord = tl_realloc(r->ord, tl_mul(b->n, sizeof(*r->ord)));
	}
	for (size_t i = 0; i < b->n; i++)
		if (b->items[i].read)
			r->ord[m++] = &b->items[i];
	/* in id order, each lookup in the pack's index lands near the last
	 * one: that search was 40 % of a blob's read in walk order */
	qsort(r->ord, m, sizeof(*r->ord), by_id);
	for (size_t k = 0; k < m; k++) {
		struct tl_pipe_item *it = r->ord[k];
		git_odb_object *o = NULL;
		int rc = git_odb_read(&o, r->odb, &it->id);
		if (rc) /* libgit2's message is this thread's: taken here */
			return tl_git_fail(&r->err, rc, "reading a blob");
		tl_buf_reset(&r->one);
		p->parse(b->paths.ptr + it->path_at, git_odb_object_data(o),
			git_odb_object_size(o), &r->one);
		git_odb_object_free(o);
		it->out_at = b->out.len;
		it->out_len = r->one.len;
		tl_buf_put(&b->out, r->one.ptr, r->one.len);
	}
	return 0;
}

/* Gives fn every change of a read batch, in order, then empties it. */
static int give(struct tl_pipe *p, struct tl_pipe_batch *b, struct tl_err *err)
{
	struct tl_blob_change ch;
	int rc = 0;
	memset(&ch, 0, sizeof(ch));
	for (size_t i = 0; i < b->n && !rc; i++) {
		const struct tl_pipe_item *it = &b->items[i];
		const struct tl_pipe_commit *c = &b->commits[it->commit];
		ch.path = b->paths.ptr + it->path_at;
		ch.blob = it->blob[0] ? it->blob : NULL;
		ch.time = c->time;
		ch.commit = c->hex;
		ch.author = c->author;
		ch.subject = c->subject;
		ch.rec = it->read ? b->out.ptr + it->out_at : NULL;
		ch.rec_len = it->read ? it->out_len : 0;
		rc = p->fn(&ch, p->ctx, err);
	}
	batch_clear(b);
	return rc;
}

/* The first error stops the pipe; a later one is dropped. */
static void fail_locked(struct tl_pipe *p, int rc, struct tl_err *e)
{
	if (!p->rc) {
		p->rc = rc;
		tl_err_move(&p->err, e);
	} else {
		tl_err_clear(e);
	}
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_cond_broadcast(&p->done);
}

/* Gives fn the read batches next in order, while no other thread is at
 * it (the lock is let go while fn runs). */
static void give_ready_locked(struct tl_pipe *p, struct tl_err *scratch)
{
	while (!p->giving && !p->stop && p->given < p->pushed) {
		int s = p->seqslot[p->given % TL_PIPE_SLOTS], rc;
		if (p->state[s] != S_READ)
			break;
		p->state[s] = S_GIVING;
		p->giving = 1;
		pthread_mutex_unlock(&p->mu);
		rc = give(p, &p->slot[s], scratch);
		pthread_mutex_lock(&p->mu);
		p->giving = 0;
		p->state[s] = S_FREE;
		p->given++;
		pthread_cond_broadcast(&p->done);
		if (rc)
			fail_locked(p, rc, scratch);
	}
}

/* Takes the next pushed batch and reads it (the lock let go meanwhile);
 * with apart, gives what is ready. */
static void read_next_locked(struct tl_pipe *p, struct reader *r)
{
	int s = p->seqslot[p->taken % TL_PIPE_SLOTS], rc;
	p->taken++;
	p->state[s] = S_READING;
	pthread_mutex_unlock(&p->mu);
	rc = read_batch(p, r, &p->slot[s]);
	pthread_mutex_lock(&p->mu);
	if (rc) {
		fail_locked(p, rc, &r->err);
		return;
	}
	p->state[s] = S_READ;
	pthread_cond_broadcast(&p->done);
	if (p->apart)
		give_ready_locked(p, &r->err);
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	struct tl_pipe *p = r->p;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && p->taken == p->pushed)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->stop)
			break;
		read_next_locked(p, r);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* The pipe's error, its message moved to err the first time. */
static int error_locked(struct tl_pipe *p, struct tl_err *err)
{
	if (p->rc && p->err.msg)
		tl_err_move(err, &p->err);
	return p->rc;
}

/* Sends the slot being filled (when it holds anything); with no reader
 * thread, reads and gives it here. */
static void send_locked(struct tl_pipe *p, struct tl_err *scratch)
{
	int s = p->fill;
	p->fill = -1;
	if (s < 0)
		return;
	if (!p->slot[s].n) {
		p->state[s] = S_FREE;
		return;
	}
	p->state[s] = S_QUEUED;
	p->seqslot[p->pushed % TL_PIPE_SLOTS] = s;
	p->pushed++;
	if (p->nreaders) {
		pthread_cond_signal(&p->work);
		return;
	}
	read_next_locked(p, &p->r[0]);
	give_ready_locked(p, scratch);
}

int tl_pipe_push(struct tl_pipe *p, struct tl_err *err)
{
	struct tl_err scratch = TL_ERR_INIT;
	int rc;
	pthread_mutex_lock(&p->mu);
	if (!p->rc)
		send_locked(p, &scratch);
	while (!p->rc) {
		int s;
		if (!p->apart)
			give_ready_locked(p, &scratch);
		for (s = 0; s < TL_PIPE_SLOTS && p->state[s] != S_FREE; s++)
			;
		if (s < TL_PIPE_SLOTS) {
			p->state[s] = S_FILLING;
			p->fill = s;
			break;
		}
		pthread_cond_wait(&p->done, &p->mu);
	}
	rc = error_locked(p, err);
	pthread_mutex_unlock(&p->mu);
	tl_err_clear(&scratch);
	if (!rc && !p->slot[p->fill].items)
		p->slot[p->fill].items =
			tl_calloc(p->size, sizeof(*p->slot[p->fill].items));
	return rc;
}

int tl_pipe_finish(struct tl_pipe *p, struct tl_err *err)
{
	struct tl_err scratch = TL_ERR_INIT;
	int rc;
	pthread_mutex_lock(&p->mu);
	if (!p->rc)
		send_locked(p, &scratch);
	while (!p->rc && p->given < p->pushed) {
		if (!p->apart)
			give_ready_locked(p, &scratch);
		if (p->given < p->pushed && !p->rc)
			pthread_cond_wait(&p->done, &p->mu);
	}
	rc = error_locked(p, err);
	pthread_mutex_unlock(&p->mu);
	tl_err_clear(&scratch);
	return rc;
}

struct tl_pipe_batch *tl_pipe_filling(struct tl_pipe *p)
{
	return &p->slot[p->fill];
}

int tl_pipe_full(const struct tl_pipe *p)
{
	return p->slot[p->fill].n == p->size;
}

int tl_pipe_new(struct tl_pipe **out, git_repository *git, size_t size,
	void (*parse)(const char *, const char *, size_t, struct tl_buf *),
	tl_change_fn fn, void *ctx, int apart, struct tl_err *err)
{
	git_buf dir = GIT_BUF_INIT;
	struct tl_buf path = TL_BUF_INIT;
	struct tl_pipe *p;
	int rc;
	*out = NULL;
	if ((rc = git_repository_item_path(
		     &dir, git, GIT_REPOSITORY_ITEM_OBJECTS)))
		return tl_git_fail(err, rc, "opening the object database");
	tl_buf_put(&path, dir.ptr, dir.size);
	git_buf_dispose(&dir);
	while (path.len > 1 && path.ptr[path.len - 1] == '/')
		tl_buf_truncate(&path, path.len - 1);
	p = tl_calloc(1, sizeof(*p));
	p->size = size;
	p->parse = parse;
	p->fn = fn;
	p->ctx = ctx;
	p->apart = apart;
	p->err = (struct tl_err)TL_ERR_INIT;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	for (int i = 0; i < TL_PIPE_SLOTS; i++) {
		p->slot[i].paths = (struct tl_buf)TL_BUF_INIT;
		p->slot[i].out = (struct tl_buf)TL_BUF_INIT;
	}
	for (int i = 0; i < (apart ? READERS : 1) && !rc; i++) {
		struct reader *r = &p->r[i];
		r->p = p;
		r->one = (struct tl_buf)TL_BUF_INIT;
		r->err = (struct tl_err)TL_ERR_INIT;
		/* "objects/.", then "objects/./.": see walkpipe.h */
		tl_buf_puts(&path, "/.");
		if ((rc = git_odb_open(&r->odb, path.ptr)))
			rc = tl_git_fail(
				err, rc, "opening the object database");
	}
	tl_buf_release(&path);
	p->fill = 0;
	p->state[0] = S_FILLING;
	p->slot[0].items = tl_calloc(size, sizeof(*p->slot[0].items));
	for (int i = 0; i < (apart ? READERS : 1) && !rc; i++) {
		struct reader *r = &p->r[i];
		/* no thread: the walking thread reads with the first one's
		 * database as it sends each batch */
		r->running = !pthread_create(&r->th, NULL, reader_main, r);
		p->nreaders += r->running;
	}
	if (rc) {
		tl_pipe_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

void tl_pipe_free(struct tl_pipe *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	/* first: a reader may be in a batch */
	for (int i = 0; i < READERS; i++)
		if (p->r[i].running)
			pthread_join(p->r[i].th, NULL);
	for (int i = 0; i < READERS; i++) {
		git_odb_free(p->r[i].odb);
		free(p->r[i].ord);
		tl_buf_release(&p->r[i].one);
		tl_err_clear(&p->r[i].err);
	}
	for (int i = 0; i < TL_PIPE_SLOTS; i++) {
		batch_clear(&p->slot[i]);
		tl_buf_release(&p->slot[i].paths);
		tl_buf_release(&p->slot[i].out);
		free(p->slot[i].items);
		free(p->slot[i].commits);
	}
	tl_err_clear(&p->err);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

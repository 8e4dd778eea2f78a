/* A bulk commit's spill file, read through a few windows: see spill.h. */
#include "core/spill.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fs.h"

#include "core/banned.h"

#define WINDOW TL_SPILL_WINDOW

void tl_spill_init(struct tl_spill_reader *r, int fd, int windows)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->nw = windows < 1		     ? 1
		: windows > TL_SPILL_WINDOWS ? TL_SPILL_WINDOWS
					     : windows;
	r->big = (struct tl_buf)TL_BUF_INIT;
	r->size = WINDOW;
}

void tl_spill_init_sized(
	struct tl_spill_reader *r, int fd, int windows, size_t size)
{
	tl_spill_init(r, fd, windows);
	r->size = size ? size : WINDOW;
}

static int fail(struct tl_err *err)
{
	return tl_err_set(err, TL_EIO, "reading a spill file: %s",
		errno ? strerror(errno) : "it ended early");
}

void tl_spill_whole(struct tl_spill_reader *r, off_t end)
{
	r->whole = end;
}

const char *tl_spill_get(
	struct tl_spill_reader *r, off_t off, size_t len, struct tl_err *err)
{
	struct tl_spill_window *w = &r->w[0];
	size_t got = 0, want = r->size;
	r->clock++;
	if (len > r->size) {
		tl_buf_reset(&r->big);
		tl_buf_grow(&r->big, len);
		errno = 0;
		if (tl_fd_pread_all(r->fd, r->big.ptr, len, (long long)off)) {
			fail(err);
			return NULL;
		}
		r->big.len = len;
		return r->big.ptr;
	}
	for (int i = 0; i < r->nw; i++) {
		struct tl_spill_window *x = &r->w[i];
		if (x->buf && off >= x->off &&
			(size_t)(off - x->off) + len <= x->len) {
			x->used = r->clock;
			return x->buf + (off - x->off);
		}
		if (x->used < w->used)
			w = x; /* the least recently used (or unused) one */
	}
	/* the window starts at the span: the stream it serves rises */
	if (!w->buf)
		w->buf = tl_malloc(r->size);
	w->len = 0;
	if (r->whole && r->whole - off < (off_t)want)
		want = r->whole > off ? (size_t)(r->whole - off) : 0;
	if (want < len)
		want = len; /* past what is whole: fails below if not there */
	while (got < len) {
		ssize_t n = pread(r->fd, w->buf + got, want - got,
			(off_t)(off + (off_t)got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = 0;
			fail(err);
			return NULL;
		}
		got += (size_t)n;
	}
	w->off = off;
	w->len = got;
	w->used = r->clock;
	return w->buf;
}

void tl_spill_patch(
	struct tl_spill_reader *r, off_t off, const void *p, size_t n)
{
	for (int i = 0; i < TL_SPILL_WINDOWS; i++) {
		struct tl_spill_window *w = &r->w[i];
		off_t from = off > w->off ? off : w->off;
		off_t to = off + (off_t)n < w->off + (off_t)w->len
			? off + (off_t)n
			: w->off + (off_t)w->len;
		if (w->buf && from < to)
			memcpy(w->buf + (from - w->off),
				(const char *)p + (from - off),
				(size_t)(to - from));
	}
}

void tl_spill_release(struct tl_spill_reader *r)
{
	for (int i = 0; i < TL_SPILL_WINDOWS; i++)
		free(r->w[i].buf);
	tl_buf_release(&r->big);
	memset(r->w, 0, sizeof(r->w));
}

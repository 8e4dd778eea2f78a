/* Records on disk, read back by offset: see spool.h. */
#include "core/spool.h"
#include "core/fs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

#define SPOOL_BUF TL_SPOOL_BUF

int tl_spool_open(struct tl_spool *s, const char *dir, struct tl_err *err)
{
	const char *tmp = getenv("TMPDIR");
	char *path = tl_format("%s/tally-spool-XXXXXX",
		dir		      ? dir
			: tmp && *tmp ? tmp
				      : "/tmp");
	memset(s, 0, sizeof(*s));
	s->wbuf = (struct tl_buf)TL_BUF_INIT;
	s->fd = mkstemp(path);
	if (s->fd < 0) {
		int rc = tl_err_set(
			err, TL_EIO, "creating %s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	/* gone from the file system at once: a kill leaves nothing behind */
	unlink(path);
	free(path);
	tl_spill_init(&s->in, s->fd, 1);
	s->open = 1;
	return 0;
}

int tl_spool_flush(struct tl_spool *s, struct tl_err *err)
{
	if (s->wbuf.len && tl_fd_write_all(s->fd, s->wbuf.ptr, s->wbuf.len))
		return tl_err_set(err, TL_EIO, "writing a spool file: %s",
			strerror(errno));
	s->end += (off_t)s->wbuf.len;
	tl_buf_reset(&s->wbuf);
	/* the windows may read up to here, and no further */
	tl_spill_whole(&s->in, s->end);
	return 0;
}

int tl_spool_add(struct tl_spool *s, const void *p, size_t n, uint64_t *off,
	struct tl_err *err)
{
	int rc;
	if (!s->open)
		return tl_err_set(err, TL_EINVALID, "the spool is not open");
	/* a record is never split between the file and the buffer, and the
	 * buffer stays within SPOOL_BUF (see tl_buf_fits) */
	if (s->wbuf.len && !tl_buf_fits(&s->wbuf, n, SPOOL_BUF) &&
		(rc = tl_spool_flush(s, err)))
		return rc;
	*off = (uint64_t)s->end + s->wbuf.len;
	tl_buf_put(&s->wbuf, p, n);
	return s->wbuf.len >= SPOOL_BUF ? tl_spool_flush(s, err) : 0;
}

uint64_t tl_spool_tell(const struct tl_spool *s)
{
	return (uint64_t)s->end + s->wbuf.len;
}

int tl_spool_set(struct tl_spool *s, uint64_t off, const void *p, size_t n,
	struct tl_err *err)
{
	if (off >= (uint64_t)s->end) {
		uint64_t at = off - (uint64_t)s->end;
		if (at > s->wbuf.len || n > s->wbuf.len - at)
			return tl_err_set(err, TL_EINVALID,
				"spool offset %llu: past the end",
				(unsigned long long)off);
		memcpy(s->wbuf.ptr + at, p, n);
		return 0;
	}
	if (n > (uint64_t)s->end - off)
		return tl_err_set(err, TL_EINVALID,
			"spool offset %llu: a record across the end",
			(unsigned long long)off);
	if (tl_fd_pwrite_all(s->fd, p, n, (long long)off))
		return tl_err_set(err, TL_EIO, "writing a spool file: %s",
			strerror(errno));
	/* a window read before holds the old bytes */
	tl_spill_patch(&s->in, (off_t)off, p, n);
	return 0;
}

const char *tl_spool_get(
	struct tl_spool *s, uint64_t off, size_t n, struct tl_err *err)
{
	if (off >= (uint64_t)s->end) {
		uint64_t at = off - (uint64_t)s->end;
		if (at > s->wbuf.len || n > s->wbuf.len - at) {
			tl_err_set(err, TL_EINVALID,
				"spool offset %llu: past the end",
				(unsigned long long)off);
			return NULL;
		}
		return s->wbuf.ptr + at;
	}
	if (n > (uint64_t)s->end - off) {
		tl_err_set(err, TL_EINVALID,
			"spool offset %llu: a record across the end",
			(unsigned long long)off);
		return NULL;
	}
	return tl_spill_get(&s->in, (off_t)off, n, err);
}

void tl_spool_release(struct tl_spool *s)
{
	if (s->open)
		close(s->fd);
	s->open = 0;
	s->fd = -1;
	tl_buf_release(&s->wbuf);
	tl_spill_release(&s->in);
}

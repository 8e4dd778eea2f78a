/* git's index, updated as a stream: see index.h. */
#include "core/index.h"
#include "core/buf.h"
#include "core/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/banned.h"

#define HEADER 12 /* "DIRC", version, count */
#define FIXED 62 /* an entry's stat data, object id and flags */
#define SUM 20 /* the SHA-1 at the end */
#define F_EXTENDED 0x4000
#define F_STAGE 0x3000
#define F_NAME 0x0fff
/* written 64 KiB at a time: 1 MiB held a 100,000-file index's last MB
 * at the import's end, for no time saved */
#define FLUSH_AT ((size_t)64 << 10)
/* next()'s answer for an entry this writer does not carry */
#define NEXT_UNSUPPORTED (-1000)

/* The old index, mapped. */
struct old {
	const unsigned char *map;
	size_t len;
	unsigned version;
	uint32_t count;
	int64_t mtime_s; /* the file's: what git calls racy is against it */
	const char *path;
};

/* A cursor over its entries. */
struct cursor {
	const struct old *o;
	size_t off;
	uint32_t left;
	struct tl_buf name, prev; /* this entry's path and the last one's */
	const unsigned char *head; /* stat data, id and flags */
	size_t headlen;
	unsigned stage, prev_stage;
};

/* The new index, written and summed as it goes. */
struct out {
	int fd;
	unsigned version;
	struct tl_buf buf, prev;
	EVP_MD_CTX *sum;
	size_t count; /* entries written (or, with fd < 0, counted) */
	const char *workdir;
	const struct old *o;
	struct tl_buf full; /* workdir/path, for lstat */
};

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
}

static void set32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static int damaged(
	const struct old *o, size_t at, const char *why, struct tl_err *err)
{
	return tl_err_set(err, TL_EINVALID,
		"%s: damaged at byte %zu: %s (git status says more; "
		"rm the file and git reset rebuilds it)",
		o->path, at, why);
}

/* git's offset varint (varint.c): 7 bits a byte, the high bit "more",
 * each continuation adding one so that no value has two spellings. */
static int get_varint(
	const unsigned char *p, size_t room, uint64_t *out, size_t *used)
{
	size_t i = 0;
	uint64_t v;
	if (!room)
		return -1;
	v = p[i] & 127;
	while (p[i++] & 128) {
		if (i >= room || v > (UINT64_MAX >> 8))
			return -1;
		v = ((v + 1) << 7) | (p[i] & 127);
	}
	*out = v;
	*used = i;
	return 0;
}

static size_t put_varint(uint64_t v, unsigned char *buf)
{
	unsigned char tmp[16];
	size_t pos = sizeof(tmp) - 1, n;
	tmp[pos] = v & 127;
	while (v >>= 7)
		tmp[--pos] = (unsigned char)(128 | (--v & 127));
	n = sizeof(tmp) - pos;
	memcpy(buf, tmp + pos, n);
	return n;
}

/* The next entry: 1, 0 after the last, or an error. */
static int next(struct cursor *c, struct tl_err *err)
{
	const struct old *o = c->o;
	const unsigned char *p = o->map + c->off;
	size_t room = o->len - SUM - c->off, hl = FIXED, nl;
	unsigned flags;
	const char *s, *nul;
	if (!c->left)
		return 0;
	if (room < FIXED)
		return damaged(o, c->off, "an entry cut short", err);
	flags = (unsigned)p[60] << 8 | p[61];
	if (flags & F_EXTENDED) {
		if (o->version < 3)
			return damaged(o, c->off,
				"extended flags in a version 2 index", err);
		hl += 2;
		if (room < hl)
			return damaged(o, c->off, "an entry cut short", err);
	}
	tl_buf_truncate(&c->prev, 0);
	tl_buf_put(&c->prev, c->name.ptr, c->name.len);
	c->prev_stage = c->stage;
	c->head = p;
	c->headlen = hl;
	c->stage = (flags & F_STAGE) >> 12;
	if (o->version == 4) {
		uint64_t strip;
		size_t used;
		if (get_varint(p + hl, room - hl, &strip, &used) ||
			strip > c->name.len)
			return damaged(
				o, c->off, "a bad path prefix length", err);
		s = (const char *)p + hl + used;
		if (!(nul = memchr(s, '\0', room - hl - used)))
			return damaged(o, c->off, "a path cut short", err);
		tl_buf_truncate(&c->name, c->name.len - (size_t)strip);
		tl_buf_put(&c->name, s, (size_t)(nul - s));
		c->off += hl + used + (size_t)(nul - s) + 1;
	} else {
		size_t size;
		s = (const char *)p + hl;
		nl = flags & F_NAME;
		if (nl == F_NAME) { /* as long or longer: up to its NUL */
			if (!(nul = memchr(s, '\0', room - hl)))
				return damaged(
					o, c->off, "a path cut short", err);
			nl = (size_t)(nul - s);
		}
		size = (hl + nl + 8) & ~(size_t)7;
		if (size > room || s[nl] != '\0')
			return damaged(o, c->off, "a path cut short", err);
		tl_buf_truncate(&c->name, 0);
		tl_buf_put(&c->name, s, nl);
		c->off += size;
	}
	/* a split index's entries may have no path of their own */
	if (!c->name.len)
		return NEXT_UNSUPPORTED;
	if (strlen(c->name.ptr) != c->name.len)
		return damaged(o, c->off, "a path with a NUL", err);
	/* sorted by path, then stage (git refuses an index that is not) */
	if (c->left != o->count) {
		int cmp = strcmp(c->prev.ptr, c->name.ptr);
		if (cmp > 0 || (cmp == 0 && c->prev_stage >= c->stage))
			return damaged(o, c->off, "entries out of order", err);
	}
	c->left--;
	return 1;
}

static void cursor_init(struct cursor *c, const struct old *o)
{
	memset(c, 0, sizeof(*c));
	c->o = o;
	c->off = HEADER;
	c->left = o->count;
	c->name = (struct tl_buf)TL_BUF_INIT;
	c->prev = (struct tl_buf)TL_BUF_INIT;
}

static void cursor_release(struct cursor *c)
{
	tl_buf_release(&c->name);
	tl_buf_release(&c->prev);
}

static int out_flush(struct out *w, struct tl_err *err)
{
	if (w->buf.len && tl_fd_write_all(w->fd, w->buf.ptr, w->buf.len))
		return tl_err_set(
			err, TL_EIO, "writing the index: %s", strerror(errno));
	tl_buf_reset(&w->buf);
	return 0;
}

/* Flushed before the buffer would pass FLUSH_AT (see tl_buf_fits). */
static int out_put(struct out *w, const void *p, size_t n, struct tl_err *err)
{
	int rc;
	if (!EVP_DigestUpdate(w->sum, p, n))
		return tl_err_set(err, TL_ERROR, "summing the index");
	if (!tl_buf_fits(&w->buf, n, FLUSH_AT) && (rc = out_flush(w, err)))
		return rc;
	tl_buf_put(&w->buf, p, n);
	return 0;
}

/* One entry: its stat data, id and flags (headlen bytes), then its path
 * as the version writes it. */
static int out_entry(struct out *w, const unsigned char *head, size_t headlen,
	const char *name, size_t nl, struct tl_err *err)
{
	static const unsigned char zeros[8];
	int rc;
	w->count++;
	if (w->fd < 0)
		return 0;
	if ((rc = out_put(w, head, headlen, err)))
		return rc;
	if (w->version == 4) {
		unsigned char v[16];
		size_t same = 0;
		while (same < w->prev.len && same < nl &&
			w->prev.ptr[same] == name[same])
			same++;
		rc = out_put(w, v, put_varint(w->prev.len - same, v), err);
		if (!rc)
			rc = out_put(w, name + same, nl - same, err);
		if (!rc)
			rc = out_put(w, zeros, 1, err);
		tl_buf_truncate(&w->prev, same);
		tl_buf_put(&w->prev, name + same, nl - same);
		return rc;
	}
	rc = out_put(w, name, nl, err);
	return rc ? rc
		  : out_put(w, zeros,
			    ((headlen + nl + 8) & ~(size_t)7) - headlen - nl,
			    err);
}

/* An old entry, kept: smudged (its size set to 0, so that git compares
 * the content) when git would call it racily clean against the old index
 * and its file no longer has the stat data it records. */
static int out_old(struct out *w, const struct cursor *c, struct tl_err *err)
{
	unsigned char head[FIXED + 2];
	struct stat s;
	memcpy(head, c->head, c->headlen);
	if (w->fd >= 0 && c->stage == 0 &&
		(int64_t)get32(head + 8) >= w->o->mtime_s) {
		tl_buf_truncate(&w->full, 0);
		tl_buf_printf(&w->full, "%s/%s", w->workdir, c->name.ptr);
		if (lstat(w->full.ptr, &s) ||
			get32(head) != (uint32_t)s.st_ctim.tv_sec ||
			get32(head + 4) != (uint32_t)s.st_ctim.tv_nsec ||
			get32(head + 8) != (uint32_t)s.st_mtim.tv_sec ||
			get32(head + 12) != (uint32_t)s.st_mtim.tv_nsec ||
			get32(head + 20) != (uint32_t)s.st_ino ||
			get32(head + 36) != (uint32_t)s.st_size)
			set32(head + 36, 0);
	}
	return out_entry(w, head, c->headlen, c->name.ptr, c->name.len, err);
}

/* A put: a stage-0 entry from the file's stat data. */
static int out_new(struct out *w, const struct tl_staged *e, struct tl_err *err)
{
	unsigned char head[FIXED];
	struct tl_wstat ws = e->stat;
	size_t nl = strlen(e->path);
	if (w->fd >= 0 && !ws.has) {
		struct stat s;
		tl_buf_truncate(&w->full, 0);
		tl_buf_printf(&w->full, "%s/%s", w->workdir, e->path);
		if (!lstat(w->full.ptr, &s))
			tl_wstat_from(&ws, &s);
	}
	set32(head, (uint32_t)ws.ctime_s);
	set32(head + 4, ws.ctime_ns);
	set32(head + 8, (uint32_t)ws.mtime_s);
	set32(head + 12, ws.mtime_ns);
	set32(head + 16, ws.dev);
	set32(head + 20, ws.ino);
	set32(head + 24, 0100644);
	set32(head + 28, ws.uid);
	set32(head + 32, ws.gid);
	set32(head + 36, ws.size);
	memcpy(head + 40, e->id.id, 20);
	head[60] = (unsigned char)((nl < F_NAME ? nl : F_NAME) >> 8);
	head[61] = (unsigned char)(nl < F_NAME ? nl : F_NAME);
	return out_entry(w, head, FIXED, e->path, nl, err);
}

/* The old entries and the staged ones merged in path order: every stage
 * of a staged path is dropped, and its entry written unless a remove. */
static int merge(const struct old *o, struct tl_stage_iter *it, struct out *w,
	size_t *ext_at, struct tl_err *err)
{
	struct cursor c;
	const struct tl_staged *e = NULL;
	int more, rc;
	cursor_init(&c, o);
	more = next(&c, err);
	if (!(rc = it->rewind(it->ctx, err)))
		rc = it->next(it->ctx, &e, err);
	while (!rc && more >= 0 && (more || e)) {
		int cmp = !more ? 1 : !e ? -1 : strcmp(c.name.ptr, e->path);
		if (cmp < 0) {
			rc = out_old(w, &c, err);
			more = next(&c, err);
		} else if (cmp == 0) {
			more = next(&c, err);
		} else {
			if (!e->remove)
				rc = out_new(w, e, err);
			if (!rc)
				rc = it->next(it->ctx, &e, err);
		}
	}
	if (!rc && more < 0)
		rc = more == NEXT_UNSUPPORTED ? TL_INDEX_UNSUPPORTED : more;
	*ext_at = c.off;
	cursor_release(&c);
	return rc;
}

/* The extensions after the entries: TL_INDEX_UNSUPPORTED when one of them
 * is one git requires a reader to know (its name not a capital first). */
static int check_extensions(const struct old *o, size_t at, struct tl_err *err)
{
	while (at < o->len - SUM) {
		uint32_t size;
		if (o->len - SUM - at < 8)
			return damaged(o, at, "an extension cut short", err);
		size = get32(o->map + at + 4);
		if (o->map[at] < 'A' || o->map[at] > 'Z')
			return TL_INDEX_UNSUPPORTED; /* "link", "sdir"... */
		if (size > o->len - SUM - at - 8)
			return damaged(o, at, "an extension cut short", err);
		at += 8 + (size_t)size;
	}
	return 0;
}

static int open_old(
	struct old *o, const char *path, int *fd, struct tl_err *err)
{
	struct stat s;
	memset(o, 0, sizeof(*o));
	o->path = path;
	o->version = 2;
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return errno == ENOENT
			? 0
			: tl_err_set(err, TL_EIO, "opening %s: %s", path,
				  strerror(errno));
	if (fstat(*fd, &s))
		return tl_err_set(
			err, TL_EIO, "reading %s: %s", path, strerror(errno));
	o->len = (size_t)s.st_size;
	o->mtime_s = (int64_t)s.st_mtim.tv_sec;
	if (o->len < HEADER + SUM)
		return damaged(o, 0, "shorter than a header", err);
	o->map = mmap(NULL, o->len, PROT_READ, MAP_PRIVATE, *fd, 0);
	if (o->map == MAP_FAILED) {
		o->map = NULL;
		return tl_err_set(
			err, TL_EIO, "reading %s: %s", path, strerror(errno));
	}
	if (memcmp(o->map, "DIRC", 4))
		return damaged(o, 0, "not an index (no DIRC)", err);
	o->version = get32(o->map + 4);
	o->count = get32(o->map + 8);
	if (o->version < 2 || o->version > 4)
		return TL_INDEX_UNSUPPORTED;
	return 0;
}

int tl_index_update(const char *index_path, const char *workdir,
	struct tl_stage_iter *it, const char *out_path, struct tl_err *err)
{
	struct old o;
	struct out w;
	size_t ext_at = 0;
	int fd = -1, rc;
	unsigned char head[HEADER], sum[EVP_MAX_MD_SIZE];
	unsigned sumlen = 0;

	memset(&w, 0, sizeof(w));
	w.fd = -1;
	w.buf = (struct tl_buf)TL_BUF_INIT;
	w.prev = (struct tl_buf)TL_BUF_INIT;
	w.full = (struct tl_buf)TL_BUF_INIT;
	w.workdir = workdir;
	w.o = &o;
	rc = open_old(&o, index_path, &fd, err);
	w.version = o.version;
	/* first a count for the header, and a look at the extensions */
	if (!rc)
		rc = merge(&o, it, &w, &ext_at, err);
	if (!rc && o.map)
		rc = check_extensions(&o, ext_at, err);
	if (!rc && w.count > UINT32_MAX)
		rc = tl_err_set(
			err, TL_EINVALID, "more files than an index holds");
	if (rc)
		goto out;
	w.fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w.fd < 0) {
		rc = tl_err_set(err, TL_EIO, "creating %s: %s", out_path,
			strerror(errno));
		goto out;
	}
	if (!(w.sum = EVP_MD_CTX_new()) ||
		!EVP_DigestInit_ex(w.sum, EVP_sha1(), NULL)) {
		rc = tl_err_set(err, TL_ERROR, "summing the index");
		goto out;
	}
	memcpy(head, "DIRC", 4);
	set32(head + 4, w.version);
	set32(head + 8, (uint32_t)w.count);
	w.count = 0;
	rc = out_put(&w, head, HEADER, err);
	if (!rc)
		rc = merge(&o, it, &w, &ext_at, err);
	if (!rc && !EVP_DigestFinal_ex(w.sum, sum, &sumlen))
		rc = tl_err_set(err, TL_ERROR, "summing the index");
	if (!rc) {
		tl_buf_put(&w.buf, sum, sumlen);
		rc = out_flush(&w, err);
	}
	if (!rc && close(w.fd))
		rc = tl_err_set(err, TL_EIO, "writing %s: %s", out_path,
			strerror(errno));
	w.fd = -1;
out:
	if (w.fd >= 0)
		close(w.fd);
	if (rc && rc != TL_INDEX_UNSUPPORTED)
		unlink(out_path);
	EVP_MD_CTX_free(w.sum);
	tl_buf_release(&w.buf);
	tl_buf_release(&w.prev);
	tl_buf_release(&w.full);
	if (o.map)
		munmap((void *)o.map, o.len);
	if (fd >= 0)
		close(fd);
	return rc;
}

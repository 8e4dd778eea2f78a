/* .git/tally/results-<project>.index: run summaries trusted by stat
 * (see rcache.h). */
#include "core/rcache.h"
#include "core/fs.h"
#include "core/repo_internal.h"
#include "core/sum.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/banned.h"

#define MAGIC "TALLYRC\0"
/* Bumped whenever a result file's status could be read differently (a
 * parser change): a cache of the old reading is then dropped whole. */
#define VERSION 2u
#define FILE_MAX ((size_t)1 << 31)
#define REC_HEAD TL_RC_KEY_AT
#define ENT_HEAD (4 * 8 + 4)
/* A change within this much before a record's stats or the file's
 * writing may share a clock tick with the stat that was kept (FAT keeps
 * two seconds): such an entry is not trusted. */
#define RACY_NS 2000000000LL

struct header {
	char magic[8];
	uint32_t version, pad;
	uint64_t nrec, body, sum;
};

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static int64_t ns_of(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000LL + t->tv_nsec;
}

/* The entries of a record, checked once: each whole, NUL-terminated
 * where it says. */
static int entries_ok(
	const unsigned char *p, const unsigned char *end, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len;
		if ((size_t)(end - p) < ENT_HEAD)
			return 0;
		len = get32(p + 32);
		if ((size_t)(end - p - ENT_HEAD) <= len || p[ENT_HEAD + len])
			return 0;
		p += ENT_HEAD + len + 1;
	}
	return p == end;
}

/* A string of a link at *p: its length, UINT32_MAX for none; *p moves
 * past it, or becomes NULL when it does not fit before end. */
static uint32_t str_at(const unsigned char **p, const unsigned char *end)
{
	uint32_t len;
	if (!*p || end - *p < 4) {
		*p = NULL;
		return 0;
	}
	len = get32(*p);
	*p += 4;
	if (len == UINT32_MAX)
		return len;
	if ((size_t)(end - *p) <= len || (*p)[len]) {
		*p = NULL;
		return 0;
	}
	*p += len + 1;
	return len;
}

/* The links of a record, checked once: where its entries begin, or
 * NULL when they do not fit. */
static const unsigned char *links_ok(
	const unsigned char *p, const unsigned char *end, uint32_t n)
{
	for (uint32_t i = 0; p && i < n; i++) {
		uint32_t ndef;
		if (str_at(&p, end) == UINT32_MAX)
			return NULL; /* a link always has its case */
		str_at(&p, end);
		if (!p || end - p < 4)
			return NULL;
		ndef = get32(p);
		p += 4;
		for (uint32_t k = 0; p && k < ndef; k++)
			if (str_at(&p, end) == UINT32_MAX)
				return NULL;
	}
	return p;
}

static char *str_copy(const unsigned char **p)
{
	uint32_t len = get32(*p);
	char *s = NULL;
	*p += 4;
	if (len != UINT32_MAX) {
		s = tl_strndup((const char *)*p, len);
		*p += len + 1;
	}
	return s;
}

void tl_rc_rec_links(const struct tl_rc_rec *rec, struct tl_run_sum *out)
{
	const unsigned char *p = rec->links;
	out->nlinks = rec->nlinks;
	out->links =
		tl_calloc(rec->nlinks ? rec->nlinks : 1, sizeof(*out->links));
	for (uint32_t i = 0; i < rec->nlinks; i++) {
		struct tl_run_link *l = &out->links[i];
		uint32_t ndef;
		l->casekey = str_copy(&p);
		l->status = str_copy(&p);
		ndef = get32(p);
		p += 4;
		for (uint32_t k = 0; k < ndef; k++) {
			char *d = str_copy(&p);
			tl_strlist_push(&l->defects, d);
			free(d);
		}
	}
}

/* One record at p (at most avail bytes), into *r; 0 when damaged. */
static int parse_rec(const unsigned char *p, size_t avail, struct tl_rc_rec *r)
{
	uint32_t size, klen;
	if (avail < REC_HEAD)
		return 0;
	size = get32(p);
	klen = get32(p + 4);
	if (size > avail || size < REC_HEAD || size - REC_HEAD <= klen ||
		p[REC_HEAD + klen])
		return 0;
	r->start = p;
	r->len = size;
	r->nent = get32(p + 8);
	r->nlinks = get32(p + 12);
	r->sel = get64(p + 16);
	r->signed_at = (int64_t)get64(p + 24);
	for (int k = 0; k < TL_STATUS__COUNT; k++)
		r->counts.n[k] = (long long)get64(p + 32 + 8 * (size_t)k);
	r->counts.total = (long long)get64(p + 32 + 8 * TL_STATUS__COUNT);
	r->key = (const char *)p + REC_HEAD;
	r->links = p + REC_HEAD + klen + 1;
	return (r->ents = links_ok(r->links, p + size, r->nlinks)) &&
		entries_ok(r->ents, p + size, r->nent);
}

static int load(struct tl_rcache *c)
{
	struct header h;
	struct stat st;
	struct tl_sum sum;
	const unsigned char *p, *end;
	int fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), ok = 0;
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
		(size_t)st.st_size < sizeof(h) ||
		(uint64_t)st.st_size > FILE_MAX)
		goto out;
	c->stamp = ns_of(&st.st_mtim);
	tl_buf_grow(&c->file, (size_t)st.st_size);
	if (tl_fd_pread_all(fd, c->file.ptr, (size_t)st.st_size, 0))
		goto out;
	c->file.len = (size_t)st.st_size;
	memcpy(&h, c->file.ptr, sizeof(h));
	if (memcmp(h.magic, MAGIC, sizeof(h.magic)) || h.version != VERSION ||
		h.body != c->file.len - sizeof(h) || h.nrec > h.body / REC_HEAD)
		goto out;
	tl_sum_init(&sum);
	tl_sum_add(&sum, c->file.ptr + sizeof(h), (size_t)h.body);
	ok = tl_sum_value(&sum) == h.sum;
	tl_sum_release(&sum);
	if (!ok)
		goto out;
	c->v = tl_calloc(h.nrec ? (size_t)h.nrec : 1, sizeof(*c->v));
	p = (const unsigned char *)c->file.ptr + sizeof(h);
	end = p + h.body;
	for (size_t i = 0; ok && i < h.nrec; i++) {
		ok = parse_rec(p, (size_t)(end - p), &c->v[i]) &&
			(!i || strcmp(c->v[i - 1].key, c->v[i].key) < 0);
		p += ok ? c->v[i].len : 0;
	}
	ok = ok && p == end;
	if (ok)
		c->n = (size_t)h.nrec;
out:
	if (!ok) {
		free(c->v);
		c->v = NULL;
		c->n = 0;
	}
	close(fd);
	return ok;
}

struct tl_rcache *tl_rcache_open_at(const char *path)
{
	struct tl_rcache *c = tl_calloc(1, sizeof(*c));
	tl_buf_init(&c->file, 0);
	c->path = tl_strdup(path);
	load(c);
	return c;
}

struct tl_rcache *tl_rcache_open(struct tl_repo *r, const char *project)
{
	struct tl_rcache *c;
	struct tl_sum sum;
	char *path;
	if (getenv("TALLY_NO_CACHE"))
		return NULL;
	/* a project's name is a folder's: summed, it is a safe file name */
	tl_sum_init(&sum);
	tl_sum_add(&sum, project, strlen(project));
	path = tl_format("%s/tally/results-%016llx.index", r->gitdir,
		(unsigned long long)tl_sum_value(&sum));
	tl_sum_release(&sum);
	c = tl_rcache_open_at(path);
	free(path);
	return c;
}

void tl_rcache_free(struct tl_rcache *c)
{
	if (!c)
		return;
	free(c->path);
	tl_buf_release(&c->file);
	free(c->v);
	free(c);
}

static int cmp_key(const void *key, const void *rec)
{
	return strcmp(key, ((const struct tl_rc_rec *)rec)->key);
}

const struct tl_rc_rec *tl_rcache_find(
	const struct tl_rcache *c, const char *key)
{
	/* the file keeps its records sorted by key (load checks it) */
	return c->n ? bsearch(key, c->v, c->n, sizeof(*c->v), cmp_key) : NULL;
}

int tl_rcache_still(
	const struct tl_rcache *c, const struct tl_rc_rec *rec, const char *dir)
{
	const unsigned char *p = rec->ents;
	int64_t before =
		(rec->signed_at < c->stamp ? rec->signed_at : c->stamp) -
		RACY_NS;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), same = 1;
	if (fd < 0)
		return 0;
	/* relative to the folder's descriptor: a path of three parts to
	 * look up per file, not eight */
	for (uint32_t i = 0; same && i < rec->nent; i++) {
		struct stat st;
		uint32_t len = get32(p + 32);
		const char *rel = (const char *)p + ENT_HEAD;
		int64_t m, ch;
		if (fstatat(fd, len ? rel : ".", &st, AT_SYMLINK_NOFOLLOW)) {
			same = 0;
			break;
		}
		m = ns_of(&st.st_mtim);
		ch = ns_of(&st.st_ctim);
		same = get64(p) == (uint64_t)st.st_ino &&
			get64(p + 8) == (uint64_t)st.st_size &&
			(int64_t)get64(p + 16) == m &&
			(int64_t)get64(p + 24) == ch &&
			(m > ch ? m : ch) < before;
		p += ENT_HEAD + len + 1;
	}
	close(fd);
	return same;
}

static void put32(struct tl_buf *b, uint32_t v)
{
	tl_buf_put(b, &v, sizeof(v));
}

static void put64(struct tl_buf *b, uint64_t v)
{
	tl_buf_put(b, &v, sizeof(v));
}

void tl_rc_new_begin(struct tl_rc_new *n, const char *key, uint64_t sel)
{
	size_t klen = strlen(key);
	struct timespec now;
	/* before the first stat: what changes after it, in the same clock
	 * tick, is within RACY_NS of this */
	clock_gettime(CLOCK_REALTIME, &now);
	tl_buf_init(&n->b, 0);
	tl_buf_init(&n->ents, 0);
	n->nent = 0;
	n->bad = klen >= UINT32_MAX;
	put32(&n->b, 0);
	put32(&n->b, (uint32_t)klen);
	put32(&n->b, 0);
	put32(&n->b, 0);
	put64(&n->b, sel);
	put64(&n->b, (uint64_t)ns_of(&now));
	for (int k = 0; k < TL_RC_NCOUNTS; k++)
		put64(&n->b, 0);
	tl_buf_put(&n->b, key, klen + 1);
}

void tl_rc_new_add(struct tl_rc_new *n, const char *rel, const struct stat *st)
{
	size_t len = strlen(rel);
	if (!st || len >= UINT32_MAX || n->nent == UINT32_MAX) {
		n->bad = 1;
		return;
	}
	put64(&n->ents, (uint64_t)st->st_ino);
	put64(&n->ents, (uint64_t)st->st_size);
	put64(&n->ents, (uint64_t)ns_of(&st->st_mtim));
	put64(&n->ents, (uint64_t)ns_of(&st->st_ctim));
	put32(&n->ents, (uint32_t)len);
	tl_buf_put(&n->ents, rel, len + 1);
	n->nent++;
}

static void put_str(struct tl_rc_new *n, const char *s)
{
	size_t len = s ? strlen(s) : 0;
	if (len >= UINT32_MAX) {
		n->bad = 1;
		return;
	}
	put32(&n->b, s ? (uint32_t)len : UINT32_MAX);
	if (s)
		tl_buf_put(&n->b, s, len + 1);
}

void tl_rc_new_end(struct tl_rc_new *n, const struct tl_run_sum *sum)
{
	unsigned char *p;
	uint32_t size, nlinks = (uint32_t)sum->nlinks;
	if (sum->nlinks >= UINT32_MAX) {
		n->bad = 1;
		return;
	}
	for (size_t i = 0; i < sum->nlinks; i++) {
		const struct tl_run_link *l = &sum->links[i];
		put_str(n, l->casekey);
		put_str(n, l->status);
		put32(&n->b, (uint32_t)l->defects.n);
		for (size_t k = 0; k < l->defects.n; k++)
			put_str(n, l->defects.v[k]);
	}
	tl_buf_put(&n->b, n->ents.ptr, n->ents.len);
	tl_buf_release(&n->ents);
	if (n->b.len >= UINT32_MAX) {
		n->bad = 1;
		return;
	}
	p = (unsigned char *)n->b.ptr;
	size = (uint32_t)n->b.len;
	memcpy(p, &size, sizeof(size));
	memcpy(p + 8, &n->nent, sizeof(n->nent));
	memcpy(p + 12, &nlinks, sizeof(nlinks));
	for (int k = 0; k < TL_RC_NCOUNTS; k++) {
		uint64_t v =
			(uint64_t)(k < TL_STATUS__COUNT ? sum->counts.n[k]
							: sum->counts.total);
		memcpy(p + 32 + 8 * (size_t)k, &v, sizeof(v));
	}
}

void tl_rc_new_release(struct tl_rc_new *n)
{
	tl_buf_release(&n->b);
	tl_buf_release(&n->ents);
}

void tl_rcache_save(struct tl_rcache *c, const struct tl_part *recs, size_t n)
{
	struct header h;
	struct tl_part *parts = tl_calloc(n + 1, sizeof(*parts));
	struct tl_sum sum;
	struct tl_err ignore = TL_ERR_INIT;
	char *dir =
		tl_strndup(c->path, (size_t)(strrchr(c->path, '/') - c->path));
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, MAGIC, sizeof(h.magic));
	h.version = VERSION;
	h.nrec = n;
	tl_sum_init(&sum);
	for (size_t i = 0; i < n; i++) {
		tl_sum_add(&sum, recs[i].data, recs[i].len);
		h.body += recs[i].len;
		parts[i + 1] = recs[i];
	}
	h.sum = tl_sum_value(&sum);
	tl_sum_release(&sum);
	parts[0].data = &h;
	parts[0].len = sizeof(h);
	/* not synced: a cache lost in a crash is rebuilt */
	if (!tl_fs_mkdirs(dir, &ignore))
		tl_fs_write_parts(c->path, parts, n + 1, 0, &ignore);
	tl_err_clear(&ignore);
	free(dir);
	free(parts);
}

void tl_rcache_seal(void *file, size_t len)
{
	struct header h;
	struct tl_sum sum;
	if (len < sizeof(h))
		return;
	memcpy(&h, file, sizeof(h));
	memcpy(h.magic, MAGIC, sizeof(h.magic));
	h.version = VERSION;
	h.body = len - sizeof(h);
	tl_sum_init(&sum);
	tl_sum_add(&sum, (const char *)file + sizeof(h), (size_t)h.body);
	h.sum = tl_sum_value(&sum);
	tl_sum_release(&sum);
	memcpy(file, &h, sizeof(h));
}

uint64_t tl_rc_selection_sum(const struct tl_strlist *cases)
{
	struct tl_sum sum;
	uint64_t v;
	tl_sum_init(&sum);
	for (size_t i = 0; i < cases->n; i++)
		tl_sum_add(&sum, cases->v[i], strlen(cases->v[i]) + 1);
	v = tl_sum_value(&sum);
	tl_sum_release(&sum);
	return v;
}

/* .git/tally/<name>.cache: commit changes and parsed blobs by object id. */
#include "core/hcache.h"
#include "core/sum.h"
#include "core/buf.h"
#include "core/fs.h"
#include "core/repo_internal.h"
#include "core/strmap.h"
#include "core/strpool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

/* Bump when the layout or what a blob record means changes. */
#define MAGIC "TALLYHC\0"
#define VERSION 7u
#define CACHE_MAX ((size_t)1 << 30)

struct centry {
	char hex[41];
	struct tl_hc_commit x;
	int used;
};

struct bentry {
	char hex[41];
	const char *data; /* in the loaded file or the pool */
	size_t len;
	int used;
};

/* Entries point into the file as it was read (kept whole) or into the
 * pool: a warm query copies nothing. Arrays of pointers, so that the
 * strmaps' keys (the entries' hex) stay put as the arrays grow. */
struct tl_hcache {
	char *path;
	struct tl_buf file;
	struct tl_strpool pool;
	struct centry **c;
	size_t nc, capc;
	struct bentry **b;
	size_t nb, capb;
	struct tl_strmap cmap, bmap;
	int dirty;
};

static void put32(struct tl_buf *b, uint32_t v)
{
	unsigned char x[4] = { (unsigned char)v, (unsigned char)(v >> 8),
		(unsigned char)(v >> 16), (unsigned char)(v >> 24) };
	tl_buf_put(b, x, 4);
}

struct reader {
	const unsigned char *p, *end;
	int bad;
};

static uint32_t get32(struct reader *r)
{
	uint32_t v;
	if (r->end - r->p < 4) {
		r->bad = 1;
		return 0;
	}
	v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 |
		(uint32_t)r->p[2] << 16 | (uint32_t)r->p[3] << 24;
	r->p += 4;
	return v;
}

static const unsigned char *take(struct reader *r, size_t n)
{
	const unsigned char *at = r->p;
	if ((size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return NULL;
	}
	r->p += n;
	return at;
}

static int is_hex40(const unsigned char *s)
{
	for (int i = 0; i < 40; i++)
		if (!strchr("0123456789abcdef", s[i]) || !s[i])
			return 0;
	return 1;
}

static struct centry *add_commit(struct tl_hcache *c, const char *hex)
{
	struct centry *e = tl_calloc(1, sizeof(*e));
	memcpy(e->hex, hex, 40);
	if (c->nc == c->capc) {
		c->capc = c->capc ? c->capc * 2 : 1024;
		c->c = tl_realloc(c->c, tl_mul(c->capc, sizeof(*c->c)));
	}
	c->c[c->nc] = e;
	tl_strmap_put(&c->cmap, e->hex, c->nc++);
	return e;
}

static struct bentry *add_blob(struct tl_hcache *c, const char *hex)
{
	struct bentry *e = tl_calloc(1, sizeof(*e));
	memcpy(e->hex, hex, 40);
	if (c->nb == c->capb) {
		c->capb = c->capb ? c->capb * 2 : 1024;
		c->b = tl_realloc(c->b, tl_mul(c->capb, sizeof(*c->b)));
	}
	c->b[c->nb] = e;
	tl_strmap_put(&c->bmap, e->hex, c->nb++);
	return e;
}

static void clear(struct tl_hcache *c)
{
	for (size_t i = 0; i < c->nc; i++) {
		free(c->c[i]->x.v);
		free(c->c[i]);
	}
	for (size_t i = 0; i < c->nb; i++)
		free(c->b[i]);
	free(c->c);
	free(c->b);
	c->c = NULL;
	c->b = NULL;
	c->nc = c->nb = c->capc = c->capb = 0;
	tl_strpool_release(&c->pool);
	tl_buf_release(&c->file);
	tl_strmap_release(&c->cmap);
	tl_strmap_release(&c->bmap);
}

/* 0 when the whole file made sense; anything else drops it. */
static int parse(struct tl_hcache *c, const unsigned char *p, size_t n)
{
	struct reader r;
	uint64_t sum;
	if (n < 8 + 4 + 8 || memcmp(p, MAGIC, 8))
		return -1;
	memcpy(&sum, p + n - 8, 8);
	{
		struct tl_sum whole;
		uint64_t want;
		tl_sum_init(&whole);
		tl_sum_add(&whole, p, n - 8);
		want = tl_sum_value(&whole);
		tl_sum_release(&whole);
		if (sum != want)
			return -1;
	}
	r.p = p + 8;
	r.end = p + n - 8;
	r.bad = 0;
	if (get32(&r) != VERSION)
		return -1;
	{
		/* the counts let the tables be sized once */
		uint32_t nc = get32(&r), nb = get32(&r);
		if (r.bad || nc > n / 45 || nb > n / 45)
			return -1;
		tl_strmap_reserve(&c->cmap, nc);
		tl_strmap_reserve(&c->bmap, nb);
		c->capc = nc;
		c->c = tl_calloc(nc ? nc : 1, sizeof(*c->c));
		c->capb = nb;
		c->b = tl_calloc(nb ? nb : 1, sizeof(*c->b));
	}
	while (!r.bad && r.p < r.end) {
		const unsigned char *type = take(&r, 1), *hex = take(&r, 40);
		if (r.bad || !is_hex40(hex))
			return -1;
		if (*type == 'C') {
			uint32_t lo = get32(&r), hi = get32(&r);
			uint32_t alen = get32(&r);
			const unsigned char *author =
				take(&r, (size_t)alen + 1);
			uint32_t k = get32(&r);
			struct centry *e;
			if (r.bad || author[alen] ||
				k > (uint32_t)(r.end - r.p))
				return -1;
			e = add_commit(c, (const char *)hex);
			e->x.time = (int64_t)((uint64_t)hi << 32 | lo);
			e->x.author = (const char *)author;
			e->x.v = tl_calloc(k ? k : 1, sizeof(*e->x.v));
			for (uint32_t i = 0; i < k && !r.bad; i++) {
				uint32_t len = get32(&r);
				const unsigned char *path =
					take(&r, (size_t)len + 1);
				const unsigned char *blob = take(&r, 40);
				if (r.bad || path[len])
					return -1;
				e->x.v[i].path = (const char *)path;
				if (blob[0] != '-')
					memcpy(e->x.v[i].blob, blob, 40);
				e->x.n++;
			}
		} else if (*type == 'B') {
			uint32_t len = get32(&r);
			const unsigned char *data = take(&r, len);
			struct bentry *e;
			if (r.bad)
				break;
			e = add_blob(c, (const char *)hex);
			e->data = (const char *)data;
			e->len = len;
		} else {
			return -1;
		}
	}
	return r.bad ? -1 : 0;
}

int tl_hcache_open(struct tl_hcache **out, struct tl_repo *r, const char *name,
	struct tl_err *err)
{
	struct tl_hcache *c = tl_calloc(1, sizeof(*c));
	struct tl_err ignore = TL_ERR_INIT;
	(void)err;
	c->path = tl_format("%s/tally/%s.cache", r->gitdir, name);
	c->file = (struct tl_buf)TL_BUF_INIT;
	if (!tl_fs_read(&c->file, c->path, CACHE_MAX, &ignore) &&
		parse(c, (const unsigned char *)c->file.ptr, c->file.len))
		clear(c); /* damaged or of another version: rebuilt */
	tl_err_clear(&ignore);
	*out = c;
	return 0;
}

const struct tl_hc_commit *tl_hcache_commit(
	struct tl_hcache *c, const char *commit)
{
	size_t i = tl_strmap_get(&c->cmap, commit);
	if (i == (size_t)-1)
		return NULL;
	c->c[i]->used = 1;
	return &c->c[i]->x;
}

void tl_hcache_put_commit(
	struct tl_hcache *c, const char *commit, const struct tl_hc_commit *v)
{
	struct centry *e;
	if (tl_strmap_get(&c->cmap, commit) != (size_t)-1)
		return;
	e = add_commit(c, commit);
	e->x.time = v->time;
	e->x.author = tl_strpool_intern(&c->pool, v->author ? v->author : "");
	e->x.v = tl_calloc(v->n ? v->n : 1, sizeof(*e->x.v));
	for (size_t i = 0; i < v->n; i++) {
		e->x.v[i].path = tl_strpool_add(&c->pool, v->v[i].path);
		memcpy(e->x.v[i].blob, v->v[i].blob, sizeof(e->x.v[i].blob));
	}
	e->x.n = v->n;
	e->used = 1;
	c->dirty = 1;
}

const char *tl_hcache_blob(struct tl_hcache *c, const char *blob, size_t *len)
{
	size_t i = tl_strmap_get(&c->bmap, blob);
	if (i == (size_t)-1)
		return NULL;
	c->b[i]->used = 1;
	*len = c->b[i]->len;
	return c->b[i]->data;
}

void tl_hcache_put_blob(
	struct tl_hcache *c, const char *blob, const char *data, size_t len)
{
	struct bentry *e;
	if (tl_strmap_get(&c->bmap, blob) != (size_t)-1)
		return;
	e = add_blob(c, blob);
	e->data = tl_strpool_addn(&c->pool, data, len);
	e->len = len;
	e->used = 1;
	c->dirty = 1;
}

/* Writes what b holds, so the file streams out in pieces instead of
 * being built whole first. */
static int flush(struct tl_fs_out *o, struct tl_buf *b, struct tl_sum *sum,
	struct tl_err *err)
{
	int rc;
	tl_sum_add(sum, b->ptr, b->len);
	rc = tl_fs_out_write(o, b->ptr, b->len, err);
	tl_buf_reset(b);
	return rc;
}

#define FLUSH_AT ((size_t)1 << 20)

void tl_hcache_save(struct tl_hcache *c)
{
	struct tl_buf b = TL_BUF_INIT;
	struct tl_err ignore = TL_ERR_INIT;
	struct tl_fs_out o;
	struct tl_sum sum;
	uint64_t total;
	int rc;
	if (!c->dirty)
		return;
	if (tl_fs_out_open(&o, c->path, &ignore)) {
		tl_err_clear(&ignore);
		return; /* a cache that cannot be written is no error */
	}
	tl_sum_init(&sum);
	tl_buf_put(&b, MAGIC, 8);
	put32(&b, VERSION);
	{
		uint32_t nc = 0, nb = 0;
		for (size_t i = 0; i < c->nc; i++)
			nc += c->c[i]->used != 0;
		for (size_t i = 0; i < c->nb; i++)
			nb += c->b[i]->used != 0;
		put32(&b, nc);
		put32(&b, nb);
	}
	rc = 0;
	/* only what this query used: what a rebase left behind goes */
	for (size_t i = 0; i < c->nc && !rc; i++) {
		const struct centry *e = c->c[i];
		if (!e->used)
			continue;
		tl_buf_putc(&b, 'C');
		tl_buf_put(&b, e->hex, 40);
		put32(&b, (uint32_t)((uint64_t)e->x.time & 0xffffffffu));
		put32(&b, (uint32_t)((uint64_t)e->x.time >> 32));
		put32(&b, (uint32_t)strlen(e->x.author));
		tl_buf_put(&b, e->x.author, strlen(e->x.author) + 1);
		put32(&b, (uint32_t)e->x.n);
		for (size_t k = 0; k < e->x.n; k++) {
			put32(&b, (uint32_t)strlen(e->x.v[k].path));
			tl_buf_put(
				&b, e->x.v[k].path, strlen(e->x.v[k].path) + 1);
			tl_buf_put(&b,
				e->x.v[k].blob[0]
					? e->x.v[k].blob
					: "----------------------------------------",
				40);
		}
		if (b.len >= FLUSH_AT)
			rc = flush(&o, &b, &sum, &ignore);
	}
	for (size_t i = 0; i < c->nb && !rc; i++) {
		const struct bentry *e = c->b[i];
		if (!e->used)
			continue;
		tl_buf_putc(&b, 'B');
		tl_buf_put(&b, e->hex, 40);
		put32(&b, (uint32_t)e->len);
		tl_buf_put(&b, e->data, e->len);
		if (b.len >= FLUSH_AT)
			rc = flush(&o, &b, &sum, &ignore);
	}
	if (!rc) {
		tl_sum_add(&sum, b.ptr, b.len);
		total = tl_sum_value(&sum);
		tl_buf_put(&b, &total, 8);
		rc = tl_fs_out_write(&o, b.ptr, b.len, &ignore);
	}
	if (rc)
		tl_fs_out_abort(&o);
	else
		tl_fs_out_commit(&o, 0, &ignore);
	tl_err_clear(&ignore);
	tl_sum_release(&sum);
	tl_buf_release(&b);
	c->dirty = 0;
}

void tl_hcache_free(struct tl_hcache *c)
{
	if (!c)
		return;
	clear(c);
	free(c->path);
	free(c);
}

int tl_hcache_exists(struct tl_repo *r, const char *name)
{
	char *path = tl_format("%s/tally/%s.cache", r->gitdir, name);
	int yes = tl_fs_is_file(path);
	free(path);
	return yes;
}

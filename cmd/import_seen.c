/* The tests an import has seen, on disk: see import_seen.h. */
#include "cmd/import_seen.h"

#include <string.h>

#include "core/banned.h"

int seen_open(struct seen *s, const char *dir, struct tl_err *err)
{
	int rc;
	memset(s, 0, sizeof(*s));
	s->low = (struct tl_buf)TL_BUF_INIT;
	s->rec = (struct tl_buf)TL_BUF_INIT;
	if (!(rc = tl_spool_open(&s->recs, dir, err)))
		rc = tl_spool_open(&s->strs, dir, err);
	return rc;
}

void seen_release(struct seen *s)
{
	tl_spool_release(&s->recs);
	tl_spool_release(&s->strs);
	tl_fpmap_release(&s->keys);
	tl_buf_release(&s->low);
	tl_buf_release(&s->rec);
	s->n = 0;
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

void seen_lowered(struct tl_buf *l, const char *key, size_t len)
{
	tl_buf_reset(l);
	tl_buf_put(l, key, len);
	for (char *p = l->ptr; *p; p++)
		*p = ascii_lower(*p);
}

int seen_strings(struct seen *s, const struct pending *p, const char **id,
	uint32_t *idlen, const char **key, uint32_t *keylen, struct tl_err *err)
{
	uint32_t len[2];
	const char *h = tl_spool_get(&s->strs, p->rec, sizeof(len), err);
	if (!h)
		return err->code;
	memcpy(len, h, sizeof(len));
	if (!(h = tl_spool_get(&s->strs, p->rec + sizeof(len),
		      (size_t)len[0] + len[1], err)))
		return err->code;
	*id = h;
	*idlen = len[0];
	*key = h + len[0];
	*keylen = len[1];
	return 0;
}

static int get(
	struct seen *s, uint32_t at, struct pending *p, struct tl_err *err)
{
	const char *x = tl_spool_get(
		&s->recs, (uint64_t)at * sizeof(*p), sizeof(*p), err);
	if (!x)
		return err->code;
	memcpy(p, x, sizeof(*p));
	return 0;
}

int seen_put(struct seen *s, uint32_t at, const struct pending *p,
	struct tl_err *err)
{
	return tl_spool_set(
		&s->recs, (uint64_t)at * sizeof(*p), p, sizeof(*p), err);
}

int seen_find(struct seen *s, const char *low, size_t lowlen, const char *id,
	size_t idlen, uint32_t *at, struct pending *p, struct tl_err *err)
{
	size_t it = 0;
	uint32_t i;
	*at = (uint32_t)-1;
	while (tl_fpmap_next(&s->keys, tl_fp(low, lowlen), &it, &i)) {
		const char *pid = NULL, *pkey = NULL;
		uint32_t plen = 0, keylen = 0;
		int rc = get(s, i, p, err);
		if (!rc)
			rc = seen_strings(
				s, p, &pid, &plen, &pkey, &keylen, err);
		if (rc)
			return rc;
		if (plen == idlen && !memcmp(pid, id, idlen)) {
			*at = i;
			return 0;
		}
	}
	return 0;
}

int seen_key_taken(struct seen *s, const char *low, size_t len, int *taken,
	struct tl_err *err)
{
	size_t it = 0;
	uint32_t i;
	int rc = 0;
	*taken = 0;
	while (!rc && !*taken &&
		tl_fpmap_next(&s->keys, tl_fp(low, len), &it, &i)) {
		const char *pid = NULL, *pkey = NULL;
		uint32_t idlen = 0, keylen = 0;
		struct pending p;
		if (!(rc = get(s, i, &p, err)) &&
			!(rc = seen_strings(
				  s, &p, &pid, &idlen, &pkey, &keylen, err))) {
			/* compared lowercased, byte by byte */
			size_t j = 0;
			while (j < keylen && j < len &&
				ascii_lower(pkey[j]) == low[j])
				j++;
			*taken = keylen == len && j == keylen;
		}
	}
	return rc;
}

int seen_add(struct seen *s, const char *low, size_t lowlen,
	const struct tl_buf *id, const struct tl_buf *key, struct pending *p,
	uint32_t *at, struct tl_err *err)
{
	uint32_t len[2];
	uint64_t off;
	int rc;
	if (s->n >= UINT32_MAX)
		return tl_err_set(err, TL_EINVALID,
			"more than %u tests in one import", UINT32_MAX);
	if (id->len > UINT32_MAX || key->len > UINT32_MAX)
		return tl_err_set(
			err, TL_EINVALID, "a test id of %zu bytes", id->len);
	len[0] = (uint32_t)id->len;
	len[1] = (uint32_t)key->len;
	/* the record's parts go in one add: a record is never split */
	tl_buf_reset(&s->rec);
	tl_buf_put(&s->rec, len, sizeof(len));
	tl_buf_put(&s->rec, id->ptr, id->len);
	tl_buf_put(&s->rec, key->ptr, key->len);
	if ((rc = tl_spool_add(
		     &s->strs, s->rec.ptr, s->rec.len, &p->rec, err)) ||
		(rc = tl_spool_add(&s->recs, p, sizeof(*p), &off, err)))
		return rc;
	tl_fpmap_put(&s->keys, tl_fp(low, lowlen), (uint32_t)s->n);
	seen_lowered(&s->low, key->ptr, key->len);
	if (s->low.len != lowlen || memcmp(s->low.ptr, low, lowlen))
		/* a clash's suffix: a later test whose lookup key is this
		 * key finds it taken */
		tl_fpmap_put(&s->keys, tl_fp(s->low.ptr, s->low.len),
			(uint32_t)s->n);
	*at = (uint32_t)s->n++;
	return 0;
}

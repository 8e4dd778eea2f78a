#include "core/strpool.h"
#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define CHUNK ((size_t)64 * 1024)

const char *tl_strpool_addn(struct tl_strpool *p, const char *s, size_t n)
{
	char *at;
	if (!s)
		return NULL;
	if (n + 1 > p->avail) {
		/* chunks double up to 8 MiB: a history's 15 MB of strings
		 * in few chunks large enough for huge pages (a fault per
		 * 4 KiB page cost its walk 1,600 faults); a string larger
		 * than a chunk gets a chunk of its own */
		size_t grown = CHUNK << (p->nchunks < 7 ? p->nchunks : 7);
		size_t size = n + 1 > grown ? n + 1 : grown;
		p->chunks = tl_realloc(
			p->chunks, tl_mul(p->nchunks + 1, sizeof(*p->chunks)));
		p->lens = tl_realloc(
			p->lens, tl_mul(p->nchunks + 1, sizeof(*p->lens)));
		if (p->nchunks)
			p->lens[p->nchunks - 1] = p->used;
		p->chunks[p->nchunks++] = tl_realloc_large(NULL, 0, size);
		p->used = 0;
		p->avail = size;
	}
	at = p->chunks[p->nchunks - 1] + p->used;
	memcpy(at, s, n);
	at[n] = '\0';
	p->used += n + 1;
	p->avail -= n + 1;
	return at;
}

const char *tl_strpool_add(struct tl_strpool *p, const char *s)
{
	return s ? tl_strpool_addn(p, s, strlen(s)) : NULL;
}

const char *tl_strpool_intern(struct tl_strpool *p, const char *s)
{
	const char *at;
	uint64_t h;
	size_t i;
	if (!s)
		return NULL;
	h = tl_strmap_hash(s);
	if ((i = tl_strmap_index_hashed(&p->seen, s, h)) != (size_t)-1)
		return p->seen.slots[i].key;
	at = tl_strpool_add(p, s);
	tl_strmap_put_hashed(&p->seen, at, h, 0);
	return at;
}

size_t tl_strpool_chunk_len(const struct tl_strpool *p, size_t i)
{
	return i + 1 == p->nchunks ? p->used : p->lens[i];
}

void tl_strpool_release(struct tl_strpool *p)
{
	for (size_t i = 0; i < p->nchunks; i++)
		free(p->chunks[i]);
	free(p->chunks);
	free(p->lens);
	tl_strmap_release(&p->seen);
	memset(p, 0, sizeof(*p));
}

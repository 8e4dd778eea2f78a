#include "core/strmap.h"
#include "core/buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/banned.h"

uint64_t tl_strmap_hash(const char *s)
{
	/* XXH3 (libxxhash): a byte-at-a-time FNV-1a over 40-digit commit
	 * ids was a tenth of a warm tally flaky */
	return (uint64_t)XXH3_64bits(s, strlen(s));
}

size_t tl_strmap_index_hashed(
	const struct tl_strmap *m, const char *key, uint64_t h)
{
	if (!m->cap)
		return (size_t)-1;
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		const struct tl_strmap_slot *s = &m->slots[i];
		if (!s->key)
			return (size_t)-1;
		if (s->hash == h && !strcmp(s->key, key))
			return i;
	}
}

size_t tl_strmap_index(const struct tl_strmap *m, const char *key)
{
	return m->cap ? tl_strmap_index_hashed(m, key, tl_strmap_hash(key))
		      : (size_t)-1;
}

size_t tl_strmap_get(const struct tl_strmap *m, const char *key)
{
	size_t i = tl_strmap_index(m, key);
	return i == (size_t)-1 ? i : m->slots[i].val;
}

static void resize(struct tl_strmap *m, size_t cap)
{
	struct tl_strmap_slot *v = tl_calloc_table(cap, sizeof(*v));
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;
		if (!m->slots[i].key)
			continue;
		/* keys are distinct: place without comparing or rehashing */
		for (j = m->slots[i].hash & (cap - 1); v[j].key;
			j = (j + 1) & (cap - 1))
			;
		v[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = v;
	m->cap = cap;
}

void tl_strmap_reserve(struct tl_strmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 64;
	while (n * 2 > cap)
		cap = tl_mul(cap, 2);
	if (cap > m->cap)
		resize(m, cap);
}

void tl_strmap_put_hashed(
	struct tl_strmap *m, const char *key, uint64_t h, size_t val)
{
	if ((m->n + 1) * 2 > m->cap)
		resize(m, m->cap ? tl_mul(m->cap, 2) : 64);
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct tl_strmap_slot *s = &m->slots[i];
		if (!s->key) {
			s->hash = h;
			s->key = key;
			s->val = val;
			m->n++;
			return;
		}
		if (s->hash == h && !strcmp(s->key, key)) {
			s->val = val;
			return;
		}
	}
}

void tl_strmap_put(struct tl_strmap *m, const char *key, size_t val)
{
	tl_strmap_put_hashed(m, key, tl_strmap_hash(key), val);
}

void tl_strmap_release(struct tl_strmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

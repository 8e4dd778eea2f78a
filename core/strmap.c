#include "core/strmap.h"
#include "core/buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

size_t tl_strmap_index(const struct tl_strmap *m, const char *key)
{
	uint64_t h;
	if (!m->cap)
		return (size_t)-1;
	h = hash(key);
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->keys[i])
			return (size_t)-1;
		if (m->hashes[i] == h && !strcmp(m->keys[i], key))
			return i;
	}
}

size_t tl_strmap_get(const struct tl_strmap *m, const char *key)
{
	size_t i = tl_strmap_index(m, key);
	return i == (size_t)-1 ? i : m->vals[i];
}

static void resize(struct tl_strmap *m, size_t cap)
{
	struct tl_strmap bigger = { 0 };
	bigger.cap = cap;
	bigger.keys = tl_calloc(bigger.cap, sizeof(*bigger.keys));
	bigger.vals = tl_calloc(bigger.cap, sizeof(*bigger.vals));
	bigger.hashes = tl_calloc(bigger.cap, sizeof(*bigger.hashes));
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;
		if (!m->keys[i])
			continue;
		/* keys are distinct: place without comparing or rehashing */
		for (j = m->hashes[i] & (cap - 1); bigger.keys[j];
			j = (j + 1) & (cap - 1))
			;
		bigger.keys[j] = m->keys[i];
		bigger.vals[j] = m->vals[i];
		bigger.hashes[j] = m->hashes[i];
		bigger.n++;
	}
	tl_strmap_release(m);
	*m = bigger;
}

void tl_strmap_reserve(struct tl_strmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 64;
	while (n * 2 > cap)
		cap = tl_mul(cap, 2);
	if (cap > m->cap)
		resize(m, cap);
}

void tl_strmap_put(struct tl_strmap *m, const char *key, size_t val)
{
	uint64_t h = hash(key);
	if ((m->n + 1) * 2 > m->cap)
		resize(m, m->cap ? m->cap * 2 : 64);
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->keys[i]) {
			m->keys[i] = key;
			m->vals[i] = val;
			m->hashes[i] = h;
			m->n++;
			return;
		}
		if (m->hashes[i] == h && !strcmp(m->keys[i], key)) {
			m->vals[i] = val;
			return;
		}
	}
}

void tl_strmap_release(struct tl_strmap *m)
{
	free(m->keys);
	free(m->vals);
	free(m->hashes);
	memset(m, 0, sizeof(*m));
}

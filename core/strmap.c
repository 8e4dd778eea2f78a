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

size_t tl_strmap_get(const struct tl_strmap *m, const char *key)
{
	if (!m->cap)
		return (size_t)-1;
	for (size_t i = hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->keys[i])
			return (size_t)-1;
		if (!strcmp(m->keys[i], key))
			return m->vals[i];
	}
}

static void grow(struct tl_strmap *m)
{
	struct tl_strmap bigger = { 0 };
	bigger.cap = m->cap ? m->cap * 2 : 64;
	bigger.keys = tl_calloc(bigger.cap, sizeof(*bigger.keys));
	bigger.vals = tl_calloc(bigger.cap, sizeof(*bigger.vals));
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i])
			tl_strmap_put(&bigger, m->keys[i], m->vals[i]);
	tl_strmap_release(m);
	*m = bigger;
}

void tl_strmap_put(struct tl_strmap *m, const char *key, size_t val)
{
	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	for (size_t i = hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->keys[i]) {
			m->keys[i] = key;
			m->vals[i] = val;
			m->n++;
			return;
		}
		if (!strcmp(m->keys[i], key)) {
			m->vals[i] = val;
			return;
		}
	}
}

void tl_strmap_release(struct tl_strmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

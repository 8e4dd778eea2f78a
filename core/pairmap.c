#include "core/pairmap.h"
#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static size_t hash(const void *a, const void *b)
{
	/* pointers are aligned and close together: multiply, then fold
	 * the high bits (which the multiply mixed best) down */
	uint64_t h = (uint64_t)(uintptr_t)a * 0x9e3779b97f4a7c15ull ^
		(uint64_t)(uintptr_t)b * 0xc2b2ae3d27d4eb4full;
	return (size_t)(h ^ (h >> 29) ^ (h >> 47));
}

size_t tl_pairmap_get(const struct tl_pairmap *m, const void *a, const void *b)
{
	if (!m->cap)
		return (size_t)-1;
	for (size_t i = hash(a, b) & (m->cap - 1);;
		i = (i + 1) & (m->cap - 1)) {
		const struct tl_pairmap_slot *s = &m->slots[i];
		if (!s->a)
			return (size_t)-1;
		if (s->a == a && s->b == b)
			return s->val;
	}
}

static void resize(struct tl_pairmap *m, size_t cap)
{
	struct tl_pairmap_slot *v = tl_calloc_table(cap, sizeof(*v));
	for (size_t i = 0; i < m->cap; i++) {
		const struct tl_pairmap_slot *s = &m->slots[i];
		size_t j;
		if (!s->a)
			continue;
		for (j = hash(s->a, s->b) & (cap - 1); v[j].a;
			j = (j + 1) & (cap - 1))
			;
		v[j] = *s;
	}
	free(m->slots);
	m->slots = v;
	m->cap = cap;
}

void tl_pairmap_reserve(struct tl_pairmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 64;
	while (n * 2 > cap)
		cap = tl_mul(cap, 2);
	if (cap > m->cap)
		resize(m, cap);
}

/* The slot of (a, b), claimed for it when it was not there (*added),
 * with room made first. */
static struct tl_pairmap_slot *claim(
	struct tl_pairmap *m, const void *a, const void *b, int *added)
{
	if ((m->n + 1) * 2 > m->cap)
		resize(m, m->cap ? tl_mul(m->cap, 2) : 64);
	for (size_t i = hash(a, b) & (m->cap - 1);;
		i = (i + 1) & (m->cap - 1)) {
		struct tl_pairmap_slot *s = &m->slots[i];
		if (!s->a) {
			s->a = a;
			s->b = b;
			m->n++;
			*added = 1;
			return s;
		}
		if (s->a == a && s->b == b) {
			*added = 0;
			return s;
		}
	}
}

void tl_pairmap_put(
	struct tl_pairmap *m, const void *a, const void *b, size_t val)
{
	int added;
	claim(m, a, b, &added)->val = val;
}

size_t tl_pairmap_get_or_put(
	struct tl_pairmap *m, const void *a, const void *b, size_t val)
{
	int added;
	struct tl_pairmap_slot *s = claim(m, a, b, &added);
	if (!added)
		return s->val;
	s->val = val;
	return (size_t)-1;
}

void tl_pairmap_release(struct tl_pairmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* Fingerprints to values, in 8 bytes a slot: see fpmap.h. */
#include "core/fpmap.h"
#include "core/buf.h"

#include <stdlib.h>
#include <xxhash.h>

#include "core/banned.h"

uint64_t tl_fp(const void *p, size_t n)
{
	uint64_t h = (uint64_t)XXH3_64bits(p, n);
	return h ? h : 1;
}

/* The slot's tag, its home slot's index too (the table keeps no other
 * bits of the fingerprint to place it by when it grows). */
static uint32_t tag_of(uint64_t fp)
{
	uint32_t t = (uint32_t)(fp >> 32) ^ (uint32_t)fp;
	return t ? t : 1; /* 0 marks a free slot */
}

static void insert(
	struct tl_fpmap_slot *s, size_t cap, uint32_t tag, uint32_t val)
{
	size_t i = (size_t)tag & (cap - 1);
	while (s[i].tag)
		i = (i + 1) & (cap - 1);
	s[i].tag = tag;
	s[i].val = val;
}

void tl_fpmap_put(struct tl_fpmap *m, uint64_t fp, uint32_t val)
{
	/* at most seven eighths full, not three quarters: between the two
	 * fractions of a power of two the table is half the size (100,000
	 * tests fit 2^17 slots), and a miss probes about 32 slots on
	 * average, 256 bytes */
	if ((m->n + 1) * 8 > m->cap * 7) {
		size_t cap = m->cap ? m->cap * 2 : 1024;
		struct tl_fpmap_slot *s = tl_calloc_table(cap, sizeof(*s));
		for (size_t i = 0; i < m->cap; i++)
			if (m->slots[i].tag)
				insert(s, cap, m->slots[i].tag,
					m->slots[i].val);
		free(m->slots);
		m->slots = s;
		m->cap = cap;
	}
	insert(m->slots, m->cap, tag_of(fp), val);
	m->n++;
}

int tl_fpmap_next(
	const struct tl_fpmap *m, uint64_t fp, size_t *it, uint32_t *val)
{
	uint32_t tag = tag_of(fp);
	if (!m->cap)
		return 0;
	/* *it counts the slots probed so far: no removals, so the run of
	 * used slots from the tag's home is stable between calls */
	for (;;) {
		size_t i = ((size_t)tag + *it) & (m->cap - 1);
		if (!m->slots[i].tag || *it >= m->cap)
			return 0;
		(*it)++;
		if (m->slots[i].tag == tag) {
			*val = m->slots[i].val;
			return 1;
		}
	}
}

void tl_fpmap_release(struct tl_fpmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

#include "core/sum.h"

#include <stdio.h>
#include <stdlib.h>
#include <xxhash.h>

#include "core/banned.h"

void tl_sum_init(struct tl_sum *s)
{
	XXH3_state_t *st = XXH3_createState();
	if (!st) { /* as tl_malloc */
		fputs("tally: out of memory for a checksum\n", stderr);
		abort();
	}
	XXH3_64bits_reset(st);
	s->state = st;
}

void tl_sum_add(struct tl_sum *s, const void *p, size_t n)
{
	if (n)
		XXH3_64bits_update(s->state, p, n);
}

uint64_t tl_sum_value(const struct tl_sum *s)
{
	return (uint64_t)XXH3_64bits_digest(s->state);
}

void tl_sum_release(struct tl_sum *s)
{
	XXH3_freeState(s->state);
	s->state = NULL;
}

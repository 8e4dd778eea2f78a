#ifndef TL_SUM_H
#define TL_SUM_H
/*
 * The checksum of tally's cache files under .git/tally: against damage,
 * not against an attack. XXH3-64 (libxxhash), fed in parts of any
 * length: a 35 MB snapshot is summed in about a millisecond, where a
 * word-at-a-time FNV-1a took a tenth of a warm query.
 */
#include <stddef.h>
#include <stdint.h>

struct tl_sum {
	void *state; /* XXH3_state_t */
};

void tl_sum_init(struct tl_sum *s);
void tl_sum_add(struct tl_sum *s, const void *p, size_t n);
/* The sum of everything added so far. */
uint64_t tl_sum_value(const struct tl_sum *s);
void tl_sum_release(struct tl_sum *s);

#endif

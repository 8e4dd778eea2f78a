#ifndef TL_FPMAP_H
#define TL_FPMAP_H
/*
 * A fingerprint -> value table (open addressing, 8 bytes a slot: 32 bits
 * of the fingerprint and a 32-bit value)
 * for what a large import must look up for every test but cannot keep in
 * memory: the strings themselves stay on disk (core/spool.h), and the
 * caller confirms each candidate a fingerprint gives against the real
 * string. A fingerprint may so stand for several strings; the table keeps
 * every value put under it.
 */
#include <stddef.h>
#include <stdint.h>

struct tl_fpmap_slot {
	uint32_t tag; /* the fingerprint folded to 32 bits; 0: free */
	uint32_t val;
};

struct tl_fpmap {
	struct tl_fpmap_slot *slots;
	size_t cap, n;
};

/* The fingerprint of n bytes (XXH3; never 0). */
uint64_t tl_fp(const void *p, size_t n);
void tl_fpmap_put(struct tl_fpmap *m, uint64_t fp, uint32_t val);
/* The values put under fp, one a call: *it is 0 for the first; 0 when
 * there are no more, 1 with *val set otherwise. (Values put under
 * another fingerprint with the same 32-bit tag come too: the caller
 * confirms every candidate anyway.) */
int tl_fpmap_next(
	const struct tl_fpmap *m, uint64_t fp, size_t *it, uint32_t *val);
void tl_fpmap_release(struct tl_fpmap *m);

#endif

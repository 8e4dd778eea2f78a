#ifndef TL_PAIRMAP_H
#define TL_PAIRMAP_H
/*
 * A (pointer, pointer) -> index table (open addressing), for keys that
 * are pairs of interned strings: equal strings are the same pointer, so
 * a lookup hashes two words and compares no bytes. Keys are borrowed.
 */
#include <stddef.h>
#include <stdint.h>

struct tl_pairmap_slot {
	const void *a, *b; /* a NULL: free */
	size_t val;
};

struct tl_pairmap {
	struct tl_pairmap_slot *slots;
	size_t cap, n;
};

/* The index stored for (a, b), or (size_t)-1. a must not be NULL. */
size_t tl_pairmap_get(const struct tl_pairmap *m, const void *a, const void *b);
void tl_pairmap_put(
	struct tl_pairmap *m, const void *a, const void *b, size_t val);
/* The index stored for (a, b); when there is none, stores val for it and
 * returns (size_t)-1: one probe of the table where a get and a put took
 * two (a cold history query's 200,000 results are mostly new keys). */
size_t tl_pairmap_get_or_put(
	struct tl_pairmap *m, const void *a, const void *b, size_t val);
/* Room for n keys without rehashing. */
void tl_pairmap_reserve(struct tl_pairmap *m, size_t n);
void tl_pairmap_release(struct tl_pairmap *m);

#endif

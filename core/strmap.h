#ifndef TL_STRMAP_H
#define TL_STRMAP_H
/* A string -> index table (open addressing), for joining large imports by
 * id in linear time. Keys are borrowed: they must outlive the map. */
#include <stddef.h>
#include <stdint.h>

/* hash, key and value side by side: a probe touches one cache line */
struct tl_strmap_slot {
	uint64_t hash; /* compared before the key */
	const char *key; /* NULL: free */
	size_t val;
};

struct tl_strmap {
	struct tl_strmap_slot *slots;
	size_t cap, n;
};

uint64_t tl_strmap_hash(const char *key);
/* The index stored for key, or (size_t)-1. */
size_t tl_strmap_get(const struct tl_strmap *m, const char *key);
/* The slot holding key (its stored key is m->slots[slot].key), or
 * (size_t)-1. The _hashed forms take tl_strmap_hash(key), for a caller
 * that looks up and then puts. */
size_t tl_strmap_index(const struct tl_strmap *m, const char *key);
size_t tl_strmap_index_hashed(
	const struct tl_strmap *m, const char *key, uint64_t hash);
void tl_strmap_put(struct tl_strmap *m, const char *key, size_t val);
void tl_strmap_put_hashed(
	struct tl_strmap *m, const char *key, uint64_t hash, size_t val);
/* Room for n keys without rehashing. */
void tl_strmap_reserve(struct tl_strmap *m, size_t n);
void tl_strmap_release(struct tl_strmap *m);

#endif

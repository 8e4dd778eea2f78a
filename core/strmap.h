#ifndef TL_STRMAP_H
#define TL_STRMAP_H
/* A string -> index table (open addressing), for joining large imports by
 * id in linear time. Keys are borrowed: they must outlive the map. */
#include <stddef.h>
#include <stdint.h>

struct tl_strmap {
	const char **keys;
	size_t *vals;
	uint64_t *hashes; /* compared before the keys */
	size_t cap, n;
};

/* The index stored for key, or (size_t)-1. */
size_t tl_strmap_get(const struct tl_strmap *m, const char *key);
/* The slot holding key (its stored key is m->keys[slot]), or (size_t)-1. */
size_t tl_strmap_index(const struct tl_strmap *m, const char *key);
void tl_strmap_put(struct tl_strmap *m, const char *key, size_t val);
/* Room for n keys without rehashing. */
void tl_strmap_reserve(struct tl_strmap *m, size_t n);
void tl_strmap_release(struct tl_strmap *m);

#endif

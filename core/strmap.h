#ifndef TL_STRMAP_H
#define TL_STRMAP_H
/* A string -> index table (open addressing), for joining large imports by
 * id in linear time. Keys are borrowed: they must outlive the map. */
#include <stddef.h>

struct tl_strmap {
	const char **keys;
	size_t *vals;
	size_t cap, n;
};

/* The index stored for key, or (size_t)-1. */
size_t tl_strmap_get(const struct tl_strmap *m, const char *key);
void tl_strmap_put(struct tl_strmap *m, const char *key, size_t val);
void tl_strmap_release(struct tl_strmap *m);

#endif

#ifndef TL_STRPOOL_H
#define TL_STRPOOL_H
/*
 * Strings that live as long as their pool: copied into large chunks, so
 * hundreds of thousands of history events cost a handful of allocations,
 * and interned on request, so a case key or run id repeated in every
 * event is kept once. Pointers stay valid until tl_strpool_release.
 */
#include <stddef.h>

#include "core/strmap.h"

struct tl_strpool {
	char **chunks;
	size_t *lens; /* bytes used in each chunk but the newest */
	size_t nchunks;
	size_t used, avail; /* in the newest chunk */
	struct tl_strmap seen; /* interned strings -> 0 */
};

/* A copy of s (n bytes, NUL added) in the pool; NULL for NULL. */
const char *tl_strpool_addn(struct tl_strpool *p, const char *s, size_t n);
const char *tl_strpool_add(struct tl_strpool *p, const char *s);
/* The pool's one copy of s; NULL for NULL. */
const char *tl_strpool_intern(struct tl_strpool *p, const char *s);
/* The bytes of chunk i in use: its strings, one after another. */
size_t tl_strpool_chunk_len(const struct tl_strpool *p, size_t i);
void tl_strpool_release(struct tl_strpool *p);

#endif

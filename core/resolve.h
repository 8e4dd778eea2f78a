#ifndef TL_RESOLVE_H
#define TL_RESOLVE_H
/* References: a key, a unique prefix of one (or of its trailing path
 * segments), or an exact title. */
#include <stddef.h>

#include "core/err.h"

struct tl_candidate {
	const char *key;
	const char *title;
};

/* Sets *out to the index of the match. An ambiguous reference is
 * TL_EAMBIGUOUS with the candidates listed; none is TL_ENOTFOUND. */
int tl_resolve(const struct tl_candidate *c, size_t n, const char *ref,
	const char *what, size_t *out, struct tl_err *err);

/* Resolves ref among loaded entities of one kind (by key and title). */
struct tl_list;
int tl_resolve_list(const struct tl_list *l, const char *ref, const char *what,
	void **out, struct tl_err *err);

#endif

#ifndef TL_PAR_H
#define TL_PAR_H
/* Work over many items (files, runs) on the two cores this is built for. */
#include <stddef.h>

/* Runs fn(i, ctx) for the i in [0, n), on the calling thread and, when
 * threads > 1, one more, handing indices out in order. No index after
 * one whose fn failed (returned nonzero) is started: a loop in order
 * would have stopped there. Returns the first failing index, or n. */
size_t tl_par_for(
	size_t n, int threads, int (*fn)(size_t i, void *ctx), void *ctx);

#endif

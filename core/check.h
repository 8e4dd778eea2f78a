#ifndef TL_CHECK_H
#define TL_CHECK_H
/* Validates every file of the tracker and collects every problem found. */
#include "core/store.h"

struct tl_problem {
	char *path; /* work-tree path */
	unsigned line, col;
	char *message;
};

struct tl_problems {
	struct tl_problem *v;
	size_t n, cap;
};

int tl_check(struct tl_store *s, struct tl_problems *out, struct tl_err *err);
/* Adds a problem from an error message "path:line:col: message". */
void tl_problems_add_err(
	struct tl_problems *p, const char *path, const char *msg);
void tl_problems_release(struct tl_problems *p);

#endif

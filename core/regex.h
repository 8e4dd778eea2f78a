#ifndef TL_REGEX_H
#define TL_REGEX_H
/*
 * The one place pcre2 lives. User patterns are compiled as UTF and
 * matched under match and depth limits, so a pathological pattern fails
 * with an error instead of hanging; JIT is used where it compiles.
 */
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

struct tl_regex;

int tl_regex_new(struct tl_regex **out, const char *pattern, int caseless,
	struct tl_err *err);
/* 1 when it matches anywhere in s, 0 when not, negative on error. */
int tl_regex_search(const struct tl_regex *re, const char *s, size_t len,
	struct tl_err *err);
/* Every match replaced by with ($1 names a group) into out; returns the
 * number of replacements or a negative code. */
int tl_regex_replace(const struct tl_regex *re, const char *s, size_t len,
	const char *with, struct tl_buf *out, struct tl_err *err);
void tl_regex_free(struct tl_regex *re);
/* "10.42" */
const char *tl_regex_version(void);

#endif

#ifndef TL_KEY_H
#define TL_KEY_H
/*
 * Keys are paths: a case's key is its path under cases/ without .yaml.
 * Every segment must be safe on every file system tally's users have
 * (Linux, macOS, Windows): no "..", no separators or control characters,
 * no reserved names, bounded length.
 */
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

#define TL_KEY_SEGMENT_MAX 80
#define TL_KEY_DEPTH_MAX 16
#define TL_SLUG_MAX 48

/* Checks one segment; what names the kind of key in the message. */
int tl_key_check_segment(
	const char *seg, size_t len, const char *what, struct tl_err *err);
/* Checks a whole key ("auth/login/valid-password"). */
int tl_key_check(const char *key, const char *what, struct tl_err *err);
/* Appends a lowercase ASCII slug of text (at most TL_SLUG_MAX bytes) to
 * out; "untitled" when nothing of text survives. */
void tl_slugify(struct tl_buf *out, const char *text);
/* Appends n random Crockford base32 characters (lowercase). */
int tl_key_random(struct tl_buf *out, size_t n, struct tl_err *err);
/* Appends the key of a new case for an imported test: prefix / the
 * classname's parts (com.acme.LoginTest, pkg/path, Module::Class) / name,
 * each made one safe segment. Bounded, and collision-free: a segment that
 * lost characters or length carries a short hash of the original. */
void tl_key_for_test(struct tl_buf *out, const char *prefix,
	const char *classname, const char *name);
/* Appends "-" and six hex digits of a hash of of: what keeps two ids
 * that map to one key apart. */
void tl_key_add_hash(struct tl_buf *out, const char *of);
/* Case-insensitive equality, for refusing case-only differences. */
int tl_key_casecmp(const char *a, const char *b);

#endif

#ifndef TL_TEXT_H
#define TL_TEXT_H
/* Text from the outside world (test output, traces) made safe to store. */
#include <stddef.h>

#include "core/buf.h"

/* Appends s to out with invalid UTF-8 and control characters other than
 * tab and newline replaced by U+FFFD, and CRLF folded to LF. */
void tl_text_clean(struct tl_buf *out, const char *s, size_t len);
/* Appends s to out with only its bytes that are not valid UTF-8 replaced
 * by U+FFFD (for output: the rest is left as it is); says whether any
 * was. */
int tl_text_utf8_fix(struct tl_buf *out, const char *s, size_t len);
/* The largest length <= max that ends on a UTF-8 character boundary. */
size_t tl_text_cut(const char *s, size_t len, size_t max);
/* The length of the valid UTF-8 sequence at s (no overlongs, no
 * surrogates), or 0. */
size_t tl_utf8_seq(const unsigned char *s, size_t left);
/* Whether all of s is valid UTF-8. */
int tl_utf8_valid(const char *s, size_t len);
/* Parses a size: 10MB, 64KiB, 1.5M, 2048 (bytes). */
int tl_parse_size(const char *s, size_t *out);

#endif

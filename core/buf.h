#ifndef TL_BUF_H
#define TL_BUF_H
/*
 * A growable byte buffer with git strbuf's invariants: ptr is never NULL
 * and always NUL-terminated. A limit (0 = none) caps what user input can
 * grow it to; passing the limit sets a sticky flag, so one check after a
 * sequence of appends covers them all.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct tl_buf {
	char *ptr;
	size_t len;
	size_t cap; /* 0 while ptr points at the shared empty string */
	size_t limit; /* maximum len, 0 for none */
	int overflow; /* set once an append would pass limit */
};

extern char tl_buf_empty[];
#define TL_BUF_INIT                      \
	{                                \
		tl_buf_empty, 0, 0, 0, 0 \
	}

void tl_buf_init(struct tl_buf *b, size_t limit);
void tl_buf_release(struct tl_buf *b);
/* Hands the string to the caller (always heap, free()able); b is reset. */
char *tl_buf_detach(struct tl_buf *b);
void tl_buf_grow(struct tl_buf *b, size_t extra);
void tl_buf_put(struct tl_buf *b, const void *data, size_t len);
void tl_buf_puts(struct tl_buf *b, const char *s);
void tl_buf_putc(struct tl_buf *b, char c);
void tl_buf_printf(struct tl_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tl_buf_vprintf(struct tl_buf *b, const char *fmt, va_list ap);
void tl_buf_truncate(struct tl_buf *b, size_t len);
void tl_buf_reset(struct tl_buf *b);
/* Whether len more bytes fit in a buffer of size bytes, with the NUL
 * tl_buf keeps after them: a writer that flushes before a put that does
 * not fit never grows its buffer past size (put first and flushed once
 * full, a buffer filled to the brim doubled). */
int tl_buf_fits(const struct tl_buf *b, size_t len, size_t size);

/* Allocation that cannot fail: out of memory ends the process, as git's
 * xmalloc and redis's zmalloc do. The handler is replaceable for tests. */
void *tl_malloc(size_t n);
void *tl_calloc(size_t n, size_t size);
void *tl_realloc(void *p, size_t n);
char *tl_strdup(const char *s);
char *tl_strndup(const char *s, size_t n);
/* Hands memory freed in the middle of the heap back to the system, after
 * a phase that freed many small blocks and before one that allocates
 * large ones (glibc's malloc_trim; nothing elsewhere). */
void tl_mem_trim(void);
/* Asks for 2 MiB pages over the whole pages of [p, p + len), where the
 * system gives them on request (Linux's transparent huge pages in
 * "madvise" mode): for large arrays that are scanned and sorted, fewer
 * page faults and TLB misses. A hint: nothing happens elsewhere. */
void tl_mem_hugepages(void *p, size_t len);
/* Faults a large fresh allocation in with one call instead of a fault per
 * page as it is filled (on some virtual machines a fault costs
 * microseconds). A hint: kernels before 5.14 refuse it. */
void tl_mem_prefault(void *p, size_t len);
/* tl_realloc for an array that grows large (a history's events, a pool's
 * strings, a snapshot being written), of which the first used bytes are
 * kept: past TL_LARGE, a new block on huge pages (tl_mem_hugepages), the
 * used bytes copied. A page fault costs 8 to 13 us per 4 KiB page on the
 * virtual machines tally is measured on, and a cold history query's
 * 200,000 events faulted 20,000 times. */
#define TL_LARGE ((size_t)4 << 20)
void *tl_realloc_large(void *p, size_t used, size_t n);
/* tl_calloc for a large table about to be filled at random places (a
 * hash table): past 1 MiB, huge pages and one prefault, so filling it
 * does not read-fault the zero page and then write-fault each page with
 * a TLB flush on every core running a thread of ours. */
void *tl_calloc_table(size_t n, size_t size);
/* Overflow-checked a * b, aborting like an allocation failure. */
size_t tl_mul(size_t a, size_t b);
char *tl_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* qsort that accepts an empty array with a NULL base (qsort itself may
 * not be passed NULL, even with n == 0). */
void tl_sort(void *base, size_t n, size_t size,
	int (*cmp)(const void *, const void *));
/* A merge sort: of equal elements, the first stays first. (qsort is not
 * stable: glibc's is an introsort since 2.37.) */
void tl_sort_stable(void *base, size_t n, size_t size,
	int (*cmp)(const void *, const void *));

#endif

#define _GNU_SOURCE /* madvise, MADV_HUGEPAGE */
#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "core/banned.h"

char tl_buf_empty[1];

static void oom(size_t n)
{
	fprintf(stderr, "tally: out of memory allocating %zu bytes\n", n);
	abort();
}

void *tl_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *tl_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *tl_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *tl_strndup(const char *s, size_t n)
{
	char *p = tl_malloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *tl_strdup(const char *s)
{
	return s ? tl_strndup(s, strlen(s)) : NULL;
}

void tl_mem_trim(void)
{
#if defined(__GLIBC__)
	malloc_trim(0);
#endif
}

/* madvise over the whole pages of [p, p + len): a hint, so its result
 * does not matter. */
static void advise(void *p, size_t len, int advice)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t from = ((uintptr_t)p + page - 1) & ~(page - 1);
	uintptr_t to = ((uintptr_t)p + len) & ~(page - 1);
	if (to > from)
		(void)madvise((void *)from, to - from, advice);
}

void tl_mem_hugepages(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
	advise(p, len, MADV_HUGEPAGE);
#else
	(void)p;
	(void)len;
#endif
}

void tl_mem_prefault(void *p, size_t len)
{
#ifdef MADV_POPULATE_WRITE
	advise(p, len, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)len;
#endif
}

void *tl_realloc_large(void *p, size_t used, size_t n)
{
	const size_t huge = (size_t)2 << 20;
	size_t whole;
	void *q = NULL;
	if (n < TL_LARGE)
		return tl_realloc(p, n);
	/* aligned and copied: realloc moves a large block with mremap,
	 * which splits its huge pages at a new address off their
	 * alignment, and the rest then faulted 4 KiB at a time */
	whole = (n + huge - 1) & ~(huge - 1);
	if (whole < n || !(q = aligned_alloc(huge, whole)))
		oom(n);
	tl_mem_hugepages(q, whole);
	if (used)
		memcpy(q, p, used < n ? used : n);
	free(p);
	return q;
}

void *tl_calloc_table(size_t n, size_t size)
{
	size_t len = tl_mul(n, size);
	void *p;
	if (len >= TL_LARGE) {
		/* on a 2 MiB boundary, so that all of it is huge pages */
		p = tl_realloc_large(NULL, 0, len);
		memset(p, 0, len);
		return p;
	}
	p = tl_calloc(n, size);
	if (len >= ((size_t)1 << 20)) {
		tl_mem_hugepages(p, len);
		tl_mem_prefault(p, len);
	}
	return p;
}

size_t tl_mul(size_t a, size_t b)
{
	if (b && a > SIZE_MAX / b)
		oom(SIZE_MAX);
	return a * b;
}

char *tl_format(const char *fmt, ...)
{
	struct tl_buf b = TL_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	tl_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return tl_buf_detach(&b);
}

void tl_buf_init(struct tl_buf *b, size_t limit)
{
	b->ptr = tl_buf_empty;
	b->len = b->cap = 0;
	b->limit = limit;
	b->overflow = 0;
}

void tl_buf_release(struct tl_buf *b)
{
	size_t limit = b->limit;
	if (b->cap)
		free(b->ptr);
	tl_buf_init(b, limit);
}

char *tl_buf_detach(struct tl_buf *b)
{
	char *p = b->cap ? b->ptr : tl_strdup("");
	size_t limit = b->limit;
	tl_buf_init(b, limit);
	return p;
}

void tl_buf_grow(struct tl_buf *b, size_t extra)
{
	size_t need;
	if (extra > SIZE_MAX - b->len - 1)
		oom(SIZE_MAX);
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	/* past TL_LARGE by eight: each growth is a copy there
	 * (tl_realloc_large), and room never used is address space */
	while (cap < need)
		cap = cap > SIZE_MAX / 8  ? need
			: cap >= TL_LARGE ? cap * 8
					  : cap * 2;
	if (b->cap) {
		b->ptr = tl_realloc_large(b->ptr, b->len + 1, cap);
	} else {
		b->ptr = tl_malloc(cap);
		b->ptr[0] = '\0';
	}
	b->cap = cap;
}

/* Returns 0 when len more bytes fit under the limit. */
static int check_limit(struct tl_buf *b, size_t len)
{
	if (b->overflow)
		return -1;
	if (b->limit && len > b->limit - b->len) {
		b->overflow = 1;
		return -1;
	}
	return 0;
}

void tl_buf_put(struct tl_buf *b, const void *data, size_t len)
{
	if (check_limit(b, len))
		return;
	if (!len)
		return;
	tl_buf_grow(b, len);
	memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

void tl_buf_puts(struct tl_buf *b, const char *s)
{
	tl_buf_put(b, s, strlen(s));
}

void tl_buf_putc(struct tl_buf *b, char c)
{
	tl_buf_put(b, &c, 1);
}

void tl_buf_vprintf(struct tl_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	char small[1];

	va_copy(cp, ap);
	n = vsnprintf(small, sizeof(small), fmt, cp);
	va_end(cp);
	if (n < 0 || check_limit(b, (size_t)n))
		return;
	tl_buf_grow(b, (size_t)n);
	n = vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	if (n < 0)
		return;
	b->len += (size_t)n;
}

void tl_buf_printf(struct tl_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tl_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void tl_buf_truncate(struct tl_buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->ptr[len] = '\0';
}

void tl_buf_reset(struct tl_buf *b)
{
	tl_buf_truncate(b, 0);
	b->overflow = 0;
}

int tl_buf_fits(const struct tl_buf *b, size_t len, size_t size)
{
	return len < size && b->len < size - len;
}

void tl_sort(void *base, size_t n, size_t size,
	int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

/* Sorts a[0..n) using tmp, as large. */
static void merge_sort(char *a, char *tmp, size_t n, size_t size,
	int (*cmp)(const void *, const void *))
{
	size_t h = n / 2, i = 0, j = h, k = 0;
	if (n < 2)
		return;
	merge_sort(a, tmp, h, size, cmp);
	merge_sort(a + h * size, tmp, n - h, size, cmp);
	while (i < h || j < n) {
		/* the left one on a tie: equal elements keep their order */
		size_t from = j == n ||
				(i < h && cmp(a + i * size, a + j * size) <= 0)
			? i++
			: j++;
		memcpy(tmp + k++ * size, a + from * size, size);
	}
	memcpy(a, tmp, n * size);
}

void tl_sort_stable(void *base, size_t n, size_t size,
	int (*cmp)(const void *, const void *))
{
	char *tmp;
	if (n < 2)
		return;
	tmp = tl_malloc(tl_mul(n, size));
	merge_sort(base, tmp, n, size, cmp);
	free(tmp);
}

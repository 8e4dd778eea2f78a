#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"

Test(buf, starts_empty_and_terminated)
{
	struct tl_buf b = TL_BUF_INIT;
	cr_assert_not_null(b.ptr);
	cr_assert_eq(b.len, 0);
	cr_assert_eq(b.ptr[0], '\0');
	tl_buf_release(&b);
}

Test(buf, appends_and_formats)
{
	struct tl_buf b = TL_BUF_INIT;
	tl_buf_puts(&b, "abc");
	tl_buf_putc(&b, '-');
	tl_buf_printf(&b, "%d/%s", 42, "x");
	cr_assert_str_eq(b.ptr, "abc-42/x");
	cr_assert_eq(b.len, 8);
	tl_buf_truncate(&b, 3);
	cr_assert_str_eq(b.ptr, "abc");
	tl_buf_release(&b);
}

/* len more bytes fit in size when they and the NUL after them do: a
 * writer flushing on "does not fit" never doubles its buffer. */
Test(buf, fits_counts_the_nul_after_the_bytes)
{
	struct tl_buf b = TL_BUF_INIT;
	cr_assert(tl_buf_fits(&b, 63, 64));
	cr_assert_not(tl_buf_fits(&b, 64, 64));
	cr_assert_not(tl_buf_fits(&b, SIZE_MAX, 64));
	tl_buf_put(&b, "0123456789", 10);
	cr_assert(tl_buf_fits(&b, 53, 64));
	cr_assert_not(tl_buf_fits(&b, 54, 64));
	tl_buf_put(&b, "x", 1);
	tl_buf_grow(&b, 52);
	cr_assert_eq(b.cap, 64); /* 11 + 52 and the NUL: no more */
	tl_buf_release(&b);
}

/* Past TL_LARGE a block is replaced, not resized: the used bytes are
 * kept (no more: the rest may be anything), on a 2 MiB boundary for huge
 * pages; below it, as realloc. */
Test(buf, realloc_large_keeps_the_used_bytes)
{
	size_t small = 1000, large = TL_LARGE + 12345;
	unsigned char *p = tl_realloc_large(NULL, 0, small);
	for (size_t i = 0; i < small; i++)
		p[i] = (unsigned char)(i * 7);
	p = tl_realloc_large(p, small, large);
	cr_assert_eq((uintptr_t)p % ((uintptr_t)2 << 20), 0);
	for (size_t i = 0; i < small; i++)
		cr_assert_eq(p[i], (unsigned char)(i * 7));
	memset(p + small, 0xab, large - small);
	p = tl_realloc_large(p, large, large * 2);
	for (size_t i = 0; i < small; i++)
		cr_assert_eq(p[i], (unsigned char)(i * 7));
	cr_assert_eq(p[large - 1], 0xab);
	p = tl_realloc_large(p, 10, 100); /* shrunk below: realloc's */
	cr_assert_eq(p[9], (unsigned char)63);
	free(p);
}

/* A large table comes zeroed, on a 2 MiB boundary, freed with free. */
Test(buf, calloc_table_zeroes_a_large_table)
{
	size_t n = TL_LARGE / sizeof(uint64_t) + 3;
	uint64_t *t = tl_calloc_table(n, sizeof(*t));
	cr_assert_eq((uintptr_t)t % ((uintptr_t)2 << 20), 0);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(t[i], 0);
	t[n - 1] = 1;
	free(t);
}

Test(buf, grows_past_the_large_size_with_its_bytes)
{
	struct tl_buf b = TL_BUF_INIT;
	size_t n = 0;
	while (b.len < TL_LARGE * 2) {
		char word[16];
		int k = snprintf(word, sizeof(word), "%zu,", n++);
		tl_buf_put(&b, word, (size_t)k);
	}
	cr_assert_eq(b.ptr[b.len], '\0');
	for (size_t i = 0, at = 0; i < n; i++) {
		char word[16];
		int k = snprintf(word, sizeof(word), "%zu,", i);
		cr_assert(!memcmp(b.ptr + at, word, (size_t)k));
		at += (size_t)k;
	}
	tl_buf_release(&b);
}

Test(buf, limit_sets_a_sticky_overflow)
{
	struct tl_buf b;
	tl_buf_init(&b, 5);
	tl_buf_puts(&b, "1234");
	cr_assert_eq(b.overflow, 0);
	tl_buf_puts(&b, "56");
	cr_assert_eq(b.overflow, 1);
	tl_buf_puts(&b, "7");
	cr_assert_str_eq(
		b.ptr, "1234", "nothing is appended after an overflow");
	tl_buf_release(&b);
}

Test(buf, detach_hands_over_a_heap_string)
{
	struct tl_buf b = TL_BUF_INIT;
	char *s;
	s = tl_buf_detach(&b);
	cr_assert_str_eq(s, "");
	free(s);
	tl_buf_puts(&b, "hello");
	s = tl_buf_detach(&b);
	cr_assert_str_eq(s, "hello");
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(b.ptr, "");
	free(s);
}

Test(err, prefix_adds_context_and_keeps_code)
{
	struct tl_err err = TL_ERR_INIT;
	tl_err_set(&err, TL_EINVALID, "3:7: expected %s", "a mapping");
	tl_err_prefix(&err, "loading '%s'", "x.yaml");
	cr_assert_str_eq(err.msg, "loading 'x.yaml': 3:7: expected a mapping");
	cr_assert_eq(err.code, TL_EINVALID);
	tl_err_clear(&err);
	cr_assert_null(err.msg);
}

Test(err, exit_statuses_follow_the_documented_set)
{
	cr_assert_eq(tl_err_exit_status(TL_OK), 0);
	cr_assert_eq(tl_err_exit_status(TL_ERROR), 1);
	cr_assert_eq(tl_err_exit_status(TL_EFAILED), 1);
	cr_assert_eq(tl_err_exit_status(TL_EUSAGE), 2);
	cr_assert_eq(tl_err_exit_status(TL_EAMBIGUOUS), 2);
	cr_assert_eq(tl_err_exit_status(TL_ENOTFOUND), 3);
	cr_assert_eq(tl_err_exit_status(TL_EINVALID), 4);
	cr_assert_eq(tl_err_exit_status(TL_ECONFLICT), 4);
	cr_assert_eq(tl_err_exit_status(TL_EEXISTS), 4);
}

Test(err, set_may_reuse_the_old_message)
{
	struct tl_err err = TL_ERR_INIT;
	tl_err_set(&err, TL_EIO, "/abs/path/x.yaml: too big");
	tl_err_set(&err, TL_EINVALID, "qa/x.yaml%s", err.msg + 16);
	cr_assert_str_eq(err.msg, "qa/x.yaml: too big");
	tl_err_clear(&err);
}

struct kv {
	int key, order;
};

static int by_key(const void *a, const void *b)
{
	return ((const struct kv *)a)->key - ((const struct kv *)b)->key;
}

/* Sorted by key, and of equal keys in the order they came, for sizes
 * around the merge's halves. */
Test(sort, stable_keeps_the_order_of_equal_elements)
{
	for (int n = 0; n < 70; n++) {
		struct kv v[70];
		for (int i = 0; i < n; i++) {
			v[i].key = (i * 7) % 5;
			v[i].order = i;
		}
		tl_sort_stable(v, (size_t)n, sizeof(v[0]), by_key);
		for (int i = 1; i < n; i++) {
			cr_assert_leq(
				v[i - 1].key, v[i].key, "n=%d i=%d", n, i);
			if (v[i - 1].key == v[i].key)
				cr_assert_lt(v[i - 1].order, v[i].order,
					"n=%d i=%d: equal keys reordered", n,
					i);
		}
	}
}

/* Spans of a spill file read through a few windows (core/spill.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/spill.h"
#include "core/spool.h"

#define KB 1024

/* The byte at i of a test's spill file: no two windows alike. */
static unsigned char byte_at(size_t i)
{
	return (unsigned char)(i * 7 + i / 251);
}

/* A spill file of n bytes, byte i being byte_at(i). */
static int spill_of(size_t n, char *path)
{
	int fd = mkstemp(path);
	unsigned char *b = malloc(n);
	cr_assert_geq(fd, 0);
	for (size_t i = 0; i < n; i++)
		b[i] = byte_at(i);
	cr_assert_eq(write(fd, b, n), (ssize_t)n);
	free(b);
	unlink(path);
	return fd;
}

static void expect_span(
	struct tl_spill_reader *r, size_t off, size_t len, const char *what)
{
	struct tl_err err = TL_ERR_INIT;
	const unsigned char *p =
		(const unsigned char *)tl_spill_get(r, (off_t)off, len, &err);
	cr_assert_not_null(p, "%s: %s", what, err.msg ? err.msg : "");
	for (size_t i = 0; i < len; i++)
		cr_assert_eq(p[i], byte_at(off + i),
			"%s: byte %zu of the span at %zu", what, i, off);
}

/* Two rising streams interleaved (a bulk commit's case files and result
 * files in path order), spans that straddle a window's end, one larger
 * than a window, and a stream going back: every byte is the file's. */
Test(spill, spans_read_back_whole_in_any_order)
{
	char path[] = "/tmp/tally-spill-XXXXXX";
	size_t n = 3000 * KB;
	int fd = spill_of(n, path);
	struct tl_spill_reader r;
	tl_spill_init(&r, fd, TL_SPILL_WINDOWS);
	for (size_t a = 0, b = 1500 * KB; b + 700 < n; a += 611, b += 733) {
		expect_span(&r, a, 300, "first stream");
		expect_span(&r, b, 700, "second stream");
	}
	expect_span(&r, 10, 1000 * KB, "a span larger than a window");
	expect_span(&r, 256 * KB - 5, 10, "across a window's end");
	expect_span(&r, 5, 10, "back to the start");
	expect_span(&r, n - 1, 1, "the last byte");
	tl_spill_release(&r);
	close(fd);
}

/* A window reads what is there: bytes appended later (the packer reads
 * while the puts go on) are read once asked for; a span past the end is
 * an error that says so, not bytes of a window left from before. */
Test(spill, a_growing_file_is_read_as_it_grows_and_its_end_is_an_error)
{
	char path[] = "/tmp/tally-spill-XXXXXX";
	struct tl_spill_reader r;
	struct tl_err err = TL_ERR_INIT;
	int fd = spill_of(100, path);
	char more[50];
	tl_spill_init(&r, fd, 1);
	expect_span(&r, 0, 100, "what is there");
	for (size_t i = 0; i < sizeof(more); i++)
		more[i] = (char)byte_at(100 + i);
	cr_assert_eq(write(fd, more, sizeof(more)), (ssize_t)sizeof(more));
	expect_span(&r, 90, 60, "across what was the end");
	cr_assert_null(tl_spill_get(&r, 140, 20, &err));
	cr_assert_eq(err.code, TL_EIO);
	cr_assert_not_null(strstr(err.msg, "spill file"), "%s", err.msg);
	tl_err_clear(&err);
	tl_spill_release(&r);
	close(fd);
}

/* A window reads no further than the reader was told is whole: bytes
 * past it may be half-written (the bulk appends while the packer reads),
 * so they are read only when asked for, after they were given. */
Test(spill, a_window_stops_where_the_file_is_known_whole)
{
	char path[] = "/tmp/tally-spill-XXXXXX";
	struct tl_spill_reader r;
	struct tl_err err = TL_ERR_INIT;
	int fd = spill_of(150, path);
	char later[50];
	const char *p;
	tl_spill_init(&r, fd, 1);
	tl_spill_whole(&r, 100);
	expect_span(&r, 0, 50, "within what is whole");
	/* what lay past 100 when the window was read is rewritten since */
	memset(later, 'z', sizeof(later));
	cr_assert_eq(
		pwrite(fd, later, sizeof(later), 100), (ssize_t)sizeof(later));
	tl_spill_whole(&r, 150);
	p = tl_spill_get(&r, 100, 50, &err);
	cr_assert_not_null(p);
	cr_assert_eq(memcmp(p, later, sizeof(later)), 0,
		"bytes past the whole part were read ahead");
	tl_spill_release(&r);
	close(fd);
}

/* Records read back by offset: from the buffer, then from the file once
 * it filled, a record never split between them; past the end, an error. */
Test(spool, records_read_back_from_buffer_and_file)
{
	struct tl_spool s;
	struct tl_err err = TL_ERR_INIT;
	size_t n = 3000; /* records of up to 1.5 KiB: several flushes */
	uint64_t *off = calloc(n, sizeof(*off));
	char *rec = malloc(2048);
	const char *got;
	cr_assert_eq(tl_spool_open(&s, NULL, &err), 0, "%s", err.msg);
	for (size_t i = 0; i < n; i++) {
		size_t len = 1 + i % 1500;
		for (size_t j = 0; j < len; j++)
			rec[j] = (char)byte_at(i + j);
		cr_assert_eq(tl_spool_add(&s, rec, len, &off[i], &err), 0);
		/* the newest record, still in memory or just written */
		got = tl_spool_get(&s, off[i], len, &err);
		cr_assert_not_null(got);
		cr_assert_eq(memcmp(got, rec, len), 0, "record %zu", i);
	}
	cr_assert_gt(s.end, 0, "some records went to the file");
	cr_assert_gt(s.wbuf.len, 0, "and some are still in memory");
	/* all of them, in an order that jumps between windows */
	for (size_t k = 0; k < n; k++) {
		size_t i = (k * 7919) % n, len = 1 + i % 1500;
		got = tl_spool_get(&s, off[i], len, &err);
		cr_assert_not_null(got, "record %zu: %s", i, err.msg);
		for (size_t j = 0; j < len; j++)
			cr_assert_eq((unsigned char)got[j], byte_at(i + j),
				"record %zu byte %zu", i, j);
	}
	cr_assert_null(tl_spool_get(&s, off[n - 1], 5000, &err));
	cr_assert_eq(err.code, TL_EINVALID);
	tl_err_clear(&err);
	cr_assert_null(tl_spool_get(&s, (uint64_t)s.end - 1, 2, &err),
		"a span across the file's end and the buffer");
	tl_err_clear(&err);
	tl_spool_release(&s);
	cr_assert_eq(tl_spool_add(&s, rec, 1, &off[0], &err), TL_EINVALID);
	tl_err_clear(&err);
	tl_spool_release(&s);
	free(off);
	free(rec);
}

/* A record rewritten in place reads back new, whether it was in the
 * buffer or in the file, and whether a window held it or not. */
/* Records that fill the buffer to the byte: it is written out before it
 * would pass TL_SPOOL_BUF (with tl_buf's NUL, a full buffer doubled). */
Test(spool, its_buffer_never_grows_past_its_size)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_spool s;
	char rec[1024];
	uint64_t off;
	memset(rec, 'r', sizeof(rec));
	cr_assert_eq(tl_spool_open(&s, NULL, &err), 0, "%s", err.msg);
	for (int i = 0; i < 200; i++) {
		cr_assert_eq(tl_spool_add(&s, rec, sizeof(rec), &off, &err), 0);
		cr_assert_leq(s.wbuf.cap, TL_SPOOL_BUF, "record %d", i);
	}
	cr_assert_str_eq(tl_spool_get(&s, off, 4, &err) ? "ok" : err.msg, "ok");
	tl_spool_release(&s);
}

Test(spool, a_record_set_again_reads_back_new)
{
	struct tl_spool s;
	struct tl_err err = TL_ERR_INIT;
	uint64_t off[2000], last = 0;
	char rec[600];
	const char *got;
	cr_assert_eq(tl_spool_open(&s, NULL, &err), 0, "%s", err.msg);
	for (int i = 0; i < 2000; i++) {
		memset(rec, 'a' + i % 26, sizeof(rec));
		cr_assert_eq(
			tl_spool_add(&s, rec, sizeof(rec), &off[i], &err), 0);
	}
	cr_assert_gt(s.end, (off_t)off[10] + 600, "record 10 is in the file");
	/* read first: a window holds it, then it changes */
	got = tl_spool_get(&s, off[10], sizeof(rec), &err);
	cr_assert_eq(got[0], 'a' + 10);
	memset(rec, 'Z', sizeof(rec));
	cr_assert_eq(tl_spool_set(&s, off[10], rec, sizeof(rec), &err), 0);
	got = tl_spool_get(&s, off[10], sizeof(rec), &err);
	cr_assert(got && got[0] == 'Z' && got[599] == 'Z', "window patched");
	/* another window's reads in between, then back */
	cr_assert_not_null(tl_spool_get(&s, off[1500], 1, &err));
	got = tl_spool_get(&s, off[10], sizeof(rec), &err);
	cr_assert(got && got[300] == 'Z', "the file itself was rewritten");
	/* the newest, still in memory */
	last = off[1999];
	cr_assert_geq(last, (uint64_t)s.end);
	memset(rec, 'Y', sizeof(rec));
	cr_assert_eq(tl_spool_set(&s, last, rec, sizeof(rec), &err), 0);
	got = tl_spool_get(&s, last, sizeof(rec), &err);
	cr_assert(got && got[0] == 'Y');
	/* not one record: refused */
	cr_assert_eq(tl_spool_set(&s, last, rec, sizeof(rec) + 1, &err),
		TL_EINVALID);
	tl_err_clear(&err);
	cr_assert_eq(tl_spool_set(&s, (uint64_t)s.end - 1, rec, 2, &err),
		TL_EINVALID);
	tl_err_clear(&err);
	tl_spool_release(&s);
}

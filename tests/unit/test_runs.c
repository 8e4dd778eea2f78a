#include <criterion/criterion.h>
#include <string.h>

#include "core/runs.h"
#include "core/text.h"

static double dur(const char *s)
{
	double d = -1;
	cr_assert_eq(tl_parse_duration(s, &d), 0, "%s", s);
	return d;
}

Test(runs, durations_in_every_unit)
{
	cr_assert_float_eq(dur("1.5s"), 1.5, 1e-9);
	cr_assert_float_eq(dur("250ms"), 0.25, 1e-9);
	cr_assert_float_eq(dur("2m"), 120, 1e-9);
	cr_assert_float_eq(dur("1m30s"), 90, 1e-9);
	cr_assert_float_eq(dur("1h"), 3600, 1e-9);
	cr_assert_float_eq(dur("1.532"), 1.532, 1e-9);
	double d;
	cr_assert_neq(tl_parse_duration("", &d), 0);
	cr_assert_neq(tl_parse_duration("fast", &d), 0);
	cr_assert_neq(tl_parse_duration("-1s", &d), 0);
	cr_assert_neq(tl_parse_duration("1x", &d), 0);
	cr_assert_neq(tl_parse_duration("1s2", &d), 0);
}

static const char *status_of(long long p, long long f, long long b, long long s,
	long long r, long long n)
{
	static struct tl_counts c;
	memset(&c, 0, sizeof(c));
	c.n[TL_PASSED] = p;
	c.n[TL_FAILED] = f;
	c.n[TL_BLOCKED] = b;
	c.n[TL_SKIPPED] = s;
	c.n[TL_RUNNING] = r;
	c.n[TL_NOT_EXECUTED] = n;
	c.total = p + f + b + s + r + n;
	return tl_run_exec_status(&c);
}

/* DESIGN.md "Derived states": run execution status */
Test(runs, execution_status_follows_the_design)
{
	cr_assert_str_eq(status_of(0, 0, 0, 0, 0, 0), "not-started");
	cr_assert_str_eq(status_of(0, 0, 0, 0, 0, 3), "not-started");
	cr_assert_str_eq(status_of(0, 0, 0, 0, 1, 2), "in-progress");
	cr_assert_str_eq(status_of(1, 0, 0, 0, 0, 2), "in-progress");
	cr_assert_str_eq(status_of(2, 0, 0, 0, 1, 0), "in-progress");
	cr_assert_str_eq(status_of(2, 1, 1, 0, 0, 0), "failed");
	cr_assert_str_eq(status_of(2, 0, 1, 1, 0, 0), "blocked");
	cr_assert_str_eq(status_of(2, 0, 0, 1, 0, 0), "passed");
	cr_assert_str_eq(status_of(0, 0, 0, 3, 0, 0), "passed",
		"skipped counts as executed");
}

Test(runs, status_names)
{
	cr_assert_eq(tl_status_from_name("not-executed"), TL_NOT_EXECUTED);
	cr_assert_eq(tl_status_from_name("PASSED"), -1);
	cr_assert_str_eq(tl_status_name(TL_BLOCKED), "blocked");
	cr_assert(tl_status_executed(TL_SKIPPED));
	cr_assert_not(tl_status_executed(TL_RUNNING));
}

Test(text, clean_replaces_what_cannot_be_stored)
{
	struct tl_buf b = TL_BUF_INIT;
	const char *in = "ok\r\nbad\xff\x01 tab\there \xe2\x82\xac\n";
	tl_text_clean(&b, in, strlen(in));
	cr_assert_str_eq(b.ptr,
		"ok\nbad\xef\xbf\xbd\xef\xbf\xbd tab\there \xe2\x82\xac\n");
	tl_buf_release(&b);
	tl_text_clean(&b, "\xed\xa0\x80", 3); /* a UTF-16 surrogate */
	cr_assert_str_eq(b.ptr, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	tl_buf_release(&b);
}

Test(text, cut_keeps_characters_whole)
{
	const char *s = "ab\xe2\x82\xac"
			"cd"; /* ab€cd */
	cr_assert_eq(tl_text_cut(s, 7, 3), 2);
	cr_assert_eq(tl_text_cut(s, 7, 5), 5);
	cr_assert_eq(tl_text_cut(s, 7, 10), 7);
}

Test(text, sizes)
{
	size_t n;
	cr_assert_eq(tl_parse_size("10MB", &n), 0);
	cr_assert_eq(n, 10u << 20);
	cr_assert_eq(tl_parse_size("64 KiB", &n), 0);
	cr_assert_eq(n, 64u << 10);
	cr_assert_eq(tl_parse_size("2048", &n), 0);
	cr_assert_eq(n, 2048);
	cr_assert_neq(tl_parse_size("lots", &n), 0);
	cr_assert_neq(tl_parse_size("10 parsecs", &n), 0);
}

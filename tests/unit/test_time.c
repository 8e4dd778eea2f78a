#include <criterion/criterion.h>

#include "core/repo.h"
#include "core/time.h"

Test(time, rfc3339_forms)
{
	int64_t t;
	int tz;
	cr_assert_eq(tl_time_parse("2026-11-21T10:02:11Z", &t, &tz), 0);
	cr_assert_eq(t, 1795255331);
	cr_assert_eq(tz, 0);
	cr_assert_eq(tl_time_parse("2026-11-21T12:02:11+02:00", &t, &tz), 0);
	cr_assert_eq(t, 1795255331);
	cr_assert_eq(tz, 120);
	cr_assert_eq(tl_time_parse("2026-11-21T10:02:11.532Z", &t, NULL), 0);
	cr_assert_eq(t, 1795255331);
}

Test(time, invalid_times_are_refused)
{
	int64_t t;
	cr_assert_neq(tl_time_parse("2026-11-21", &t, NULL), 0);
	cr_assert_neq(tl_time_parse("2026-02-30T00:00:00Z", &t, NULL), 0);
	cr_assert_neq(tl_time_parse("2026-11-21T25:00:00Z", &t, NULL), 0);
	cr_assert_neq(tl_time_parse("2026-11-21T10:02:11", &t, NULL), 0);
	cr_assert_neq(tl_time_parse("2026-11-21T10:02:11Zjunk", &t, NULL), 0);
	cr_assert_neq(tl_date_parse("2025-02-29", &t), 0);
	cr_assert_eq(tl_date_parse("2024-02-29", &t), 0);
}

Test(time, format_is_utc_rfc3339)
{
	char buf[32];
	tl_time_format(1795255331, buf, sizeof(buf));
	cr_assert_str_eq(buf, "2026-11-21T10:02:11Z");
	tl_time_format(0, buf, sizeof(buf));
	cr_assert_str_eq(buf, "1970-01-01T00:00:00Z");
}

Test(time, git_date_forms)
{
	int64_t t;
	int tz;
	cr_assert_eq(tl_parse_git_date("@1700000000 +0100", &t, &tz), 0);
	cr_assert_eq(t, 1700000000);
	cr_assert_eq(tz, 60);
	cr_assert_eq(tl_parse_git_date("1700000000 -0530", &t, &tz), 0);
	cr_assert_eq(tz, -330);
	cr_assert_eq(tl_parse_git_date("2026-11-21T10:02:11Z", &t, &tz), 0);
	cr_assert_eq(t, 1795255331);
	cr_assert_eq(
		tl_parse_git_date("2026-11-21 12:02:11 +0200", &t, &tz), 0);
	cr_assert_eq(t, 1795255331);
	cr_assert_neq(tl_parse_git_date("last tuesday", &t, &tz), 0);
}

Test(time, ident_parsing)
{
	char *n, *e;
	cr_assert_eq(
		tl_parse_ident("Alice Doe <alice@example.com>", &n, &e), 0);
	cr_assert_str_eq(n, "Alice Doe");
	cr_assert_str_eq(e, "alice@example.com");
	free(n);
	free(e);
	cr_assert_neq(tl_parse_ident("alice@example.com", &n, &e), 0);
	cr_assert_neq(tl_parse_ident("<a@b>", &n, &e), 0);
	cr_assert_neq(tl_parse_ident("A <a@b> trailing", &n, &e), 0);
}

#include <criterion/criterion.h>
#include <string.h>

#include "core/resolve.h"

static const struct tl_candidate cands[] = {
	{ "auth/login/valid-password", "Login with a valid password" },
	{ "auth/login/wrong-password", "Login with a wrong password" },
	{ "auth/password-reset", "Reset a password" },
	{ "billing/checkout", "Checkout" },
	{ "search", "Search by name" },
	{ "search-empty", "Checkout" },
	{ "auth/login/login", "Login" },
	{ "auth/login/logout", "Logout" },
	{ "2026-11-21-sprint-42-k3q9", "Sprint 42" },
};
#define N (sizeof(cands) / sizeof(cands[0]))

static size_t find(const char *ref)
{
	struct tl_err err = TL_ERR_INIT;
	size_t idx = 99;
	int rc = tl_resolve(cands, N, ref, "case", &idx, &err);
	cr_assert_eq(rc, 0, "%s: %s", ref, err.msg);
	return idx;
}

Test(resolve, exact_key_wins_over_prefix)
{
	cr_assert_eq(find("search"), 4);
}

Test(resolve, unique_prefix)
{
	cr_assert_eq(find("auth/login/v"), 0);
	cr_assert_eq(find("auth/pa"), 2);
}

Test(resolve, prefix_of_a_trailing_segment)
{
	cr_assert_eq(find("checkout"), 3);
	cr_assert_eq(find("wrong"), 1);
}

Test(resolve, exact_title)
{
	cr_assert_eq(find("Reset a password"), 2);
}

Test(resolve, ambiguity_lists_the_candidates)
{
	struct tl_err err = TL_ERR_INIT;
	size_t idx;
	cr_assert_eq(tl_resolve(cands, N, "auth/login", "case", &idx, &err),
		TL_EAMBIGUOUS);
	cr_assert(strstr(err.msg, "case 'auth/login' is ambiguous") != NULL,
		"%s", err.msg);
	cr_assert(strstr(err.msg, "auth/login/valid-password") != NULL);
	cr_assert(strstr(err.msg, "auth/login/wrong-password") != NULL);
	tl_err_clear(&err);
	cr_assert_eq(tl_resolve(cands, N, "Checkout", "case", &idx, &err),
		TL_EAMBIGUOUS);
	tl_err_clear(&err);
}

Test(resolve, nothing_matches)
{
	struct tl_err err = TL_ERR_INIT;
	size_t idx;
	cr_assert_eq(
		tl_resolve(cands, N, "nope", "case", &idx, &err), TL_ENOTFOUND);
	cr_assert_str_eq(err.msg, "no case matches 'nope'");
	tl_err_clear(&err);
	cr_assert_eq(
		tl_resolve(cands, N, "", "case", &idx, &err), TL_ENOTFOUND);
	tl_err_clear(&err);
}

Test(resolve, an_exact_trailing_segment_beats_prefixes)
{
	cr_assert_eq(find("login"), 6);
	cr_assert_eq(find("login/logout"), 7);
	cr_assert_eq(find("logo"), 7);
}

Test(resolve, a_prefix_after_the_date_of_a_generated_key)
{
	cr_assert_eq(find("sprint"), 8);
	cr_assert_eq(find("2026-11"), 8);
}

#include <criterion/criterion.h>
#include <string.h>

#include "core/key.h"

static int ok(const char *k)
{
	struct tl_err err = TL_ERR_INIT;
	int rc = tl_key_check(k, "case", &err);
	tl_err_clear(&err);
	return rc == 0;
}

Test(key, safe_keys_pass)
{
	cr_assert(ok("auth/login/valid-password"));
	cr_assert(ok("REQ-12"));
	cr_assert(ok("sprint-42-k3q9"));
	cr_assert(ok("日本語/テスト"));
	cr_assert(ok("a.b/c_d"));
}

Test(key, unsafe_keys_are_refused)
{
	cr_assert_not(ok(""));
	cr_assert_not(ok(".."));
	cr_assert_not(ok("a/../b"));
	cr_assert_not(ok("a//b"));
	cr_assert_not(ok("/abs"));
	cr_assert_not(ok("trailing/"));
	cr_assert_not(ok(".hidden"));
	cr_assert_not(ok("_suite"));
	cr_assert_not(ok("a\tb"));
	cr_assert_not(ok("a\x7f"));
	cr_assert_not(ok("a:b"));
	cr_assert_not(ok("a\\b"));
	cr_assert_not(ok("what?"));
	cr_assert_not(ok("con"));
	cr_assert_not(ok("suite/NUL.txt"));
	cr_assert_not(ok("com1"));
	cr_assert_not(ok("ends-with-dot."));
	cr_assert_not(ok("bad\xff"
			 "utf8"));
	char long_seg[100];
	memset(long_seg, 'a', 99);
	long_seg[99] = '\0';
	cr_assert_not(ok(long_seg));
}

Test(key, control_characters_are_named)
{
	struct tl_err err = TL_ERR_INIT;
	cr_assert_eq(tl_key_check("a\nb", "case", &err), TL_EINVALID);
	cr_assert_str_eq(err.msg, "invalid case key: control character 0x0a");
	tl_err_clear(&err);
}

Test(key, depth_is_bounded)
{
	char k[64] = "";
	for (int i = 0; i < 17; i++)
		strcat(k, i ? "/a" : "a");
	cr_assert_not(ok(k));
}

static void slug(const char *in, const char *want)
{
	struct tl_buf b = TL_BUF_INIT;
	tl_slugify(&b, in);
	cr_assert_str_eq(b.ptr, want, "slug of '%s'", in);
	tl_buf_release(&b);
}

Test(key, slugs_are_lowercase_ascii_and_bounded)
{
	slug("Login with a valid password!", "login-with-a-valid-password");
	slug("  --Weird__ spacing--  ", "weird-spacing");
	slug("Überprüfung", "berpr-fung");
	slug("", "untitled");
	slug("!!!", "untitled");
	slug("a very long title that goes on and on and on beyond the limit",
		"a-very-long-title-that-goes-on-and-on-and-on-bey");
	slug("abcdefghij abcdefghij abcdefghij abcdefghij abcdefg-hij",
		"abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcd");
}

Test(key, random_suffix_uses_crockford_base32)
{
	struct tl_buf b = TL_BUF_INIT;
	struct tl_err err = TL_ERR_INIT;
	int differ = 0;
	char first[5];
	for (int i = 0; i < 50; i++) {
		tl_buf_reset(&b);
		cr_assert_eq(tl_key_random(&b, 4, &err), 0);
		cr_assert_eq(b.len, 4);
		cr_assert_eq(strspn(b.ptr, "0123456789abcdefghjkmnpqrstvwxyz"),
			4, "%s", b.ptr);
		if (i == 0)
			memcpy(first, b.ptr, 5);
		else
			differ |= strcmp(first, b.ptr) != 0;
	}
	cr_assert(differ, "fifty draws were all the same");
	tl_buf_release(&b);
}

Test(key, case_insensitive_compare)
{
	cr_assert_eq(tl_key_casecmp("Auth/Login", "auth/login"), 0);
	cr_assert_neq(tl_key_casecmp("auth/login", "auth/logout"), 0);
}

static char *for_test(const char *prefix, const char *cls, const char *name)
{
	struct tl_buf b = TL_BUF_INIT;
	tl_key_for_test(&b, prefix, cls, name);
	return tl_buf_detach(&b);
}

Test(key, an_imported_test_s_key_follows_its_ids)
{
	char *k =
		for_test(NULL, "com.acme.auth.LoginTest", "testValidPassword");
	cr_assert_str_eq(k, "com/acme/auth/LoginTest/testValidPassword");
	free(k);
	k = for_test("web/e2e", "Module::Class", "works fine");
	cr_assert_str_eq(k, "web/e2e/Module/Class/works-fine");
	free(k);
	k = for_test(NULL, "pkg/path", "TestX");
	cr_assert_str_eq(k, "pkg/path/TestX");
	free(k);
}

Test(key, lossy_names_are_safe_and_kept_apart)
{
	struct tl_err err = TL_ERR_INIT;
	char *a = for_test(NULL, "s", "a/b: 1 > 2?");
	char *b = for_test(NULL, "s", "a/b: 1 < 2?");
	char *con = for_test(NULL, "s", "CON");
	char longname[400];
	char *l;
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	l = for_test(NULL, "s", longname);
	cr_assert_str_neq(a, b, "two ids, two keys");
	cr_assert_eq(tl_key_check(a, "case", &err), 0, "%s: %s", a, err.msg);
	cr_assert_eq(
		tl_key_check(con, "case", &err), 0, "%s: %s", con, err.msg);
	cr_assert_eq(tl_key_check(l, "case", &err), 0, "%s", err.msg);
	cr_assert_leq(strlen(l), 2 + 56 + 7, "bounded: %s", l);
	{
		char *again = for_test(NULL, "s", "a/b: 1 > 2?");
		cr_assert_str_eq(a, again, "stable across imports");
		free(again);
	}
	free(a);
	free(b);
	free(con);
	free(l);
}

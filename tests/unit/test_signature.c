/* sig-v1 against a golden file, and the id's definition. */
#include "helpers.h"

#include "core/signature.h"

#ifndef TL_FIXTURES
#error "TL_FIXTURES must name tests/fixtures"
#endif

static char *unescape(const char *s)
{
	struct tl_buf b = TL_BUF_INIT;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 'n')
			tl_buf_putc(&b, '\n'), s++;
		else if (s[0] == '\\' && s[1] == 'e')
			tl_buf_putc(&b, '\x1b'), s++;
		else
			tl_buf_putc(&b, *s);
	}
	return tl_buf_detach(&b);
}

Test(signature, golden_file)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_sigrules *r = NULL;
	struct tl_buf text = TL_BUF_INIT;
	char id[33], line[4096];
	int cases = 0;
	FILE *f = fopen(TL_FIXTURES "/signatures/cases.tsv", "r");
	cr_assert_not_null(f);
	cr_assert_eq(tl_sigrules_new(&r, NULL, &err), 0, "%s", err.msg);
	while (fgets(line, sizeof(line), f)) {
		char *type = line, *msg, *want, *m;
		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = '\0';
		msg = strchr(type, '\t');
		cr_assert_not_null(msg, "%s", line);
		*msg++ = '\0';
		want = strchr(msg, '\t');
		cr_assert_not_null(want, "%s", line);
		*want++ = '\0';
		m = unescape(msg);
		cr_assert_eq(
			tl_signature(r, m, NULL, type, &text, id, &err), 0);
		cr_assert_str_eq(
			text.ptr, want, "for [%s]: [%s]", msg, text.ptr);
		free(m);
		cases++;
	}
	fclose(f);
	cr_assert_geq(cases, 15);
	tl_buf_release(&text);
	tl_sigrules_free(r);
}

Test(signature, id_is_sha256_of_version_type_and_text)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_sigrules *r = NULL;
	struct tl_buf text = TL_BUF_INIT;
	char id[33];
	cr_assert_eq(tl_sigrules_new(&r, NULL, &err), 0);
	/* python3: hashlib.sha256(b"sig-v1\0AssertionError\0expected <n>,
	 * got <n>").hexdigest()[:32] */
	tl_signature(r, "expected 401, got 200", NULL, "AssertionError", &text,
		id, &err);
	cr_assert_str_eq(id, "21dd518c4d3b3f299a813b7e3182d061");
	tl_signature(r, "expected 1, got 2", NULL, NULL, &text, id, &err);
	cr_assert_str_eq(id, "d63bf12869858bbac5c9d1bc87c38c87",
		"the same text without a type");
	/* the trace when there is no message */
	tl_signature(r, NULL, "\n  at Foo.java:12\n", NULL, &text, id, &err);
	cr_assert_str_eq(text.ptr, "at Foo.java:<n>");
	tl_buf_release(&text);
	tl_sigrules_free(r);
}

Test(signature, workspace_rules_apply_after_the_builtin_ones)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_sigrules *r = NULL;
	struct tl_buf text = TL_BUF_INIT;
	struct tl_value *rules = tl_value_seq(), *one = tl_value_map();
	char id[33];
	tl_value_put(one, "match", tl_value_str("session [a-z]+"));
	tl_value_put(one, "replace", tl_value_str("session <id>"));
	tl_value_push(rules, one);
	cr_assert_eq(tl_sigrules_new(&r, rules, &err), 0, "%s", err.msg);
	tl_signature(r, "session abcdef expired after 30 s", NULL, NULL, &text,
		id, &err);
	cr_assert_str_eq(text.ptr, "session <id> expired after <n> s");
	tl_sigrules_free(r);
	/* a bad workspace pattern is an error, not a crash */
	tl_value_set(one, "match", tl_value_str("(unclosed"));
	cr_assert_eq(tl_sigrules_new(&r, rules, &err), TL_EINVALID);
	tl_err_clear(&err);
	tl_value_free(rules);
	tl_buf_release(&text);
}

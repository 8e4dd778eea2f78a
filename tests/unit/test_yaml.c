#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/yaml.h"

static struct tl_value *parse_ok(const char *s)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_value *v;
	int rc = tl_yaml_parse(&v, "t.yaml", s, strlen(s), &err);
	cr_assert_eq(rc, 0, "parse failed: %s", err.msg);
	return v;
}

static char *parse_err(const char *s, size_t len)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_value *v;
	int rc = tl_yaml_parse(&v, "t.yaml", s, len, &err);
	cr_assert_eq(rc, TL_EINVALID, "expected an error for %.40s", s);
	cr_assert_null(v);
	return err.msg;
}

static char *emit(const struct tl_value *v)
{
	struct tl_buf b = TL_BUF_INIT;
	struct tl_err err = TL_ERR_INIT;
	cr_assert_eq(tl_yaml_emit(&b, v, &err), 0);
	return tl_buf_detach(&b);
}

Test(yaml, errors_name_file_line_and_column)
{
	char *m = parse_err("title: a\nsteps: [1, 2\n", 21);
	cr_assert(strncmp(m, "t.yaml:", 7) == 0, "%s", m);
	cr_assert(strstr(m, ":3:1:") != NULL, "%s", m);
	free(m);
	m = parse_err("a: b\n  c: d\n", 12);
	cr_assert(
		strstr(m, "t.yaml:2:4: mapping values are not allowed") != NULL,
		"%s", m);
	free(m);
}

Test(yaml, aliases_are_refused_so_no_bomb_expands)
{
	const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
			   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
			   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
	char *m = parse_err(bomb, strlen(bomb));
	cr_assert(strstr(m, "t.yaml:2:8: aliases are not supported") != NULL,
		"%s", m);
	free(m);
}

Test(yaml, duplicate_keys_are_refused)
{
	char *m = parse_err("a: 1\nb: 2\na: 3\n", 14);
	cr_assert(strstr(m, "t.yaml:3:1: duplicate key 'a'") != NULL, "%s", m);
	free(m);
}

Test(yaml, nesting_is_bounded)
{
	char deep[300];
	memset(deep, '[', 200);
	deep[200] = '\0';
	char *m = parse_err(deep, 200);
	cr_assert(strstr(m, "nesting deeper than 64") != NULL, "%s", m);
	free(m);
}

Test(yaml, a_huge_scalar_is_refused)
{
	size_t n = (2u << 20) + 10;
	char *s = malloc(n);
	memcpy(s, "a: ", 3);
	memset(s + 3, 'x', n - 4);
	s[n - 1] = '\n';
	char *m = parse_err(s, n);
	cr_assert(
		strstr(m,
			"t.yaml:1:4: a scalar is larger than the 1 MiB limit") !=
			NULL,
		"%s", m);
	free(m);
	free(s);
}

Test(yaml, a_huge_file_is_refused_before_parsing)
{
	size_t n = TL_YAML_MAX_BYTES + 1;
	char *s = calloc(1, n);
	memset(s, '#', n);
	char *m = parse_err(s, n);
	cr_assert(strstr(m, "larger than the 8 MiB limit") != NULL, "%s", m);
	free(m);
	free(s);
}

Test(yaml, invalid_utf8_is_refused)
{
	char *m = parse_err("a: \xff\xfe\n", 6);
	cr_assert(strstr(m, "t.yaml:") == m, "%s", m);
	free(m);
}

Test(yaml, several_documents_are_refused)
{
	char *m = parse_err("a: 1\n---\nb: 2\n", 14);
	cr_assert(
		strstr(m, "expected a single YAML document") != NULL, "%s", m);
	free(m);
}

Test(yaml, empty_input_is_a_null_document)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_value *v = (void *)1;
	cr_assert_eq(tl_yaml_parse(&v, "t.yaml", "", 0, &err), 0);
	cr_assert_null(v);
}

Test(yaml, marks_are_one_based)
{
	struct tl_value *v = parse_ok("a: 1\nlist:\n  - x\n");
	cr_assert_eq(tl_value_get(v, "a")->line, 1);
	cr_assert_eq(tl_value_get(v, "a")->col, 4);
	cr_assert_eq(tl_value_get(v, "list")->items[0]->line, 3);
	cr_assert_eq(tl_value_get(v, "list")->items[0]->col, 5);
	tl_value_free(v);
}

Test(yaml, strings_that_look_like_other_types_are_quoted)
{
	struct tl_value *m = tl_value_map();
	char *out;
	tl_value_put(m, "a", tl_value_str("yes"));
	tl_value_put(m, "b", tl_value_str("123"));
	tl_value_put(m, "c", tl_value_str("~"));
	tl_value_put(m, "d", tl_value_str("plain text"));
	tl_value_put(m, "e", tl_value_int(123));
	tl_value_put(m, "f", tl_value_str("a: b"));
	tl_value_put(m, "on", tl_value_bool(1));
	out = emit(m);
	cr_assert_str_eq(out,
		"a: 'yes'\nb: '123'\nc: '~'\nd: plain text\ne: 123\n"
		"f: 'a: b'\n'on': true\n");
	free(out);
	tl_value_free(m);
}

Test(yaml, multiline_text_is_a_literal_block)
{
	struct tl_value *m = tl_value_map();
	char *out;
	tl_value_put(m, "trace", tl_value_str("Error: x\n  at a.ts:1\n"));
	tl_value_put(m, "msg", tl_value_str("one\ntwo"));
	out = emit(m);
	cr_assert_str_eq(out,
		"trace: |\n  Error: x\n    at a.ts:1\nmsg: |-\n  one\n  two\n");
	free(out);
	tl_value_free(m);
}

Test(yaml, short_scalar_lists_are_flow_long_ones_block)
{
	struct tl_value *m = tl_value_map(), *s = tl_value_seq(),
			*l = tl_value_seq();
	char *out;
	tl_value_push(s, tl_value_str("smoke"));
	tl_value_push(s, tl_value_str("auth"));
	for (int i = 0; i < 12; i++)
		tl_value_push(l, tl_value_str("a-rather-long-tag"));
	tl_value_put(m, "tags", s);
	tl_value_put(m, "many", l);
	out = emit(m);
	cr_assert(strncmp(out,
			  "tags: [smoke, auth]\nmany:\n- a-rather-long-tag\n",
			  46) == 0,
		"%s", out);
	free(out);
	tl_value_free(m);
}

Test(yaml, long_lines_are_never_folded)
{
	struct tl_value *m = tl_value_map();
	char line[400], *out, expect[420];
	memset(line, 'w', sizeof(line) - 1);
	for (int i = 5; i < 395; i += 6)
		line[i] = ' ';
	line[sizeof(line) - 1] = '\0';
	tl_value_put(m, "message", tl_value_str(line));
	out = emit(m);
	snprintf(expect, sizeof(expect), "message: %s\n", line);
	cr_assert_str_eq(out, expect);
	free(out);
	tl_value_free(m);
}

Test(yaml, canonical_output_is_a_fixed_point)
{
	const char *in =
		"z: [b, 'yes', \"3\"]\nm: {k: v, n: 1.50}\n"
		"text: |\n  line one\n  line two\nempty: []\nnull-key:\n";
	struct tl_value *v = parse_ok(in), *w;
	char *once = emit(v), *twice;
	w = parse_ok(once);
	twice = emit(w);
	cr_assert_str_eq(once, twice);
	cr_assert_str_eq(tl_value_get(w, "z")->items[1]->str, "yes");
	cr_assert_eq(tl_value_get(w, "z")->items[1]->type, TL_T_STR);
	cr_assert_eq(tl_value_get(w, "null-key")->type, TL_T_NULL);
	free(once);
	free(twice);
	tl_value_free(v);
	tl_value_free(w);
}

#include <criterion/criterion.h>
#include <string.h>

#include "core/fields.h"
#include "formats/yaml.h"

static const char *const defs_yaml = "- name: component\n"
				     "  type: enum\n"
				     "  values: [auth, billing]\n"
				     "  on: [case, run]\n"
				     "- name: ticket\n"
				     "  type: text\n"
				     "  pattern: '^[A-Z]+-[0-9]+$'\n"
				     "  on: [run, result]\n"
				     "  required: true\n"
				     "- name: estimate\n"
				     "  type: number\n"
				     "- name: reviewed\n"
				     "  type: bool\n"
				     "- name: due\n"
				     "  type: date\n"
				     "- name: spec\n"
				     "  type: url\n";

static struct tl_field_defs defs;

static void setup(void)
{
	struct tl_value *v;
	struct tl_err err = TL_ERR_INIT;
	cr_assert_eq(tl_yaml_parse(&v, "tally.yaml", defs_yaml,
			     strlen(defs_yaml), &err),
		0);
	cr_assert_eq(
		tl_fields_load(&defs, v, "tally.yaml", &err), 0, "%s", err.msg);
	tl_value_free(v);
}

static void teardown(void)
{
	tl_fields_release(&defs);
}

static char *check(const char *kind, const char *fields_yaml)
{
	struct tl_value *v;
	struct tl_err err = TL_ERR_INIT;
	int rc;
	cr_assert_eq(tl_yaml_parse(&v, "x.yaml", fields_yaml,
			     strlen(fields_yaml), &err),
		0);
	rc = tl_fields_validate(&defs, kind, v, "x.yaml", &err);
	tl_value_free(v);
	if (!rc)
		return NULL;
	return err.msg;
}

TestSuite(fields, .init = setup, .fini = teardown);

Test(fields, valid_values_pass)
{
	cr_assert_null(check("case",
		"{component: auth, estimate: 2.5, reviewed: true, due: 2026-12-01, spec: 'https://x.example/a'}"));
	cr_assert_null(check("run", "{component: billing, ticket: QA-9}"));
}

Test(fields, each_type_is_checked)
{
	char *m;
	m = check("case", "{component: search}");
	cr_assert_str_eq(m,
		"x.yaml:1:13: field 'component': 'search' is not one of: auth billing");
	free(m);
	m = check("case", "{estimate: lots}");
	cr_assert(strstr(m, "'lots' is not a number") != NULL, "%s", m);
	free(m);
	m = check("case", "{reviewed: maybe}");
	cr_assert(strstr(m, "'maybe' is not true or false") != NULL, "%s", m);
	free(m);
	m = check("case", "{due: 2026-13-01}");
	cr_assert(strstr(m, "is not a date") != NULL, "%s", m);
	free(m);
	m = check("case", "{spec: ftp://x}");
	cr_assert(strstr(m, "is not an http(s) URL") != NULL, "%s", m);
	free(m);
	m = check("result", "{ticket: qa-9}");
	cr_assert(strstr(m, "does not match the pattern '^[A-Z]+-[0-9]+$'") !=
			NULL,
		"%s", m);
	free(m);
}

Test(fields, on_limits_which_kinds_may_use_a_field)
{
	char *m = check("case", "{ticket: QA-1}");
	cr_assert(strstr(m, "unknown custom field 'ticket' for a case") != NULL,
		"%s", m);
	free(m);
	m = check("case", "{nosuch: 1}");
	cr_assert(strstr(m, "unknown custom field 'nosuch'") != NULL, "%s", m);
	free(m);
}

Test(fields, required_fields_must_be_present)
{
	char *m = check("run", "{component: auth}");
	cr_assert(strstr(m, "field 'ticket': is required and missing") != NULL,
		"%s", m);
	free(m);
	struct tl_err err = TL_ERR_INIT;
	cr_assert_eq(tl_fields_validate(&defs, "result", NULL, "r.yaml", &err),
		TL_EINVALID);
	tl_err_clear(&err);
}

Test(fields, assign_types_the_value_and_empty_removes)
{
	struct tl_value *f = NULL;
	struct tl_err err = TL_ERR_INIT;
	cr_assert_eq(
		tl_fields_assign(&defs, "case", &f, "estimate=3", &err), 0);
	cr_assert_eq(tl_value_get(f, "estimate")->type, TL_T_INT);
	cr_assert_eq(
		tl_fields_assign(&defs, "case", &f, "component=auth", &err), 0);
	cr_assert_eq(tl_fields_assign(&defs, "case", &f, "estimate=", &err), 0);
	cr_assert_null(tl_value_get(f, "estimate"));
	cr_assert_eq(
		tl_fields_assign(&defs, "case", &f, "component=nope", &err),
		TL_EINVALID);
	tl_err_clear(&err);
	cr_assert_eq(tl_fields_assign(&defs, "case", &f, "novalue", &err),
		TL_EUSAGE);
	tl_err_clear(&err);
	tl_value_free(f);
}

Test(fields, bad_definitions_are_located)
{
	const char *bad[] = {
		"- name: x\n  type: colour\n",
		"- name: x\n  type: enum\n",
		"- name: x\n  type: text\n  pattern: '(unclosed'\n",
		"- name: x\n  type: text\n  on: [spaceship]\n",
		"- name: x\n  type: text\n- name: x\n  type: text\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tl_value *v;
		struct tl_field_defs d;
		struct tl_err err = TL_ERR_INIT;
		cr_assert_eq(tl_yaml_parse(&v, "tally.yaml", bad[i],
				     strlen(bad[i]), &err),
			0);
		cr_assert_eq(tl_fields_load(&d, v, "tally.yaml", &err),
			TL_EINVALID, "%s", bad[i]);
		cr_assert(strncmp(err.msg, "tally.yaml:", 11) == 0, "%s",
			err.msg);
		tl_err_clear(&err);
		tl_value_free(v);
	}
}

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "formats/entity.h"

/* The examples of DESIGN.md "File formats", comments dropped. */
static const char *const design_case =
	"title: Login with a valid password\n"
	"type: manual\n"
	"priority: high\n"
	"owner: alice@example.com\n"
	"tags: [smoke, auth]\n"
	"requirements: [REQ-12]\n"
	"automation: com.acme.auth.LoginTest.testValidPassword\n"
	"preconditions: |\n"
	"  A user alice exists.\n"
	"steps:\n"
	"  - action: Open /login and submit alice's password\n"
	"    expected: The dashboard is shown\n"
	"fields: {component: auth}\n";

static const char *const design_run =
	"title: Sprint 42 regression\n"
	"description: Focused regression after the session fix\n"
	"release: 1.4.0\n"
	"created: 2026-11-21T10:00:00Z\n"
	"created-by: Alice <alice@example.com>\n"
	"sources:\n"
	"  cases: [auth/login/valid-password]\n"
	"  suites: [billing/refunds]\n"
	"  requirements: [REQ-12]\n"
	"cases: [auth/login/valid-password, billing/refunds/full, billing/refunds/partial]\n"
	"assignees: {billing/refunds/full: bob@example.com}\n"
	"environment: {os: linux, browser: firefox 131}\n"
	"revision: 4f2a9c1\n"
	"closed: false\n"
	"fields: {component: billing}\n";

static const char *const design_result =
	"status: failed\n"
	"duration: 1.532\n"
	"assignee: bob@example.com\n"
	"started: 2026-11-21T10:02:11Z\n"
	"message: expected 200, got 500\n"
	"trace: |\n"
	"  AssertionError: expected 200, got 500\n"
	"    at checkout.spec.ts:41\n"
	"output: |\n"
	"  ...\n"
	"attachments: [screenshot-1.png, console.log]\n"
	"environment: {browser: chromium 131}\n"
	"revision: 4f2a9c1\n"
	"defects: [BUG-7, checkout-500-k3q9]\n"
	"retries:\n"
	"  - {status: failed, duration: 30.0, message: timed out after 30s}\n"
	"fields: {ticket: QA-9}\n";

static const char *const design_workspace =
	"tally: 1\n"
	"name: Acme QA\n"
	"fields:\n"
	"  - name: component\n"
	"    type: enum\n"
	"    values: [auth, billing, search]\n"
	"    on: [case, run]\n"
	"    required: false\n"
	"defects:\n"
	"  pattern: '\\b[A-Z][A-Z0-9]+-[0-9]+\\b'\n"
	"  url: https://tracker.example/browse/{key}\n"
	"readiness:\n"
	"  min-pass-rate: 0.95\n"
	"flaky:\n"
	"  window: 30\n"
	"gate:\n"
	"  max-new-failures: 0\n";

static void *parse(enum tl_kind k, const char *s)
{
	struct tl_err err = TL_ERR_INIT;
	void *e;
	int rc = tl_entity_parse(&e, k, "f.yaml", s, strlen(s), &err);
	cr_assert_eq(rc, 0, "parse: %s", err.msg);
	return e;
}

static char *write_entity(enum tl_kind k, const void *e)
{
	struct tl_buf b = TL_BUF_INIT;
	struct tl_err err = TL_ERR_INIT;
	cr_assert_eq(tl_entity_write(&b, k, e, &err), 0, "write: %s", err.msg);
	return tl_buf_detach(&b);
}

static char *parse_error(enum tl_kind k, const char *s)
{
	struct tl_err err = TL_ERR_INIT;
	void *e;
	cr_assert_neq(tl_entity_parse(&e, k, "f.yaml", s, strlen(s), &err), 0);
	cr_assert_null(e);
	return err.msg;
}

/* A file tally wrote reads back and writes out byte for byte the same. */
static void assert_round_trip(enum tl_kind k, const char *src)
{
	void *a = parse(k, src), *b;
	char *once = write_entity(k, a), *twice;
	b = parse(k, once);
	twice = write_entity(k, b);
	cr_assert_str_eq(once, twice);
	tl_entity_free(k, a);
	tl_entity_free(k, b);
	free(once);
	free(twice);
}

Test(entity, design_examples_round_trip_byte_for_byte)
{
	assert_round_trip(TL_KIND_CASE, design_case);
	assert_round_trip(TL_KIND_RUN, design_run);
	assert_round_trip(TL_KIND_RESULT, design_result);
	assert_round_trip(TL_KIND_WORKSPACE, design_workspace);
}

Test(entity, case_fields_are_read)
{
	struct tl_case *c = parse(TL_KIND_CASE, design_case);
	cr_assert_str_eq(c->title, "Login with a valid password");
	cr_assert_str_eq(c->priority, "high");
	cr_assert_eq(c->tags.n, 2);
	cr_assert_str_eq(c->tags.v[1], "auth");
	cr_assert_str_eq(c->requirements.v[0], "REQ-12");
	cr_assert_str_eq(c->preconditions, "A user alice exists.\n");
	cr_assert_eq(c->steps->n, 1);
	cr_assert_str_eq(tl_value_gets(c->steps->items[0], "expected"),
		"The dashboard is shown");
	cr_assert_str_eq(tl_value_gets(c->fields, "component"), "auth");
	tl_case_free(c);
}

Test(entity, run_and_result_typed_fields)
{
	struct tl_run *r = parse(TL_KIND_RUN, design_run);
	struct tl_result *x = parse(TL_KIND_RESULT, design_result);
	cr_assert_eq(r->closed, 0);
	cr_assert_eq(r->cases.n, 3);
	cr_assert_str_eq(r->release, "1.4.0");
	cr_assert(x->duration.set);
	cr_assert_float_eq(x->duration.v, 1.532, 1e-12);
	cr_assert_str_eq(x->status, "failed");
	cr_assert_eq(x->retries->n, 1);
	tl_entity_free(TL_KIND_RUN, r);
	tl_entity_free(TL_KIND_RESULT, x);
}

Test(entity, keys_are_written_in_schema_order_unknown_keys_last)
{
	const char *shuffled = "x-custom: kept\nfields: {component: auth}\n"
			       "priority: low\ntitle: T\nzzz: [1, 2]\n";
	struct tl_case *c = parse(TL_KIND_CASE, shuffled);
	char *out = write_entity(TL_KIND_CASE, c);
	cr_assert_str_eq(out,
		"title: T\npriority: low\nfields: {component: auth}\n"
		"x-custom: kept\nzzz: [1, 2]\n");
	free(out);
	tl_case_free(c);
}

Test(entity, missing_title_names_the_file)
{
	char *m = parse_error(TL_KIND_CASE, "priority: low\n");
	cr_assert(strstr(m, "f.yaml:1:1: missing required key 'title'") != NULL,
		"%s", m);
	free(m);
}

Test(entity, bad_enum_points_at_the_value)
{
	char *m = parse_error(TL_KIND_CASE, "title: T\npriority: urgent\n");
	cr_assert_str_eq(m,
		"f.yaml:2:11: priority: invalid value 'urgent' "
		"(expected one of: low medium high critical)");
	free(m);
}

Test(entity, wrong_shapes_are_errors)
{
	char *m = parse_error(TL_KIND_CASE, "title: [a, b]\n");
	cr_assert(
		strstr(m,
			"f.yaml:1:8: title: expected text, found a sequence") !=
			NULL,
		"%s", m);
	free(m);
	m = parse_error(TL_KIND_CASE, "title: T\ntags: smoke\n");
	cr_assert(strstr(m, "f.yaml:2:7: tags: expected a list") != NULL, "%s",
		m);
	free(m);
	m = parse_error(TL_KIND_CASE, "- just\n- a list\n");
	cr_assert(strstr(m, "expected a mapping of keys, found a sequence") !=
			NULL,
		"%s", m);
	free(m);
	m = parse_error(TL_KIND_CASE, "title: T\nsteps:\n  - Open the page\n");
	cr_assert(strstr(m, "f.yaml:3:5: steps: each step must be a mapping") !=
			NULL,
		"%s", m);
	free(m);
	m = parse_error(TL_KIND_RUN, "title: T\nclosed: maybe\n");
	cr_assert(strstr(m, "closed: expected true or false") != NULL, "%s", m);
	free(m);
	m = parse_error(TL_KIND_RESULT, "status: passed\nduration: fast\n");
	cr_assert(strstr(m, "duration: expected a number") != NULL, "%s", m);
	free(m);
}

Test(entity, times_must_be_rfc3339)
{
	char *m = parse_error(TL_KIND_RUN, "title: T\ncreated: yesterday\n");
	cr_assert(strstr(m, "f.yaml:2:10: created: invalid time 'yesterday'") !=
			NULL,
		"%s", m);
	free(m);
	void *ok = parse(
		TL_KIND_RUN, "title: T\ncreated: 2026-11-21T10:00:00+02:00\n");
	tl_entity_free(TL_KIND_RUN, ok);
}

Test(entity, a_title_must_be_one_line)
{
	struct tl_case *c = tl_entity_new(TL_KIND_CASE);
	struct tl_err err = TL_ERR_INIT;
	c->title = strdup("two\nlines");
	cr_assert_eq(tl_entity_validate(TL_KIND_CASE, c, &err), TL_EINVALID);
	cr_assert(strstr(err.msg, "title: expected a single line") != NULL,
		"%s", err.msg);
	tl_err_clear(&err);
	tl_case_free(c);
}

Test(entity, where_gives_path_line_col)
{
	struct tl_case *c = parse(TL_KIND_CASE, design_case);
	struct tl_buf b = TL_BUF_INIT;
	c->ent.path = strdup("qa/web/cases/x.yaml");
	tl_entity_where(&b, c, "tags");
	cr_assert_str_eq(b.ptr, "qa/web/cases/x.yaml:5:7");
	tl_buf_release(&b);
	tl_case_free(c);
}

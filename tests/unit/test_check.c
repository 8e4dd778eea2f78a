#include "helpers.h"

#include "core/check.h"

static char *dir;

static void setup(void)
{
	dir = th_tmpdir();
	free(th_sh(dir, "git init -q ."));
	th_write(dir, "qa/tally.yaml",
		"tally: 1\nfields:\n- name: component\n  type: enum\n  values: [auth]\n  on: [case]\n");
	th_write(dir, "qa/web/project.yaml", "title: Web\n");
	th_write(dir, "qa/web/requirements/REQ-1.yaml", "title: R\n");
	th_write(dir, "qa/web/cases/ok.yaml",
		"title: OK\nrequirements: [REQ-1]\nautomation: a.B.c\nfields: {component: auth}\n");
}

static void teardown(void)
{
	th_rmrf(dir);
}

TestSuite(check, .init = setup, .fini = teardown);

static void run_check(struct tl_problems *p)
{
	struct tl_store *s;
	struct tl_err err = TL_ERR_INIT;
	cr_assert_eq(tl_store_open(&s, dir, &err), 0, "%s", err.msg);
	cr_assert_eq(tl_check(s, p, &err), 0, "%s", err.msg);
	tl_store_free(s);
}

static int has(const struct tl_problems *p, const char *path, unsigned line,
	unsigned col, const char *needle)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].path, path) && p->v[i].line == line &&
			p->v[i].col == col && strstr(p->v[i].message, needle))
			return 1;
	return 0;
}

Test(check, a_clean_tracker_has_no_problems)
{
	struct tl_problems p = { 0 };
	run_check(&p);
	cr_assert_eq(p.n, 0, "%s", p.n ? p.v[0].message : "");
	tl_problems_release(&p);
}

Test(check, every_problem_is_reported_with_its_location)
{
	struct tl_problems p = { 0 };
	th_write(dir, "qa/web/cases/syntax.yaml", "title: x\n  bad: indent\n");
	th_write(dir, "qa/web/cases/enum.yaml", "title: E\npriority: urgent\n");
	th_write(dir, "qa/web/cases/ref.yaml",
		"title: R\nrequirements: [REQ-404]\n");
	th_write(dir, "qa/web/cases/dup.yaml", "title: D\nautomation: a.B.c\n");
	th_write(dir, "qa/web/cases/field.yaml",
		"title: F\nfields: {component: billing}\n");
	th_write(dir, "qa/web/cases/OK.yaml", "title: Case clash\n");
	th_write(dir, "qa/web/cases/notes.txt", "stray\n");
	run_check(&p);
	cr_assert(has(&p, "qa/web/cases/syntax.yaml", 2, 6,
		"mapping values are not allowed"));
	cr_assert(has(
		&p, "qa/web/cases/enum.yaml", 2, 11, "invalid value 'urgent'"));
	cr_assert(has(&p, "qa/web/cases/ref.yaml", 2, 15,
		"requirement 'REQ-404' does not exist"));
	cr_assert(
		has(&p, "qa/web/cases/ok.yaml", 3, 13,
			"automation id 'a.B.c' is also used by qa/web/cases/dup.yaml") ||
		has(&p, "qa/web/cases/dup.yaml", 2, 13,
			"automation id 'a.B.c' is also used"));
	cr_assert(has(&p, "qa/web/cases/field.yaml", 2, 21,
		"'billing' is not one of: auth"));
	cr_assert(has(&p, "qa/web/cases/ok.yaml", 0, 0,
			  "differ only in letter case") ||
		has(&p, "qa/web/cases/OK.yaml", 0, 0,
			"differ only in letter case"));
	cr_assert(has(&p, "qa/web/cases/notes.txt", 0, 0, "not a case file"));
	cr_assert_eq(p.n, 7);
	tl_problems_release(&p);
}

Test(check, an_alias_bomb_and_a_huge_scalar_are_problems_not_crashes)
{
	struct tl_problems p = { 0 };
	size_t n = 10u << 20;
	char *big = malloc(n + 16);
	memcpy(big, "title: ", 7);
	memset(big + 7, 'x', n);
	memcpy(big + 7 + n, "\n", 2);
	th_write(dir, "qa/web/cases/bomb.yaml",
		"title: &a [x]\ntags: [*a, *a]\n");
	th_write(dir, "qa/web/cases/big.yaml", big);
	free(big);
	run_check(&p);
	cr_assert(has(&p, "qa/web/cases/bomb.yaml", 2, 8,
		"aliases are not supported"));
	cr_assert(has(&p, "qa/web/cases/big.yaml", 0, 0,
		"larger than the 8 MiB limit"));
	tl_problems_release(&p);
}

Test(check, each_later_user_of_an_automation_id_names_the_first)
{
	struct tl_problems p = { 0 };
	size_t dups = 0;
	/* walked in name order: a.yaml is the first user of a.B.c */
	th_write(dir, "qa/web/cases/a.yaml", "title: A\nautomation: a.B.c\n");
	th_write(dir, "qa/web/cases/x.yaml", "title: X\nautomation: a.B.c\n");
	th_write(dir, "qa/web/cases/y.yaml", "title: Y\nautomation: a.B.c\n");
	th_write(dir, "qa/web/cases/z.yaml", "title: Z\nautomation: a.B.d\n");
	th_write(dir, "qa/web/cases/zz.yaml", "title: ZZ\nautomation: a.B.d\n");
	run_check(&p);
	for (size_t i = 0; i < p.n; i++)
		dups += strstr(p.v[i].message, "is also used by") != NULL;
	cr_assert_eq(dups, 4, "%zu problems", p.n);
	cr_assert(has(&p, "qa/web/cases/ok.yaml", 3, 13,
		"automation id 'a.B.c' is also used by qa/web/cases/a.yaml"));
	cr_assert(has(&p, "qa/web/cases/x.yaml", 2, 13,
		"automation id 'a.B.c' is also used by qa/web/cases/a.yaml"));
	cr_assert(has(&p, "qa/web/cases/y.yaml", 2, 13,
		"automation id 'a.B.c' is also used by qa/web/cases/a.yaml"));
	cr_assert(has(&p, "qa/web/cases/zz.yaml", 2, 13,
		"automation id 'a.B.d' is also used by qa/web/cases/z.yaml"));
	tl_problems_release(&p);
}

Test(check, problems_of_a_large_folder_come_in_the_folders_order)
{
	struct tl_problems p = { 0 };
	/* enough files to be read on two threads; every seventh broken */
	for (int i = 0; i < 200; i++) {
		char *rel = tl_format("qa/web/cases/many/c%03d.yaml", i);
		th_write(dir, rel,
			i % 7 == 3 ? "title: [broken\n" : "title: Fine\n");
		free(rel);
	}
	run_check(&p);
	cr_assert_eq(p.n, 29, "%zu problems", p.n);
	for (size_t i = 0; i < p.n; i++) {
		char *want =
			tl_format("qa/web/cases/many/c%03zu.yaml", 7 * i + 3);
		cr_assert_str_eq(p.v[i].path, want);
		cr_assert_eq(p.v[i].line, 2);
		free(want);
	}
	tl_problems_release(&p);
}

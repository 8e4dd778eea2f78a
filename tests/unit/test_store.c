#include "helpers.h"

#include "core/store.h"

static char *dir;

static void setup(void)
{
	dir = th_tmpdir();
	free(th_sh(dir, "git init -q ."));
	th_write(dir, "qa/tally.yaml", "tally: 1\nname: T\n");
	th_write(dir, "qa/web/project.yaml", "title: Web\n");
	th_write(dir, "qa/web/cases/auth/login.yaml",
		"title: Login\ntags: [smoke]\n");
	th_write(dir, "qa/web/cases/auth/_suite.yaml",
		"title: Authentication\n");
	th_write(dir, "qa/web/cases/auth/deep/er.yaml", "title: Deeper\n");
	th_write(dir, "qa/web/cases/top.yaml", "title: Top\n");
	th_write(dir, "qa/web/requirements/REQ-1.yaml", "title: R\n");
}

static void teardown(void)
{
	th_rmrf(dir);
}

TestSuite(store, .init = setup, .fini = teardown);

static struct tl_store *open_at(const char *sub)
{
	struct tl_store *s;
	struct tl_err err = TL_ERR_INIT;
	char *at = tl_format("%s/%s", dir, sub);
	cr_assert_eq(tl_store_open(&s, at, &err), 0, "%s", err.msg);
	free(at);
	return s;
}

Test(store, finds_qa_from_the_work_tree_top)
{
	struct tl_store *s = open_at("");
	cr_assert_str_eq(s->prefix, "qa/");
	tl_store_free(s);
}

Test(store, finds_the_tracker_from_a_folder_inside_it)
{
	struct tl_store *s = open_at("qa/web/cases/auth");
	cr_assert_str_eq(s->prefix, "qa/");
	tl_store_free(s);
}

Test(store, a_nearer_tally_yaml_wins)
{
	th_write(dir, "services/api/tests/tally.yaml", "tally: 1\n");
	struct tl_store *s = open_at("services/api/tests");
	cr_assert_str_eq(s->prefix, "services/api/tests/");
	tl_store_free(s);
}

Test(store, no_tracker_is_not_found)
{
	struct tl_store *s;
	struct tl_err err = TL_ERR_INIT;
	char *cmd = tl_format("rm -rf '%s/qa'", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	cr_assert_eq(tl_store_open(&s, dir, &err), TL_ENOTFOUND);
	cr_assert(strstr(err.msg, "tally init") != NULL, "%s", err.msg);
	tl_err_clear(&err);
}

Test(store, unknown_format_version_is_refused)
{
	struct tl_store *s;
	struct tl_err err = TL_ERR_INIT;
	th_write(dir, "qa/tally.yaml", "tally: 2\n");
	cr_assert_eq(tl_store_open(&s, dir, &err), TL_EINVALID);
	cr_assert(strstr(err.msg, "format version 2 is not supported") != NULL,
		"%s", err.msg);
	tl_err_clear(&err);
}

Test(store, cases_are_keyed_by_path_in_order)
{
	struct tl_store *s = open_at("");
	struct tl_list l = { 0 };
	struct tl_err err = TL_ERR_INIT;
	cr_assert_eq(tl_store_cases(s, "web", &l, &err), 0, "%s", err.msg);
	cr_assert_eq(l.n, 3);
	cr_assert_str_eq(((struct tl_case *)l.v[0])->ent.key, "auth/deep/er");
	cr_assert_str_eq(((struct tl_case *)l.v[1])->ent.key, "auth/login");
	cr_assert_str_eq(((struct tl_case *)l.v[1])->ent.path,
		"qa/web/cases/auth/login.yaml");
	cr_assert_str_eq(((struct tl_case *)l.v[2])->ent.key, "top");
	tl_list_release(&l);
	tl_store_free(s);
}

Test(store, suites_are_folders_with_optional_metadata)
{
	struct tl_store *s = open_at("");
	struct tl_list l = { 0 };
	struct tl_err err = TL_ERR_INIT;
	cr_assert_eq(tl_store_suites(s, "web", &l, &err), 0, "%s", err.msg);
	cr_assert_eq(l.n, 2);
	cr_assert_str_eq(((struct tl_suite *)l.v[0])->ent.key, "auth");
	cr_assert_str_eq(((struct tl_suite *)l.v[0])->title, "Authentication");
	cr_assert_str_eq(((struct tl_suite *)l.v[1])->ent.key, "auth/deep");
	cr_assert_null(((struct tl_suite *)l.v[1])->title);
	tl_list_release(&l);
	tl_store_free(s);
}

Test(store, one_project_is_the_default_several_need_a_choice)
{
	struct tl_store *s = open_at("");
	struct tl_err err = TL_ERR_INIT;
	char *key;
	cr_assert_eq(tl_store_project(s, NULL, &key, &err), 0);
	cr_assert_str_eq(key, "web");
	free(key);
	th_write(dir, "qa/mobile/project.yaml", "title: Mobile app\n");
	cr_assert_eq(tl_store_project(s, NULL, &key, &err), TL_EUSAGE);
	cr_assert(strstr(err.msg, "several projects (mobile, web)") != NULL,
		"%s", err.msg);
	tl_err_clear(&err);
	cr_assert_eq(tl_store_project(s, "Mobile app", &key, &err), 0);
	cr_assert_str_eq(key, "mobile");
	free(key);
	tl_store_free(s);
}

Test(store, a_broken_case_stops_the_load_with_its_location)
{
	struct tl_store *s = open_at("");
	struct tl_list l = { 0 };
	struct tl_err err = TL_ERR_INIT;
	th_write(dir, "qa/web/cases/broken.yaml", "title: [unclosed\n");
	cr_assert_eq(tl_store_cases(s, "web", &l, &err), TL_EINVALID);
	cr_assert(strncmp(err.msg, "qa/web/cases/broken.yaml:2:1:", 29) == 0,
		"%s", err.msg);
	cr_assert_eq(l.n, 0);
	tl_err_clear(&err);
	tl_store_free(s);
}

Test(store, symbolic_links_are_not_followed)
{
	struct tl_store *s = open_at("");
	struct tl_list l = { 0 };
	struct tl_err err = TL_ERR_INIT;
	void *e;
	free(th_sh(dir,
		"printf 'title: secret\\n' > /tmp/tally-unit-outside-%d.yaml && "
		"ln -s /tmp/tally-unit-outside-%d.yaml qa/web/cases/link.yaml && "
		"ln -s /tmp qa/web/cases/dirlink",
		(int)getpid(), (int)getpid()));
	cr_assert_eq(tl_store_cases(s, "web", &l, &err), 0, "%s", err.msg);
	cr_assert_eq(l.n, 3, "the links are skipped");
	tl_list_release(&l);
	cr_assert_eq(tl_store_load(&e, s, TL_KIND_CASE, "web/cases/link.yaml",
			     "link", &err),
		TL_EINVALID);
	cr_assert(strstr(err.msg, "symbolic link") != NULL, "%s", err.msg);
	tl_err_clear(&err);
	free(th_sh(
		dir, "rm -f /tmp/tally-unit-outside-%d.yaml", (int)getpid()));
	tl_store_free(s);
}

Test(store, a_loaded_entity_keeps_its_parsed_file_only_when_asked)
{
	struct tl_store *s = open_at(".");
	struct tl_err err = TL_ERR_INIT;
	struct tl_case *k;
	const struct tl_value *at;
	cr_assert_eq(tl_store_load((void **)&k, s, TL_KIND_CASE,
			     "web/cases/auth/login.yaml", "auth/login", &err),
		0, "%s", err.msg);
	/* the fields are the entity's own copies */
	cr_assert_str_eq(k->title, "Login");
	cr_assert_str_eq(k->tags.v[0], "smoke");
	cr_assert_null(k->ent.doc);
	tl_entity_free(TL_KIND_CASE, k);
	s->keep_docs = 1;
	cr_assert_eq(tl_store_load((void **)&k, s, TL_KIND_CASE,
			     "web/cases/auth/login.yaml", "auth/login", &err),
		0, "%s", err.msg);
	at = tl_value_get(k->ent.doc, "tags");
	cr_assert_not_null(at);
	cr_assert_eq(at->line, 2);
	cr_assert_eq(at->col, 7);
	tl_entity_free(TL_KIND_CASE, k);
	tl_store_free(s);
}

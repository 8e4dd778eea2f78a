/* The commit protocol, checked against real repositories with git. */
#include "helpers.h"

#include "core/repo.h"

static char *dir;
static struct tl_repo *repo;
static const struct tl_ident who = { "Alice", "alice@example.com", 1,
	1795255331, 60 };

static void setup(void)
{
	struct tl_err err = TL_ERR_INIT;
	dir = th_tmpdir();
	free(th_sh(dir, "git init -q ."));
	cr_assert_eq(tl_repo_open(&repo, dir, &err), 0, "%s", err.msg);
}

static void teardown(void)
{
	tl_repo_free(repo);
	th_rmrf(dir);
}

TestSuite(repo, .init = setup, .fini = teardown);

static int commit(const char *path, const char *data, int remove, int no_commit,
	struct tl_err *err)
{
	struct tl_change ch = { path, data, data ? strlen(data) : 0, remove };
	struct tl_commit_opts o = { "tally: test\n\nTally-Action: test\n", &who,
		NULL, no_commit, 0, NULL };
	return tl_repo_commit(repo, &ch, 1, &o, NULL, err);
}

Test(repo, first_commit_on_an_unborn_branch)
{
	struct tl_err err = TL_ERR_INIT;
	char *out;
	cr_assert_eq(commit("qa/tally.yaml", "tally: 1\n", 0, 0, &err), 0, "%s",
		err.msg);
	out = th_sh(dir,
		"git log --format='%%an <%%ae> %%at %%ai|%%s|%%(trailers:key=Tally-Action,valueonly)' && git ls-tree -r --name-only HEAD && git status --porcelain");
	cr_assert_str_eq(out,
		"Alice <alice@example.com> 1795255331 2026-11-21 11:02:11 +0100|tally: test|test\n\nqa/tally.yaml\n");
	free(out);
}

Test(repo, commit_adds_only_its_paths_to_head_tree)
{
	struct tl_err err = TL_ERR_INIT;
	char *out;
	th_write(dir, "src/app.c", "int main;\n");
	free(th_sh(dir, "git add src/app.c && git commit -qm base"));
	cr_assert_eq(
		commit("qa/a.yaml", "a: 1\n", 0, 0, &err), 0, "%s", err.msg);
	out = th_sh(dir,
		"git rev-list --count HEAD && git ls-tree -r --name-only HEAD && git diff --name-only HEAD~1 HEAD");
	cr_assert_str_eq(out, "2\nqa/a.yaml\nsrc/app.c\nqa/a.yaml\n");
	free(out);
}

Test(repo, unrelated_staged_work_stays_staged_and_out_of_the_commit)
{
	struct tl_err err = TL_ERR_INIT;
	char *out;
	th_write(dir, "README", "v1\n");
	free(th_sh(dir, "git add README && git commit -qm base"));
	th_write(dir, "README", "v2 staged\n");
	th_write(dir, "notes.txt", "new, staged\n");
	free(th_sh(dir, "git add README notes.txt"));
	th_write(dir, "README", "v3 unstaged\n");
	cr_assert_eq(
		commit("qa/a.yaml", "a: 1\n", 0, 0, &err), 0, "%s", err.msg);
	out = th_sh(dir,
		"git show --name-only --format= HEAD && git status --porcelain && cat README && git show :README");
	cr_assert_str_eq(out,
		"qa/a.yaml\nMM README\nA  notes.txt\nv3 unstaged\nv2 staged\n");
	free(out);
}

Test(repo, detached_head_moves_head_not_the_branch)
{
	struct tl_err err = TL_ERR_INIT;
	char *out;
	th_write(dir, "f", "1\n");
	free(th_sh(dir,
		"git add f && git commit -qm one && git checkout -q --detach"));
	cr_assert_eq(
		commit("qa/a.yaml", "a: 1\n", 0, 0, &err), 0, "%s", err.msg);
	out = th_sh(dir,
		"git rev-list --count HEAD; git rev-list --count main; git symbolic-ref -q HEAD || echo detached");
	cr_assert_str_eq(out, "2\n1\ndetached\n");
	free(out);
}

Test(repo, remove_deletes_file_and_tree_entry)
{
	struct tl_err err = TL_ERR_INIT;
	char *out;
	cr_assert_eq(commit("qa/x/a.yaml", "a: 1\n", 0, 0, &err), 0);
	cr_assert_eq(commit("qa/x/a.yaml", NULL, 1, 0, &err), 0, "%s", err.msg);
	out = th_sh(dir,
		"git ls-tree -r --name-only HEAD | wc -l; test -e qa && echo kept || echo gone; git status --porcelain");
	cr_assert_str_eq(out, "0\ngone\n",
		"the file and the folders it emptied are gone");
	free(out);
}

Test(repo, no_commit_stages_the_change)
{
	struct tl_err err = TL_ERR_INIT;
	char *out;
	th_write(dir, "f", "1\n");
	free(th_sh(dir, "git add f && git commit -qm one"));
	cr_assert_eq(
		commit("qa/a.yaml", "a: 1\n", 0, 1, &err), 0, "%s", err.msg);
	out = th_sh(dir, "git rev-list --count HEAD; git status --porcelain");
	cr_assert_str_eq(out, "1\nA  qa/a.yaml\n");
	free(out);
}

Test(repo, paths_outside_the_work_tree_are_refused)
{
	struct tl_err err = TL_ERR_INIT;
	const char *bad[] = { "../evil.yaml", "qa/../../evil", "/etc/passwd",
		".git/config", "qa/.git/hooks/x", "qa/.." };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(commit(bad[i], "x", 0, 0, &err), TL_EINVALID, "%s",
			bad[i]);
		tl_err_clear(&err);
	}
	char *out = th_sh(dir,
		"git rev-list --all | wc -l; ls -A | grep -v '^.git$' | wc -l");
	cr_assert_str_eq(out, "0\n0\n");
	free(out);
}

Test(repo, a_held_index_lock_is_a_clear_conflict)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_change ch = { "qa/a.yaml", "a: 1\n", 5, 0 };
	struct tl_commit_opts o = { "tally: t\n", &who, NULL, 0, 50, NULL };
	th_write(dir, ".git/index.lock", "");
	cr_assert_eq(
		tl_repo_commit(repo, &ch, 1, &o, NULL, &err), TL_ECONFLICT);
	cr_assert(strstr(err.msg, "index.lock") != NULL, "%s", err.msg);
	tl_err_clear(&err);
	char *out = th_sh(dir, "git rev-list --all | wc -l");
	cr_assert_str_eq(out, "0\n", "nothing was committed");
	free(out);
}

Test(repo, no_author_is_a_usage_error)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_ident none = { NULL, NULL, 0, 0, 0 };
	struct tl_change ch = { "qa/a.yaml", "a: 1\n", 5, 0 };
	struct tl_commit_opts o = { "tally: t\n", &none, NULL, 0, 0, NULL };
	cr_assert_eq(tl_repo_commit(repo, &ch, 1, &o, NULL, &err), TL_EUSAGE);
	cr_assert(strstr(err.msg, "user.name") != NULL, "%s", err.msg);
	tl_err_clear(&err);
}

Test(repo, commit_id_is_returned)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_change ch = { "qa/a.yaml", "a: 1\n", 5, 0 };
	struct tl_commit_opts o = { "tally: t\n", &who, NULL, 0, 0, NULL };
	char id[41];
	char *out;
	cr_assert_eq(tl_repo_commit(repo, &ch, 1, &o, id, &err), 0);
	out = th_sh(dir, "git rev-parse HEAD");
	cr_assert_eq(strncmp(out, id, 40), 0);
	free(out);
}

Test(repo, a_bulk_commit_writes_one_pack_and_a_sound_repository)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_change ch[300];
	char *paths[300], *data[300];
	struct tl_commit_opts o = { "tally: bulk\n", &who, NULL, 0, 0, NULL };
	char *out;
	th_write(dir, "f", "1\n");
	free(th_sh(dir,
		"git add f && git commit -qm one && echo staged > g && git add g"));
	for (int i = 0; i < 300; i++) {
		paths[i] = tl_format("qa/bulk/f%03d.yaml", i);
		data[i] = tl_format("n: %d\n", i);
		ch[i].path = paths[i];
		ch[i].data = data[i];
		ch[i].len = strlen(data[i]);
		ch[i].remove = 0;
	}
	cr_assert_eq(tl_repo_commit(repo, ch, 300, &o, NULL, &err), 0, "%s",
		err.msg);
	out = th_sh(dir,
		"git fsck --strict --no-progress 2>&1; "
		"git ls-tree -r --name-only HEAD | wc -l; "
		"ls .git/objects/pack/*.pack | wc -l; "
		"git status --porcelain; git show HEAD:qa/bulk/f299.yaml");
	cr_assert_str_eq(out, "301\n1\nA  g\nn: 299\n");
	free(out);
	/* an ordinary commit afterwards still lands its objects on disk */
	struct tl_change one = { "qa/after.yaml", "a: 1\n", 5, 0 };
	cr_assert_eq(tl_repo_commit(repo, &one, 1, &o, NULL, &err), 0);
	out = th_sh(dir,
		"git fsck --strict --no-progress 2>&1; git show HEAD:qa/after.yaml");
	cr_assert_str_eq(out, "a: 1\n");
	free(out);
	for (int i = 0; i < 300; i++) {
		free(paths[i]);
		free(data[i]);
	}
}

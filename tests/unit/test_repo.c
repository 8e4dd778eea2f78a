/* The commit protocol, checked against real repositories with git. */
#include "helpers.h"

#include "core/bulk.h"
#include "core/repo.h"

static char *dir;
static struct tl_repo *repo;
static const struct tl_ident who = { "Alice", "alice@example.com", 1,
	1795255331, 60 };

static void setup(void)
{
	dir = th_repo(&repo);
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

Test(repo, a_bulk_holds_files_back_until_its_commit)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_bulk *b = NULL;
	struct tl_buf got = TL_BUF_INIT;
	char *out;
	size_t first, second, gone;
	cr_assert_eq(tl_bulk_open(&b, repo, &err), 0, "%s", err.msg);
	first = tl_bulk_mark(b);
	cr_assert_eq(tl_bulk_put(b, "qa/a.yaml", "a: 1\n", 5, &err), 0);
	cr_assert_eq(tl_bulk_put(b, "qa/b.yaml", "b: 1\n", 5, &err), 0);
	second = tl_bulk_mark(b);
	cr_assert_eq(tl_bulk_put(b, "qa/a.yaml", "a: 2\n", 5, &err), 0);
	cr_assert_eq(tl_bulk_read(b, second, &got, &err), 0);
	cr_assert_str_eq(got.ptr, "a: 2\n");
	cr_assert_eq(tl_bulk_read(b, first, &got, &err), 0);
	cr_assert_str_eq(got.ptr, "a: 1\n", "each put keeps its own bytes");
	gone = tl_bulk_mark(b);
	cr_assert_eq(tl_bulk_remove(b, "qa/b.yaml", &err), 0);
	cr_assert_eq(tl_bulk_read(b, gone, &got, &err), TL_ENOTFOUND);
	tl_err_clear(&err);
	cr_assert_eq(tl_bulk_read(b, gone + 1, &got, &err), TL_EINVALID);
	tl_err_clear(&err);
	cr_assert_eq(tl_bulk_put(b, "../x", "x", 1, &err), TL_EINVALID);
	tl_err_clear(&err);
	/* given up: nothing in the work tree, no spill file in .git */
	tl_bulk_free(b);
	out = th_sh(dir,
		"ls -A | grep -v '^.git$' | wc -l; ls .git | grep -c bulk || true");
	cr_assert_str_eq(out, "0\n0\n");
	free(out);
	tl_buf_release(&got);
}

Test(repo, a_bulk_commit_keeps_the_last_put_or_remove_of_a_path)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_bulk *b = NULL;
	struct tl_commit_opts o = { "tally: bulk\n", &who, NULL, 0, 0, NULL };
	char *out;
	th_write(dir, "qa/gone.yaml", "g: 0\n");
	free(th_sh(dir, "git add qa && git commit -qm one"));
	cr_assert_eq(tl_bulk_open(&b, repo, &err), 0, "%s", err.msg);
	cr_assert_eq(tl_bulk_put(b, "qa/a.yaml", "a: 1\n", 5, &err), 0);
	cr_assert_eq(tl_bulk_remove(b, "qa/b.yaml", &err), 0);
	cr_assert_eq(tl_bulk_put(b, "qa/b.yaml", "b: 2\n", 5, &err), 0);
	cr_assert_eq(tl_bulk_put(b, "qa/gone.yaml", "g: 1\n", 5, &err), 0);
	cr_assert_eq(tl_bulk_put(b, "qa/a.yaml", "a: 3\n", 5, &err), 0);
	cr_assert_eq(tl_bulk_remove(b, "qa/gone.yaml", &err), 0);
	cr_assert_eq(tl_bulk_commit(b, &o, NULL, &err), 0, "%s", err.msg);
	tl_bulk_free(b);
	out = th_sh(dir,
		"git show HEAD:qa/a.yaml HEAD:qa/b.yaml; "
		"git ls-tree -r --name-only HEAD; cat qa/*; "
		"git status --porcelain");
	cr_assert_str_eq(out, "a: 3\nb: 2\nqa/a.yaml\nqa/b.yaml\na: 3\nb: 2\n");
	free(out);
}

/* Puts are buffered 256 KiB at a time: a file larger than the buffer,
 * and small ones around it, read back and commit whole and in order. */
Test(repo, a_bulk_reads_back_and_commits_puts_around_a_large_one)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_bulk *b = NULL;
	struct tl_commit_opts o = { "tally: bulk\n", &who, NULL, 0, 0, NULL };
	struct tl_buf big = TL_BUF_INIT, got = TL_BUF_INIT;
	size_t small, large, after;
	char *out;
	for (int i = 0; big.len < (3u << 19); i++)
		tl_buf_printf(&big, "line%d: %d\n", i, i * 7);
	cr_assert_eq(tl_bulk_open(&b, repo, &err), 0, "%s", err.msg);
	small = tl_bulk_mark(b);
	cr_assert_eq(tl_bulk_put(b, "qa/s.yaml", "s: 1\n", 5, &err), 0);
	large = tl_bulk_mark(b);
	cr_assert_eq(tl_bulk_put(b, "qa/l.yaml", big.ptr, big.len, &err), 0);
	after = tl_bulk_mark(b);
	cr_assert_eq(tl_bulk_put(b, "qa/t.yaml", "t: 1\n", 5, &err), 0);
	cr_assert_eq(tl_bulk_read(b, after, &got, &err), 0, "%s", err.msg);
	cr_assert_str_eq(got.ptr, "t: 1\n");
	cr_assert_eq(tl_bulk_read(b, large, &got, &err), 0, "%s", err.msg);
	cr_assert(got.len == big.len && !memcmp(got.ptr, big.ptr, big.len));
	cr_assert_eq(tl_bulk_read(b, small, &got, &err), 0, "%s", err.msg);
	cr_assert_str_eq(got.ptr, "s: 1\n");
	cr_assert_eq(tl_bulk_commit(b, &o, NULL, &err), 0, "%s", err.msg);
	tl_bulk_free(b);
	out = th_sh(dir,
		"git show HEAD:qa/s.yaml HEAD:qa/t.yaml; "
		"git show HEAD:qa/l.yaml | cmp - qa/l.yaml && wc -c < qa/l.yaml; "
		"git status --porcelain");
	cr_assert_eq(strtoul(strchr(strchr(out, '\n') + 1, '\n') + 1, NULL, 10),
		big.len, "%s", out);
	cr_assert_eq(strncmp(out, "s: 1\nt: 1\n", 10), 0, "%s", out);
	free(out);
	tl_buf_release(&big);
	tl_buf_release(&got);
}

static void put_many(struct tl_bulk *b, const char *dirname, int n, int size)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_buf data = TL_BUF_INIT;
	for (int i = 0; i < n; i++) {
		char *path = tl_format("qa/%s/f%05d.yaml", dirname, i);
		tl_buf_reset(&data);
		/* distinct, poorly compressible content */
		for (int k = 0;
			tl_buf_printf(&data, "k%d: %u\n", k,
				(unsigned)(i * 2654435761u + k * 40503u)),
			 (int)data.len < size;
			k++)
			;
		cr_assert_eq(tl_bulk_put(b, path, data.ptr, data.len, &err), 0,
			"%s", err.msg);
		free(path);
	}
	tl_buf_release(&data);
}

/* One bulk commit of n such files under qa/dirname. */
static void commit_many(
	const struct tl_commit_opts *o, const char *dirname, int n, int size)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_bulk *b = NULL;
	cr_assert_eq(tl_bulk_open(&b, repo, &err), 0, "%s", err.msg);
	put_many(b, dirname, n, size);
	cr_assert_eq(tl_bulk_commit(b, o, NULL, &err), 0, "%s", err.msg);
	tl_bulk_free(b);
}

Test(repo, a_bulk_commit_packs_only_new_objects_in_bounded_packs)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_bulk *b = NULL;
	struct tl_commit_opts o = { "tally: bulk\n", &who, NULL, 0, 0, NULL };
	char *out, *before;
	th_write(dir, "kept", "1\n");
	free(th_sh(dir, "git add kept && git commit -qm one"));
	/* 3,000 files of 2 KiB: more than one pack's worth */
	commit_many(&o, "big", 3000, 2048);
	out = th_sh(dir,
		"git fsck --strict --no-progress 2>&1; "
		"test $(ls .git/objects/pack/*.pack | wc -l) -ge 2 && echo packs; "
		"git ls-tree -r --name-only HEAD | wc -l; git status --porcelain");
	cr_assert_str_eq(out, "packs\n3001\n");
	free(out);
	/* a second bulk commit packs its 300 blobs and 4 trees, not what
	 * the new tree also reaches (its commit goes loose) */
	before = th_sh(dir, "git count-objects -v | sed -n 's/in-pack: //p'");
	cr_assert_eq(tl_bulk_open(&b, repo, &err), 0, "%s", err.msg);
	put_many(b, "small", 300, 64);
	cr_assert_eq(tl_bulk_remove(b, "qa/big/f00000.yaml", &err), 0);
	cr_assert_eq(tl_bulk_commit(b, &o, NULL, &err), 0, "%s", err.msg);
	tl_bulk_free(b);
	out = th_sh(dir,
		"echo $(( $(git count-objects -v | sed -n 's/in-pack: //p') - %s ));"
		"git fsck --strict --no-progress 2>&1; "
		"test -e qa/big/f00000.yaml || echo removed; "
		"git ls-tree -r --name-only HEAD | wc -l",
		before);
	cr_assert_str_eq(out, "304\nremoved\n3300\n");
	free(out);
	free(before);
}

/* The index files of this repository's packs mapped in this process. */
static int idx_mapped(void)
{
	char *out = th_sh(dir,
		"grep -c '%s/.git/objects/pack/.*\\.idx' "
		"/proc/%d/maps || true",
		dir, (int)getpid());
	int n = atoi(out);
	free(out);
	return n;
}

/* The commit and the last few objects go loose without asking the
 * repository's packs whether they hold them: that search maps every
 * pack's index, 64 KB of memory each (25 after a 100,000-test import),
 * just as the import ends. */
Test(repo, a_bulk_commit_writes_its_loose_objects_without_mapping_its_packs)
{
	struct tl_commit_opts o = { "tally: bulk\n", &who, NULL, 0, 0, NULL };
	char *out;
	commit_many(&o, "big", 3000, 2048);
	out = th_sh(dir,
		"test $(ls .git/objects/pack/*.idx | wc -l) -ge 3 && echo packs; "
		"test -f .git/objects/$(git rev-parse HEAD | sed 's,^..,&/,') "
		"&& echo loose; git fsck --strict --no-progress 2>&1");
	cr_assert_str_eq(out, "packs\nloose\n");
	free(out);
	cr_assert_eq(idx_mapped(), 0);
}

/* More paths than one batch of the tree builder, spread over folders
 * each batch touches again, with removes in different batches: the tree
 * is the one git writes from the index, the work tree matches it. (The
 * versions of the shared folders a later batch replaced are dangling
 * trees in the pack, as git's own amends leave dangling commits.) */
Test(repo, a_bulk_commit_builds_its_tree_over_several_batches)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_bulk *b = NULL;
	struct tl_commit_opts o = { "tally: bulk\n", &who, NULL, 0, 0, NULL };
	char *out;
	free(th_sh(dir,
		"for d in $(seq -w 0 39); do mkdir -p qa/d$d && "
		"echo k > qa/d$d/keep.yaml; done && git add qa && "
		"git commit -qm one"));
	cr_assert_eq(tl_bulk_open(&b, repo, &err), 0, "%s", err.msg);
	for (int i = 0; i < 20000; i++) {
		char *path = tl_format("qa/d%02d/f%05d.yaml", i % 40, i);
		char *data = tl_format("n: %d\n", i);
		cr_assert_eq(tl_bulk_put(b, path, data, strlen(data), &err), 0);
		free(path);
		free(data);
	}
	cr_assert_eq(tl_bulk_remove(b, "qa/d05/keep.yaml", &err), 0);
	cr_assert_eq(tl_bulk_remove(b, "qa/d33/keep.yaml", &err), 0);
	cr_assert_eq(tl_bulk_remove(b, "qa/d20/absent.yaml", &err), 0);
	cr_assert_eq(tl_bulk_commit(b, &o, NULL, &err), 0, "%s", err.msg);
	tl_bulk_free(b);
	out = th_sh(dir,
		"git fsck --strict --no-progress 2>&1 | grep -v '^dangling tree'; "
		"git ls-tree -r --name-only HEAD qa | wc -l; "
		"test $(git write-tree) = $(git rev-parse HEAD^{tree}) && "
		"echo same; git status --porcelain; "
		"git show HEAD:qa/d39/f19999.yaml HEAD:qa/d00/keep.yaml; "
		"git cat-file -e HEAD:qa/d05/keep.yaml 2>/dev/null || echo gone");
	cr_assert_str_eq(out, "20038\nsame\nn: 19999\nk\ngone\n");
	free(out);
}

/* Records of more than one sorted run (1 MiB each: 30,000 records of
 * some 140 bytes make four): the runs merge in path order, a path put
 * in the first run and again in the last is the last put, a put of the
 * first run removed in the last is gone. (Their blobs were packed as
 * they came: dangling now, as a put given up always left them.) */
Test(repo, a_bulk_commit_merges_its_sorted_runs)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_bulk *b = NULL;
	struct tl_commit_opts o = { "tally: bulk\n", &who, NULL, 0, 0, NULL };
	const char *pad = "a-long-folder-name-so-that-each-record-is-large-"
			  "enough-for-several-runs";
	char *out, *path;
	cr_assert_eq(tl_bulk_open(&b, repo, &err), 0, "%s", err.msg);
	cr_assert_eq(tl_bulk_put(b, "qa/zz/dup.yaml", "v: 1\n", 5, &err), 0);
	for (int i = 0; i < 30000; i++) {
		char *data = tl_format("n: %d\n", i);
		/* descending: each run is sorted against the order put */
		path = tl_format(
			"qa/%s/d%02d/f%05d.yaml", pad, i % 7, 30000 - i);
		cr_assert_eq(tl_bulk_put(b, path, data, strlen(data), &err), 0);
		free(path);
		free(data);
	}
	path = tl_format("qa/%s/d03/f29997.yaml", pad);
	cr_assert_eq(tl_bulk_remove(b, path, &err), 0);
	free(path);
	cr_assert_eq(tl_bulk_put(b, "qa/zz/dup.yaml", "v: 2\n", 5, &err), 0);
	cr_assert_eq(tl_bulk_commit(b, &o, NULL, &err), 0, "%s", err.msg);
	tl_bulk_free(b);
	out = th_sh(dir,
		"git fsck --strict --no-progress 2>&1 | grep -v '^dangling'; "
		"git ls-tree -r --name-only HEAD qa | wc -l; "
		"git ls-tree -r --name-only HEAD qa | LC_ALL=C sort -c && "
		"echo sorted; "
		"test $(git write-tree) = $(git rev-parse HEAD^{tree}) && "
		"echo same; git status --porcelain; git show HEAD:qa/zz/dup.yaml; "
		"git ls-files qa | grep -c f29997; "
		"git show HEAD:qa/%s/d00/f30000.yaml",
		pad);
	cr_assert_str_eq(out, "30000\nsorted\nsame\nv: 2\n0\nn: 0\n");
	free(out);
}

/* A small commit that names a path twice: the last change wins, in the
 * tree, the index and the work tree (its paths are sorted stably). */
Test(repo, a_commit_keeps_the_last_change_of_a_path)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_commit_opts o = { "tally: twice\n", &who, NULL, 0, 0, NULL };
	struct tl_change ch[] = {
		{ "qa/a.yaml", "a: 1\n", 5, 0 },
		{ "qa/b.yaml", NULL, 0, 1 },
		{ "qa/b.yaml", "b: 2\n", 5, 0 },
		{ "qa/a.yaml", "a: 2\n", 5, 0 },
		{ "qa/c.yaml", "c: 1\n", 5, 0 },
		{ "qa/c.yaml", NULL, 0, 1 },
	};
	char *out;
	cr_assert_eq(
		tl_repo_commit(repo, ch, 6, &o, NULL, &err), 0, "%s", err.msg);
	out = th_sh(dir,
		"git show HEAD:qa/a.yaml HEAD:qa/b.yaml; "
		"git ls-tree -r --name-only HEAD qa; git status --porcelain");
	cr_assert_str_eq(out, "a: 2\nb: 2\nqa/a.yaml\nqa/b.yaml\n");
	free(out);
}

/* git commits another file once the bulk's files are written (its tree
 * built on the HEAD before): the bulk's tree is built again on the new
 * HEAD, reading that HEAD's objects through the packer's reader (its
 * writes never consult the repository's packs), and both commits land. */
static void commit_meanwhile(const char *stage)
{
	if (!strcmp(stage, "written"))
		free(th_sh(dir, "git add other && git commit -qm meanwhile"));
}

Test(repo, a_bulk_commit_builds_its_tree_again_on_a_head_that_moved)
{
	struct tl_commit_opts o = { "tally: bulk\n", &who, NULL, 0, 0,
		commit_meanwhile };
	char *out;
	th_write(dir, "kept", "1\n");
	th_write(dir, "other", "2\n");
	free(th_sh(dir, "git add kept && git commit -qm one && git gc -q"));
	commit_many(&o, "moved", 2000, 200);
	out = th_sh(dir,
		"git fsck --strict --no-progress 2>&1 | grep -v '^dangling'; "
		"git log --format=%%s | tr '\\n' '|'; echo; "
		"git ls-tree -r --name-only HEAD | wc -l; "
		"git show HEAD:other; git status --porcelain");
	cr_assert_str_eq(out, "tally: bulk|meanwhile|one|\n2002\n2\n");
	free(out);
}

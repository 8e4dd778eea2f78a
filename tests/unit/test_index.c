/* The streamed index update: what git reads back from it is what git's
 * own commands would have made, in every index version, with conflicts,
 * intent-to-add entries and racily clean ones; what it cannot carry it
 * leaves alone. */
#include "core/index.h"
#include "helpers.h"

#include <git2.h>

/* A put of a file already in the work tree (its stat data read by the
 * writer), or a remove. */
static struct tl_staged put(const char *dir, const char *path)
{
	struct tl_staged s;
	char *hex = th_sh(dir, "git hash-object -w '%s'", path);
	memset(&s, 0, sizeof(s));
	s.path = path;
	hex[40] = '\0';
	cr_assert_eq(git_oid_fromstr(&s.id, hex), 0);
	free(hex);
	return s;
}

static struct tl_staged removal(const char *path)
{
	struct tl_staged s;
	memset(&s, 0, sizeof(s));
	s.path = path;
	s.remove = 1;
	return s;
}

/* Updates dir's index with st (sorted) and moves it into place. */
static int update(const char *dir, const struct tl_staged *st, size_t n,
	struct tl_err *err)
{
	char *index = tl_format("%s/.git/index", dir);
	char *tmp = tl_format("%s/.git/tally-index.test", dir);
	struct tl_stage_array a;
	struct tl_stage_iter it = tl_stage_array(&a, st, n);
	int rc = tl_index_update(index, dir, &it, tmp, err);
	if (!rc)
		cr_assert_eq(rename(tmp, index), 0);
	free(index);
	free(tmp);
	return rc;
}

static void expect(const char *dir, const char *cmd, const char *want)
{
	char *got = th_sh(dir, "%s", cmd);
	cr_assert_str_eq(got, want, "%s", cmd);
	free(got);
}

/* git's own verdict: the file's sum (fsck checks it), and no file whose
 * stat data the index has wrong (diff-files does not refresh). */
static void git_accepts(const char *dir)
{
	free(th_sh(dir, "git fsck --no-dangling 2>&1"));
	expect(dir, "git diff-files --name-only", "");
}

static void three_files(const char *dir)
{
	th_write(dir, "a.yaml", "a\n");
	th_write(dir, "b/c.yaml", "c\n");
	th_write(dir, "d.yaml", "d\n");
	free(th_sh(dir, "git add -A && git commit -qm one"));
}

Test(index, puts_and_removes_are_what_git_add_makes)
{
	char *d = th_tmpdir();
	struct tl_err err = TL_ERR_INIT;
	struct tl_staged st[3];
	free(th_sh(d, "git init -q ."));
	three_files(d);
	th_write(d, "b/c.yaml", "c, changed\n");
	th_write(d, "e/f.yaml", "f\n");
	free(th_sh(d, "rm d.yaml"));
	st[0] = put(d, "b/c.yaml");
	st[1] = removal("d.yaml");
	st[2] = put(d, "e/f.yaml");
	cr_assert_eq(update(d, st, 3, &err), 0, "%s", err.msg);
	git_accepts(d);
	expect(d, "git status --porcelain",
		"M  b/c.yaml\nD  d.yaml\nA  e/f.yaml\n");
	/* the same entries as git's own add makes */
	expect(d,
		"git ls-files -s > .git/ours && git read-tree HEAD && "
		"git add -A && git ls-files -s | diff - .git/ours && echo same",
		"same\n");
	th_rmrf(d);
}

Test(index, an_index_is_made_where_there_is_none)
{
	char *d = th_tmpdir();
	struct tl_err err = TL_ERR_INIT;
	struct tl_staged st[2];
	free(th_sh(d, "git init -q ."));
	th_write(d, "x/one.yaml", "1\n");
	th_write(d, "x/two.yaml", "2\n");
	st[0] = put(d, "x/one.yaml");
	st[1] = put(d, "x/two.yaml");
	cr_assert_eq(update(d, st, 2, &err), 0, "%s", err.msg);
	git_accepts(d);
	expect(d, "git status --porcelain", "A  x/one.yaml\nA  x/two.yaml\n");
	expect(d, "head -c 8 .git/index | od -An -tx1 | tr -d ' \\n'",
		"4449524300000002");
	th_rmrf(d);
}

Test(index, version_4_stays_version_4_with_its_paths_compressed)
{
	char *d = th_tmpdir();
	struct tl_err err = TL_ERR_INIT;
	struct tl_staged st[3];
	free(th_sh(d, "git init -q ."));
	for (int i = 0; i < 40; i++) {
		char *p = tl_format("deep/folder/name/file-%02d.yaml", i);
		th_write(d, p, "x\n");
		free(p);
	}
	three_files(d);
	free(th_sh(d, "git update-index --index-version 4"));
	th_write(d, "b/c.yaml", "c4\n");
	th_write(d, "deep/folder/name/file-20b.yaml", "new\n");
	st[0] = put(d, "b/c.yaml");
	st[1] = removal("deep/folder/name/file-07.yaml");
	st[2] = put(d, "deep/folder/name/file-20b.yaml");
	free(th_sh(d, "rm deep/folder/name/file-07.yaml"));
	cr_assert_eq(update(d, st, 3, &err), 0, "%s", err.msg);
	expect(d, "head -c 8 .git/index | od -An -tx1 | tr -d ' \\n'",
		"4449524300000004");
	git_accepts(d);
	expect(d, "git status --porcelain",
		"M  b/c.yaml\nD  deep/folder/name/file-07.yaml\n"
		"A  deep/folder/name/file-20b.yaml\n");
	expect(d, "git ls-files | wc -l", "43\n");
	th_rmrf(d);
}

Test(index, intent_to_add_entries_keep_their_extended_flags)
{
	char *d = th_tmpdir();
	struct tl_err err = TL_ERR_INIT;
	struct tl_staged st[1];
	free(th_sh(d, "git init -q ."));
	three_files(d);
	th_write(d, "later.yaml", "later\n");
	free(th_sh(d, "git add -N later.yaml"));
	expect(d, "head -c 8 .git/index | od -An -tx1 | tr -d ' \\n'",
		"4449524300000003");
	th_write(d, "a.yaml", "a3\n");
	st[0] = put(d, "a.yaml");
	cr_assert_eq(update(d, st, 1, &err), 0, "%s", err.msg);
	expect(d, "head -c 8 .git/index | od -An -tx1 | tr -d ' \\n'",
		"4449524300000003");
	free(th_sh(d, "git fsck --no-dangling 2>&1"));
	expect(d, "git status --porcelain", "M  a.yaml\n A later.yaml\n");
	th_rmrf(d);
}

Test(index, a_put_resolves_its_conflict_and_leaves_the_others)
{
	char *d = th_tmpdir();
	struct tl_err err = TL_ERR_INIT;
	struct tl_staged st[1];
	free(th_sh(d, "git init -q ."));
	three_files(d);
	free(th_sh(d,
		"git checkout -qb side && echo side > a.yaml && "
		"echo side > d.yaml && git commit -qam side && "
		"git checkout -q main && echo main > a.yaml && "
		"echo main > d.yaml && git commit -qam main && "
		"(git merge -q side >/dev/null 2>&1 || true)"));
	expect(d, "git ls-files -u | cut -f2 | uniq", "a.yaml\nd.yaml\n");
	th_write(d, "a.yaml", "resolved\n");
	st[0] = put(d, "a.yaml");
	cr_assert_eq(update(d, st, 1, &err), 0, "%s", err.msg);
	free(th_sh(d, "git fsck --no-dangling 2>&1"));
	expect(d, "git ls-files -u | cut -f2 | uniq", "d.yaml\n");
	expect(d, "git ls-files -s a.yaml | cut -d' ' -f3 | cut -f1", "0\n");
	th_rmrf(d);
}

Test(index, a_racily_clean_entry_whose_file_changed_is_smudged)
{
	char *d = th_tmpdir();
	struct tl_err err = TL_ERR_INIT;
	struct tl_staged st[1];
	free(th_sh(d, "git init -q ."));
	three_files(d);
	/* r.yaml recorded in the second the index was written, then
	 * rewritten with as many bytes and the same mtime: only the
	 * content tells */
	th_write(d, "r.yaml", "aaa\n");
	free(th_sh(d,
		"touch -d @1700000000 r.yaml && git add r.yaml && "
		"touch -d @1700000000 .git/index && sleep 0.01 && "
		"printf 'bbb\\n' > r.yaml && touch -d @1700000000 r.yaml"));
	th_write(d, "a.yaml", "a2\n");
	st[0] = put(d, "a.yaml");
	cr_assert_eq(update(d, st, 1, &err), 0, "%s", err.msg);
	expect(d, "git ls-files --debug r.yaml | grep -o 'size: [0-9]*'",
		"size: 0\n");
	/* entries not racy keep their size */
	expect(d, "git ls-files --debug b/c.yaml | grep -o 'size: [0-9]*'",
		"size: 2\n");
	/* without ctime, stat data alone would call r.yaml unchanged */
	expect(d, "git -c core.trustctime=false diff-files --name-only",
		"r.yaml\n");
	th_rmrf(d);
}

Test(index, a_split_index_is_left_to_libgit2)
{
	char *d = th_tmpdir();
	struct tl_err err = TL_ERR_INIT;
	struct tl_staged st[1];
	free(th_sh(d, "git init -q ."));
	three_files(d);
	free(th_sh(d, "git update-index --split-index"));
	th_write(d, "a.yaml", "a2\n");
	st[0] = put(d, "a.yaml");
	cr_assert_eq(update(d, st, 1, &err), TL_INDEX_UNSUPPORTED);
	expect(d, "ls .git/tally-index.test 2>/dev/null | wc -l", "0\n");
	th_rmrf(d);
}

Test(index, a_damaged_index_is_an_error_with_its_place)
{
	char *d = th_tmpdir();
	struct tl_err err = TL_ERR_INIT;
	struct tl_staged st[1];
	free(th_sh(d, "git init -q ."));
	three_files(d);
	/* cut inside the second entry (the header, then 72 bytes each) */
	free(th_sh(d,
		"head -c 120 .git/index > cut && head -c 20 /dev/zero "
		">> cut && mv cut .git/index"));
	th_write(d, "a.yaml", "a2\n");
	st[0] = put(d, "a.yaml");
	cr_assert_eq(update(d, st, 1, &err), TL_EINVALID);
	cr_assert(strstr(err.msg, ".git/index: damaged at byte 84: "), "%s",
		err.msg);
	expect(d, "ls .git/tally-index.test 2>/dev/null | wc -l", "0\n");
	tl_err_clear(&err);
	free(th_sh(d,
		"printf 'this is not an index, not at all, not at all' > .git/index"));
	cr_assert_eq(update(d, st, 1, &err), TL_EINVALID);
	cr_assert(strstr(err.msg, "not an index"), "%s", err.msg);
	tl_err_clear(&err);
	th_rmrf(d);
}

Test(index, many_puts_and_removes_interleaved_with_old_entries)
{
	char *d = th_tmpdir();
	struct tl_err err = TL_ERR_INIT;
	struct tl_staged st[100];
	char *paths[100];
	size_t n = 0;
	free(th_sh(d,
		"git init -q . && mkdir -p f && "
		"for i in $(seq 100 299); do echo $i > f/$i.yaml; done && "
		"git add -A && git commit -qm many"));
	/* every third old file changed, every seventh removed, and new
	 * ones in between */
	for (int i = 100; i < 300 && n < 100; i++) {
		paths[n] = tl_format("f/%d%s.yaml", i, i % 5 ? "" : "n");
		if (i % 5 == 0) {
			th_write(d, paths[n], "new\n");
			st[n] = put(d, paths[n]);
		} else if (i % 7 == 0) {
			free(th_sh(d, "rm %s", paths[n]));
			st[n] = removal(paths[n]);
		} else if (i % 3 == 0) {
			th_write(d, paths[n], "changed\n");
			st[n] = put(d, paths[n]);
		} else {
			free(paths[n]);
			continue;
		}
		n++;
	}
	cr_assert_eq(update(d, st, n, &err), 0, "%s", err.msg);
	git_accepts(d);
	expect(d,
		"git ls-files -s > .git/ours && git read-tree HEAD && "
		"git add -A && git ls-files -s | diff - .git/ours && echo same",
		"same\n");
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	th_rmrf(d);
}

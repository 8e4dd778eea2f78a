/* The bulk work-tree writer: new folders appear whole, files in old ones
 * are replaced by rename, the index's stat data matches the file. */
#include "core/wtree.h"
#include "helpers.h"

#include <sys/stat.h>

static void put(struct tl_wtree *w, const char *rel, const char *data,
	struct tl_wstat *st)
{
	struct tl_err err = TL_ERR_INIT;
	cr_assert_eq(tl_wtree_put(w, rel, data, strlen(data), st, &err), 0,
		"%s: %s", rel, err.msg);
}

static char *slurp(const char *dir, const char *rel)
{
	return th_sh(dir, "cat '%s'", rel);
}

Test(wtree, a_new_folder_appears_only_when_its_last_file_is_written)
{
	char *d = th_tmpdir();
	struct tl_wtree *w = NULL;
	struct tl_err err = TL_ERR_INIT;
	char *ls, *got;

	th_write(d, "qa/old.yaml", "old\n");
	cr_assert_eq(tl_wtree_open(&w, d, &err), 0);
	put(w, "qa/new/a.yaml", "a\n", NULL);
	put(w, "qa/new/sub/b.yaml", "b\n", NULL);
	ls = th_sh(d, "ls -A qa | sed 's/tally-.*/tally-X/'");
	cr_assert_str_eq(ls, ".new.tally-X\nold.yaml\n",
		"the folder shows before it is whole");
	free(ls);
	/* a path past the folder closes it */
	put(w, "qa/old.yaml", "new\n", NULL);
	ls = th_sh(d, "find qa | sort");
	cr_assert_str_eq(ls,
		"qa\nqa/new\nqa/new/a.yaml\nqa/new/sub\nqa/new/sub/b.yaml\n"
		"qa/old.yaml\n");
	free(ls);
	cr_assert_eq(tl_wtree_finish(w, &err), 0, "%s", err.msg);
	tl_wtree_free(w);
	got = slurp(d, "qa/new/sub/b.yaml");
	cr_assert_str_eq(got, "b\n");
	free(got);
	got = slurp(d, "qa/old.yaml");
	cr_assert_str_eq(got, "new\n");
	free(got);
	ls = th_sh(d, "find . -name '.*tally*' | wc -l");
	cr_assert_str_eq(ls, "0\n", "a temporary name was left behind");
	free(ls);
	th_rmrf(d);
}

Test(wtree, finish_moves_the_last_new_folder_into_place)
{
	char *d = th_tmpdir();
	struct tl_wtree *w = NULL;
	struct tl_err err = TL_ERR_INIT;
	char *ls;

	cr_assert_eq(tl_wtree_open(&w, d, &err), 0);
	put(w, "runs/r1/results/s/t.yaml", "t\n", NULL);
	put(w, "runs/r1/run.yaml", "r\n", NULL);
	ls = th_sh(d, "ls -A | sed 's/tally-.*/tally-X/'");
	cr_assert_str_eq(
		ls, ".runs.tally-X\n", "runs/ shows before it is whole");
	free(ls);
	cr_assert_eq(tl_wtree_finish(w, &err), 0, "%s", err.msg);
	tl_wtree_free(w);
	ls = th_sh(d, "ls -A; cat runs/r1/run.yaml runs/r1/results/s/t.yaml");
	cr_assert_str_eq(ls, "runs\nr\nt\n");
	free(ls);
	th_rmrf(d);
}

Test(wtree, giving_up_leaves_no_half_built_folder)
{
	char *d = th_tmpdir();
	struct tl_wtree *w = NULL;
	struct tl_err err = TL_ERR_INIT;
	char *ls;

	th_write(d, "qa/keep.yaml", "k\n");
	cr_assert_eq(tl_wtree_open(&w, d, &err), 0);
	put(w, "qa/new/a.yaml", "a\n", NULL);
	put(w, "qa/new/deep/b.yaml", "b\n", NULL);
	tl_wtree_free(w); /* no finish: the caller gave up */
	ls = th_sh(d, "ls -A qa");
	cr_assert_str_eq(ls, "keep.yaml\n");
	free(ls);
	th_rmrf(d);
}

Test(wtree, a_folder_made_by_someone_else_meanwhile_is_an_error)
{
	char *d = th_tmpdir();
	struct tl_wtree *w = NULL;
	struct tl_err err = TL_ERR_INIT;
	char *ls;

	cr_assert_eq(tl_wtree_open(&w, d, &err), 0);
	put(w, "qa/new/a.yaml", "ours\n", NULL);
	th_write(d, "qa/new/other.yaml", "theirs\n");
	cr_assert_neq(tl_wtree_finish(w, &err), 0);
	cr_assert_not_null(strstr(err.msg, "appeared while tally was writing"),
		"%s", err.msg);
	tl_wtree_free(w);
	ls = th_sh(d, "ls -A qa qa/new");
	cr_assert_str_eq(ls, "qa:\nnew\n\nqa/new:\nother.yaml\n",
		"their folder must be untouched and ours gone");
	free(ls);
	tl_err_clear(&err);
	th_rmrf(d);
}

Test(wtree, stat_data_is_the_files_own_after_the_rename)
{
	char *d = th_tmpdir();
	struct tl_wtree *w = NULL;
	struct tl_err err = TL_ERR_INIT;
	struct tl_wstat a, b;
	struct stat sa, sb;
	char *pa = tl_format("%s/qa/a.yaml", d);
	char *pb = tl_format("%s/qa/n/b.yaml", d);

	th_write(d, "qa/a.yaml", "old\n");
	cr_assert_eq(tl_wtree_open(&w, d, &err), 0);
	put(w, "qa/a.yaml", "replaced\n", &a);
	put(w, "qa/n/b.yaml", "in a new folder\n", &b);
	cr_assert_eq(tl_wtree_finish(w, &err), 0, "%s", err.msg);
	tl_wtree_free(w);
	cr_assert_eq(lstat(pa, &sa), 0);
	cr_assert_eq(lstat(pb, &sb), 0);
	cr_assert(a.has && b.has);
	cr_assert_eq(a.ino, (uint32_t)sa.st_ino);
	cr_assert_eq(a.size, 9);
	cr_assert_eq(a.ctime_s, (int64_t)sa.st_ctim.tv_sec);
	cr_assert_eq(a.ctime_ns, (uint32_t)sa.st_ctim.tv_nsec,
		"ctime read before the rename");
	cr_assert_eq(a.mtime_ns, (uint32_t)sa.st_mtim.tv_nsec);
	cr_assert_eq(b.ino, (uint32_t)sb.st_ino);
	cr_assert_eq(b.size, 16);
	cr_assert_eq(b.ctime_ns, (uint32_t)sb.st_ctim.tv_nsec,
		"moving the folder changed its files' ctime");
	free(pa);
	free(pb);
	th_rmrf(d);
}

Test(wtree, modes_follow_the_umask)
{
	char *d = th_tmpdir();
	struct tl_wtree *w = NULL;
	struct tl_err err = TL_ERR_INIT;
	char *modes;
	mode_t old = umask(027);

	th_write(d, "qa/x.yaml", "x\n");
	cr_assert_eq(tl_wtree_open(&w, d, &err), 0);
	put(w, "qa/n/f.yaml", "f\n", NULL);
	put(w, "qa/x.yaml", "y\n", NULL);
	cr_assert_eq(tl_wtree_finish(w, &err), 0, "%s", err.msg);
	tl_wtree_free(w);
	umask(old);
	modes = th_sh(d, "stat -c '%%a %%n' qa/n qa/n/f.yaml qa/x.yaml");
	cr_assert_str_eq(modes, "750 qa/n\n640 qa/n/f.yaml\n640 qa/x.yaml\n");
	free(modes);
	th_rmrf(d);
}

Test(wtree, remove_takes_emptied_folders_and_ignores_new_ones)
{
	char *d = th_tmpdir();
	struct tl_wtree *w = NULL;
	struct tl_err err = TL_ERR_INIT;
	char *ls;

	th_write(d, "qa/gone/only.yaml", "x\n");
	th_write(d, "qa/stay.yaml", "s\n");
	cr_assert_eq(tl_wtree_open(&w, d, &err), 0);
	cr_assert_eq(tl_wtree_remove(w, "qa/gone/only.yaml", &err), 0);
	put(w, "qa/n/a.yaml", "a\n", NULL);
	cr_assert_eq(tl_wtree_remove(w, "qa/n/never.yaml", &err), 0);
	cr_assert_eq(tl_wtree_finish(w, &err), 0, "%s", err.msg);
	tl_wtree_free(w);
	ls = th_sh(d, "ls -A qa");
	cr_assert_str_eq(ls, "n\nstay.yaml\n");
	free(ls);
	th_rmrf(d);
}

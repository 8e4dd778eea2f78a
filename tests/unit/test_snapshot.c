/* Snapshots: the tracker's files as of a revision, read from git's
 * objects, listed and walked by the same rules as the work tree. */
#include "helpers.h"

#include "core/snapshot.h"

static char *dir;
static struct tl_repo *repo;

static void setup(void)
{
	struct tl_err err = TL_ERR_INIT;
	dir = th_tmpdir();
	free(th_sh(dir,
		"git init -q . && mkdir -p qa/a qa/a-b qa/.hidden && "
		"echo one > qa/a/x.yaml && echo b > qa/a-b/y.yaml && "
		"echo h > qa/.hidden/z && echo top > qa/tally.yaml && "
		"echo t > qa/a.yaml && ln -s /etc/passwd qa/link.yaml && "
		"git add . && GIT_COMMITTER_DATE=@1000000000 git commit -qm one && "
		"echo two > qa/a/x.yaml && git rm -q qa/a-b/y.yaml && "
		"git commit -qam two"));
	cr_assert_eq(tl_repo_open(&repo, dir, &err), 0);
}

static void teardown(void)
{
	tl_repo_free(repo);
	th_rmrf(dir);
}

TestSuite(snapshot, .init = setup, .fini = teardown);

static struct tl_snapshot *open_at(const char *rev)
{
	struct tl_snapshot *s;
	struct tl_err err = TL_ERR_INIT;
	cr_assert_eq(
		tl_snapshot_open(&s, repo, rev, "qa/", &err), 0, "%s", err.msg);
	return s;
}

static char *read_at(struct tl_snapshot *s, const char *path)
{
	struct tl_buf b = TL_BUF_INIT;
	struct tl_err err = TL_ERR_INIT;
	cr_assert_eq(
		tl_snapshot_read(s, path, path, 0, &b, &err), 0, "%s", err.msg);
	return tl_buf_detach(&b);
}

Test(snapshot, reads_each_revision_s_own_bytes)
{
	struct tl_snapshot *old = open_at("HEAD~1"), *now = open_at("HEAD");
	char *a = read_at(old, "a/x.yaml"), *b = read_at(now, "a/x.yaml");
	cr_assert_str_eq(a, "one\n");
	cr_assert_str_eq(b, "two\n");
	cr_assert_eq(tl_snapshot_time(old), 1000000000);
	cr_assert_eq(strlen(tl_snapshot_commit(old)), 40);
	cr_assert_eq(tl_snapshot_kind(old, "a-b/y.yaml"), TL_SNAP_FILE);
	cr_assert_eq(tl_snapshot_kind(now, "a-b/y.yaml"), TL_SNAP_NONE);
	cr_assert_eq(tl_snapshot_kind(now, "a"), TL_SNAP_DIR);
	cr_assert_eq(tl_snapshot_kind(now, ""), TL_SNAP_DIR);
	free(a);
	free(b);
	tl_snapshot_free(old);
	tl_snapshot_free(now);
}

Test(snapshot, missing_files_links_and_folders_are_errors_not_reads)
{
	struct tl_snapshot *s = open_at("HEAD");
	struct tl_buf b = TL_BUF_INIT;
	struct tl_err err = TL_ERR_INIT;
	cr_assert_eq(
		tl_snapshot_read(s, "a-b/y.yaml", "qa/a-b/y.yaml", 0, &b, &err),
		TL_ENOTFOUND);
	cr_assert(
		strstr(err.msg, "qa/a-b/y.yaml: no such file"), "%s", err.msg);
	cr_assert_eq(
		tl_snapshot_read(s, "link.yaml", "qa/link.yaml", 0, &b, &err),
		TL_EINVALID);
	cr_assert(strstr(err.msg, "symbolic link"), "%s", err.msg);
	cr_assert_eq(tl_snapshot_kind(s, "link.yaml"), TL_SNAP_NONE);
	cr_assert_eq(
		tl_snapshot_read(s, "a", "qa/a", 0, &b, &err), TL_EINVALID);
	cr_assert_eq(tl_snapshot_read(s, "a/x.yaml", "x", 2, &b, &err),
		TL_EINVALID, "the cap is honoured");
	cr_assert_eq(b.len, 0, "nothing read on an error");
	tl_err_clear(&err);
	tl_buf_release(&b);
	tl_snapshot_free(s);
}

Test(snapshot, lists_in_byte_order_without_dot_entries_or_links)
{
	struct tl_snapshot *s = open_at("HEAD~1");
	struct tl_err err = TL_ERR_INIT;
	char **names;
	size_t n;
	/* git's tree order puts "a-b" before the folder "a" ("a/" > "a-") */
	cr_assert_eq(tl_snapshot_list(s, "", 1, &names, &n, &err), 0);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(names[0], "a");
	cr_assert_str_eq(names[1], "a-b");
	tl_fs_list_free(names, n);
	cr_assert_eq(tl_snapshot_list(s, "", 0, &names, &n, &err), 0);
	cr_assert_eq(n, 2, "files only, the link left out");
	cr_assert_str_eq(names[0], "a.yaml");
	cr_assert_str_eq(names[1], "tally.yaml");
	tl_fs_list_free(names, n);
	cr_assert_eq(
		tl_snapshot_list(s, "nope", 1, &names, &n, &err), TL_ENOTFOUND);
	tl_err_clear(&err);
	tl_snapshot_free(s);
}

static int collect(const char *rel, void *ctx, struct tl_err *err)
{
	(void)err;
	tl_buf_printf(ctx, "%s;", rel);
	return 0;
}

Test(snapshot, walks_files_depth_first_like_the_work_tree)
{
	struct tl_snapshot *s = open_at("HEAD~1");
	struct tl_buf b = TL_BUF_INIT;
	struct tl_err err = TL_ERR_INIT;
	cr_assert_eq(tl_snapshot_walk(s, "", collect, &b, &err), 0);
	cr_assert_str_eq(b.ptr, "a/x.yaml;a-b/y.yaml;a.yaml;tally.yaml;");
	tl_buf_reset(&b);
	cr_assert_eq(tl_snapshot_walk(s, "gone", collect, &b, &err), 0,
		"a missing folder walks as empty");
	cr_assert_eq(b.len, 0);
	tl_buf_release(&b);
	tl_snapshot_free(s);
}

Test(snapshot, a_revision_without_the_tracker_is_refused)
{
	struct tl_snapshot *s;
	struct tl_err err = TL_ERR_INIT;
	cr_assert_eq(tl_snapshot_open(&s, repo, "HEAD", "nope/", &err),
		TL_ENOTFOUND);
	cr_assert(strstr(err.msg, "nope is not a folder"), "%s", err.msg);
	cr_assert_eq(tl_snapshot_open(&s, repo, "no-such-rev", "qa/", &err),
		TL_ENOTFOUND);
	cr_assert_null(s);
	tl_err_clear(&err);
}

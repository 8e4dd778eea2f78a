/* The history walk, against repositories that git itself builds. */
#include "helpers.h"

#include "core/walk.h"

static char *dir;
static struct tl_repo *repo;

static void setup(void)
{
	dir = th_repo(&repo);
}

static void teardown(void)
{
	tl_repo_free(repo);
	th_rmrf(dir);
}

TestSuite(walk, .init = setup, .fini = teardown);

static int collect(
	const struct tl_blob_change *c, void *ctx, struct tl_err *err)
{
	(void)err;
	tl_buf_printf(ctx, "%s=%.*s;", c->path, c->data ? (int)c->len - 1 : 3,
		c->data ? c->data : "DEL");
	return 0;
}

static char *walk(const char *prefix)
{
	struct tl_buf b = TL_BUF_INIT;
	struct tl_err err = TL_ERR_INIT;
	cr_assert_eq(
		tl_walk_changes(repo, NULL, prefix, NULL, collect, &b, &err), 0,
		"%s", err.msg);
	return tl_buf_detach(&b);
}

Test(walk, changes_come_oldest_first_with_deletions)
{
	char *out;
	free(th_sh(dir,
		"mkdir -p qa/r/a other && echo 1 > qa/r/a/x && echo o > other/f && "
		"git add . && GIT_AUTHOR_DATE=@1000000000 git commit -qm one && "
		"echo 2 > qa/r/a/x && echo 1 > qa/r/y && echo o2 > other/f && "
		"git add . && GIT_AUTHOR_DATE=@1000000100 git commit -qm two && "
		"git rm -q qa/r/y && git commit -qm three && "
		"echo o3 > other/f && git commit -qam four"));
	out = walk("qa/r");
	cr_assert_str_eq(out, "a/x=1;a/x=2;y=1;y=DEL;");
	free(out);
}

Test(walk, only_the_first_parent_chain_counts)
{
	char *out;
	free(th_sh(dir,
		"mkdir -p qa && echo base > qa/f && git add . && git commit -qm base && "
		"git checkout -qb side && echo side > qa/s && git add . && git commit -qm side && "
		"git checkout -q main && echo main > qa/m && git add . && git commit -qm main && "
		"git merge -q --no-edit side"));
	out = walk("qa");
	/* the merge brings qa/s in as one change against the first parent */
	cr_assert_str_eq(out, "f=base;m=main;s=side;");
	free(out);
}

Test(walk, an_unborn_branch_or_missing_prefix_has_no_changes)
{
	char *out = walk("qa");
	cr_assert_str_eq(out, "");
	free(out);
	free(th_sh(dir, "echo x > f && git add f && git commit -qm x"));
	out = walk("qa/none");
	cr_assert_str_eq(out, "");
	free(out);
}

static int skip_a(const char *path, int is_folder, void *ctx)
{
	(void)ctx;
	(void)is_folder;
	return strcmp(path, "a") != 0;
}

Test(walk, refused_paths_are_neither_descended_nor_read)
{
	struct tl_buf b = TL_BUF_INIT;
	struct tl_err err = TL_ERR_INIT;
	free(th_sh(dir,
		"mkdir -p qa/a && echo 1 > qa/a/x && echo 1 > qa/y && "
		"git add . && git commit -qm one"));
	cr_assert_eq(
		tl_walk_changes(repo, NULL, "qa", skip_a, collect, &b, &err),
		0);
	cr_assert_str_eq(b.ptr, "y=1;");
	tl_buf_release(&b);
}

/* tl_walk_back: each change with the blob before it; fn's stop ends the
 * walk where it is. */
struct back {
	struct tl_buf out;
	int stop_at; /* the call that stops (1-based); 0: none */
	int calls;
};

static int collect_back(
	const struct tl_blob_change *c, void *ctx, struct tl_err *err)
{
	struct back *b = ctx;
	(void)err;
	if (++b->calls == b->stop_at)
		return TL_WALK_STOP;
	tl_buf_printf(&b->out, "%s:%.*s>%.*s;", c->path,
		c->old_data ? (int)c->old_len - 1 : 1,
		c->old_data ? c->old_data : "-", c->data ? (int)c->len - 1 : 1,
		c->data ? c->data : "-");
	return 0;
}

Test(walk, back_walks_newest_first_with_both_sides_and_stops)
{
	struct back b = { TL_BUF_INIT, 0, 0 };
	struct tl_err err = TL_ERR_INIT;
	free(th_sh(dir,
		"mkdir -p qa/r other && echo 1 > qa/r/x && git add . && "
		"git commit -qm one && echo 2 > qa/r/x && echo a > qa/r/y && "
		"git add . && git commit -qm two && echo o > other/f && "
		"git add . && git commit -qm other && git rm -q qa/r/y && "
		"git commit -qm three"));
	cr_assert_eq(
		tl_walk_back(repo, NULL, "qa/r", NULL, collect_back, &b, &err),
		0, "%s", err.msg);
	cr_assert_str_eq(b.out.ptr, "y:a>-;x:1>2;y:->a;x:->1;");
	tl_buf_reset(&b.out);
	b.calls = 0;
	b.stop_at = 3; /* inside a commit, its second change */
	cr_assert_eq(
		tl_walk_back(repo, NULL, "qa/r", NULL, collect_back, &b, &err),
		0, "%s", err.msg);
	cr_assert_str_eq(b.out.ptr, "y:a>-;x:1>2;");
	cr_assert_eq(b.calls, 3, "the walk went on after the stop");
	tl_buf_release(&b.out);
}

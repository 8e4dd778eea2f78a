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

/* The pipeline (walkpipe.h): a batched walk reads and parses on reader
 * threads, yet fn sees what an unbatched walk sees, in the same order. */
static void upper(
	const char *path, const char *data, size_t len, struct tl_buf *out)
{
	tl_buf_printf(out, "%s:", path);
	for (size_t i = 0; i < len; i++)
		tl_buf_putc(out,
			data[i] >= 'a' && data[i] <= 'z' ? data[i] - 32
							 : data[i]);
}

struct piped {
	struct tl_buf out;
	int calls, fail_at;
};

static int collect_rec(
	const struct tl_blob_change *c, void *ctx, struct tl_err *err)
{
	struct piped *p = ctx;
	if (++p->calls == p->fail_at)
		return tl_err_set(err, TL_EINVALID, "stopped at %d", p->calls);
	cr_assert_null(c->data, "a batched walk hands records, not bytes");
	tl_buf_printf(&p->out, "%s@%.7s=%.*s;", c->path, c->commit,
		c->rec ? (int)c->rec_len : 3, c->rec ? c->rec : "DEL");
	return 0;
}

static int collect_upper(
	const struct tl_blob_change *c, void *ctx, struct tl_err *err)
{
	struct tl_buf one = TL_BUF_INIT;
	(void)err;
	if (c->data)
		upper(c->path, c->data, c->len, &one);
	tl_buf_printf(ctx, "%s@%.7s=%s;", c->path, c->commit,
		c->data ? one.ptr : "DEL");
	tl_buf_release(&one);
	return 0;
}

static int piped_walk(
	const char *batch, int apart, struct piped *p, struct tl_err *err)
{
	struct tl_walk_opts o;
	memset(&o, 0, sizeof(o));
	o.parse = upper;
	o.apart = apart;
	setenv("TALLY_TEST_BATCH", batch, 1);
	p->out = (struct tl_buf)TL_BUF_INIT;
	p->calls = 0;
	int rc = tl_walk_changes_opts(
		repo, NULL, "qa", NULL, collect_rec, p, &o, err);
	unsetenv("TALLY_TEST_BATCH");
	return rc;
}

/* 40 commits of one to three changes each, deletions among them. */
static void many_commits(void)
{
	free(th_sh(dir,
		"mkdir -p qa/r other && for i in $(seq 1 40); do "
		"echo v$i > qa/r/f$((i %% 7)); "
		"[ $((i %% 3)) = 0 ] && echo w$i > qa/r/g$((i %% 5)); "
		"[ $((i %% 11)) = 0 ] && rm -f qa/r/g1; "
		"echo o$i > other/x; git add -A . && git commit -qm c$i; done"));
}

Test(walk, batched_walks_hand_every_change_in_walk_order_whatever_the_batch)
{
	struct tl_buf want = TL_BUF_INIT;
	struct tl_err err = TL_ERR_INIT;
	const char *sizes[] = { "1", "3", "7", "4096" };
	many_commits();
	cr_assert_eq(tl_walk_changes(repo, NULL, "qa", NULL, collect_upper,
			     &want, &err),
		0, "%s", err.msg);
	cr_assert(strstr(want.ptr, "=DEL;"), "the repository has deletions");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++)
		for (int apart = 0; apart < 2; apart++) {
			struct piped p;
			cr_assert_eq(piped_walk(sizes[i], apart, &p, &err), 0,
				"%s", err.msg);
			cr_assert_str_eq(p.out.ptr, want.ptr,
				"batches of %s, apart %d", sizes[i], apart);
			tl_buf_release(&p.out);
		}
	tl_buf_release(&want);
}

Test(walk, an_error_of_fn_ends_a_batched_walk_and_is_its_error)
{
	struct tl_err err = TL_ERR_INIT;
	many_commits();
	for (int apart = 0; apart < 2; apart++) {
		struct piped p;
		p.fail_at = 9;
		cr_assert_eq(piped_walk("2", apart, &p, &err), TL_EINVALID);
		cr_assert_str_eq(err.msg, "stopped at 9");
		cr_assert_eq(p.calls, 9, "fn was called after its error");
		tl_buf_release(&p.out);
		tl_err_clear(&err);
	}
}

Test(walk, a_blob_missing_from_the_objects_fails_a_batched_walk_with_its_id)
{
	struct tl_err err = TL_ERR_INIT;
	char *id;
	many_commits();
	/* a blob of the 20th commit's, its loose object deleted */
	id = th_sh(dir, "git rev-parse HEAD~20:qa/r/f6 | tr -d '\\n'");
	free(th_sh(dir, "rm -f .git/objects/%.2s/%s", id, id + 2));
	for (int apart = 0; apart < 2; apart++) {
		struct piped p;
		p.fail_at = 0;
		cr_assert_eq(piped_walk("3", apart, &p, &err), TL_ENOTFOUND,
			"%s", err.msg ? err.msg : "no error");
		cr_assert(strstr(err.msg, "reading a blob"), "%s", err.msg);
		cr_assert(strstr(err.msg, id), "%s", err.msg);
		tl_buf_release(&p.out);
		tl_err_clear(&err);
	}
	free(id);
}

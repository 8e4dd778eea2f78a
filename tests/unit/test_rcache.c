/* The results index (core/rcache.c): records written and read back, a
 * run trusted only while every stat is as recorded and old enough, and a
 * damaged file read as an empty index. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fs.h"
#include "core/rcache.h"

static char dir[] = "/tmp/tally-rcache-XXXXXX";
static char *idx, *res;

static void write_file(const char *rel, const char *text)
{
	char *p = tl_format("%s/%s", res, rel);
	FILE *f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static void setup(void)
{
	char *sub;
	cr_assert_not_null(mkdtemp(dir));
	idx = tl_format("%s/results.index", dir);
	res = tl_format("%s/results", dir);
	sub = tl_format("%s/sub", res);
	cr_assert_eq(mkdir(res, 0755), 0);
	cr_assert_eq(mkdir(sub, 0755), 0);
	free(sub);
	write_file("a.yaml", "status: passed\n");
	write_file("sub/b.yaml", "status: failed\n");
}

static void teardown(void)
{
	char *cmd = tl_format("rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	free(idx);
	free(res);
}

/* A record of the results folder as it is now: "", a.yaml, sub,
 * sub/b.yaml. With bump, one entry's stat is recorded off by one in
 * field k (0 inode, 1 size, 2 mtime, 3 ctime). */
static void make(
	struct tl_rc_new *n, const char *key, uint64_t sel, int bump, int k)
{
	static const char *const rels[] = { "", "a.yaml", "sub", "sub/b.yaml" };
	struct tl_run_sum sum;
	memset(&sum, 0, sizeof(sum));
	sum.counts.n[TL_PASSED] = 1;
	sum.counts.n[TL_FAILED] = 1;
	sum.counts.n[TL_NOT_EXECUTED] = 3;
	sum.counts.total = 5;
	/* two results that link defects: one with no status, one with two */
	sum.nlinks = 2;
	sum.links = calloc(2, sizeof(*sum.links));
	sum.links[0].casekey = strdup("auth/login");
	tl_strlist_push(&sum.links[0].defects, "BUG-1");
	sum.links[1].casekey = strdup("search");
	sum.links[1].status = strdup("failed");
	tl_strlist_push(&sum.links[1].defects, "BUG-2");
	tl_strlist_push(&sum.links[1].defects, "");
	tl_rc_new_begin(n, key, sel);
	for (size_t i = 0; i < 4; i++) {
		struct stat st;
		char *p = tl_format("%s/%s", res, rels[i]);
		cr_assert_eq(lstat(p, &st), 0);
		if (bump && i == 3) {
			if (k == 0)
				st.st_ino++;
			else if (k == 1)
				st.st_size++;
			else if (k == 2)
				st.st_mtim.tv_nsec ^= 1;
			else
				st.st_ctim.tv_nsec ^= 1;
		}
		tl_rc_new_add(n, rels[i], &st);
		free(p);
	}
	tl_rc_new_end(n, &sum);
	tl_run_sum_release(&sum);
}

static void save(struct tl_rc_new *v, size_t n)
{
	struct tl_rcache *c = tl_rcache_open_at(idx);
	struct tl_part *parts = calloc(n, sizeof(*parts));
	for (size_t i = 0; i < n; i++) {
		parts[i].data = v[i].b.ptr;
		parts[i].len = v[i].b.len;
	}
	tl_rcache_save(c, parts, n);
	free(parts);
	tl_rcache_free(c);
}

/* As if the stats had been taken and the file written long after the
 * files last changed (a test cannot age a ctime). */
static void age(struct tl_rcache *c)
{
	c->stamp = INT64_MAX / 2;
	for (size_t i = 0; i < c->n; i++)
		c->v[i].signed_at = INT64_MAX / 2;
}

TestSuite(rcache, .init = setup, .fini = teardown);

Test(rcache, records_round_trip_sorted_by_key)
{
	struct tl_rc_new v[2];
	struct tl_rcache *c;
	const struct tl_rc_rec *r;
	make(&v[0], "run-a", 7, 0, 0);
	make(&v[1], "run-b", 8, 0, 0);
	save(v, 2);
	c = tl_rcache_open_at(idx);
	cr_assert_eq(c->n, 2);
	r = tl_rcache_find(c, "run-b");
	cr_assert_not_null(r);
	cr_assert_str_eq(r->key, "run-b");
	cr_assert_eq(r->sel, 8);
	cr_assert_eq(r->nent, 4);
	cr_assert_eq(r->counts.n[TL_PASSED], 1);
	cr_assert_eq(r->counts.n[TL_FAILED], 1);
	cr_assert_eq(r->counts.n[TL_NOT_EXECUTED], 3);
	cr_assert_eq(r->counts.total, 5);
	{
		struct tl_run_sum got;
		memset(&got, 0, sizeof(got));
		tl_rc_rec_links(r, &got);
		cr_assert_eq(got.nlinks, 2);
		cr_assert_str_eq(got.links[0].casekey, "auth/login");
		cr_assert_null(got.links[0].status);
		cr_assert_eq(got.links[0].defects.n, 1);
		cr_assert_str_eq(got.links[0].defects.v[0], "BUG-1");
		cr_assert_str_eq(got.links[1].casekey, "search");
		cr_assert_str_eq(got.links[1].status, "failed");
		cr_assert_eq(got.links[1].defects.n, 2);
		cr_assert_str_eq(got.links[1].defects.v[0], "BUG-2");
		cr_assert_str_eq(got.links[1].defects.v[1], "");
		tl_run_sum_release(&got);
	}
	cr_assert_eq(r->len, v[1].b.len);
	cr_assert_eq(memcmp(r->start, v[1].b.ptr, r->len), 0);
	cr_assert_not_null(tl_rcache_find(c, "run-a"));
	cr_assert_null(tl_rcache_find(c, "run-c"));
	cr_assert_null(tl_rcache_find(c, "run"));
	tl_rcache_free(c);
	tl_rc_new_release(&v[0]);
	tl_rc_new_release(&v[1]);
}

/* The index of one record of the folder as it is now (bump, k: see
 * make), read back; aged unless young. */
static struct tl_rcache *recorded(int young, int bump, int k)
{
	struct tl_rc_new v;
	struct tl_rcache *c;
	make(&v, "run", 1, bump, k);
	save(&v, 1);
	tl_rc_new_release(&v);
	c = tl_rcache_open_at(idx);
	cr_assert_eq(c->n, 1);
	if (!young)
		age(c);
	return c;
}

Test(rcache, a_run_is_trusted_only_while_its_stats_hold)
{
	struct tl_rcache *c = recorded(1, 0, 0);
	/* just written: the files changed within two seconds of the stats */
	cr_assert_eq(tl_rcache_still(c, &c->v[0], res), 0);
	age(c);
	cr_assert_eq(tl_rcache_still(c, &c->v[0], res), 1);
	/* a file rewritten, a file added, a file removed */
	write_file("sub/b.yaml", "status: passed\n");
	cr_assert_eq(tl_rcache_still(c, &c->v[0], res), 0);
	tl_rcache_free(c);

	c = recorded(0, 0, 0);
	cr_assert_eq(tl_rcache_still(c, &c->v[0], res), 1);
	write_file("sub/c.yaml", "status: passed\n");
	cr_assert_eq(tl_rcache_still(c, &c->v[0], res), 0,
		"sub's mtime changed with the new file");
	tl_rcache_free(c);

	c = recorded(0, 0, 0);
	{
		char *p = tl_format("%s/a.yaml", res);
		cr_assert_eq(unlink(p), 0);
		free(p);
	}
	cr_assert_eq(tl_rcache_still(c, &c->v[0], res), 0);
	cr_assert_eq(tl_rcache_still(c, &c->v[0], "/nonexistent/x"), 0);
	tl_rcache_free(c);
}

/* Each field of the stat counts: a record off in any one of them is not
 * trusted, however old. */
Test(rcache, every_field_of_the_stat_is_compared)
{
	for (int k = 0; k < 4; k++) {
		struct tl_rcache *c = recorded(0, 1, k);
		cr_assert_eq(
			tl_rcache_still(c, &c->v[0], res), 0, "field %d", k);
		tl_rcache_free(c);
	}
}

/* A record whose stat failed (a file gone between listing and stat) is
 * marked bad, for its caller not to keep it. */
Test(rcache, a_failed_stat_marks_the_record_bad)
{
	struct tl_rc_new v;
	tl_rc_new_begin(&v, "run", 0);
	cr_assert_eq(v.bad, 0);
	tl_rc_new_add(&v, "gone.yaml", NULL);
	cr_assert_eq(v.bad, 1);
	tl_rc_new_release(&v);
}

static size_t file_size(const char *p)
{
	struct stat st;
	cr_assert_eq(stat(p, &st), 0);
	return (size_t)st.st_size;
}

/* Damage of any kind reads as an empty index, never as wrong records. */
Test(rcache, a_damaged_file_is_an_empty_index)
{
	struct tl_rc_new v[2];
	struct tl_buf good = TL_BUF_INIT;
	struct tl_err err = TL_ERR_INIT;
	size_t n;
	make(&v[0], "run-a", 1, 0, 0);
	make(&v[1], "run-b", 2, 0, 0);
	save(v, 2);
	cr_assert_eq(tl_fs_read(&good, idx, 0, &err), 0);
	n = file_size(idx);
	/* every single byte flipped, and every truncation at 8-byte steps */
	for (size_t i = 0; i < n; i++) {
		struct tl_rcache *c;
		good.ptr[i] ^= 0x40;
		cr_assert_eq(tl_fs_write_file(idx, good.ptr, n, 0, &err), 0);
		good.ptr[i] ^= 0x40;
		c = tl_rcache_open_at(idx);
		/* the header's pad is the only byte not checked */
		if (i < 12 || i >= 16)
			cr_assert_eq(c->n, 0, "byte %zu flipped", i);
		tl_rcache_free(c);
	}
	for (size_t len = 0; len < n; len += 8) {
		struct tl_rcache *c;
		cr_assert_eq(tl_fs_write_file(idx, good.ptr, len, 0, &err), 0);
		c = tl_rcache_open_at(idx);
		cr_assert_eq(c->n, 0, "cut at %zu", len);
		tl_rcache_free(c);
	}
	/* records out of key order */
	{
		struct tl_part parts[2] = { { v[1].b.ptr, v[1].b.len },
			{ v[0].b.ptr, v[0].b.len } };
		struct tl_rcache *c = tl_rcache_open_at(idx);
		tl_rcache_save(c, parts, 2);
		tl_rcache_free(c);
		c = tl_rcache_open_at(idx);
		cr_assert_eq(c->n, 0);
		tl_rcache_free(c);
	}
	/* none at all */
	unlink(idx);
	{
		struct tl_rcache *c = tl_rcache_open_at(idx);
		cr_assert_eq(c->n, 0);
		tl_rcache_free(c);
	}
	tl_buf_release(&good);
	tl_rc_new_release(&v[0]);
	tl_rc_new_release(&v[1]);
}

Test(rcache, the_selection_sum_follows_every_key)
{
	const char *a[] = { "x", "yz" }, *b[] = { "xy", "z" },
		   *c[] = { "yz", "x" };
	struct tl_strlist la = { (char **)a, 2 }, lb = { (char **)b, 2 },
			  lc = { (char **)c, 2 }, none = { NULL, 0 };
	cr_assert_neq(tl_rc_selection_sum(&la), tl_rc_selection_sum(&lb));
	cr_assert_neq(tl_rc_selection_sum(&la), tl_rc_selection_sum(&lc));
	cr_assert_neq(tl_rc_selection_sum(&la), tl_rc_selection_sum(&none));
	cr_assert_eq(tl_rc_selection_sum(&la), tl_rc_selection_sum(&la));
}

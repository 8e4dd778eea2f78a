/* The history snapshot (core/hsnap.c) and its read-ahead
 * (core/hsnap_ahead.c), on a real repository's .git/tally/. */
#include "helpers.h"

#include <sys/stat.h>

#include "core/hsnap.h"

#define HEAD_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define KEY 42u

/* A history of n events for case "c<i % 7>", whose durations start at
 * base: two snapshots made with different bases differ in every event. */
static void history_of(struct tl_history *h, size_t n, double base)
{
	memset(h, 0, sizeof(*h));
	h->v = calloc(n, sizeof(*h->v));
	h->n = n;
	for (size_t i = 0; i < n; i++) {
		char key[32], run[32];
		struct tl_event *e = &h->v[i];
		snprintf(key, sizeof(key), "c%zu", i % 7);
		snprintf(run, sizeof(run), "r%zu", i / 7);
		e->casekey = tl_strpool_intern(&h->pool, key);
		e->run = tl_strpool_intern(&h->pool, run);
		e->status = tl_strpool_intern(&h->pool, "passed");
		e->outcomes = tl_strpool_intern(&h->pool, i % 3 ? "P" : "FP");
		e->has_duration = 1;
		e->duration = base + (double)i;
		e->time = 1000 + (int64_t)i;
		e->seq = i;
	}
}

static void save(struct tl_repo *r, double base)
{
	struct tl_history h;
	struct tl_hsnap_run run = { "r0", "abc", NULL };
	history_of(&h, 2000, base);
	tl_hsnap_save(&h, &run, 1, r, "history-test", HEAD_A, KEY);
	tl_history_release(&h);
}

/* Loads the snapshot (with *ahead, when given) and checks it is the one
 * saved with base. */
static void expect_loaded(
	struct tl_repo *r, double base, struct tl_hsnap_ahead **ahead)
{
	struct tl_history h;
	struct tl_hsnap_run *runs = NULL;
	size_t nruns = 0;
	char commit[41];
	memset(&h, 0, sizeof(h));
	cr_assert_eq(tl_hsnap_load(&h, r, "history-test", KEY, commit, &runs,
			     &nruns, ahead),
		0);
	cr_assert_str_eq(commit, HEAD_A);
	cr_assert_eq(h.n, 2000);
	cr_assert_eq(nruns, 1);
	cr_assert_str_eq(runs[0].revision, "abc");
	for (size_t i = 0; i < h.n; i++) {
		cr_assert_eq(h.v[i].duration, base + (double)i, "event %zu", i);
		cr_assert_str_eq(h.v[i].outcomes, i % 3 ? "P" : "FP");
	}
	free(runs);
	tl_history_release(&h);
}

static char *snap_path(const char *dir)
{
	return tl_format("%s/.git/tally/history-test.snap", dir);
}

Test(hsnap, saved_and_loaded_whole)
{
	struct tl_repo *r;
	char *dir = th_repo(&r);
	save(r, 0.5);
	expect_loaded(r, 0.5, NULL);
	tl_repo_free(r);
	th_rmrf(dir);
}

/* Saved on a thread while the events go on being used (read, and given
 * fields a snapshot does not keep): the file is as tl_hsnap_save would
 * write it, but the fields marked lent are saved absent, so a run's
 * revision or environment changed later is not frozen into its events. */
Test(hsnap, saved_on_a_thread_without_what_runs_lent)
{
	struct tl_repo *r;
	char *dir = th_repo(&r);
	struct tl_history h, back;
	struct tl_hsnap_run *run = calloc(1, sizeof(*run)), *runs = NULL;
	unsigned char *lent;
	size_t nruns = 0, sum = 0;
	char commit[41];
	history_of(&h, 2000, 0.5);
	lent = calloc(h.n, 1);
	for (size_t i = 0; i < h.n; i++) {
		/* every other event took its run's revision, every third
		 * its environment; the rest have their own */
		if (i % 2)
			lent[i] |= TL_HSNAP_LENT_REVISION;
		if (i % 3 == 0)
			lent[i] |= TL_HSNAP_LENT_ENVIRONMENT;
		h.v[i].revision = tl_strpool_intern(&h.pool, "rev1");
		h.v[i].environment = tl_strpool_intern(&h.pool, "os=linux");
	}
	run->run = "r0";
	run->revision = "abc";
	h.saving = tl_hsnap_save_start(
		&h, lent, run, 1, r, "history-test", HEAD_A, KEY);
	for (size_t i = 0; i < h.n; i++) {
		h.v[i].infra = 1; /* not saved: may change meanwhile */
		sum += (size_t)h.v[i].duration;
	}
	cr_assert_gt(sum, 0);
	tl_history_release(&h); /* waits for the save */
	memset(&back, 0, sizeof(back));
	cr_assert_eq(tl_hsnap_load(&back, r, "history-test", KEY, commit, &runs,
			     &nruns, NULL),
		0);
	cr_assert_eq(back.n, 2000);
	cr_assert_eq(nruns, 1);
	cr_assert_str_eq(runs[0].revision, "abc");
	for (size_t i = 0; i < back.n; i++) {
		const struct tl_event *e = &back.v[i];
		cr_assert_eq(e->duration, 0.5 + (double)i, "event %zu", i);
		if (i % 2)
			cr_assert_null(e->revision, "event %zu", i);
		else
			cr_assert_str_eq(e->revision, "rev1");
		if (i % 3 == 0)
			cr_assert_null(e->environment, "event %zu", i);
		else
			cr_assert_str_eq(e->environment, "os=linux");
		cr_assert_eq(e->infra, 0);
	}
	free(runs);
	tl_history_release(&back);
	tl_repo_free(r);
	th_rmrf(dir);
}

/* The strings area is the pool's chunks written whole, then strings from
 * elsewhere: every string reads back, whichever chunk it was in (a pool
 * of several), whether it is in the pool or not, and strings the pool
 * gains while the save runs on its thread are neither saved nor in its
 * way. */
Test(hsnap, strings_read_back_from_any_chunk_of_the_pool_or_elsewhere)
{
	static const char *const blobs[] = {
		"1111111111111111111111111111111111111111",
		"2222222222222222222222222222222222222222",
	};
	struct tl_repo *r;
	char *dir = th_repo(&r);
	struct tl_history h, back;
	struct tl_hsnap_run *run = calloc(1, sizeof(*run)), *runs = NULL;
	size_t nruns = 0;
	char commit[41], text[160];
	history_of(&h, 3000, 0.5);
	for (size_t i = 0; i < h.n; i++) {
		/* 300 KB of messages: chunks of 64, 128 and 256 KiB */
		snprintf(text, sizeof(text), "message %zu: %0120zu", i, i);
		h.v[i].message = tl_strpool_add(&h.pool, text);
		h.v[i].type = i % 2 ? "literal, not pooled" : NULL;
		h.v[i].blob = blobs[i % 2];
	}
	cr_assert_geq(h.pool.nchunks, 3);
	run->run = tl_strpool_intern(&h.pool, "r0");
	run->revision = "abc";
	h.saving = tl_hsnap_save_start(
		&h, NULL, run, 1, r, "history-test", HEAD_A, KEY);
	for (size_t i = 0; i < 2000; i++) {
		snprintf(text, sizeof(text), "added while saving %zu", i);
		cr_assert_not_null(tl_strpool_add(&h.pool, text));
	}
	tl_history_release(&h);
	memset(&back, 0, sizeof(back));
	cr_assert_eq(tl_hsnap_load(&back, r, "history-test", KEY, commit, &runs,
			     &nruns, NULL),
		0);
	cr_assert_eq(back.n, 3000);
	cr_assert_str_eq(runs[0].run, "r0");
	cr_assert_str_eq(runs[0].revision, "abc");
	for (size_t i = 0; i < back.n; i++) {
		const struct tl_event *e = &back.v[i];
		snprintf(text, sizeof(text), "message %zu: %0120zu", i, i);
		cr_assert_str_eq(e->message, text, "event %zu", i);
		snprintf(text, sizeof(text), "c%zu", i % 7);
		cr_assert_str_eq(e->casekey, text, "event %zu", i);
		if (i % 2)
			cr_assert_str_eq(e->type, "literal, not pooled");
		else
			cr_assert_null(e->type, "event %zu", i);
		cr_assert_str_eq(e->blob, blobs[i % 2], "event %zu", i);
		cr_assert_str_eq(e->outcomes, i % 3 ? "P" : "FP");
	}
	free(runs);
	tl_history_release(&back);
	tl_repo_free(r);
	th_rmrf(dir);
}

Test(hsnap, its_commit_is_read_from_the_header_alone)
{
	struct tl_repo *r;
	char *dir = th_repo(&r);
	char *path = snap_path(dir);
	char commit[41];
	cr_assert_eq(tl_hsnap_commit(r, "history-test", commit), -1);
	save(r, 0.5);
	cr_assert_eq(tl_hsnap_commit(r, "history-test", commit), 0);
	cr_assert_str_eq(commit, HEAD_A);
	/* a file of another format (or version) names no commit */
	FILE *f = fopen(path, "r+");
	cr_assert_not_null(f);
	fputc('X', f);
	fclose(f);
	cr_assert_eq(tl_hsnap_commit(r, "history-test", commit), -1);
	free(path);
	tl_repo_free(r);
	th_rmrf(dir);
}

Test(hsnap, read_ahead_from_the_working_folder_is_used)
{
	struct tl_repo *r;
	char *dir = th_repo(&r);
	char *sub = tl_format("%s/a/b", dir);
	struct tl_hsnap_ahead *ahead;
	free(th_sh(dir, "mkdir -p a/b"));
	save(r, 0.5);
	/* found from a folder below the work tree's top */
	cr_assert_eq(chdir(sub), 0);
	ahead = tl_hsnap_ahead_start();
	cr_assert_not_null(ahead);
	expect_loaded(r, 0.5, &ahead);
	cr_assert_null(ahead, "the read-ahead is consumed");
	free(sub);
	tl_repo_free(r);
	th_rmrf(dir);
}

Test(hsnap, a_file_replaced_after_it_was_read_ahead_is_read_again)
{
	struct tl_repo *r;
	char *dir = th_repo(&r);
	struct tl_hsnap_ahead *ahead;
	save(r, 0.5);
	cr_assert_eq(chdir(dir), 0);
	ahead = tl_hsnap_ahead_start();
	cr_assert_not_null(ahead);
	/* another process writes a new snapshot meanwhile (a rename): the
	 * one read ahead (opened before start returned) is the old one */
	save(r, 7.25);
	expect_loaded(r, 7.25, &ahead);
	tl_repo_free(r);
	th_rmrf(dir);
}

Test(hsnap, nothing_to_read_ahead_outside_a_repository)
{
	char *dir = th_tmpdir();
	cr_assert_eq(chdir(dir), 0);
	cr_assert_null(tl_hsnap_ahead_start());
	th_rmrf(dir);
}

/* A flipped byte anywhere past the header is caught. */
Test(hsnap, a_damaged_file_is_refused)
{
	struct tl_repo *r;
	char *dir = th_repo(&r);
	char *path = snap_path(dir);
	struct stat st;
	save(r, 0.5);
	cr_assert_eq(stat(path, &st), 0);
	for (int k = 1; k <= 5; k++) {
		/* in the records, the run records, the strings, the sum */
		off_t at = k < 5 ? (off_t)(st.st_size * k / 5) : st.st_size - 3;
		struct tl_hsnap_file *f;
		FILE *fp = fopen(path, "r+b");
		int c;
		cr_assert_not_null(fp);
		fseek(fp, at, SEEK_SET);
		c = fgetc(fp);
		fseek(fp, at, SEEK_SET);
		fputc(c ^ 0x10, fp);
		fclose(fp);
		f = tl_hsnap_read(path);
		cr_assert_null(f, "flip at %lld found", (long long)at);
		fp = fopen(path, "r+b");
		fseek(fp, at, SEEK_SET);
		fputc(c, fp);
		fclose(fp);
		f = tl_hsnap_read(path);
		cr_assert_not_null(f, "restored");
		tl_hsnap_file_free(f);
	}
	free(path);
	tl_repo_free(r);
	th_rmrf(dir);
}

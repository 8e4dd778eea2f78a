#ifndef TL_RUNS_H
#define TL_RUNS_H
/*
 * Runs and their case runs. A run is runs/<key>/run.yaml; each case run
 * is runs/<key>/results/<case key>.yaml. A run's cases are its `cases`
 * selection plus every case with a result file; a selected case with no
 * result is not-executed (DESIGN.md "Derived states").
 */
#include "core/store.h"

enum tl_status {
	TL_PASSED,
	TL_FAILED,
	TL_BLOCKED,
	TL_SKIPPED,
	TL_RUNNING,
	TL_NOT_EXECUTED,
	TL_STATUS__COUNT
};

/* "passed" -> TL_PASSED; -1 when unknown. */
int tl_status_from_name(const char *s);
const char *tl_status_name(int status);
/* passed, failed, blocked and skipped count as executed. */
int tl_status_executed(int status);

struct tl_counts {
	long long n[TL_STATUS__COUNT];
	long long total;
};

struct tl_rundata {
	struct tl_run *run; /* ent.key is the run key */
	char *project;
	struct tl_list results; /* TL_KIND_RESULT; ent.key is the case key */
	struct tl_strlist
		cases; /* the run's cases: selection + results, sorted */
	int64_t created; /* seconds; 0 when unknown */
	int loaded; /* results read (see tl_run_need_results) */
};

struct tl_runs {
	struct tl_rundata **v;
	size_t n;
};

char *tl_store_run_dir(const char *project, const char *key);
char *tl_store_result_path(
	const char *project, const char *run, const char *casekey);

/* Loads one run folder, with its results when results is set. */
int tl_run_load(struct tl_rundata **out, struct tl_store *s,
	const char *project, const char *key, int results, struct tl_err *err);
/* Loads every run of a project, oldest first (by created, then key); its
 * results only when results is set: most commands need the results of one
 * or two runs, and reading every result file is what costs. */
int tl_runs_load(struct tl_runs *out, struct tl_store *s, const char *project,
	int results, struct tl_err *err);
/* One case's result in a run, read alone into *out (the caller's; NULL
 * when the case has none): a command about a few cases of a large run
 * need not read every result. */
int tl_run_result_read(const struct tl_rundata *r, struct tl_store *s,
	const char *casekey, struct tl_result **out, struct tl_err *err);
/* Reads a run's results if they are not read yet. */
int tl_run_need_results(
	struct tl_rundata *r, struct tl_store *s, struct tl_err *err);
/* The same on threads threads (1: the caller reads runs on two), and
 * when rels is not NULL, the result files it names (paths below the
 * results folder, as a walk of it gives them) instead of a walk's. */
int tl_run_need_results_listed(struct tl_rundata *r, struct tl_store *s,
	int threads, const struct tl_strlist *rels, struct tl_err *err);
/* Whether a path below a run's results folder names a result file. */
int tl_run_is_result_file(const char *rel);
/* Reads the results of the runs pick chooses. */
int tl_runs_need_results(struct tl_runs *runs, struct tl_store *s,
	int (*pick)(const struct tl_rundata *d, const void *ctx),
	const void *ctx, struct tl_err *err);
/* Forgets a run's results (the cases back to its selection), so that a
 * command going over every run holds one run's results at a time. */
void tl_run_drop_results(struct tl_rundata *r);
/* A result that links defects, as a run's summary keeps it. */
struct tl_run_link {
	char *casekey;
	char *status; /* as written; NULL: none */
	struct tl_strlist defects;
};
/* What a run's results come to, without holding them: its counts (as
 * tl_run_counts gives them) and, in case order, the results that link
 * defects. */
struct tl_run_sum {
	struct tl_counts counts;
	struct tl_run_link *links;
	size_t nlinks;
};
void tl_run_sum_release(struct tl_run_sum *s);
/* The summary of each of a project's runs into out[i], through the
 * results index (core/rcache.h): a run whose folders and result files
 * stat as they did when it was last summed up, with the same selection,
 * is not read again. A run read is summed up and its results dropped, so
 * memory stays at about two runs' results (run list held 200 MB for
 * 193,500 results when it kept them all). Runs are read on two threads
 * (a lone run's results on two; with --at, whose reads go through
 * libgit2, on this one alone). Stops at an error; then err is the
 * earliest failed run's, as a loop in order would report it. */
int tl_runs_summarize(struct tl_runs *runs, struct tl_store *s,
	const char *project, struct tl_run_sum *out, struct tl_err *err);
void tl_rundata_free(struct tl_rundata *r);
void tl_runs_release(struct tl_runs *r);
/* Resolves a reference among loaded runs (key, prefix, title). */
int tl_runs_find(const struct tl_runs *r, const char *ref,
	struct tl_rundata **out, struct tl_err *err);

/* The result of a case in the run, or NULL (not executed). */
struct tl_result *tl_run_result(
	const struct tl_rundata *r, const char *casekey);
/* The status of a case in the run (TL_NOT_EXECUTED without a result). */
int tl_run_case_status(const struct tl_rundata *r, const char *casekey);
void tl_run_counts(const struct tl_rundata *r, struct tl_counts *out);
/* not-started, in-progress, passed, failed or blocked. */
const char *tl_run_exec_status(const struct tl_counts *c);

/* Several runs seen as one: each case of them once, by its latest result
 * across them (by the result's started time, else its run's creation; a
 * tie goes to the later run). A release's executions are such a view. */
struct tl_view {
	struct tl_strlist cases; /* sorted */
	struct tl_strlist runs; /* the runs in the view */
	const struct tl_result **latest; /* parallel to cases; NULL: none */
	const struct tl_rundata **from; /* the run of each latest */
	struct tl_counts counts;
	int64_t first_created; /* the earliest run's creation */
};

/* Builds the view of the runs for which pick returns 1. */
void tl_view_build(struct tl_view *v, const struct tl_runs *runs,
	int (*pick)(const struct tl_rundata *d, const void *ctx),
	const void *ctx);
void tl_view_release(struct tl_view *v);
int tl_view_status(const struct tl_view *v, size_t i);
/* Picks: the runs whose release is ctx; the run whose key is ctx. */
int tl_pick_release(const struct tl_rundata *d, const void *ctx);
int tl_pick_run(const struct tl_rundata *d, const void *ctx);

/* Parses 1.5s, 250ms, 2m, 1h, 1m30s or plain seconds. */
int tl_parse_duration(const char *s, double *out);

#endif

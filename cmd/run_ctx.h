#ifndef TALLY_RUN_CTX_H
#define TALLY_RUN_CTX_H
/* What the run commands (cmd_run.c, cmd_run_show.c) share. */
#include "cmd/tally.h"
#include "core/runs.h"
#include "core/strmap.h"

/* The context every run command starts from. */
struct runctx {
	struct tl_store *s;
	char *project;
	struct tl_runs runs;
	struct tl_list cases;
	struct tl_list defects;
	/* key -> index in cases and in defects: a run of 100,000 results
	 * looked each case up in a line, and run show took 69 s */
	struct tl_strmap case_at, defect_at;
};

int runctx_load(struct ctx *c, struct runctx *r, int results);
void runctx_release(struct runctx *r);
/* The case or the local defect of that key, or NULL. */
const struct tl_case *runctx_case(const struct runctx *r, const char *key);
const struct tl_defect *runctx_defect(const struct runctx *r, const char *key);
/* A run as a row of run list (and the head of run show). */
struct tl_value *run_row(const struct tl_rundata *d);
/* The same with the run's counts already made (its results unread). */
struct tl_value *run_row_counted(
	const struct tl_rundata *d, const struct tl_counts *counts);

#endif

#ifndef TALLY_RUN_CTX_H
#define TALLY_RUN_CTX_H
/* What the run commands (cmd_run.c, cmd_run_show.c) share. */
#include "cmd/tally.h"
#include "core/runs.h"

/* The context every run command starts from. */
struct runctx {
	struct tl_store *s;
	char *project;
	struct tl_runs runs;
	struct tl_list cases;
	struct tl_list defects;
};

int runctx_load(struct ctx *c, struct runctx *r, int results);
void runctx_release(struct runctx *r);
const char *case_title(const struct tl_list *cases, const char *key);
/* A run as a row of run list (and the head of run show). */
struct tl_value *run_row(const struct tl_rundata *d);

#endif

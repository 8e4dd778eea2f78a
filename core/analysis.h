#ifndef TL_ANALYSIS_H
#define TL_ANALYSIS_H
/*
 * Execution analysis of a run or of a release's executions (DESIGN.md
 * "Derived states"): progress with progress over time from the commits,
 * ownership per assignee, hotspots, and defect signals. The result is a
 * document the CLI renders as text, JSON or YAML.
 */
#include "core/runs.h"

/* {runs, progress, ownership, hotspots, defect_signals} of the view;
 * runs are all the project's runs (for "the previous run"). */
int tl_analyze(struct tl_value **out, struct tl_store *s, const char *project,
	const struct tl_runs *runs, const struct tl_view *v,
	const struct tl_list *defects, struct tl_err *err);

#endif

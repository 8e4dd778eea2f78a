#ifndef TL_TRACE_H
#define TL_TRACE_H
/*
 * Phase timings on stderr when TALLY_TRACE_PERF is set, as git's
 * GIT_TRACE_PERFORMANCE does: "tally: perf: 0.412 s (+0.120 s) 12 MB (now 9
 * heap + 2 files) what" (the peak resident size so far, then the resident size
 * now: anonymous memory and mapped files). Costs one getenv per call otherwise.
 */

void tl_trace_perf(const char *what);

#endif

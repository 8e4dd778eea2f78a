#ifndef TL_TRACE_H
#define TL_TRACE_H
/*
 * Phase timings on stderr when TALLY_TRACE_PERF is set, as git's
 * GIT_TRACE_PERFORMANCE does: "tally: perf: 0.412 s (+0.120 s) 12 MB what"
 * (the last figure is the peak resident size so far).
 * Costs one getenv per call otherwise.
 */

void tl_trace_perf(const char *what);

#endif

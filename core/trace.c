/* Phase timings for finding where time goes (TALLY_TRACE_PERF). */
#include "core/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "core/banned.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void tl_trace_perf(const char *what)
{
	static int on = -1;
	static double start, last;
	double t;
	struct rusage ru;
	if (on < 0) {
		const char *v = getenv("TALLY_TRACE_PERF");
		on = v && *v && *v != '0';
		start = last = now();
	}
	if (!on)
		return;
	t = now();
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "tally: perf: %.3f s (+%.3f s) %ld MB %s\n", t - start,
		t - last, ru.ru_maxrss / 1024, what);
	last = t;
}

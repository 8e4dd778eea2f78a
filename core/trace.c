/* Phase timings for finding where time goes (TALLY_TRACE_PERF). */
#include "core/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/banned.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The resident size now, heap and mapped files apart (Linux only; 0
 * elsewhere): the peak alone hides which of the two a phase grew. */
static void rss_now(long *anon, long *file)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	*anon = *file = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "RssAnon:", 8))
			*anon = strtol(line + 8, NULL, 10) / 1024;
		else if (!strncmp(line, "RssFile:", 8))
			*file = strtol(line + 8, NULL, 10) / 1024;
	}
	fclose(f);
}

void tl_trace_perf(const char *what)
{
	static int on = -1;
	static double start, last;
	static long faults;
	double t;
	struct rusage ru;
	long anon, file;
	if (on < 0) {
		const char *v = getenv("TALLY_TRACE_PERF");
		on = v && *v && *v != '0';
		start = last = now();
	}
	if (!on)
		return;
	t = now();
	getrusage(RUSAGE_SELF, &ru);
	rss_now(&anon, &file);
	fprintf(stderr,
		"tally: perf: %.3f s (+%.3f s) %ld MB (now %ld heap + %ld "
		"files, +%ld page faults) %s\n",
		t - start, t - last, ru.ru_maxrss / 1024, anon, file,
		ru.ru_minflt - faults, what);
	last = t;
	faults = ru.ru_minflt;
}

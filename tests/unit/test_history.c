/* Per-case metrics over events (core/history.c): source groups and
 * METRICS.md's environment divergence. */
#include <criterion/criterion.h>

#include "core/history.h"

/* Events of one case, one per "OUTCOMES@REV/ENV" word (ENV "-": none). */
static size_t events(const char *spec, struct tl_event *v, char words[][32])
{
	size_t n = 0;
	char buf[256];
	char *save = NULL;
	strncpy(buf, spec, sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	for (char *w = strtok_r(buf, " ", &save); w;
		w = strtok_r(NULL, " ", &save)) {
		char *at = strchr(w, '@'), *slash = strchr(w, '/');
		memset(&v[n], 0, sizeof(v[n]));
		strcpy(words[n], w);
		at = words[n] + (at - w);
		slash = words[n] + (slash - w);
		*at = *slash = '\0';
		v[n].casekey = "c";
		v[n].run = "r";
		v[n].status = "x";
		v[n].outcomes = words[n];
		v[n].revision = at + 1;
		v[n].environment = strcmp(slash + 1, "-") ? slash + 1 : NULL;
		v[n].time = 1000 + (int64_t)n;
		v[n].seq = n;
		n++;
	}
	return n;
}

static void metrics(const char *spec, struct tl_case_metrics *m)
{
	struct tl_event v[16];
	char words[16][32];
	struct tl_params p;
	size_t n = events(spec, v, words);
	tl_params_default(&p);
	tl_case_metrics_of(v, n, &p, 2000, m);
}

Test(history, one_environment_passing_another_failing_is_not_a_flake)
{
	struct tl_case_metrics m;
	metrics("P@r0/os=linux P@r0/os=windows P@r1/os=linux F@r1/os=windows",
		&m);
	cr_assert_eq(m.env_divergent, 1);
	cr_assert_eq(m.ntimeline, 2);
	cr_assert_eq(m.timeline[1].verdict, TL_VERDICT_FAIL);
	cr_assert_eq(m.state.flaky_verdicts, 0);
	cr_assert_neq(m.state.state, TL_STATE_FLAKY);
	tl_case_metrics_release(&m);
}

Test(history, a_flake_within_one_environment_stays_a_flake)
{
	struct tl_case_metrics m;
	metrics("P@r0/os=linux P@r1/os=linux F@r1/os=linux P@r1/os=windows",
		&m);
	cr_assert_eq(m.env_divergent, 0);
	cr_assert_eq(m.timeline[1].verdict, TL_VERDICT_FLAKY);
	cr_assert_eq(m.state.state, TL_STATE_FLAKY);
	tl_case_metrics_release(&m);
	/* a retry that passed in the failing environment: flaky there */
	metrics("P@r0/os=linux P@r1/os=linux FP@r1/os=windows", &m);
	cr_assert_eq(m.env_divergent, 0);
	cr_assert_eq(m.state.state, TL_STATE_FLAKY);
	tl_case_metrics_release(&m);
}

Test(history, without_environments_a_split_revision_is_a_flake)
{
	struct tl_case_metrics m;
	metrics("P@r0/- P@r1/- F@r1/-", &m);
	cr_assert_eq(m.env_divergent, 0);
	cr_assert_eq(m.state.state, TL_STATE_FLAKY);
	tl_case_metrics_release(&m);
	/* one result with and one without: not known to diverge */
	metrics("P@r0/- P@r1/os=linux F@r1/-", &m);
	cr_assert_eq(m.env_divergent, 0);
	cr_assert_eq(m.state.state, TL_STATE_FLAKY);
	tl_case_metrics_release(&m);
}

/* tally history CASE and tally flaky: METRICS.md over the commits. */
#include "cmd/tally.h"
#include "core/aliases.h"
#include "core/history.h"
#include "core/trace.h"
#include "core/resolve.h"
#include "core/time.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/quarantine.h"
#include "core/time.h"
#include "formats/json.h"
#include "formats/yaml.h"

#include "core/banned.h"

/* clang-format off */
const struct opt_spec opts_history[] = {
	{ "window", 0, OPT_STR, "N", "results the windowed rates cover (default: flaky.window, 30)", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

const struct opt_spec opts_flaky[] = {
	{ "window", 0, OPT_STR, "N", "results the windowed rates cover (default: flaky.window, 30)", NULL },
	{ "since", 0, OPT_STR, "DATE", "only results from this day on", NULL },
	{ "min-results", 0, OPT_STR, "N", "leave out cases with fewer results (default 2)", NULL },
	{ "suite", 0, OPT_STR, "SUITE", "only cases under this suite", NULL },
	{ "all", 0, OPT_FLAG, NULL, "every case, not only the flaky ones", NULL },
	{ "quarantine-suggest", 0, OPT_FLAG, NULL, "print quarantine.yaml entries for the flaky cases not yet in it", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};
/* clang-format on */

/* quarantine.yaml entries for the flaky rows no entry covers yet: a
 * proposal to review and paste, never written by tally itself. */
static int quarantine_suggest(
	struct ctx *c, struct tl_store *s, const struct tl_value *rows)
{
	struct tl_quarantine q = { 0 };
	struct tl_value *out = tl_value_seq();
	struct tl_buf b = TL_BUF_INIT;
	int64_t now = ctx_now(c);
	char day[32];
	int rc;
	tl_time_format(now + 30 * 86400, day, sizeof(day));
	day[10] = '\0'; /* the date part: an entry holds through that day */
	if ((rc = tl_quarantine_load(&q, s, &c->err)))
		goto out;
	for (size_t i = 0; i < rows->n; i++) {
		const struct tl_value *r = rows->items[i];
		const char *key = tl_value_gets(r, "case");
		struct tl_value *e;
		char *why;
		if (strcmp(tl_value_gets(r, "state"), "flaky") ||
			tl_quarantine_match(&q, key, NULL, now))
			continue;
		e = tl_value_map();
		tl_value_put(e, "case", tl_value_str(key));
		tl_value_put(e, "defect", tl_value_null());
		why = tl_format(
			"flaky: %s same-revision flaky verdicts, %s passed on retry, flip rate %s",
			tl_value_gets(r, "flaky_verdicts"),
			tl_value_gets(r, "pass_on_retry"),
			tl_value_gets(r, "flip_rate"));
		tl_value_put(e, "reason", tl_value_str(why));
		free(why);
		tl_value_put(e, "expires", tl_value_str(day));
		e->style = TL_STYLE_BLOCK;
		tl_value_push(out, e);
	}
	if (c->format == FMT_JSON)
		rc = tl_json_emit(&b, out, &c->err);
	else if (out->n)
		rc = tl_yaml_emit(&b, out, &c->err);
	if (!rc)
		out_write(&b);
	if (!rc && !c->quiet && c->format != FMT_JSON)
		fprintf(stderr,
			"%zu suggested; review them, name a defect, and add them to quarantine.yaml\n",
			out->n);
out:
	tl_buf_release(&b);
	tl_value_free(out);
	tl_quarantine_release(&q);
	return rc;
}

static struct tl_value *rounded(double v)
{
	return tl_value_num(round(v * 10000) / 10000);
}

static struct tl_value *iso(int64_t t)
{
	char b[32];
	tl_time_format(t, b, sizeof(b));
	return tl_value_str(b);
}

static const char *confidence(const struct tl_case_metrics *m)
{
	if (m->state.state == TL_STATE_FLAKY)
		return m->state.high_confidence ? "high" : "low";
	if (m->state.state == TL_STATE_FLAKY_SUSPECTED)
		return "low";
	return NULL;
}

/* One glyph per result: passed, failed, passed on a retry, other. */
static void status_spark(struct tl_buf *b, const struct tl_event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int por;
		enum tl_verdict v = tl_verdict_of(ev[i].outcomes, &por);
		tl_buf_puts(b,
			v == TL_VERDICT_PASS ? "\xe2\x9c\x93" /* ✓ */
				: v == TL_VERDICT_FAIL ? "\xe2\x9c\x97" /* ✗ */
				: v == TL_VERDICT_FLAKY
				? (por ? "~" : "\xe2\x9c\x97")
				: "\xc2\xb7"); /* · */
	}
}

static void duration_spark(
	struct tl_buf *b, const struct tl_event *ev, size_t n)
{
	static const char *const bars[] = { "\xe2\x96\x81", "\xe2\x96\x82",
		"\xe2\x96\x83", "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
		"\xe2\x96\x87", "\xe2\x96\x88" };
	double lo = 0, hi = 0;
	int any = 0;
	for (size_t i = 0; i < n; i++)
		if (ev[i].has_duration) {
			if (!any || ev[i].duration < lo)
				lo = ev[i].duration;
			if (!any || ev[i].duration > hi)
				hi = ev[i].duration;
			any = 1;
		}
	for (size_t i = 0; i < n; i++) {
		if (!ev[i].has_duration) {
			tl_buf_putc(b, ' ');
			continue;
		}
		tl_buf_puts(b,
			bars[hi > lo ? (int)((ev[i].duration - lo) / (hi - lo) *
						       7.0 +
					       0.5)
				     : 0]);
	}
}

static void put_rates(struct tl_value *o, const struct tl_rates *r)
{
	struct tl_value *ci = tl_value_seq();
	tl_value_put(o, "rated_results", tl_value_int((long long)r->results));
	tl_value_put(o, "decisive", tl_value_int((long long)r->decisive));
	tl_value_put(o, "fail_rate", rounded(r->fail_rate));
	tl_value_put(o, "pass_rate", rounded(r->pass_rate));
	tl_value_put(o, "first_attempt_fail_rate",
		rounded(r->first_attempt_fail_rate));
	tl_value_push(ci, rounded(r->first_attempt_low));
	tl_value_push(ci, rounded(r->first_attempt_high));
	tl_value_put(o, "first_attempt_fail_interval", ci);
	tl_value_put(o, "flaky_rate", rounded(r->flaky_rate));
	tl_value_put(o, "pass_on_retry_rate", rounded(r->pass_on_retry_rate));
	tl_value_put(
		o, "pass_on_retry", tl_value_int((long long)r->pass_on_retry));
	tl_value_put(o, "retry_cost", rounded(r->retry_cost));
}

/* The first line of a message: failures group by it (not yet by the
 * sig-v1 signature of METRICS.md). */
static char *first_line(const char *s)
{
	const char *nl = strchr(s, '\n');
	return nl ? tl_strndup(s, (size_t)(nl - s)) : tl_strdup(s);
}

static struct tl_value *failures_of(const struct tl_event *ev, size_t n)
{
	struct tl_value *by = tl_value_map(), *out = tl_value_seq();
	for (size_t i = 0; i < n; i++) {
		struct tl_value *g;
		char *line;
		if (!strchr(ev[i].outcomes, 'F'))
			continue;
		line = first_line(ev[i].message ? ev[i].message : "");
		if (!(g = tl_value_get(by, line))) {
			g = tl_value_map();
			tl_value_put(g, "message", tl_value_str(line));
			tl_value_put(g, "count", tl_value_int(0));
			tl_value_put(g, "first_seen", iso(ev[i].time));
			tl_value_put(g, "last_seen", iso(ev[i].time));
			tl_value_put(by, line, g);
		}
		tl_value_set(g, "count",
			tl_value_int(atoll(tl_value_gets(g, "count")) + 1));
		tl_value_set(g, "last_seen", iso(ev[i].time));
		free(line);
	}
	for (size_t i = 0; i < by->n; i++)
		tl_value_push(out, tl_value_dup(by->items[i]));
	tl_value_free(by);
	return out;
}

/* What tally flaky and tally history share about one case (set, so
 * that these win over the windowed rates of the same names). */
/* "key=value" lines as an object (null when there are none). */
static struct tl_value *env_map(const char *lines)
{
	struct tl_value *m;
	if (!lines)
		return tl_value_null();
	m = tl_value_map();
	while (*lines) {
		const char *end = strchr(lines, '\n'), *eq;
		size_t n = end ? (size_t)(end - lines) : strlen(lines);
		char *pair = tl_strndup(lines, n);
		if ((eq = strchr(pair, '=')) != NULL) {
			pair[eq - pair] = '\0';
			tl_value_set(m, pair, tl_value_str(eq + 1));
		}
		free(pair);
		lines += n + (end != NULL);
	}
	return m;
}

static void put_summary(
	struct tl_value *o, const char *key, const struct tl_case_metrics *m)
{
	const char *conf = confidence(m);
	tl_value_set(o, "case", tl_value_str(key));
	tl_value_set(o, "state", tl_value_str(tl_state_name(m->state.state)));
	tl_value_set(
		o, "confidence", conf ? tl_value_str(conf) : tl_value_null());
	tl_value_set(o, "results", tl_value_int((long long)m->results));
	tl_value_set(o, "flip_rate", rounded(m->flip_rate));
	tl_value_set(
		o, "revision_flip_rate", rounded(m->state.revision_flip_rate));
	tl_value_set(o, "weighted_flip_rate", rounded(m->weighted_flip_rate));
	tl_value_set(o, "flaky_verdicts",
		tl_value_int((long long)m->state.flaky_verdicts));
	tl_value_set(o, "pass_on_retry",
		tl_value_int((long long)m->all.pass_on_retry));
	tl_value_set(
		o, "env_divergent", tl_value_int((long long)m->env_divergent));
	tl_value_set(o, "fail_rate", rounded(m->rates.fail_rate));
	tl_value_set(o, "last_seen", iso(m->last_seen));
}

static void history_text(
	struct ctx *c, const struct tl_value *o, struct tl_buf *b)
{
	const struct tl_value *rs = tl_value_get(o, "results");
	const struct tl_value *d = tl_value_get(o, "durations");
	const struct tl_value *f = tl_value_get(o, "failures");
	const char *culprit = tl_value_gets(o, "culprit");
	tl_buf_printf(b, "%s%s%s  %s", out_bold(c), tl_value_gets(o, "case"),
		out_reset(c), tl_value_gets(o, "state"));
	if (tl_value_gets(o, "confidence"))
		tl_buf_printf(
			b, " (%s confidence)", tl_value_gets(o, "confidence"));
	if (culprit)
		tl_buf_printf(b, ", culprit range %s", culprit);
	tl_buf_printf(b, "\n  statuses   %s\n  durations  %s\n",
		tl_value_gets(o, "sparkline"),
		tl_value_gets(o, "duration_sparkline"));
	tl_buf_printf(b,
		"  %s results; fail rate %s, first-attempt fail rate %s, "
		"pass on retry %s\n  flip rate %s, revision-aware %s, weighted %s\n",
		tl_value_gets(o, "result_count"), tl_value_gets(o, "fail_rate"),
		tl_value_gets(o, "first_attempt_fail_rate"),
		tl_value_gets(o, "pass_on_retry"),
		tl_value_gets(o, "flip_rate"),
		tl_value_gets(o, "revision_flip_rate"),
		tl_value_gets(o, "weighted_flip_rate"));
	if (atoll(tl_value_gets(o, "env_divergent")))
		tl_buf_printf(b,
			"  env-divergent on %s revisions: passes in one environment, fails in another\n",
			tl_value_gets(o, "env_divergent"));
	if (d && atoll(tl_value_gets(d, "samples"))) {
		const char *from = tl_value_gets(d, "regression_revision");
		tl_buf_printf(b,
			"  durations: median %s s, p95 %s s, MAD %s s, slope %s s/result",
			tl_value_gets(d, "median"), tl_value_gets(d, "p95"),
			tl_value_gets(d, "mad"), tl_value_gets(d, "slope"));
		if (!strcmp(tl_value_gets(d, "regression"), "true"))
			tl_buf_printf(b, " (a duration regression%s%s)",
				from ? " from " : "", from ? from : "");
		tl_buf_puts(b, "\n");
	}
	for (size_t i = 0; f && i < f->n; i++)
		tl_buf_printf(b, "  failure x%s: %s\n",
			tl_value_gets(f->items[i], "count"),
			tl_value_gets(f->items[i], "message"));
	tl_buf_puts(b, "\n");
	for (size_t i = 0; rs && i < rs->n; i++) {
		const struct tl_value *r = rs->items[i];
		const char *rev = tl_value_gets(r, "revision");
		const struct tl_value *env = tl_value_get(r, "environment");
		tl_buf_printf(b, "  %s  %-9s %-5s %-8s %-10.10s %-7.7s %s",
			tl_value_gets(r, "time"), tl_value_gets(r, "status"),
			tl_value_gets(r, "attempts"),
			tl_value_gets(r, "duration")
				? tl_value_gets(r, "duration")
				: "-",
			rev ? rev : "-", tl_value_gets(r, "commit"),
			tl_value_gets(r, "run"));
		for (size_t k = 0; env && env->kind == TL_V_MAP && k < env->n;
			k++)
			tl_buf_printf(b, "%s%s=%s", k ? "," : "  ",
				env->keys[k], tl_value_gets(env, env->keys[k]));
		tl_buf_putc(b, '\n');
	}
}

int cmd_history(struct ctx *c, struct args *a)
{
	struct tl_store *s;
	struct tl_list cases = { 0 };
	struct tl_history h = { 0 };
	struct tl_case_metrics m;
	struct tl_value *o = NULL, *rs, *d;
	struct tl_buf spark = TL_BUF_INIT;
	struct tl_value *aliases = NULL;
	char *project = NULL, *key = NULL;
	size_t window;
	struct tl_case *k;
	int rc;

	if ((rc = arg_number(c, a, "window", 0, &window)) ||
		(rc = ctx_store(c, &s)) || (rc = ctx_project(c, &project)))
		goto out;
	/* a key reads its case alone (tl_store_case_find) */
	rc = tl_store_case_find(s, project, a->pos.v[0], &cases, &k, &c->err);
	if (rc == TL_ENOTFOUND) {
		/* a case deleted from the tree keeps its history */
		tl_err_clear(&c->err);
		key = tl_strdup(a->pos.v[0]);
		rc = 0;
	} else if (!rc) {
		key = tl_strdup(k->ent.key);
	}
	if (rc ||
		(rc = tl_aliases_load(&aliases, s, project, c->at, &c->err)) ||
		(rc = tl_history_load(
			 &h, s, project, c->at, aliases, key, &c->err)))
		goto out;
	if (window)
		h.params.window = window;
	if (!h.n) {
		rc = tl_err_set(&c->err, TL_ENOTFOUND,
			"no result of case '%s' in the history", key);
		goto out;
	}
	tl_case_metrics_of(h.v, h.n, &h.params, ctx_now(c), &m);
	o = tl_value_map();
	put_rates(o, &m.rates);
	put_summary(o, key, &m); /* after: its keys win */
	if (m.state.last_pass >= 0) {
		const char *from = m.timeline[m.state.last_pass].revision;
		const char *to = m.timeline[m.state.first_fail].revision;
		char *range =
			tl_format("%s..%s", from ? from : "?", to ? to : "?");
		tl_value_put(o, "culprit", tl_value_str(range));
		free(range);
	} else {
		tl_value_put(o, "culprit", tl_value_null());
	}
	status_spark(&spark, h.v, h.n);
	tl_value_put(o, "sparkline", tl_value_str(spark.ptr));
	tl_buf_reset(&spark);
	duration_spark(&spark, h.v, h.n);
	tl_value_put(o, "duration_sparkline", tl_value_str(spark.ptr));
	{
		struct tl_value *all = tl_value_map();
		put_rates(all, &m.all);
		tl_value_put(o, "all_history", all);
	}
	d = tl_value_map();
	tl_value_put(d, "samples", tl_value_int((long long)m.durations.n));
	tl_value_put(d, "median", rounded(m.durations.median));
	tl_value_put(d, "p95", rounded(m.durations.p95));
	tl_value_put(d, "mad", rounded(m.durations.mad));
	tl_value_put(d, "slope", rounded(m.durations.slope));
	tl_value_put(d, "regression", tl_value_bool(m.durations.regression));
	tl_value_put(d, "regression_revision",
		m.slow_revision ? tl_value_str(m.slow_revision)
				: tl_value_null());
	tl_value_put(o, "durations", d);
	tl_value_put(o, "failures", failures_of(h.v, h.n));
	rs = tl_value_seq();
	for (size_t i = 0; i < h.n; i++) {
		const struct tl_event *e = &h.v[i];
		struct tl_value *r = tl_value_map();
		tl_value_put(r, "run", tl_value_str(e->run));
		tl_value_put(r, "status",
			e->status ? tl_value_str(e->status) : tl_value_null());
		tl_value_put(r, "attempts",
			tl_value_int((long long)strlen(e->outcomes)));
		tl_value_put(r, "duration",
			e->has_duration ? tl_value_num(e->duration)
					: tl_value_null());
		tl_value_put(r, "revision",
			e->revision ? tl_value_str(e->revision)
				    : tl_value_null());
		tl_value_put(r, "environment", env_map(e->environment));
		tl_value_put(r, "author",
			e->author ? tl_value_str(e->author) : tl_value_null());
		tl_value_put(r, "commit", tl_value_str(e->commit));
		tl_value_put(r, "time", iso(e->time));
		tl_value_put(r, "message",
			e->message ? tl_value_str(e->message)
				   : tl_value_null());
		tl_value_push(rs, r);
	}
	/* here "results" is the list; the count moves to result_count */
	tl_value_set(o, "results", rs);
	tl_value_put(o, "result_count", tl_value_int((long long)h.n));
	tl_case_metrics_release(&m);
	rc = out_object(c, o, history_text);
out:
	tl_buf_release(&spark);
	tl_value_free(aliases);
	tl_value_free(o);
	tl_history_release(&h);
	tl_list_release(&cases);
	free(project);
	free(key);
	return rc;
}

static int rank_of(const struct tl_case_metrics *m)
{
	if (m->state.state == TL_STATE_FLAKY)
		return m->state.high_confidence ? 0 : 1;
	if (m->state.state == TL_STATE_FLAKY_SUSPECTED)
		return 2;
	return m->all.pass_on_retry ? 3 : 4;
}

struct ranked {
	int rank;
	double weight;
	struct tl_value *row;
};

static int by_rank(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;
	if (a->rank != b->rank)
		return a->rank - b->rank;
	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	return strcmp(
		tl_value_gets(a->row, "case"), tl_value_gets(b->row, "case"));
}

int cmd_flaky(struct ctx *c, struct args *a)
{
	static const char *const cols[] = { "case", "state", "confidence",
		"results", "flaky_verdicts", "pass_on_retry", "flip_rate",
		"revision_flip_rate", "last_seen", NULL };
	static const char *const all[] = { "case", "state", "confidence",
		"results", "flaky_verdicts", "pass_on_retry", "flip_rate",
		"revision_flip_rate", "weighted_flip_rate", "fail_rate",
		"last_seen", NULL };
	struct tl_store *s;
	struct tl_history h = { 0 };
	struct ranked *v = NULL;
	struct tl_value *rows = tl_value_seq();
	const char *suite = arg_str(a, "suite");
	const char *since = arg_str(a, "since");
	struct tl_value *aliases = NULL;
	struct tl_case_span *spans = NULL;
	struct tl_case_metrics *m = NULL;
	char *project = NULL;
	size_t window, min, nv = 0, ns = 0;
	int64_t from = 0;
	int rc;

	if ((rc = arg_number(c, a, "window", 0, &window)) ||
		(rc = arg_number(c, a, "min-results", 2, &min)))
		goto out;
	if (since && tl_date_parse(since, &from)) {
		rc = tl_err_set(&c->err, TL_EUSAGE,
			"--since wants a date (2026-11-01), not '%s'", since);
		goto out;
	}
	if ((rc = ctx_store(c, &s)) || (rc = ctx_project(c, &project)) ||
		(rc = tl_aliases_load(&aliases, s, project, c->at, &c->err)) ||
		(rc = tl_history_load(
			 &h, s, project, c->at, aliases, NULL, &c->err)))
		goto out;
	if (window)
		h.params.window = window;
	/* the cases to measure, then measured all at once (two threads) */
	spans = tl_calloc(h.n ? h.n : 1, sizeof(*spans));
	for (size_t i = 0, j; i < h.n; i = j) {
		size_t first = i;
		/* keys are interned: the same key is mostly the same
		 * pointer, and a strcmp of each event's was 4 ms of a warm
		 * query */
		for (j = i; j < h.n &&
			(h.v[j].casekey == h.v[i].casekey ||
				!strcmp(h.v[j].casekey, h.v[i].casekey));
			j++)
			;
		while (first < j && h.v[first].time < from)
			first++;
		if (j - first < min ||
			(suite &&
				(strncmp(h.v[i].casekey, suite,
					 strlen(suite)) ||
					h.v[i].casekey[strlen(suite)] != '/')))
			continue;
		spans[ns].first = first;
		spans[ns++].n = j - first;
	}
	m = tl_calloc(ns ? ns : 1, sizeof(*m));
	tl_cases_metrics(&h, spans, ns, ctx_now(c), m);
	v = tl_calloc(ns ? ns : 1, sizeof(*v));
	for (size_t i = 0; i < ns; i++) {
		if (rank_of(&m[i]) < 4 || arg_flag(a, "all")) {
			v[nv].rank = rank_of(&m[i]);
			v[nv].weight = m[i].weighted_flip_rate;
			v[nv].row = tl_value_map();
			put_summary(
				v[nv].row, h.v[spans[i].first].casekey, &m[i]);
			nv++;
		}
		tl_case_metrics_release(&m[i]);
	}
	tl_sort(v, nv, sizeof(*v), by_rank);
	for (size_t i = 0; i < nv; i++)
		tl_value_push(rows, v[i].row);
	tl_trace_perf("flaky: cases measured");
	if (arg_flag(a, "quarantine-suggest"))
		rc = quarantine_suggest(c, s, rows);
	else
		rc = out_rows(c, a, rows, cols, all);
out:
	free(v);
	free(m);
	free(spans);
	tl_value_free(aliases);
	tl_value_free(rows);
	tl_history_release(&h);
	free(project);
	return rc;
}

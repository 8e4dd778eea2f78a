/* tally diff BASE...HEAD and tally gate (METRICS.md "Diff between two
 * revisions"): what a change did to the tests, from the commits. */
#include "cmd/tally.h"
#include "core/aliases.h"
#include "core/history.h"
#include "core/quarantine.h"
#include "core/signature.h"
#include "core/revs.h"
#include "core/walk.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

/* clang-format off */
const struct opt_spec opts_diff[] = {
	{ NULL, 0, 0, NULL, NULL, NULL },
};
/* clang-format on */

/* The classes, in the order they are reported. */
enum dclass {
	D_NEW_FAILURE,
	D_FIXED,
	D_STILL_FAILING,
	D_NEWLY_FLAKY,
	D_DURATION,
	D_KNOWN,
	D_ADDED,
	D_REMOVED,
	D__COUNT
};

static const char *const class_names[] = { "new-failure", "fixed",
	"still-failing", "newly-flaky", "duration-regression", "known-failure",
	"added", "removed" };
static const char *const class_titles[] = { "New failures", "Fixed",
	"Still failing", "Newly flaky", "Duration regressions",
	"Known failures", "Added cases", "Removed cases" };

/* One side of the diff: per case, its events up to that revision. */
struct side {
	char rev[64];
	struct tl_history h;
	struct tl_strlist cases; /* case files in the tree, as keys */
};

struct diff {
	struct ctx *c;
	struct tl_store *s;
	char *project;
	struct side base, head;
	struct tl_quarantine q;
	struct tl_sigrules *rules;
	struct tl_value *aliases; /* earlier case keys -> current ones */
	struct tl_value *rows; /* {class, case, base, head, detail, ...} */
	size_t counts[D__COUNT];
	size_t tests, passed, decisive, flaky; /* at head */
	int with_env; /* a row names an environment */
};

static int load_side(struct diff *d, struct side *sd, const char *rev)
{
	struct tl_err *err = &d->c->err;
	char *prefix = tl_format("%s%s/cases", d->s->prefix, d->project);
	int rc = tl_repo_resolve(d->s->repo, rev, sd->rev, err);
	if (!rc)
		rc = tl_history_load(&sd->h, d->s, d->project, sd->rev,
			d->aliases, NULL, err);
	if (!rc)
		rc = tl_repo_list_files(
			d->s->repo, sd->rev, prefix, &sd->cases, err);
	for (size_t i = 0; !rc && i < sd->cases.n; i++) {
		/* "auth/login.yaml" -> "auth/login" */
		size_t n = strlen(sd->cases.v[i]);
		if (n > 5 && !strcmp(sd->cases.v[i] + n - 5, ".yaml"))
			sd->cases.v[i][n - 5] = '\0';
		if (d->aliases && tl_value_gets(d->aliases, sd->cases.v[i])) {
			/* a case renamed since: its current key */
			char *now = tl_strdup(
				tl_value_gets(d->aliases, sd->cases.v[i]));
			free(sd->cases.v[i]);
			sd->cases.v[i] = now;
		}
	}
	free(prefix);
	return rc;
}

/* The events of casekey in h (sorted by case): [*from, *to). */
static void events_of(const struct tl_history *h, const char *casekey,
	size_t *from, size_t *to)
{
	size_t lo = 0, hi = h->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(h->v[mid].casekey, casekey) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*from = lo;
	while (lo < h->n && !strcmp(h->v[lo].casekey, casekey))
		lo++;
	*to = lo;
}

static int is_flaky(enum tl_state s)
{
	return s == TL_STATE_FLAKY || s == TL_STATE_FLAKY_SUSPECTED;
}

static const char *status_word(const struct tl_event *e)
{
	return e && e->status ? e->status : "-";
}

/* An environment's "key=value" lines as one label: "os=linux, db=pg". */
static struct tl_value *env_label(const char *env)
{
	struct tl_buf b = TL_BUF_INIT;
	struct tl_value *v;
	if (!env)
		return tl_value_null();
	for (const char *p = env; *p; p++)
		if (*p == '\n')
			tl_buf_puts(&b, ", ");
		else
			tl_buf_putc(&b, *p);
	v = tl_value_str(b.ptr ? b.ptr : "");
	tl_buf_release(&b);
	return v;
}

static void row_env(struct diff *d, enum dclass k, const char *casekey,
	const char *env, const struct tl_event *b, const struct tl_event *h,
	const char *detail, const char *sig)
{
	struct tl_value *r = tl_value_map();
	tl_value_put(r, "class", tl_value_str(class_names[k]));
	tl_value_put(r, "case", tl_value_str(casekey));
	tl_value_put(r, "environment", env_label(env));
	if (env)
		d->with_env = 1;
	tl_value_put(r, "base", tl_value_str(status_word(b)));
	tl_value_put(r, "head", tl_value_str(status_word(h)));
	tl_value_put(
		r, "detail", detail ? tl_value_str(detail) : tl_value_null());
	tl_value_put(r, "signature", sig ? tl_value_str(sig) : tl_value_null());
	tl_value_put(
		r, "commit", h ? tl_value_str(h->commit) : tl_value_null());
	tl_value_push(d->rows, r);
	d->counts[k]++;
}

static void row(struct diff *d, enum dclass k, const char *casekey,
	const struct tl_event *b, const struct tl_event *h, const char *detail,
	const char *sig)
{
	row_env(d, k, casekey, NULL, b, h, detail, sig);
}

static int same_env(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The latest event of [from, to) in environment env (NULL: none). */
static const struct tl_event *latest_in(
	const struct tl_history *h, size_t from, size_t to, const char *env)
{
	for (size_t i = to; i > from; i--)
		if (same_env(h->v[i - 1].environment, env))
			return &h->v[i - 1];
	return NULL;
}

/* New failure, still failing, known failure or fixed, for one case in
 * one environment: METRICS.md compares the latest result of each side
 * per environment, so a failure on windows is not hidden by a pass on
 * linux. */
static int classify_env(struct diff *d, const char *casekey, const char *env,
	size_t bf, size_t bt, size_t hf, size_t ht, int64_t now)
{
	const struct tl_event *be = latest_in(&d->base.h, bf, bt, env);
	const struct tl_event *he = latest_in(&d->head.h, hf, ht, env);
	enum tl_verdict bv =
		be ? tl_verdict_of(be->outcomes, NULL) : TL_VERDICT_SKIP;
	enum tl_verdict hv =
		he ? tl_verdict_of(he->outcomes, NULL) : TL_VERDICT_SKIP;
	struct tl_buf text = TL_BUF_INIT;
	char sig[33] = "";
	int rc = 0;

	d->tests++;
	if (hv != TL_VERDICT_SKIP)
		d->decisive++;
	d->passed += hv == TL_VERDICT_PASS;
	if (hv == TL_VERDICT_FAIL) {
		const struct tl_qentry *known;
		rc = tl_signature(d->rules, he->message, he->trace, he->type,
			&text, sig, &d->c->err);
		known = rc ? NULL
			   : tl_quarantine_match(&d->q, casekey, sig, now);
		if (rc)
			;
		else if (known)
			row_env(d, D_KNOWN, casekey, env, be, he,
				known->defect ? known->defect : known->reason,
				sig);
		else if (bv == TL_VERDICT_FAIL)
			row_env(d, D_STILL_FAILING, casekey, env, be, he,
				text.ptr, sig);
		else
			row_env(d, D_NEW_FAILURE, casekey, env, be, he,
				text.ptr, sig);
	} else if (hv != TL_VERDICT_SKIP && bv == TL_VERDICT_FAIL) {
		row_env(d, D_FIXED, casekey, env, be, he, NULL, NULL);
	}
	tl_buf_release(&text);
	return rc;
}

static int classify(struct diff *d, const char *casekey, int64_t now)
{
	size_t bf, bt, hf, ht;
	const struct tl_event *be, *he;
	struct tl_case_metrics bm, hm;
	int rc = 0;

	events_of(&d->base.h, casekey, &bf, &bt);
	events_of(&d->head.h, casekey, &hf, &ht);
	be = bt > bf ? &d->base.h.v[bt - 1] : NULL;
	he = ht > hf ? &d->head.h.v[ht - 1] : NULL;
	/* each environment the head side ran it in, once */
	for (size_t i = hf; i < ht && !rc; i++) {
		const char *env = d->head.h.v[i].environment;
		int seen = 0;
		for (size_t k = hf; k < i && !seen; k++)
			seen = same_env(d->head.h.v[k].environment, env);
		if (!seen)
			rc = classify_env(d, casekey, env, bf, bt, hf, ht, now);
	}
	tl_case_metrics_of(
		d->base.h.v + bf, bt - bf, &d->base.h.params, now, &bm);
	tl_case_metrics_of(
		d->head.h.v + hf, ht - hf, &d->head.h.params, now, &hm);
	if (is_flaky(hm.state.state)) {
		d->flaky++;
		if (!is_flaky(bm.state.state))
			row(d, D_NEWLY_FLAKY, casekey, be, he,
				tl_state_name(hm.state.state), NULL);
	}
	if (hm.durations.regression && !bm.durations.regression) {
		char *detail = tl_format("median %.3g s -> %.3g s",
			hm.durations.before, hm.durations.after);
		row(d, D_DURATION, casekey, be, he, detail, NULL);
		free(detail);
	}
	tl_case_metrics_release(&bm);
	tl_case_metrics_release(&hm);
	return rc;
}

static void add_unique(struct tl_strlist *all, const struct tl_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		tl_strlist_push(all, l->v[i]);
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has(const struct tl_strlist *sorted, const char *s)
{
	return bsearch(&s, sorted->v, sorted->n, sizeof(char *), by_str) !=
		NULL;
}

/* BASE...HEAD (merge base), BASE..HEAD (as given), REV (REV...HEAD), or
 * nothing: the upstream branch...HEAD. With --at, its revision stands
 * where HEAD is implied. */
static int range(struct diff *d, const char *spec, char **base, char **head)
{
	const char *tip = d->c->at ? d->c->at : "HEAD";
	const char *dots = spec ? strstr(spec, "..") : NULL;
	int three = dots && dots[2] == '.';
	char *a, *b;
	char hex[64];
	int rc;
	if (!spec) {
		a = tl_strdup("@{upstream}");
		b = tl_strdup(tip);
		three = 1;
	} else if (!dots) {
		a = tl_strdup(spec);
		b = tl_strdup(tip);
		three = 1;
	} else {
		a = tl_strndup(spec, (size_t)(dots - spec));
		b = tl_strdup(dots + (three ? 3 : 2));
		if (!*a) {
			free(a);
			a = tl_strdup(tip);
		}
		if (!*b) {
			free(b);
			b = tl_strdup(tip);
		}
	}
	rc = three ? tl_repo_merge_base(d->s->repo, a, b, hex, &d->c->err)
		   : tl_repo_resolve(d->s->repo, a, hex, &d->c->err);
	if (rc && !spec)
		rc = tl_err_set(&d->c->err, TL_EUSAGE,
			"the branch has no upstream: give the base (tally diff main...HEAD)");
	*base = rc ? NULL : tl_strdup(hex);
	*head = b;
	free(a);
	return rc;
}

static int diff_run(struct diff *d, const char *spec)
{
	struct tl_strlist all = { 0 };
	char *base = NULL, *head = NULL;
	int64_t now;
	int rc;

	d->rows = tl_value_seq();
	rc = ctx_store(d->c, &d->s);
	now = ctx_now(d->c); /* after the store: --at's time */
	if (rc || (rc = ctx_project(d->c, &d->project)) ||
		(rc = range(d, spec, &base, &head)) ||
		(rc = tl_aliases_load(&d->aliases, d->s, d->project, d->c->at,
			 &d->c->err)) ||
		(rc = load_side(d, &d->base, base)) ||
		(rc = load_side(d, &d->head, head)) ||
		(rc = tl_quarantine_load(&d->q, d->s, &d->c->err)) ||
		(rc = tl_sigrules_new(&d->rules,
			 tl_value_get(d->s->ws->failures, "normalize"),
			 &d->c->err)))
		goto out;
	/* every case either side knows, from its file or its results */
	add_unique(&all, &d->base.cases);
	add_unique(&all, &d->head.cases);
	for (size_t i = 0; i < d->base.h.n; i++)
		tl_strlist_push(&all, d->base.h.v[i].casekey);
	for (size_t i = 0; i < d->head.h.n; i++)
		tl_strlist_push(&all, d->head.h.v[i].casekey);
	tl_sort(all.v, all.n, sizeof(*all.v), by_str);
	tl_sort(d->base.cases.v, d->base.cases.n, sizeof(char *), by_str);
	tl_sort(d->head.cases.v, d->head.cases.n, sizeof(char *), by_str);
	for (size_t i = 0; !rc && i < all.n; i++) {
		const char *k = all.v[i];
		int in_base, in_head;
		if (i && !strcmp(k, all.v[i - 1]))
			continue;
		in_base = has(&d->base.cases, k);
		in_head = has(&d->head.cases, k);
		if (in_head && !in_base)
			row(d, D_ADDED, k, NULL, NULL, NULL, NULL);
		else if (in_base && !in_head)
			row(d, D_REMOVED, k, NULL, NULL, NULL, NULL);
		rc = classify(d, k, now);
	}
out:
	tl_strlist_release(&all);
	free(base);
	free(head);
	return rc;
}

static void diff_release(struct diff *d)
{
	tl_history_release(&d->base.h);
	tl_history_release(&d->head.h);
	tl_strlist_release(&d->base.cases);
	tl_strlist_release(&d->head.cases);
	tl_quarantine_release(&d->q);
	tl_sigrules_free(d->rules);
	tl_value_free(d->aliases);
	tl_value_free(d->rows);
	free(d->project);
}

static double pass_rate(const struct diff *d)
{
	return d->decisive ? (double)d->passed / (double)d->decisive : 1.0;
}

static struct tl_value *summary_of(const struct diff *d)
{
	struct tl_value *o = tl_value_map(), *k = tl_value_map();
	tl_value_put(o, "base", tl_value_str(d->base.rev));
	tl_value_put(o, "head", tl_value_str(d->head.rev));
	tl_value_put(o, "tests", tl_value_int((long long)d->tests));
	tl_value_put(o, "pass_rate",
		tl_value_num((double)(long long)(pass_rate(d) * 10000 + 0.5) /
			10000));
	for (int i = 0; i < D__COUNT; i++)
		tl_value_put(k, class_names[i],
			tl_value_int((long long)d->counts[i]));
	tl_value_put(o, "counts", k);
	return o;
}

/* "2 new failures, 1 fixed, ..." */
static void summary_line(struct tl_buf *b, const struct diff *d)
{
	static const char *const words[] = { "new failure", "fixed",
		"still failing", "newly flaky", "duration regression",
		"known failure", "added", "removed" };
	int any = 0;
	tl_buf_printf(
		b, "%zu tests, %.1f%% passing", d->tests, pass_rate(d) * 100);
	for (int i = 0; i < D__COUNT; i++) {
		if (!d->counts[i])
			continue;
		tl_buf_printf(b, "%s %zu %s%s", any ? "," : ":", d->counts[i],
			words[i],
			d->counts[i] > 1 &&
					(i == D_NEW_FAILURE ||
						i == D_DURATION || i == D_KNOWN)
				? "s"
				: "");
		any = 1;
	}
	if (!any)
		tl_buf_puts(b, ": no change");
}

static void markdown(struct tl_buf *b, const struct diff *d)
{
	tl_buf_puts(b, "**tally**: ");
	summary_line(b, d);
	tl_buf_printf(b, " (`%.10s...%.10s`)\n", d->base.rev, d->head.rev);
	for (int k = 0; k < D__COUNT; k++) {
		if (!d->counts[k])
			continue;
		/* failures open, the rest folded away */
		tl_buf_printf(b, "\n<details%s><summary>%s (%zu)</summary>\n\n",
			k == D_NEW_FAILURE ? " open" : "", class_titles[k],
			d->counts[k]);
		tl_buf_puts(b,
			"| case | base | head | detail |\n|---|---|---|---|\n");
		for (size_t i = 0; i < d->rows->n; i++) {
			const struct tl_value *r = d->rows->items[i];
			const char *detail = tl_value_gets(r, "detail");
			if (strcmp(tl_value_gets(r, "class"), class_names[k]))
				continue;
			const char *env = tl_value_gets(r, "environment");
			tl_buf_printf(b, "| `%s`%s%s%s | %s | %s | ",
				tl_value_gets(r, "case"), env ? " (" : "",
				env ? env : "", env ? ")" : "",
				tl_value_gets(r, "base"),
				tl_value_gets(r, "head"));
			for (const char *p = detail ? detail : ""; *p; p++)
				if (*p == '|')
					tl_buf_puts(b, "\\|");
				else if (*p != '\n')
					tl_buf_putc(b, *p);
			tl_buf_puts(b, " |\n");
		}
		tl_buf_puts(b, "\n</details>\n");
	}
}

int cmd_diff(struct ctx *c, struct args *a)
{
	struct diff d;
	int rc;
	memset(&d, 0, sizeof(d));
	d.c = c;
	rc = diff_run(&d, a->pos.n ? a->pos.v[0] : NULL);
	if (!rc && c->format == FMT_MD) {
		struct tl_buf b = TL_BUF_INIT;
		markdown(&b, &d);
		out_write(&b);
		tl_buf_release(&b);
	} else if (!rc && (c->format == FMT_JSON || c->format == FMT_YAML)) {
		struct tl_value *o = summary_of(&d);
		tl_value_put(o, "changes", tl_value_dup(d.rows));
		rc = out_object(c, o, NULL);
		tl_value_free(o);
	} else if (!rc) {
		static const char *const plain[] = { "class", "case", "base",
			"head", "detail", NULL };
		/* the environment column only where results name one */
		static const char *const envs[] = { "class", "case",
			"environment", "base", "head", "detail", NULL };
		static const char *const all[] = { "class", "case",
			"environment", "base", "head", "detail", "signature",
			"commit", NULL };
		const char *const *cols = d.with_env ? envs : plain;
		struct tl_buf b = TL_BUF_INIT;
		if (!c->quiet) {
			summary_line(&b, &d);
			tl_buf_putc(&b, '\n');
			fputs(b.ptr, stderr);
		}
		tl_buf_release(&b);
		rc = out_rows(c, a, d.rows, cols, all);
	}
	diff_release(&d);
	return rc;
}

/* ---- gate ---- */

/* Each rule's limit lives in struct tl_params (core/params.c reads and
 * checks tally.yaml's gate:); < 0 is off. */
struct rule_check {
	const char *name;
	int is_min;
	size_t off;
};

#define RULE(name, is_min, field)                               \
	{                                                       \
		name, is_min, offsetof(struct tl_params, field) \
	}

static const struct rule_check rules[] = {
	RULE("max-new-failures", 0, max_new_failures),
	RULE("max-failures", 0, max_failures),
	RULE("min-pass-rate", 1, min_pass_rate),
	RULE("max-flaky-rate", 0, max_flaky_rate),
	RULE("max-duration-regressions", 0, max_duration_regressions),
	RULE("min-tests", 1, min_tests),
};

static double measure(const struct diff *d, const char *name)
{
	if (!strcmp(name, "max-new-failures"))
		return (double)d->counts[D_NEW_FAILURE];
	if (!strcmp(name, "max-failures"))
		return (double)(d->counts[D_NEW_FAILURE] +
			d->counts[D_STILL_FAILING]);
	if (!strcmp(name, "min-pass-rate"))
		return pass_rate(d);
	if (!strcmp(name, "max-flaky-rate"))
		return d->tests ? (double)d->flaky / (double)d->tests : 0;
	if (!strcmp(name, "max-duration-regressions"))
		return (double)d->counts[D_DURATION];
	return (double)d->tests;
}

int cmd_gate(struct ctx *c, struct args *a)
{
	struct diff d;
	struct tl_value *o = NULL, *broken = tl_value_seq();
	struct tl_buf b = TL_BUF_INIT;
	int rc;
	memset(&d, 0, sizeof(d));
	d.c = c;
	rc = diff_run(&d, a->pos.n ? a->pos.v[0] : NULL);
	for (size_t i = 0; !rc && i < sizeof(rules) / sizeof(*rules); i++) {
		const struct rule_check *r = &rules[i];
		double limit = *(const double *)(const void
				*)((const char *)&d.head.h.params + r->off);
		double got = measure(&d, r->name);
		int fails;
		if (limit < 0)
			continue;
		fails = r->is_min ? got < limit : got > limit;
		if (fails) {
			struct tl_value *v = tl_value_map();
			tl_value_put(v, "rule", tl_value_str(r->name));
			tl_value_put(v, "limit", tl_value_num(limit));
			tl_value_put(v, "actual", tl_value_num(got));
			tl_value_push(broken, v);
		}
	}
	if (!rc) {
		o = summary_of(&d);
		tl_value_put(o, "passed", tl_value_bool(broken->n == 0));
		tl_value_put(o, "violations", broken);
		broken = NULL;
		if (c->format == FMT_JSON || c->format == FMT_YAML) {
			rc = out_object(c, o, NULL);
		} else {
			const struct tl_value *v =
				tl_value_get(o, "violations");
			summary_line(&b, &d);
			tl_buf_putc(&b, '\n');
			for (size_t i = 0; i < v->n; i++)
				tl_buf_printf(&b,
					"violated: %s (limit %s, got %s)\n",
					tl_value_gets(v->items[i], "rule"),
					tl_value_gets(v->items[i], "limit"),
					tl_value_gets(v->items[i], "actual"));
			tl_buf_puts(
				&b, v->n ? "gate: FAILED\n" : "gate: passed\n");
			if (!c->quiet || v->n)
				out_write(&b);
		}
		if (!rc && tl_value_get(o, "violations")->n)
			rc = tl_err_set(
				&c->err, TL_EFAILED, "%s", "the gate failed");
	}
	tl_buf_release(&b);
	tl_value_free(broken);
	tl_value_free(o);
	diff_release(&d);
	return rc;
}

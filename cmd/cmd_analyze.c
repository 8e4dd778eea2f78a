/* tally run analyze: the execution analysis of a run or a release. */
#include "cmd/tally.h"
#include "core/analysis.h"
#include "core/resolve.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

const struct opt_spec opts_run_analyze[] = {
	{ "release", 0, OPT_STR, "RELEASE",
		"analyze every execution of a release", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static void list_line(
	struct tl_buf *b, const char *label, const struct tl_value *l)
{
	tl_buf_printf(b, "  %-30s ", label);
	if (!l || !l->n) {
		tl_buf_puts(b, "none\n");
		return;
	}
	for (size_t i = 0; i < l->n; i++)
		tl_buf_printf(b, "%s%s", i ? ", " : "", l->items[i]->str);
	tl_buf_putc(b, '\n');
}

static const char *g(const struct tl_value *o, const char *k)
{
	const char *s = tl_value_gets(o, k);
	return s ? s : "-";
}

static void analysis_text(
	struct ctx *c, const struct tl_value *o, struct tl_buf *b)
{
	const struct tl_value *p = tl_value_get(o, "progress");
	const struct tl_value *own = tl_value_get(o, "ownership");
	const struct tl_value *hot = tl_value_get(o, "hotspots");
	const struct tl_value *sig = tl_value_get(o, "defect_signals");
	const struct tl_value *days = tl_value_get(p, "per_day");
	const struct tl_value *v;
	struct tl_buf cell = TL_BUF_INIT;

	out_cell(&cell, tl_value_get(o, "runs"));
	tl_buf_printf(b, "%sAnalysis of %s%s\n\n", out_bold(c), cell.ptr,
		out_reset(c));
	tl_buf_printf(b, "%sProgress%s\n  ", out_bold(c), out_reset(c));
	progress_bar(b, tl_value_get(p, "counts"), 30);
	tl_buf_reset(&cell);
	out_cell(&cell, tl_value_get(p, "counts"));
	tl_buf_printf(b, "  %s\n  pass rate of executed: %s%%\n", cell.ptr,
		g(p, "pass_rate_pct"));
	for (size_t i = 0; days && i < days->n; i++)
		tl_buf_printf(b,
			"  %s  %s recorded, %s newly executed, %s in all\n",
			g(days->items[i], "date"),
			g(days->items[i], "recorded"),
			g(days->items[i], "newly_executed"),
			g(days->items[i], "executed"));

	tl_buf_printf(b, "\n%sOwnership%s\n  %-30s %8s %8s %6s %6s %7s %4s\n",
		out_bold(c), out_reset(c), "assignee", "assigned", "executed",
		"passed", "failed", "blocked", "left");
	for (size_t i = 0; own && i < own->n; i++) {
		const struct tl_value *r = own->items[i];
		tl_buf_printf(b, "  %-30s %8s %8s %6s %6s %7s %4s\n",
			tl_value_gets(r, "assignee")
				? tl_value_gets(r, "assignee")
				: "(unassigned)",
			g(r, "assigned"), g(r, "executed"), g(r, "passed"),
			g(r, "failed"), g(r, "blocked"), g(r, "left"));
	}

	tl_buf_printf(b, "\n%sHotspots%s\n", out_bold(c), out_reset(c));
	v = tl_value_get(hot, "suites");
	if (!v || !v->n)
		tl_buf_puts(b, "  no failures\n");
	for (size_t i = 0; v && i < v->n; i++)
		tl_buf_printf(b, "  %-30s %s failed of %s executed (%s%%)\n",
			*g(v->items[i], "suite") == '-' ||
					!*tl_value_gets(v->items[i], "suite")
				? "(top level)"
				: g(v->items[i], "suite"),
			g(v->items[i], "failed"), g(v->items[i], "executed"),
			g(v->items[i], "failure_rate_pct"));
	v = tl_value_get(hot, "recurring_failures");
	tl_buf_printf(b, "  failed in the previous run too (%s): ",
		g(hot, "previous_run"));
	for (size_t i = 0; v && i < v->n; i++)
		tl_buf_printf(b, "%s%s", i ? ", " : "", g(v->items[i], "case"));
	tl_buf_puts(b, v && v->n ? "\n" : "none\n");

	tl_buf_printf(b, "\n%sDefect signals%s\n", out_bold(c), out_reset(c));
	list_line(b, "failures without a defect",
		tl_value_get(sig, "failures_without_defect"));
	v = tl_value_get(sig, "defects_with_several_failures");
	tl_buf_printf(b, "  %-30s ", "defects with several failures");
	for (size_t i = 0; v && i < v->n; i++)
		tl_buf_printf(b, "%s%s (%s)", i ? ", " : "",
			g(v->items[i], "defect"), g(v->items[i], "failures"));
	tl_buf_puts(b, v && v->n ? "\n" : "none\n");
	v = tl_value_get(sig, "blocked_by_open_defects");
	tl_buf_printf(b, "  %-30s ", "blocked by an open defect");
	for (size_t i = 0; v && i < v->n; i++)
		tl_buf_printf(b, "%s%s by %s", i ? ", " : "",
			g(v->items[i], "case"), g(v->items[i], "defect"));
	tl_buf_puts(b, v && v->n ? "\n" : "none\n");
	list_line(b, "new failures", tl_value_get(sig, "new_failures"));
	list_line(b, "known failures", tl_value_get(sig, "known_failures"));
	tl_buf_release(&cell);
}

int cmd_run_analyze(struct ctx *c, struct args *a)
{
	struct tl_store *s;
	struct tl_runs runs = { 0 };
	struct tl_list defects = { 0 }, rels = { 0 };
	struct tl_view v;
	struct tl_value *o = NULL;
	char *project = NULL;
	const char *release = arg_str(a, "release");
	int rc, have_view = 0;

	if (!release == !a->pos.n)
		return tl_err_set(&c->err, TL_EUSAGE,
			"usage: tally run analyze RUN, or tally run analyze --release RELEASE");
	if ((rc = ctx_store(c, &s)) || (rc = ctx_project(c, &project)) ||
		(rc = tl_runs_load(&runs, s, project, 0, &c->err)) ||
		(rc = tl_store_defects(s, project, &defects, &c->err)))
		goto out;
	if (release) {
		void *rel;
		if ((rc = tl_store_releases(s, project, &rels, &c->err)) ||
			(rc = tl_resolve_list(
				 &rels, release, "release", &rel, &c->err)))
			goto out;
		tl_view_build(&v, &runs, tl_pick_release,
			((struct tl_entity *)rel)->key);
	} else {
		struct tl_rundata *d;
		if ((rc = tl_runs_find(&runs, a->pos.v[0], &d, &c->err)) ||
			(rc = tl_run_need_results(d, s, &c->err)))
			goto out;
		tl_view_build(&v, &runs, tl_pick_run, d->run->ent.key);
	}
	have_view = 1;
	rc = tl_analyze(&o, s, project, &runs, &v, &defects, &c->err);
	if (!rc)
		rc = out_object(c, o, analysis_text);
out:
	if (have_view)
		tl_view_release(&v);
	tl_value_free(o);
	tl_runs_release(&runs);
	tl_list_release(&defects);
	tl_list_release(&rels);
	free(project);
	return rc;
}

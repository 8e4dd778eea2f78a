/* tally run show, and the run document that export builds on. */
#include "cmd/run_ctx.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static struct tl_value *attempts_value(const struct tl_result *x)
{
	long long n = 1;
	if (x->retries && x->retries->kind == TL_V_SEQ)
		n += (long long)x->retries->n;
	return tl_value_int(n);
}

/* {key, url} for each linked defect: a local defect's url, or the
 * defects.url template of tally.yaml with {key} filled in. */
static struct tl_value *defect_links(
	const struct runctx *r, const struct tl_result *x)
{
	struct tl_value *l = tl_value_seq();
	const char *tmpl = tl_value_gets(r->s->ws->defects, "url");
	for (size_t i = 0; x && i < x->defects.n; i++) {
		const char *k = x->defects.v[i];
		const struct tl_defect *local = runctx_defect(r, k);
		struct tl_value *o = tl_value_map();
		struct tl_buf url = TL_BUF_INIT;
		if (local && local->url) {
			tl_buf_puts(&url, local->url);
		} else if (!local && tmpl) {
			const char *at = strstr(tmpl, "{key}");
			if (at)
				tl_buf_printf(&url, "%.*s%s%s",
					(int)(at - tmpl), tmpl, k, at + 5);
		}
		tl_value_put(o, "key", tl_value_str(k));
		tl_value_put(o, "local", tl_value_bool(local != NULL));
		tl_value_put(o, "url",
			url.len ? tl_value_str(url.ptr) : tl_value_null());
		tl_value_push(l, o);
		tl_buf_release(&url);
	}
	return l;
}

/* The row of the run's case i, as run show lists it. */
static struct tl_value *case_row(
	const struct runctx *r, const struct tl_rundata *d, size_t i)
{
	const char *k = d->cases.v[i];
	const struct tl_result *x = tl_run_result(d, k);
	const char *assignee = x && x->assignee
		? x->assignee
		: tl_value_gets(d->run->assignees, k);
	const struct tl_case *kc = runctx_case(r, k);
	struct tl_value *row = tl_value_map();
	tl_value_put(row, "case", tl_value_str(k));
	tl_value_put(row, "title", opt_strv(kc ? kc->title : NULL));
	tl_value_put(row, "status",
		tl_value_str(tl_status_name(tl_run_case_status(d, k))));
	tl_value_put(row, "assignee", opt_strv(assignee));
	tl_value_put(row, "duration",
		x && x->duration.set ? tl_value_num(x->duration.v)
				     : tl_value_null());
	tl_value_put(row, "defects",
		x ? strlist_value(&x->defects) : tl_value_seq());
	tl_value_put(row, "defect_links", defect_links(r, x));
	tl_value_put(row, "attempts", x ? attempts_value(x) : tl_value_int(0));
	tl_value_put(row, "message", opt_strv(x ? x->message : NULL));
	return row;
}

/* The run without its cases' rows. */
static struct tl_value *run_head(const struct tl_rundata *d)
{
	struct tl_value *o = run_row(d);
	tl_value_put(o, "sources",
		d->run->sources ? tl_value_dup(d->run->sources)
				: tl_value_map());
	return o;
}

static struct tl_value *run_detail(
	const struct runctx *r, const struct tl_rundata *d)
{
	struct tl_value *o = run_head(d), *cases = tl_value_seq();
	for (size_t i = 0; i < d->cases.n; i++)
		tl_value_push(cases, case_row(r, d, i));
	tl_value_put(o, "cases", cases);
	return o;
}

void progress_bar(struct tl_buf *b, const struct tl_value *counts, int width)
{
	long long total = 0, done = 0, passed = 0;
	const char *t = tl_value_gets(counts, "total");
	total = t ? strtoll(t, NULL, 10) : 0;
	passed = strtoll(tl_value_gets(counts, "passed"), NULL, 10);
	done = total -
		strtoll(tl_value_gets(counts, "not_executed"), NULL, 10) -
		strtoll(tl_value_gets(counts, "running"), NULL, 10);
	if (!total) {
		tl_buf_puts(b, "no cases selected\n");
		return;
	}
	tl_buf_putc(b, '[');
	for (int i = 0; i < width; i++)
		tl_buf_puts(b, i < (int)(done * width / total) ? "#" : ".");
	tl_buf_printf(b, "] %lld/%lld executed (%.0f%%), %.0f%% passed\n", done,
		total, 100.0 * (double)done / (double)total,
		100.0 * (double)passed / (double)total);
}

/* The run's text before its cases. */
static void run_text_head(
	struct ctx *c, const struct tl_value *o, struct tl_buf *b)
{
	const struct tl_value *counts = tl_value_get(o, "counts");
	struct tl_buf cell = TL_BUF_INIT;
	tl_buf_printf(b, "%s%s%s  %s\n", out_bold(c), tl_value_gets(o, "key"),
		out_reset(c), tl_value_gets(o, "title"));
	if (tl_value_gets(o, "description"))
		tl_buf_printf(b, "%s\n", tl_value_gets(o, "description"));
	tl_buf_printf(b, "\n%-11s %s%s%s\n", "kind", tl_value_gets(o, "kind"),
		tl_value_gets(o, "release") ? " of release " : "",
		tl_value_gets(o, "release") ? tl_value_gets(o, "release") : "");
	tl_buf_printf(b, "%-11s %s%s\n", "status", tl_value_gets(o, "status"),
		!strcmp(tl_value_gets(o, "closed"), "true") ? " (closed)" : "");
	tl_buf_printf(b, "%-11s %s by %s\n", "created",
		tl_value_gets(o, "created") ? tl_value_gets(o, "created") : "-",
		tl_value_gets(o, "created_by") ? tl_value_gets(o, "created_by")
					       : "-");
	out_cell(&cell, tl_value_get(o, "sources"));
	tl_buf_printf(b, "%-11s %s\n", "sources", cell.len ? cell.ptr : "-");
	tl_buf_reset(&cell);
	out_cell(&cell, tl_value_get(o, "environment"));
	if (cell.len)
		tl_buf_printf(b, "%-11s %s\n", "environment", cell.ptr);
	tl_buf_reset(&cell);
	out_cell(&cell, tl_value_get(o, "fields"));
	if (cell.len)
		tl_buf_printf(b, "%-11s %s\n", "fields", cell.ptr);
	tl_buf_puts(b, "\n");
	progress_bar(b, counts, 30);
	tl_buf_puts(b, "\n");
	tl_buf_release(&cell);
}

/* A case's lines under the head; cell is scratch. */
static void run_text_case(
	const struct tl_value *r, struct tl_buf *b, struct tl_buf *cell)
{
	tl_buf_reset(cell);
	{
		const struct tl_value *dl = tl_value_get(r, "defect_links");
		for (size_t j = 0; dl && j < dl->n; j++)
			tl_buf_printf(cell, "%s%s%s%s%s", j ? ", " : "",
				tl_value_gets(dl->items[j], "key"),
				tl_value_gets(dl->items[j], "url") ? " <" : "",
				tl_value_gets(dl->items[j], "url")
					? tl_value_gets(dl->items[j], "url")
					: "",
				tl_value_gets(dl->items[j], "url") ? ">" : "");
	}
	tl_buf_printf(b, "  %-13s %-40s %s%s%s%s\n", tl_value_gets(r, "status"),
		tl_value_gets(r, "case"),
		tl_value_gets(r, "assignee") ? tl_value_gets(r, "assignee")
					     : "",
		tl_value_gets(r, "duration") ? "  " : "",
		tl_value_gets(r, "duration") ? tl_value_gets(r, "duration")
					     : "",
		tl_value_gets(r, "duration") ? "s" : "");
	if (cell->len)
		tl_buf_printf(b, "  %13s defects: %s\n", "", cell->ptr);
	if (tl_value_gets(r, "message"))
		tl_buf_printf(b, "  %13s %.*s\n", "",
			(int)strcspn(tl_value_gets(r, "message"), "\n"),
			tl_value_gets(r, "message"));
}

static void run_text(struct ctx *c, const struct tl_value *o, struct tl_buf *b)
{
	const struct tl_value *cases = tl_value_get(o, "cases");
	struct tl_buf cell = TL_BUF_INIT;
	run_text_head(c, o, b);
	for (size_t i = 0; cases && i < cases->n; i++)
		run_text_case(cases->items[i], b, &cell);
	tl_buf_release(&cell);
}

struct shown {
	const struct runctx *r;
	const struct tl_rundata *d;
};

static struct tl_value *shown_row(void *ctx, size_t i)
{
	const struct shown *sh = ctx;
	return case_row(sh->r, sh->d, i);
}

/* Written a case at a time, each row made as it is (a run of 100,000
 * results held 274 MB as a whole document, 289 to 302 MB as YAML or
 * CSV). TALLY_TEST_WHOLE_DOC makes the whole document instead, so that
 * the tests hold the two to the same bytes. */
static int show(
	struct ctx *c, const struct runctx *r, const struct tl_rundata *d)
{
	struct tl_value *head = run_head(d);
	struct shown sh = { r, d };
	struct tl_buf b = TL_BUF_INIT, cell = TL_BUF_INIT;
	int rc = 0;
	if (c->format == FMT_TABLE || c->format == FMT_MD) {
		run_text_head(c, head, &b);
		for (size_t i = 0; i < d->cases.n; i++) {
			struct tl_value *row = case_row(r, d, i);
			run_text_case(row, &b, &cell);
			tl_value_free(row);
			out_spill(&b);
		}
	} else if (!getenv("TALLY_TEST_WHOLE_DOC")) {
		tl_value_put(head, "cases", tl_value_str(OUT_ROWS_MARK));
		rc = out_object_rows(c, head, d->cases.n, shown_row, &sh, &b);
	} else {
		struct tl_value *o = run_detail(r, d);
		rc = out_object(c, o, run_text);
		tl_value_free(o);
	}
	if (!rc)
		out_write(&b);
	tl_buf_release(&b);
	tl_buf_release(&cell);
	tl_value_free(head);
	return rc;
}

int cmd_run_show(struct ctx *c, struct args *a)
{
	struct runctx r;
	struct tl_rundata *d;
	int rc = runctx_load(c, &r, 0);
	if (!rc)
		rc = tl_runs_find(&r.runs, a->pos.v[0], &d, &c->err);
	if (!rc)
		rc = tl_run_need_results(d, r.s, &c->err);
	if (!rc)
		rc = show(c, &r, d);
	runctx_release(&r);
	return rc;
}

struct run_doc {
	struct runctx r;
	struct tl_rundata *d;
	struct tl_value *head;
};

int run_doc_open(struct ctx *c, const char *ref, struct run_doc **out)
{
	struct run_doc *doc = tl_calloc(1, sizeof(*doc));
	int rc = runctx_load(c, &doc->r, 0);
	if (!rc)
		rc = tl_runs_find(&doc->r.runs, ref, &doc->d, &c->err);
	if (!rc)
		rc = tl_run_need_results(doc->d, doc->r.s, &c->err);
	if (rc) {
		run_doc_free(doc);
		*out = NULL;
		return rc;
	}
	doc->head = run_head(doc->d);
	*out = doc;
	return 0;
}

const struct tl_value *run_doc_head(const struct run_doc *doc)
{
	return doc->head;
}

size_t run_doc_count(const struct run_doc *doc)
{
	return doc->d->cases.n;
}

const char *run_doc_status(const struct run_doc *doc, size_t i)
{
	return tl_status_name(tl_run_case_status(doc->d, doc->d->cases.v[i]));
}

struct tl_value *run_doc_row(const struct run_doc *doc, size_t i)
{
	struct tl_value *row = case_row(&doc->r, doc->d, i);
	const char *k = doc->d->cases.v[i];
	const struct tl_result *x = tl_run_result(doc->d, k);
	const struct tl_case *kc = runctx_case(&doc->r, k);
	/* what an export needs beyond run show: each case's automation
	 * id, failure type, trace and output */
	tl_value_put(row, "automation", opt_strv(kc ? kc->automation : NULL));
	tl_value_put(row, "type", opt_strv(x ? x->type : NULL));
	tl_value_put(row, "trace", opt_strv(x ? x->trace : NULL));
	tl_value_put(row, "output", opt_strv(x ? x->output : NULL));
	tl_value_put(row, "started", opt_strv(x ? x->started : NULL));
	tl_value_put(row, "retries",
		x && x->retries ? tl_value_dup(x->retries) : tl_value_seq());
	return row;
}

void run_doc_free(struct run_doc *doc)
{
	if (!doc)
		return;
	tl_value_free(doc->head);
	runctx_release(&doc->r);
	free(doc);
}

/* tally export: a run for people (Markdown) and for tools (JSON, CSV,
 * JUnit XML, CTRF). */
#include "cmd/tally.h"
#include "core/time.h"
#include "formats/csv.h"
#include "formats/json.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static const char *const export_formats[] = { "md", "json", "csv", "junit",
	"ctrf", NULL };

/* clang-format off */
const struct opt_spec opts_export[] = {
	{ "format", 'F', OPT_STR, "FORMAT", "md (the default), json, csv, junit or ctrf", export_formats },
	{ NULL, 0, 0, NULL, NULL, NULL },
};
/* clang-format on */

static const char *g(const struct tl_value *o, const char *k)
{
	return tl_value_gets(o, k);
}

static long long count_of(const struct tl_value *o, const char *k)
{
	const char *s = tl_value_gets(tl_value_get(o, "counts"), k);
	return s ? strtoll(s, NULL, 10) : 0;
}

/* Text inside a Markdown table cell: one line, pipes escaped. */
static void md_cell(struct tl_buf *b, const char *s, size_t max)
{
	size_t n = 0;
	for (; s && *s && n < max; s++, n++) {
		if (*s == '\n' || *s == '\r') {
			tl_buf_puts(b, " ");
			continue;
		}
		if (*s == '|' || *s == '`')
			tl_buf_putc(b, '\\');
		tl_buf_putc(b, *s);
	}
	if (s && *s)
		tl_buf_puts(b, "\xe2\x80\xa6");
}

static void export_md(const struct run_doc *doc, struct tl_buf *b)
{
	const struct tl_value *o = run_doc_head(doc);
	size_t ncases = run_doc_count(doc);
	long long total = count_of(o, "total"), passed = count_of(o, "passed"),
		  failed = count_of(o, "failed"),
		  blocked = count_of(o, "blocked"),
		  skipped = count_of(o, "skipped"),
		  left = count_of(o, "not_executed") + count_of(o, "running");
	size_t nfail = 0;

	/* the summary line first: it is what a reviewer reads */
	tl_buf_printf(b, "**%s %s**: %lld tests, ",
		failed ? "\xe2\x9d\x8c" : "\xe2\x9c\x85", g(o, "title"), total);
	tl_buf_printf(b, "%lld passed, %lld failed", passed, failed);
	if (blocked)
		tl_buf_printf(b, ", %lld blocked", blocked);
	if (skipped)
		tl_buf_printf(b, ", %lld skipped", skipped);
	if (left)
		tl_buf_printf(b, ", %lld not executed", left);
	if (total)
		tl_buf_printf(b, " (%.0f%% passed)",
			100.0 * (double)passed / (double)total);
	tl_buf_printf(b, "\n\nRun `%s`", g(o, "key"));
	if (g(o, "release"))
		tl_buf_printf(
			b, ", execution of release `%s`", g(o, "release"));
	if (g(o, "revision"))
		tl_buf_printf(b, ", revision `%s`", g(o, "revision"));
	tl_buf_puts(b, ".\n");

	for (size_t i = 0; i < ncases; i++)
		nfail += !strcmp(run_doc_status(doc, i), "failed");
	if (nfail) {
		tl_buf_printf(b,
			"\n### Failures (%zu)\n\n| case | message |\n|---|---|\n",
			nfail);
		for (size_t i = 0; i < ncases; i++) {
			struct tl_value *r;
			if (strcmp(run_doc_status(doc, i), "failed"))
				continue;
			r = run_doc_row(doc, i);
			tl_buf_puts(b, "| `");
			md_cell(b, g(r, "case"), 200);
			tl_buf_puts(b, "` | ");
			md_cell(b, g(r, "message") ? g(r, "message") : "", 300);
			tl_buf_puts(b, " |\n");
			tl_value_free(r);
			out_spill(b);
		}
		for (size_t i = 0; i < ncases; i++) {
			struct tl_value *r;
			const char *tr;
			size_t n;
			if (strcmp(run_doc_status(doc, i), "failed"))
				continue;
			r = run_doc_row(doc, i);
			if ((tr = g(r, "trace"))) {
				n = strlen(tr);
				while (n && tr[n - 1] == '\n')
					n--;
				tl_buf_printf(b,
					"\n<details><summary><code>%s</code> trace</summary>\n\n```\n%.*s\n```\n\n</details>\n",
					g(r, "case"), (int)n, tr);
			}
			tl_value_free(r);
			out_spill(b);
		}
	}
	tl_buf_printf(b,
		"\n<details><summary>All %zu results</summary>\n\n| case | status | duration | defects |\n|---|---|---|---|\n",
		ncases);
	for (size_t i = 0; i < ncases; i++) {
		struct tl_value *r = run_doc_row(doc, i);
		struct tl_buf d = TL_BUF_INIT;
		out_cell(&d, tl_value_get(r, "defects"));
		tl_buf_puts(b, "| `");
		md_cell(b, g(r, "case"), 200);
		tl_buf_printf(b, "` | %s | %s%s | ", g(r, "status"),
			g(r, "duration") ? g(r, "duration") : "",
			g(r, "duration") ? " s" : "");
		md_cell(b, d.ptr, 200);
		tl_buf_puts(b, " |\n");
		tl_buf_release(&d);
		tl_value_free(r);
		out_spill(b);
	}
	tl_buf_puts(b, "\n</details>\n");
}

static void export_csv(const struct run_doc *doc, struct tl_buf *b)
{
	static const char *const cols[] = { "case", "title", "status",
		"assignee", "duration", "attempts", "defects", "message",
		NULL };
	for (const char *const *c = cols; *c; c++)
		tl_buf_printf(b, "%s%s", c == cols ? "" : ",", *c);
	tl_buf_puts(b, "\r\n");
	for (size_t i = 0; i < run_doc_count(doc); i++) {
		struct tl_value *r = run_doc_row(doc, i);
		for (const char *const *c = cols; *c; c++) {
			struct tl_buf cell = TL_BUF_INIT;
			out_cell(&cell, tl_value_get(r, *c));
			if (c != cols)
				tl_buf_putc(b, ',');
			tl_csv_field(b, cell.ptr);
			tl_buf_release(&cell);
		}
		tl_buf_puts(b, "\r\n");
		tl_value_free(r);
		out_spill(b);
	}
}

static void xml_text(struct tl_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			tl_buf_puts(b, "&amp;");
			break;
		case '<':
			tl_buf_puts(b, "&lt;");
			break;
		case '>':
			tl_buf_puts(b, "&gt;");
			break;
		case '"':
			tl_buf_puts(b, "&quot;");
			break;
		default:
			tl_buf_putc(b, *s);
		}
	}
}

/* classname and name: from the automation id where there is one, so that
 * tally import maps the file back to the same cases. */
static void junit_names(const struct tl_value *r, char **cls, char **name)
{
	const char *id = g(r, "automation"), *k = g(r, "case");
	const char *cut;
	if (id && strstr(id, " / ")) {
		/* "suite / name": an id that had no classname */
		*cls = NULL;
		*name = tl_strdup(id);
		return;
	}
	cut = id ? strrchr(id, '.') : strrchr(k, '/');
	*cls = cut ? tl_strndup(id ? id : k, (size_t)(cut - (id ? id : k)))
		   : NULL;
	*name = tl_strdup(cut ? cut + 1 : id ? id : k);
	if (*cls && !id)
		for (char *p = *cls; *p; p++)
			if (*p == '/')
				*p = '.';
}

static void export_junit(const struct run_doc *doc, struct tl_buf *b)
{
	const struct tl_value *o = run_doc_head(doc);
	size_t ncases = run_doc_count(doc);
	long long failed = count_of(o, "failed"),
		  skipped = count_of(o, "skipped") + count_of(o, "blocked") +
		count_of(o, "not_executed") + count_of(o, "running");
	tl_buf_puts(b,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"");
	xml_text(b, g(o, "title"));
	tl_buf_printf(b,
		"\" tests=\"%zu\" failures=\"%lld\" skipped=\"%lld\">\n  <testsuite name=\"",
		ncases, failed, skipped);
	xml_text(b, g(o, "key"));
	tl_buf_printf(b,
		"\" tests=\"%zu\" failures=\"%lld\" skipped=\"%lld\">\n",
		ncases, failed, skipped);
	for (size_t i = 0; i < ncases; i++) {
		struct tl_value *r = run_doc_row(doc, i);
		const char *st = g(r, "status");
		char *cls, *name;
		junit_names(r, &cls, &name);
		tl_buf_puts(b, "    <testcase");
		if (cls) {
			tl_buf_puts(b, " classname=\"");
			xml_text(b, cls);
			tl_buf_putc(b, '"');
		}
		tl_buf_puts(b, " name=\"");
		xml_text(b, name);
		tl_buf_putc(b, '"');
		if (g(r, "duration"))
			tl_buf_printf(b, " time=\"%s\"", g(r, "duration"));
		tl_buf_puts(b, ">\n");
		if (!strcmp(st, "failed")) {
			tl_buf_puts(b, "      <failure message=\"");
			xml_text(b, g(r, "message"));
			tl_buf_putc(b, '"');
			if (g(r, "type")) {
				tl_buf_puts(b, " type=\"");
				xml_text(b, g(r, "type"));
				tl_buf_putc(b, '"');
			}
			tl_buf_puts(b, ">");
			xml_text(b, g(r, "trace"));
			tl_buf_puts(b, "</failure>\n");
		} else if (strcmp(st, "passed")) {
			/* blocked, skipped, not executed: JUnit has only
			 * skipped */
			tl_buf_puts(b, "      <skipped message=\"");
			xml_text(b, g(r, "message") ? g(r, "message") : st);
			tl_buf_puts(b, "\"/>\n");
		}
		if (g(r, "output")) {
			tl_buf_puts(b, "      <system-out>");
			xml_text(b, g(r, "output"));
			tl_buf_puts(b, "</system-out>\n");
		}
		tl_buf_puts(b, "    </testcase>\n");
		free(cls);
		free(name);
		tl_value_free(r);
		out_spill(b);
	}
	tl_buf_puts(b, "  </testsuite>\n</testsuites>\n");
}

/* CTRF statuses: passed, failed, skipped, pending, other. */
static const char *ctrf_status(const char *s)
{
	if (!strcmp(s, "passed") || !strcmp(s, "failed") ||
		!strcmp(s, "skipped"))
		return s;
	if (!strcmp(s, "not-executed") || !strcmp(s, "running"))
		return "pending";
	return "other"; /* blocked */
}

/* A CTRF test from row i of the run. */
static struct tl_value *ctrf_test(void *ctx, size_t i)
{
	struct tl_value *r = run_doc_row(ctx, i);
	const struct tl_value *retries = tl_value_get(r, "retries");
	const char *st = ctrf_status(g(r, "status"));
	struct tl_value *t = tl_value_map();
	int flaky = 0;
	tl_value_put(t, "name",
		tl_value_str(g(r, "title") ? g(r, "title") : g(r, "case")));
	tl_value_put(t, "status", tl_value_str(st));
	tl_value_put(t, "duration",
		tl_value_int(g(r, "duration")
				? (long long)(strtod(g(r, "duration"), NULL) *
						  1000 +
					  0.5)
				: 0));
	if (g(r, "message"))
		tl_value_put(t, "message", tl_value_str(g(r, "message")));
	if (g(r, "trace"))
		tl_value_put(t, "trace", tl_value_str(g(r, "trace")));
	if (g(r, "type"))
		tl_value_put(t, "rawStatus", tl_value_str(g(r, "type")));
	{
		/* the suite: the case's folders, outermost first */
		const char *k = g(r, "case"), *slash = strrchr(k, '/');
		if (slash) {
			struct tl_value *su = tl_value_seq();
			char *dir = tl_strndup(k, (size_t)(slash - k));
			for (char *p = dir, *q; p; p = q) {
				q = strchr(p, '/');
				if (q)
					*q++ = '\0';
				tl_value_push(su, tl_value_str(p));
			}
			tl_value_put(t, "suite", su);
			free(dir);
		}
	}
	if (retries && retries->n) {
		for (size_t j = 0; j < retries->n; j++)
			flaky |= tl_value_gets(retries->items[j], "status") &&
				!strcmp(st, "passed") &&
				!strcmp(tl_value_gets(
						retries->items[j], "status"),
					"failed");
		tl_value_put(t, "retries", tl_value_int((long long)retries->n));
	}
	tl_value_put(t, "flaky", tl_value_bool(flaky));
	tl_value_free(r);
	return t;
}

static int export_ctrf(struct ctx *c, struct run_doc *doc, struct tl_buf *b)
{
	const struct tl_value *o = run_doc_head(doc);
	size_t ncases = run_doc_count(doc);
	struct tl_value *root = tl_value_map(), *res = tl_value_map(),
			*tool = tl_value_map(), *sum = tl_value_map();
	long long n[5] = { 0 }; /* passed failed skipped pending other */
	int rc;
	tl_value_put(tool, "name", tl_value_str("tally"));
	tl_value_put(tool, "version", tl_value_str(TALLY_VERSION));
	for (size_t i = 0; i < ncases; i++) {
		const char *st = ctrf_status(run_doc_status(doc, i));
		n[!strcmp(st, "passed")			 ? 0
				: !strcmp(st, "failed")	 ? 1
				: !strcmp(st, "skipped") ? 2
				: !strcmp(st, "pending") ? 3
							 : 4]++;
	}
	tl_value_put(sum, "tests", tl_value_int((long long)ncases));
	tl_value_put(sum, "passed", tl_value_int(n[0]));
	tl_value_put(sum, "failed", tl_value_int(n[1]));
	tl_value_put(sum, "skipped", tl_value_int(n[2]));
	tl_value_put(sum, "pending", tl_value_int(n[3]));
	tl_value_put(sum, "other", tl_value_int(n[4]));
	{
		int64_t t;
		int tz;
		const char *created = g(o, "created");
		long long ms = created && !tl_time_parse(created, &t, &tz)
			? t * 1000
			: 0;
		tl_value_put(sum, "start", tl_value_int(ms));
		tl_value_put(sum, "stop", tl_value_int(ms));
	}
	tl_value_put(res, "tool", tool);
	tl_value_put(res, "summary", sum);
	/* the tests are made one by one as they are written */
	tl_value_put(res, "tests", tl_value_str(OUT_ROWS_MARK));
	tl_value_put(root, "reportFormat", tl_value_str("CTRF"));
	tl_value_put(root, "specVersion", tl_value_str("1.0.0"));
	tl_value_put(root, "results", res);
	rc = out_json_rows(c, root, ncases, ctrf_test, doc, b);
	tl_value_free(root);
	return rc;
}

static struct tl_value *doc_row(void *ctx, size_t i)
{
	return run_doc_row(ctx, i);
}

int cmd_export(struct ctx *c, struct args *a)
{
	const char *fmt = arg_str(a, "format") ? arg_str(a, "format") : "md";
	struct run_doc *doc;
	struct tl_buf b = TL_BUF_INIT;
	int rc = run_doc_open(c, a->pos.v[0], &doc);
	if (rc)
		return rc;
	if (!strcmp(fmt, "md"))
		export_md(doc, &b);
	else if (!strcmp(fmt, "csv"))
		export_csv(doc, &b);
	else if (!strcmp(fmt, "junit"))
		export_junit(doc, &b);
	else if (!strcmp(fmt, "ctrf"))
		rc = export_ctrf(c, doc, &b);
	else {
		/* the run show document, its cases written as they are made */
		struct tl_value *head = tl_value_dup(run_doc_head(doc));
		tl_value_put(head, "cases", tl_value_str(OUT_ROWS_MARK));
		rc = out_json_rows(
			c, head, run_doc_count(doc), doc_row, doc, &b);
		tl_value_free(head);
	}
	if (!rc)
		out_write(&b);
	tl_buf_release(&b);
	run_doc_free(doc);
	return rc;
}

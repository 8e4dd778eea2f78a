#include "formats/junit.h"
#include "core/model.h"
#include "formats/xml.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define DEPTH_MAX 256

/* What the character data of the current element goes into. */
enum sink { SINK_NONE, SINK_TRACE, SINK_OUTPUT, SINK_SKIP_MSG, SINK_ATTEMPT };

struct reader {
	struct tl_xml *x;
	const char *name;
	tl_test_fn fn;
	void *ctx;
	struct tl_report_info *info;
	struct tl_err *err;

	char *stack[DEPTH_MAX]; /* element names */
	int depth;
	struct tl_strlist suites;
	int in_case;
	int case_depth;
	int seen_root;
	struct tl_test t;
	int failures; /* <failure>/<error> children seen */
	int flaky; /* flakyFailure/flakyError children */
	enum sink sink;
	struct tl_buf skip_msg;
	struct tl_attempt *attempt; /* the open flaky/rerun element */
	struct tl_buf attempt_text;
	int in_props;
	int suite_error; /* a <failure>/<error> right under a testsuite */
};

void tl_test_reset(struct tl_test *t)
{
	free(t->suite);
	free(t->classname);
	free(t->name);
	free(t->file);
	free(t->message);
	free(t->type);
	tl_buf_release(&t->trace);
	tl_buf_release(&t->output);
	for (size_t i = 0; i < t->nretries; i++) {
		free(t->retries[i].message);
		free(t->retries[i].type);
		free(t->retries[i].trace);
	}
	free(t->retries);
	tl_value_free(t->properties);
	memset(t, 0, sizeof(*t));
	tl_buf_init(&t->trace, TL_REPORT_TEXT_MAX);
	tl_buf_init(&t->output, TL_REPORT_TEXT_MAX);
}

static void stop(struct reader *r, const char *fmt, const char *arg)
{
	tl_xml_fail(r->x, fmt, arg);
}

/* "1.5", "1,234.5" (some tools group digits); NULL or junk: no duration */
static int parse_time(const char *s, double *out)
{
	char buf[64];
	size_t n = 0;
	char *end;
	if (!s)
		return 0;
	for (; *s && n + 1 < sizeof(buf); s++)
		if (*s != ',')
			buf[n++] = *s;
	buf[n] = '\0';
	*out = strtod(buf, &end);
	return end != buf && !*end && *out >= 0 && *out < 1e9;
}

static char *dup_or_null(const char *s)
{
	return s && *s ? tl_strdup(s) : NULL;
}

/* the status= or result= attribute some flavours write */
static const char *status_attr(const char *s, int *errored)
{
	static const char *const skipped[] = { "skipped", "skip", "disabled",
		"notrun", "not run", "ignored", "pending", NULL };
	if (!s)
		return NULL;
	for (const char *const *p = skipped; *p; p++)
		if (!strcmp(s, *p))
			return "skipped";
	if (!strcmp(s, "error") || !strcmp(s, "errored")) {
		*errored = 1;
		return "failed";
	}
	if (!strcmp(s, "failed") || !strcmp(s, "failure") || !strcmp(s, "fail"))
		return "failed";
	if (!strcmp(s, "passed") || !strcmp(s, "success") ||
		!strcmp(s, "pass") || !strcmp(s, "run") || !strcmp(s, "ok"))
		return "passed";
	return NULL;
}

static void begin_case(struct reader *r, const char **a)
{
	struct tl_buf suite = TL_BUF_INIT;
	double d = 0;
	tl_test_reset(&r->t);
	for (size_t i = 0; i < r->suites.n; i++)
		if (*r->suites.v[i])
			tl_buf_printf(&suite, "%s%s", suite.len ? " / " : "",
				r->suites.v[i]);
	r->t.suite = suite.len ? tl_buf_detach(&suite) : NULL;
	tl_buf_release(&suite);
	r->t.classname = dup_or_null(tl_xml_attr(a, "classname"));
	if (!r->t.classname)
		r->t.classname = dup_or_null(tl_xml_attr(a, "class"));
	r->t.name =
		tl_strdup(tl_xml_attr(a, "name") ? tl_xml_attr(a, "name") : "");
	r->t.file = dup_or_null(tl_xml_attr(a, "file"));
	r->t.has_duration = parse_time(tl_xml_attr(a, "time"), &d);
	r->t.duration = d;
	r->t.status =
		status_attr(tl_xml_attr(a, "status") ? tl_xml_attr(a, "status")
						     : tl_xml_attr(a, "result"),
			&r->t.errored);
	r->t.line = tl_xml_line(r->x);
	r->in_case = 1;
	r->case_depth = r->depth;
	r->failures = 0;
	r->flaky = 0;
	tl_buf_release(&r->skip_msg);
}

static void end_case(struct reader *r)
{
	struct tl_test *t = &r->t;
	r->in_case = 0;
	/* a failure child decides; Surefire's flakyFailure alone means the
	 * test passed on a rerun */
	if (t->status && !strcmp(t->status, "skipped"))
		; /* status="disabled" wins over a failure child */
	else if (r->failures)
		t->status = "failed";
	else if (!t->status)
		t->status = "passed";
	t->raw_ok = !strcmp(t->status, "passed");
	if (!strcmp(t->status, "skipped") && !t->message && r->skip_msg.len)
		t->message = tl_strdup(r->skip_msg.ptr);
	if (r->fn(t, r->ctx, r->err))
		tl_xml_abort(r->x, r->err->code);
	tl_test_reset(t);
}

static void begin_attempt(struct reader *r, const char *el, const char **a)
{
	struct tl_test *t = &r->t;
	struct tl_attempt *x;
	double d = 0;
	t->retries = tl_realloc(
		t->retries, tl_mul(t->nretries + 1, sizeof(*t->retries)));
	x = &t->retries[t->nretries++];
	memset(x, 0, sizeof(*x));
	x->status = "failed";
	x->message = dup_or_null(tl_xml_attr(a, "message"));
	x->type = dup_or_null(tl_xml_attr(a, "type"));
	x->has_duration = parse_time(tl_xml_attr(a, "time"), &d);
	x->duration = d;
	if (!strncmp(el, "flaky", 5))
		r->flaky = 1;
	r->attempt = x;
	tl_buf_reset(&r->attempt_text);
	r->sink = SINK_ATTEMPT;
}

static void on_start(void *data, const char *el, const char **a)
{
	struct reader *r = data;
	if (r->depth >= DEPTH_MAX) {
		stop(r, "elements nested deeper than %s", "256");
		return;
	}
	r->stack[r->depth++] = tl_strdup(el);
	if (!r->seen_root) {
		r->seen_root = 1;
		if (strcmp(el, "testsuites") && strcmp(el, "testsuite")) {
			stop(r,
				"not a JUnit report: the root element is <%s>, "
				"expected <testsuites> or <testsuite>",
				el);
			return;
		}
		if (tl_xml_attr(a, "tests") && r->info)
			r->info->declared_tests =
				strtoll(tl_xml_attr(a, "tests"), NULL, 10);
	}
	if (!strcmp(el, "testsuite") && !r->in_case) {
		tl_strlist_push(&r->suites,
			tl_xml_attr(a, "name") ? tl_xml_attr(a, "name") : "");
		return;
	}
	if (!strcmp(el, "testcase") && !r->in_case) {
		begin_case(r, a);
		return;
	}
	if (!r->in_case) {
		if (!strcmp(el, "property") && r->info &&
			tl_xml_attr(a, "name")) {
			if (!r->info->properties)
				r->info->properties = tl_value_map();
			tl_value_set(r->info->properties,
				tl_xml_attr(a, "name"),
				tl_value_str(tl_xml_attr(a, "value")
						? tl_xml_attr(a, "value")
						: ""));
		} else if ((!strcmp(el, "error") || !strcmp(el, "failure")) &&
			r->depth >= 2 &&
			!strcmp(r->stack[r->depth - 2], "testsuite")) {
			/* a suite that failed before any test ran */
			struct tl_buf id = TL_BUF_INIT;
			tl_test_reset(&r->t);
			tl_buf_puts(&id,
				r->suites.n ? r->suites.v[r->suites.n - 1]
					    : "");
			r->t.classname = tl_buf_detach(&id);
			r->t.name = tl_strdup("(suite error)");
			r->t.errored = !strcmp(el, "error");
			r->t.message = dup_or_null(tl_xml_attr(a, "message"));
			r->t.type = dup_or_null(tl_xml_attr(a, "type"));
			r->t.line = tl_xml_line(r->x);
			r->in_case = 1;
			r->case_depth = r->depth;
			r->failures = 1;
			r->suite_error = 1;
			r->sink = SINK_TRACE;
		}
		return;
	}
	/* inside a test case */
	if (!strcmp(el, "failure") || !strcmp(el, "error")) {
		if (!r->failures++) {
			r->t.message = dup_or_null(tl_xml_attr(a, "message"));
			r->t.type = dup_or_null(tl_xml_attr(a, "type"));
			r->t.errored = !strcmp(el, "error");
		} else {
			tl_buf_puts(&r->t.trace, r->t.trace.len ? "\n" : "");
		}
		r->sink = SINK_TRACE;
	} else if (!strcmp(el, "skipped")) {
		r->t.status = "skipped";
		free(r->t.message);
		r->t.message = dup_or_null(tl_xml_attr(a, "message"));
		r->sink = SINK_SKIP_MSG;
	} else if (!strcmp(el, "system-out") || !strcmp(el, "system-err")) {
		if (r->attempt)
			r->sink = SINK_NONE; /* an attempt's own output is
						dropped */
		else {
			if (r->t.output.len)
				tl_buf_putc(&r->t.output, '\n');
			r->sink = SINK_OUTPUT;
		}
	} else if (!strcmp(el, "flakyFailure") || !strcmp(el, "flakyError") ||
		!strcmp(el, "rerunFailure") || !strcmp(el, "rerunError")) {
		begin_attempt(r, el, a);
	} else if (!strcmp(el, "stackTrace") && r->attempt) {
		r->sink = SINK_ATTEMPT;
	} else if (!strcmp(el, "property") && tl_xml_attr(a, "name")) {
		if (!r->t.properties)
			r->t.properties = tl_value_map();
		tl_value_set(r->t.properties, tl_xml_attr(a, "name"),
			tl_value_str(tl_xml_attr(a, "value")
					? tl_xml_attr(a, "value")
					: ""));
	}
}

static void on_end(void *data, const char *el)
{
	struct reader *r = data;
	/* the element that opened the case closes it (its depth is checked
	 * before the pop) */
	if (r->in_case && r->depth == r->case_depth) {
		free(r->stack[--r->depth]);
		r->stack[r->depth] = NULL;
		r->suite_error = 0;
		end_case(r);
		r->sink = SINK_NONE;
		return;
	}
	free(r->stack[--r->depth]);
	r->stack[r->depth] = NULL;
	if (!r->in_case && !strcmp(el, "testsuite") && r->suites.n) {
		free(r->suites.v[--r->suites.n]);
		return;
	}
	if (r->attempt &&
		(!strcmp(el, "flakyFailure") || !strcmp(el, "flakyError") ||
			!strcmp(el, "rerunFailure") ||
			!strcmp(el, "rerunError"))) {
		if (r->attempt_text.len)
			r->attempt->trace = tl_strdup(r->attempt_text.ptr);
		r->attempt = NULL;
		r->sink = SINK_NONE;
		return;
	}
	if (!strcmp(el, "failure") || !strcmp(el, "error") ||
		!strcmp(el, "skipped") || !strcmp(el, "system-out") ||
		!strcmp(el, "system-err"))
		r->sink = r->attempt ? SINK_ATTEMPT : SINK_NONE;
}

static void on_text(void *data, const char *s, int len)
{
	struct reader *r = data;
	if (!r->in_case)
		return;
	switch (r->sink) {
	case SINK_TRACE:
		tl_buf_put(&r->t.trace, s, (size_t)len);
		break;
	case SINK_OUTPUT:
		tl_buf_put(&r->t.output, s, (size_t)len);
		break;
	case SINK_SKIP_MSG:
		tl_buf_put(&r->skip_msg, s, (size_t)len);
		break;
	case SINK_ATTEMPT:
		tl_buf_put(&r->attempt_text, s, (size_t)len);
		break;
	case SINK_NONE:
		break;
	}
}

int tl_junit_read(FILE *f, const char *name, tl_test_fn fn, void *ctx,
	struct tl_report_info *info, struct tl_err *err)
{
	static const struct tl_xml_handlers h = { on_start, on_end, on_text };
	struct reader r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.name = name;
	r.fn = fn;
	r.ctx = ctx;
	r.err = err;
	r.info = info;
	tl_buf_init(&r.skip_msg, TL_REPORT_TEXT_MAX);
	tl_buf_init(&r.attempt_text, TL_REPORT_TEXT_MAX);
	tl_test_reset(&r.t);
	if (info) {
		info->properties = NULL;
		info->declared_tests = -1;
	}
	if (!(r.x = tl_xml_new(name, err)))
		return TL_ERROR;
	rc = tl_xml_run(r.x, f, &h, &r);
	if (!rc && !r.seen_root)
		rc = tl_err_set(
			err, TL_EINVALID, "%s:1:1: empty document", name);
	tl_xml_free(r.x);
	for (int i = 0; i < r.depth; i++)
		free(r.stack[i]);
	tl_test_reset(&r.t);
	tl_buf_release(&r.t.trace);
	tl_buf_release(&r.t.output);
	tl_strlist_release(&r.suites);
	tl_buf_release(&r.skip_msg);
	tl_buf_release(&r.attempt_text);
	if (rc && info) {
		tl_value_free(info->properties);
		info->properties = NULL;
	}
	return rc;
}

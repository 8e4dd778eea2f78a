#include "formats/junit.h"
#include "core/model.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define DEPTH_MAX 256
#define CHUNK 65536

/* What the character data of the current element goes into. */
enum sink { SINK_NONE, SINK_TRACE, SINK_OUTPUT, SINK_SKIP_MSG, SINK_ATTEMPT };

struct reader {
	XML_Parser p;
	const char *name;
	tl_test_fn fn;
	void *ctx;
	struct tl_report_info *info;
	struct tl_err *err;
	int rc;

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

static const char *attr(const XML_Char **a, const char *name)
{
	for (; a && *a; a += 2)
		if (!strcmp(a[0], name))
			return a[1];
	return NULL;
}

static int stop(struct reader *r, int code, const char *fmt, const char *arg)
{
	struct tl_buf b = TL_BUF_INIT;
	if (r->rc)
		return r->rc;
	tl_buf_printf(&b, "%s:%lu:%lu: ", r->name,
		(unsigned long)XML_GetCurrentLineNumber(r->p),
		(unsigned long)XML_GetCurrentColumnNumber(r->p) + 1);
	tl_buf_printf(&b, fmt, arg);
	r->rc = tl_err_set(r->err, code, "%s", b.ptr);
	tl_buf_release(&b);
	XML_StopParser(r->p, XML_FALSE);
	return r->rc;
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

static void begin_case(struct reader *r, const XML_Char **a)
{
	struct tl_buf suite = TL_BUF_INIT;
	double d;
	tl_test_reset(&r->t);
	for (size_t i = 0; i < r->suites.n; i++)
		if (*r->suites.v[i])
			tl_buf_printf(&suite, "%s%s", suite.len ? " / " : "",
				r->suites.v[i]);
	r->t.suite = suite.len ? tl_buf_detach(&suite) : NULL;
	tl_buf_release(&suite);
	r->t.classname = dup_or_null(attr(a, "classname"));
	if (!r->t.classname)
		r->t.classname = dup_or_null(attr(a, "class"));
	r->t.name = tl_strdup(attr(a, "name") ? attr(a, "name") : "");
	r->t.file = dup_or_null(attr(a, "file"));
	r->t.has_duration = parse_time(attr(a, "time"), &d);
	r->t.duration = d;
	r->t.status = status_attr(
		attr(a, "status") ? attr(a, "status") : attr(a, "result"),
		&r->t.errored);
	r->t.line = (unsigned)XML_GetCurrentLineNumber(r->p);
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
	if (!r->rc && r->fn(t, r->ctx, r->err)) {
		r->rc = r->err->code ? r->err->code : TL_ERROR;
		XML_StopParser(r->p, XML_FALSE);
	}
	tl_test_reset(t);
}

static void begin_attempt(struct reader *r, const char *el, const XML_Char **a)
{
	struct tl_test *t = &r->t;
	struct tl_attempt *x;
	double d;
	t->retries = tl_realloc(
		t->retries, tl_mul(t->nretries + 1, sizeof(*t->retries)));
	x = &t->retries[t->nretries++];
	memset(x, 0, sizeof(*x));
	x->status = "failed";
	x->message = dup_or_null(attr(a, "message"));
	x->type = dup_or_null(attr(a, "type"));
	x->has_duration = parse_time(attr(a, "time"), &d);
	x->duration = d;
	if (!strncmp(el, "flaky", 5))
		r->flaky = 1;
	r->attempt = x;
	tl_buf_reset(&r->attempt_text);
	r->sink = SINK_ATTEMPT;
}

static void XMLCALL on_start(void *data, const XML_Char *el, const XML_Char **a)
{
	struct reader *r = data;
	if (r->rc)
		return;
	if (r->depth >= DEPTH_MAX) {
		stop(r, TL_EINVALID, "elements nested deeper than %s", "256");
		return;
	}
	r->stack[r->depth++] = tl_strdup(el);
	if (!r->seen_root) {
		r->seen_root = 1;
		if (strcmp(el, "testsuites") && strcmp(el, "testsuite")) {
			stop(r, TL_EINVALID,
				"not a JUnit report: the root element is <%s>, "
				"expected <testsuites> or <testsuite>",
				el);
			return;
		}
		if (attr(a, "tests") && r->info)
			r->info->declared_tests =
				strtoll(attr(a, "tests"), NULL, 10);
	}
	if (!strcmp(el, "testsuite") && !r->in_case) {
		tl_strlist_push(
			&r->suites, attr(a, "name") ? attr(a, "name") : "");
		return;
	}
	if (!strcmp(el, "testcase") && !r->in_case) {
		begin_case(r, a);
		return;
	}
	if (!r->in_case) {
		if (!strcmp(el, "property") && r->info && attr(a, "name")) {
			if (!r->info->properties)
				r->info->properties = tl_value_map();
			tl_value_set(r->info->properties, attr(a, "name"),
				tl_value_str(attr(a, "value") ? attr(a, "value")
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
			r->t.message = dup_or_null(attr(a, "message"));
			r->t.type = dup_or_null(attr(a, "type"));
			r->t.line = (unsigned)XML_GetCurrentLineNumber(r->p);
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
			r->t.message = dup_or_null(attr(a, "message"));
			r->t.type = dup_or_null(attr(a, "type"));
			r->t.errored = !strcmp(el, "error");
		} else {
			tl_buf_puts(&r->t.trace, r->t.trace.len ? "\n" : "");
		}
		r->sink = SINK_TRACE;
	} else if (!strcmp(el, "skipped")) {
		r->t.status = "skipped";
		free(r->t.message);
		r->t.message = dup_or_null(attr(a, "message"));
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
	} else if (!strcmp(el, "property") && attr(a, "name")) {
		if (!r->t.properties)
			r->t.properties = tl_value_map();
		tl_value_set(r->t.properties, attr(a, "name"),
			tl_value_str(attr(a, "value") ? attr(a, "value") : ""));
	}
}

static void XMLCALL on_end(void *data, const XML_Char *el)
{
	struct reader *r = data;
	if (r->rc)
		return;
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

static void XMLCALL on_text(void *data, const XML_Char *s, int len)
{
	struct reader *r = data;
	if (r->rc || !r->in_case)
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

/* Any entity declaration stops the parse: nothing is ever expanded. */
static void XMLCALL on_entity(void *data, const XML_Char *name, int param,
	const XML_Char *value, int value_len, const XML_Char *base,
	const XML_Char *system_id, const XML_Char *public_id,
	const XML_Char *notation)
{
	struct reader *r = data;
	(void)param;
	(void)value;
	(void)value_len;
	(void)base;
	(void)system_id;
	(void)public_id;
	(void)notation;
	stop(r, TL_EINVALID,
		"the document declares the entity '%s'; entities are not expanded",
		name);
}

int tl_junit_read(FILE *f, const char *name, tl_test_fn fn, void *ctx,
	struct tl_report_info *info, struct tl_err *err)
{
	struct reader r;
	char *buf = tl_malloc(CHUNK);
	int done = 0;

	memset(&r, 0, sizeof(r));
	r.name = name;
	r.fn = fn;
	r.ctx = ctx;
	r.info = info;
	r.err = err;
	tl_buf_init(&r.skip_msg, TL_REPORT_TEXT_MAX);
	tl_buf_init(&r.attempt_text, TL_REPORT_TEXT_MAX);
	tl_test_reset(&r.t);
	if (info) {
		info->properties = NULL;
		info->declared_tests = -1;
	}
	r.p = XML_ParserCreate(NULL);
	if (!r.p) {
		free(buf);
		return tl_err_set(err, TL_ERROR, "cannot start the XML parser");
	}
	XML_SetUserData(r.p, &r);
	XML_SetElementHandler(r.p, on_start, on_end);
	XML_SetCharacterDataHandler(r.p, on_text);
	XML_SetEntityDeclHandler(r.p, on_entity);
	XML_SetParamEntityParsing(r.p, XML_PARAM_ENTITY_PARSING_NEVER);

	while (!done && !r.rc) {
		size_t n = fread(buf, 1, CHUNK, f);
		done = n < CHUNK;
		if (ferror(f)) {
			r.rc = tl_err_set(err, TL_EIO, "%s: read error", name);
			break;
		}
		if (XML_Parse(r.p, buf, (int)n, done) == XML_STATUS_ERROR &&
			!r.rc) {
			struct tl_buf b = TL_BUF_INIT;
			tl_buf_printf(&b, "%s:%lu:%lu: %s", name,
				(unsigned long)XML_GetCurrentLineNumber(r.p),
				(unsigned long)XML_GetCurrentColumnNumber(r.p) +
					1,
				XML_ErrorString(XML_GetErrorCode(r.p)));
			r.rc = tl_err_set(err, TL_EINVALID, "%s", b.ptr);
			tl_buf_release(&b);
		}
	}
	if (!r.rc && !r.seen_root)
		r.rc = tl_err_set(
			err, TL_EINVALID, "%s:1:1: empty document", name);
	XML_ParserFree(r.p);
	for (int i = 0; i < r.depth; i++)
		free(r.stack[i]);
	tl_strlist_release(&r.suites);
	tl_test_reset(&r.t);
	tl_buf_release(&r.t.trace);
	tl_buf_release(&r.t.output);
	tl_buf_release(&r.skip_msg);
	tl_buf_release(&r.attempt_text);
	free(buf);
	if (r.rc && info) {
		tl_value_free(info->properties);
		info->properties = NULL;
	}
	return r.rc;
}

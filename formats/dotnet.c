#include "formats/dotnet.h"
#include "core/model.h"
#include "formats/xml.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define DEPTH_MAX 256

enum flavour { TRX, NUNIT3, NUNIT2, XUNIT };
enum sink { S_NONE, S_MESSAGE, S_TRACE, S_OUTPUT, S_REASON };

struct reader {
	struct tl_xml *x;
	const char *name;
	tl_test_fn fn;
	void *ctx;
	struct tl_err *err;
	int depth;
	char *stack[DEPTH_MAX];
	int flavour; /* -1 until the root element */
	int in_test;
	int test_depth;
	int inner; /* TRX: inside InnerResults, which are not tests */
	enum sink sink;
	struct tl_test t;
	struct tl_buf reason;
};

static void stop(struct reader *r, const char *fmt, const char *arg)
{
	tl_xml_fail(r->x, fmt, arg);
}

/* "00:00:01.2345678" (TRX) or seconds (NUnit, xUnit) */
static int duration(const char *s, double *out)
{
	char *end;
	if (!s)
		return 0;
	if (strchr(s, ':')) {
		double h = strtod(s, &end), m, sec;
		if (*end != ':')
			return 0;
		m = strtod(end + 1, &end);
		if (*end != ':')
			return 0;
		sec = strtod(end + 1, &end);
		*out = h * 3600 + m * 60 + sec;
		return !*end;
	}
	*out = strtod(s, &end);
	return end != s && !*end && *out >= 0;
}

/* The tally status of each flavour's outcome words. */
static const char *status(
	int flavour, const char *res, const char *label, int *errored)
{
	*errored = 0;
	if (!res)
		return flavour == XUNIT ? "skipped" : "passed";
	if (flavour == TRX) {
		if (!strcmp(res, "Passed") ||
			!strcmp(res, "PassedButRunAborted"))
			return "passed";
		if (!strcmp(res, "Failed"))
			return "failed";
		if (!strcmp(res, "Error") || !strcmp(res, "Timeout") ||
			!strcmp(res, "Aborted")) {
			*errored = 1;
			return "failed";
		}
		return "skipped"; /* NotExecuted, Inconclusive, Pending... */
	}
	if (flavour == NUNIT3) {
		if (!strcmp(res, "Passed"))
			return "passed";
		if (!strcmp(res, "Failed")) {
			*errored = label &&
				(!strcmp(label, "Error") ||
					!strcmp(label, "Cancelled") ||
					!strcmp(label, "Invalid"));
			return "failed";
		}
		if (!strcmp(res, "Warning"))
			return "passed"; /* passed with warnings (Assert.Warn)
					  */
		if (!strcmp(res, "Inconclusive"))
			return "blocked"; /* ran, and could not conclude */
		return "skipped";
	}
	if (flavour == NUNIT2) {
		if (!strcmp(res, "Success"))
			return "passed";
		if (!strcmp(res, "Failure"))
			return "failed";
		if (!strcmp(res, "Error")) {
			*errored = 1;
			return "failed";
		}
		return "skipped"; /* Ignored, Inconclusive, NotRunnable... */
	}
	if (!strcmp(res, "Pass"))
		return "passed";
	if (!strcmp(res, "Fail"))
		return "failed";
	return "skipped";
}

static int is_test(int flavour, const char *el)
{
	return (flavour == TRX && !strcmp(el, "UnitTestResult")) ||
		((flavour == NUNIT3 || flavour == NUNIT2) &&
			!strcmp(el, "test-case")) ||
		(flavour == XUNIT && !strcmp(el, "test"));
}

static void begin_test(struct reader *r, const char **a)
{
	double d = 0;
	const char *cls = NULL, *name = NULL, *res = NULL, *label = NULL,
		   *time = NULL;
	tl_test_reset(&r->t);
	tl_buf_reset(&r->reason);
	switch (r->flavour) {
	case TRX:
		name = tl_xml_attr(a, "testName");
		res = tl_xml_attr(a, "outcome");
		time = tl_xml_attr(a, "duration");
		break;
	case NUNIT3:
		name = tl_xml_attr(a, "fullname") ? tl_xml_attr(a, "fullname")
						  : tl_xml_attr(a, "name");
		cls = NULL;
		res = tl_xml_attr(a, "result");
		label = tl_xml_attr(a, "label");
		time = tl_xml_attr(a, "duration");
		break;
	case NUNIT2:
		name = tl_xml_attr(a, "name");
		res = tl_xml_attr(a, "result");
		time = tl_xml_attr(a, "time");
		break;
	default:
		name = tl_xml_attr(a, "name");
		res = tl_xml_attr(a, "result");
		time = tl_xml_attr(a, "time");
		break;
	}
	r->t.classname = cls ? tl_strdup(cls) : NULL;
	r->t.name = tl_strdup(name ? name : "");
	if (!cls && name) {
		/* "Namespace.Class.Method(args)": the class is what comes
		 * before the last dot outside the arguments */
		size_t args = strcspn(name, "(");
		const char *dot = NULL;
		for (const char *q = name; q < name + args; q++)
			if (*q == '.')
				dot = q;
		if (dot && dot > name && dot[1]) {
			free(r->t.name);
			r->t.classname = tl_strndup(name, (size_t)(dot - name));
			r->t.name = tl_strdup(dot + 1);
		}
	}
	r->t.status = status(r->flavour, res, label, &r->t.errored);
	r->t.raw_ok = !strcmp(r->t.status, "passed");
	r->t.has_duration = duration(time, &d);
	r->t.duration = d;
	r->t.line = tl_xml_line(r->x);
	r->in_test = 1;
	r->test_depth = r->depth;
}

static void end_test(struct reader *r)
{
	r->in_test = 0;
	if (!strcmp(r->t.status, "skipped") && !r->t.message && r->reason.len)
		r->t.message = tl_strdup(r->reason.ptr);
	if (r->fn(&r->t, r->ctx, r->err))
		tl_xml_abort(r->x, r->err->code);
	tl_test_reset(&r->t);
}

static void on_start(void *data, const char *el, const char **a)
{
	struct reader *r = data;
	if (r->depth >= DEPTH_MAX) {
		stop(r, "elements nested deeper than %s", "256");
		return;
	}
	r->stack[r->depth++] = tl_strdup(el);
	if (r->flavour < 0) {
		r->flavour = !strcmp(el, "TestRun")   ? TRX
			: !strcmp(el, "test-run")     ? NUNIT3
			: !strcmp(el, "test-results") ? NUNIT2
			: !strcmp(el, "assemblies") || !strcmp(el, "assembly")
			? XUNIT
			: -2;
		if (r->flavour == -2)
			stop(r, "not a TRX, NUnit or xUnit.net report: the root element is <%s>",
				el);
		return;
	}
	if (!strcmp(el, "InnerResults"))
		r->inner++;
	if (!r->in_test) {
		if (is_test(r->flavour, el) && !r->inner)
			begin_test(r, a);
		return;
	}
	if (!strcmp(el, "Message") || !strcmp(el, "message"))
		r->sink = S_MESSAGE;
	else if (!strcmp(el, "StackTrace") || !strcmp(el, "stack-trace"))
		r->sink = S_TRACE;
	else if (!strcmp(el, "StdOut") || !strcmp(el, "StdErr") ||
		!strcmp(el, "output"))
		r->sink = S_OUTPUT;
	else if (!strcmp(el, "reason"))
		r->sink = S_REASON;
	else if (!strcmp(el, "failure") && tl_xml_attr(a, "exception-type"))
		r->t.type = tl_strdup(tl_xml_attr(a, "exception-type"));
	/* a reason's <message> is the skip reason */
	if (r->sink == S_MESSAGE && r->depth >= 2 &&
		!strcmp(r->stack[r->depth - 2], "reason"))
		r->sink = S_REASON;
}

static void on_end(void *data, const char *el)
{
	struct reader *r = data;
	if (r->in_test && r->depth == r->test_depth) {
		free(r->stack[--r->depth]);
		end_test(r);
		r->sink = S_NONE;
		return;
	}
	if (!strcmp(el, "InnerResults") && r->inner)
		r->inner--;
	free(r->stack[--r->depth]);
	r->sink = S_NONE;
}

static void on_text(void *data, const char *s, int len)
{
	struct reader *r = data;
	if (!r->in_test)
		return;
	switch (r->sink) {
	case S_MESSAGE: {
		struct tl_buf b = TL_BUF_INIT;
		if (r->t.message)
			tl_buf_puts(&b, r->t.message);
		tl_buf_put(&b, s, (size_t)len);
		free(r->t.message);
		r->t.message = tl_buf_detach(&b);
		break;
	}
	case S_TRACE:
		tl_buf_put(&r->t.trace, s, (size_t)len);
		break;
	case S_OUTPUT:
		tl_buf_put(&r->t.output, s, (size_t)len);
		break;
	case S_REASON:
		tl_buf_put(&r->reason, s, (size_t)len);
		break;
	case S_NONE:
		break;
	}
}

int tl_dotnet_read(FILE *f, const char *name, tl_test_fn fn, void *ctx,
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
	r.flavour = -1;
	tl_buf_init(&r.reason, TL_REPORT_TEXT_MAX);
	tl_test_reset(&r.t);
	if (info) {
		info->properties = NULL;
		info->declared_tests = -1;
	}
	if (!(r.x = tl_xml_new(name, err)))
		return TL_ERROR;
	rc = tl_xml_run(r.x, f, &h, &r);
	if (!rc && r.flavour < 0)
		rc = tl_err_set(
			err, TL_EINVALID, "%s:1:1: empty document", name);
	tl_xml_free(r.x);
	for (int i = 0; i < r.depth; i++)
		free(r.stack[i]);
	tl_test_reset(&r.t);
	tl_buf_release(&r.t.trace);
	tl_buf_release(&r.t.output);
	tl_buf_release(&r.reason);
	return rc;
}

#include "formats/ctrf.h"
#include "formats/json.h"
#include "core/model.h"
#include "core/time.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

/*
 * The CTRF 1.0 schema, as a table: which keys an object may have, their
 * types and constraints, which are required; objects are closed (no other
 * keys) as the schema's additionalProperties: false says.
 */
enum jtype {
	J_STR,
	J_INT,
	J_NUM,
	J_BOOL,
	J_OBJ, /* closed object, described by child */
	J_ANY, /* any object (extra, labels, parameters) */
	J_STRS, /* array of strings */
	J_OBJS, /* array of objects, described by child */
	J_STATUS, /* one of the CTRF statuses */
	J_DELTA, /* a metricDelta: {current, baseline, change} numbers */
	J_LABELS /* values: scalars, or non-empty arrays of scalars */
};

enum jcheck {
	C_NONE,
	C_NONEMPTY,
	C_UUID,
	C_DATETIME,
	C_SEMVER,
	C_CTRF,
	C_MIN1
};

struct jfield {
	const char *name;
	enum jtype type;
	int required;
	enum jcheck check;
	const struct jfield *child; /* J_OBJ, J_OBJS: NULL-name terminated */
};

#define END                                  \
	{                                    \
		NULL, J_ANY, 0, C_NONE, NULL \
	}

static const struct jfield attachment[] = {
	{ "attachmentId", J_STR, 0, C_NONEMPTY, NULL },
	{ "name", J_STR, 1, C_NONE, NULL },
	{ "contentType", J_STR, 1, C_NONE, NULL },
	{ "path", J_STR, 1, C_NONE, NULL },
	{ "extra", J_ANY, 0, C_NONE, NULL },
	END,
};

static const struct jfield attempt[] = {
	{ "attempt", J_INT, 1, C_MIN1, NULL },
	{ "attemptId", J_STR, 0, C_NONEMPTY, NULL },
	{ "status", J_STATUS, 1, C_NONE, NULL },
	{ "duration", J_INT, 0, C_NONE, NULL },
	{ "message", J_STR, 0, C_NONE, NULL },
	{ "trace", J_STR, 0, C_NONE, NULL },
	{ "line", J_INT, 0, C_NONE, NULL },
	{ "snippet", J_STR, 0, C_NONE, NULL },
	{ "stdout", J_STRS, 0, C_NONE, NULL },
	{ "stderr", J_STRS, 0, C_NONE, NULL },
	{ "start", J_INT, 0, C_NONE, NULL },
	{ "stop", J_INT, 0, C_NONE, NULL },
	{ "attachments", J_OBJS, 0, C_NONE, attachment },
	{ "extra", J_ANY, 0, C_NONE, NULL },
	END,
};

static const struct jfield step[] = {
	{ "name", J_STR, 1, C_NONE, NULL },
	{ "status", J_STATUS, 1, C_NONE, NULL },
	{ "extra", J_ANY, 0, C_NONE, NULL },
	END,
};

static const struct jfield delta[] = {
	{ "current", J_NUM, 0, C_NONE, NULL },
	{ "baseline", J_NUM, 0, C_NONE, NULL },
	{ "change", J_NUM, 0, C_NONE, NULL },
	END,
};

static const struct jfield test_insights[] = {
	{ "passRate", J_DELTA, 0, C_NONE, delta },
	{ "failRate", J_DELTA, 0, C_NONE, delta },
	{ "flakyRate", J_DELTA, 0, C_NONE, delta },
	{ "averageTestDuration", J_DELTA, 0, C_NONE, delta },
	{ "p95TestDuration", J_DELTA, 0, C_NONE, delta },
	{ "executedInRuns", J_INT, 0, C_NONE, NULL },
	{ "extra", J_ANY, 0, C_NONE, NULL },
	END,
};

static const struct jfield test[] = {
	{ "id", J_STR, 0, C_UUID, NULL },
	{ "testId", J_STR, 0, C_NONEMPTY, NULL },
	{ "executionId", J_STR, 0, C_NONEMPTY, NULL },
	{ "name", J_STR, 1, C_NONEMPTY, NULL },
	{ "status", J_STATUS, 1, C_NONE, NULL },
	{ "duration", J_INT, 1, C_NONE, NULL },
	{ "start", J_INT, 0, C_NONE, NULL },
	{ "stop", J_INT, 0, C_NONE, NULL },
	{ "suite", J_STRS, 0, C_MIN1, NULL },
	{ "message", J_STR, 0, C_NONE, NULL },
	{ "trace", J_STR, 0, C_NONE, NULL },
	{ "snippet", J_STR, 0, C_NONE, NULL },
	{ "ai", J_STR, 0, C_NONE, NULL },
	{ "line", J_INT, 0, C_NONE, NULL },
	{ "rawStatus", J_STR, 0, C_NONE, NULL },
	{ "tags", J_STRS, 0, C_NONE, NULL },
	{ "labels", J_LABELS, 0, C_NONE, NULL },
	{ "type", J_STR, 0, C_NONE, NULL },
	{ "filePath", J_STR, 0, C_NONE, NULL },
	{ "retries", J_INT, 0, C_NONE, NULL },
	{ "retryAttempts", J_OBJS, 0, C_NONE, attempt },
	{ "flaky", J_BOOL, 0, C_NONE, NULL },
	{ "stdout", J_STRS, 0, C_NONE, NULL },
	{ "stderr", J_STRS, 0, C_NONE, NULL },
	{ "threadId", J_STR, 0, C_NONE, NULL },
	{ "browser", J_STR, 0, C_NONE, NULL },
	{ "device", J_STR, 0, C_NONE, NULL },
	{ "screenshot", J_STR, 0, C_NONE, NULL },
	{ "attachments", J_OBJS, 0, C_NONE, attachment },
	{ "parameters", J_ANY, 0, C_NONE, NULL },
	{ "steps", J_OBJS, 0, C_NONE, step },
	{ "insights", J_OBJ, 0, C_NONE, test_insights },
	{ "extra", J_ANY, 0, C_NONE, NULL },
	END,
};

static const struct jfield tool[] = {
	{ "name", J_STR, 1, C_NONEMPTY, NULL },
	{ "version", J_STR, 0, C_NONE, NULL },
	{ "extra", J_ANY, 0, C_NONE, NULL },
	END,
};

static const struct jfield summary[] = {
	{ "tests", J_INT, 1, C_NONE, NULL },
	{ "passed", J_INT, 1, C_NONE, NULL },
	{ "failed", J_INT, 1, C_NONE, NULL },
	{ "skipped", J_INT, 1, C_NONE, NULL },
	{ "pending", J_INT, 1, C_NONE, NULL },
	{ "other", J_INT, 1, C_NONE, NULL },
	{ "flaky", J_INT, 0, C_NONE, NULL },
	{ "suites", J_INT, 0, C_NONE, NULL },
	{ "start", J_INT, 1, C_NONE, NULL },
	{ "stop", J_INT, 1, C_NONE, NULL },
	{ "duration", J_INT, 0, C_NONE, NULL },
	{ "extra", J_ANY, 0, C_NONE, NULL },
	END,
};

static const struct jfield environment[] = {
	{ "reportName", J_STR, 0, C_NONE, NULL },
	{ "appName", J_STR, 0, C_NONE, NULL },
	{ "appVersion", J_STR, 0, C_NONE, NULL },
	{ "buildId", J_STR, 0, C_NONE, NULL },
	{ "buildName", J_STR, 0, C_NONE, NULL },
	{ "buildNumber", J_INT, 0, C_NONE, NULL },
	{ "buildUrl", J_STR, 0, C_NONE, NULL },
	{ "repositoryName", J_STR, 0, C_NONE, NULL },
	{ "repositoryUrl", J_STR, 0, C_NONE, NULL },
	{ "commit", J_STR, 0, C_NONE, NULL },
	{ "branchName", J_STR, 0, C_NONE, NULL },
	{ "osPlatform", J_STR, 0, C_NONE, NULL },
	{ "osRelease", J_STR, 0, C_NONE, NULL },
	{ "osVersion", J_STR, 0, C_NONE, NULL },
	{ "testEnvironment", J_STR, 0, C_NONE, NULL },
	{ "shardId", J_STR, 0, C_NONEMPTY, NULL },
	{ "healthy", J_BOOL, 0, C_NONE, NULL },
	{ "extra", J_ANY, 0, C_NONE, NULL },
	END,
};

static const struct jfield results[] = {
	{ "tool", J_OBJ, 1, C_NONE, tool },
	{ "summary", J_OBJ, 1, C_NONE, summary },
	{ "tests", J_OBJS, 1, C_NONE, test },
	{ "environment", J_OBJ, 0, C_NONE, environment },
	{ "extra", J_ANY, 0, C_NONE, NULL },
	END,
};

static const struct jfield run_insights[] = {
	{ "passRate", J_DELTA, 0, C_NONE, delta },
	{ "failRate", J_DELTA, 0, C_NONE, delta },
	{ "flakyRate", J_DELTA, 0, C_NONE, delta },
	{ "averageRunDuration", J_DELTA, 0, C_NONE, delta },
	{ "p95RunDuration", J_DELTA, 0, C_NONE, delta },
	{ "averageTestDuration", J_DELTA, 0, C_NONE, delta },
	{ "runsAnalyzed", J_INT, 0, C_NONE, NULL },
	{ "extra", J_ANY, 0, C_NONE, NULL },
	END,
};

static const struct jfield baseline[] = {
	{ "reportId", J_STR, 1, C_UUID, NULL },
	{ "timestamp", J_STR, 0, C_DATETIME, NULL },
	{ "source", J_STR, 0, C_NONE, NULL },
	{ "buildNumber", J_INT, 0, C_NONE, NULL },
	{ "buildName", J_STR, 0, C_NONE, NULL },
	{ "buildUrl", J_STR, 0, C_NONE, NULL },
	{ "commit", J_STR, 0, C_NONE, NULL },
	{ "extra", J_ANY, 0, C_NONE, NULL },
	END,
};

static const struct jfield root[] = {
	{ "reportFormat", J_STR, 1, C_CTRF, NULL },
	{ "specVersion", J_STR, 1, C_SEMVER, NULL },
	{ "reportId", J_STR, 0, C_UUID, NULL },
	{ "runId", J_STR, 0, C_NONEMPTY, NULL },
	{ "timestamp", J_STR, 0, C_DATETIME, NULL },
	{ "generatedBy", J_STR, 0, C_NONE, NULL },
	{ "extra", J_ANY, 0, C_NONE, NULL },
	{ "results", J_OBJ, 1, C_NONE, results },
	{ "insights", J_OBJ, 0, C_NONE, run_insights },
	{ "baseline", J_OBJ, 0, C_NONE, baseline },
	END,
};

static int bad(struct tl_err *err, const char *name, const char *path,
	const char *what)
{
	return tl_err_set(err, TL_EINVALID,
		"%s: %s: %s (not a valid CTRF report)", name,
		path[0] ? path : "the document", what);
}

static int is_uuid(const char *s)
{
	static const int dash[] = { 8, 13, 18, 23 };
	if (strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		int d = i == dash[0] || i == dash[1] || i == dash[2] ||
			i == dash[3];
		if (d ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]))
			return 0;
	}
	return 1;
}

static int is_semver(const char *s)
{
	for (int part = 0; part < 3; part++) {
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
		if (part < 2 && *s++ != '.')
			return 0;
	}
	return !*s;
}

static int is_status(const char *s)
{
	return !strcmp(s, "passed") || !strcmp(s, "failed") ||
		!strcmp(s, "skipped") || !strcmp(s, "pending") ||
		!strcmp(s, "other");
}

/* A pre-1.0 report (no reportFormat, no specVersion: what older reporters
 * wrote) is read with open objects: they wrote keys the spec later
 * dropped. */
struct vctx {
	int legacy;
};
static struct vctx vc;

static int validate(const json_t *v, const struct jfield *schema,
	struct tl_buf *path, const char *name, struct tl_err *err);

static int check_value(const json_t *v, const struct jfield *f,
	struct tl_buf *path, const char *name, struct tl_err *err)
{
	size_t base = path->len;
	int rc = 0;
	switch (f->type) {
	case J_STR:
	case J_STATUS:
		if (!json_is_string(v))
			return bad(err, name, path->ptr, "expected a string");
		{
			const char *s = json_string_value(v);
			if (f->type == J_STATUS && !is_status(s))
				return bad(err, name, path->ptr,
					"expected passed, failed, skipped, pending or other");
			if (f->check == C_NONEMPTY && !*s)
				return bad(err, name, path->ptr,
					"expected a non-empty string");
			if (f->check == C_UUID && !is_uuid(s))
				return bad(err, name, path->ptr,
					"expected a UUID");
			if (f->check == C_SEMVER && !is_semver(s))
				return bad(err, name, path->ptr,
					"expected a version like 1.0.0");
			if (f->check == C_CTRF && strcmp(s, "CTRF"))
				return bad(err, name, path->ptr,
					"expected \"CTRF\"");
			if (f->check == C_DATETIME) {
				int64_t t;
				int tz;
				if (tl_time_parse(s, &t, &tz))
					return bad(err, name, path->ptr,
						"expected an RFC 3339 date-time");
			}
		}
		return 0;
	case J_INT:
		if (!json_is_integer(v))
			return bad(err, name, path->ptr, "expected an integer");
		if (f->check == C_MIN1 && json_integer_value(v) < 1)
			return bad(err, name, path->ptr, "expected at least 1");
		return 0;
	case J_NUM:
		return json_is_number(v)
			? 0
			: bad(err, name, path->ptr, "expected a number");
	case J_BOOL:
		return json_is_boolean(v)
			? 0
			: bad(err, name, path->ptr, "expected true or false");
	case J_ANY:
		return json_is_object(v)
			? 0
			: bad(err, name, path->ptr, "expected an object");
	case J_LABELS: {
		const char *k;
		json_t *lv;
		if (!json_is_object(v))
			return bad(err, name, path->ptr, "expected an object");
		json_object_foreach((json_t *)v, k, lv)
		{
			int ok = json_is_string(lv) || json_is_number(lv) ||
				json_is_boolean(lv);
			if (json_is_array(lv)) {
				ok = json_array_size(lv) > 0;
				for (size_t i = 0;
					ok && i < json_array_size(lv); i++) {
					const json_t *e = json_array_get(lv, i);
					ok = json_is_string(e) ||
						json_is_number(e) ||
						json_is_boolean(e);
				}
			}
			if (!ok) {
				tl_buf_printf(path, ".%s", k);
				return bad(err, name, path->ptr,
					"expected text, a number, true or false, or a "
					"non-empty list of them");
			}
		}
		return 0;
	}
	case J_DELTA:
	case J_OBJ:
		return validate(v, f->child, path, name, err);
	case J_STRS:
	case J_OBJS:
		if (!json_is_array(v))
			return bad(err, name, path->ptr, "expected an array");
		if (f->check == C_MIN1 && !json_array_size(v))
			return bad(err, name, path->ptr,
				"expected at least one item");
		for (size_t i = 0; i < json_array_size(v) && !rc; i++) {
			const json_t *it = json_array_get(v, i);
			tl_buf_truncate(path, base);
			tl_buf_printf(path, "[%zu]", i);
			if (f->type == J_STRS)
				rc = json_is_string(it)
					? 0
					: bad(err, name, path->ptr,
						  "expected a string");
			else
				rc = validate(it, f->child, path, name, err);
		}
		tl_buf_truncate(path, base);
		return rc;
	}
	return 0;
}

static int validate(const json_t *v, const struct jfield *schema,
	struct tl_buf *path, const char *name, struct tl_err *err)
{
	size_t base = path->len;
	const char *key;
	json_t *val;
	int rc = 0;
	if (!json_is_object(v))
		return bad(err, name, path->ptr, "expected an object");
	for (const struct jfield *f = schema; f->name && !rc; f++)
		if (f->required && !json_object_get(v, f->name) &&
			!(vc.legacy && schema == root)) {
			tl_buf_printf(path, "%s%s", base ? "." : "", f->name);
			rc = bad(err, name, path->ptr, "required, and missing");
			tl_buf_truncate(path, base);
		}
	json_object_foreach((json_t *)v, key, val)
	{
		const struct jfield *f = schema;
		if (rc)
			break;
		while (f->name && strcmp(f->name, key))
			f++;
		tl_buf_printf(path, "%s%s", base ? "." : "", key);
		if (!f->name && !vc.legacy)
			rc = bad(err, name, path->ptr, "not a CTRF property");
		else if (!f->name)
			;
		else
			rc = check_value(val, f, path, name, err);
		tl_buf_truncate(path, base);
	}
	return rc;
}

/* A pre-1.0 report: what tally reads must be there and well typed; the
 * rest of the drafts varied (suite as a string, no summary...). */
static int validate_legacy(
	const json_t *doc, const char *name, struct tl_err *err)
{
	const json_t *tests =
		json_object_get(json_object_get(doc, "results"), "tests");
	char path[64];
	if (!json_is_array(tests))
		return bad(err, name, "results.tests", "expected an array");
	for (size_t i = 0; i < json_array_size(tests); i++) {
		const json_t *t = json_array_get(tests, i);
		const json_t *st = json_object_get(t, "status");
		snprintf(path, sizeof(path), "results.tests[%zu]", i);
		if (!json_is_object(t) ||
			!json_is_string(json_object_get(t, "name")) ||
			!json_is_string(st) ||
			!is_status(json_string_value(st)))
			return bad(err, name, path,
				"expected an object with a name and a CTRF status");
	}
	return 0;
}

static char *opt_dup(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s && *s ? tl_strdup(s) : NULL;
}

/* Static names: the document is freed before the import commits. pending
 * (not run) and other (neither) keep "skipped" meaning skipped. */
static const char *status_of(const char *s)
{
	if (!s)
		return "blocked"; /* a legacy attempt without a status */
	if (!strcmp(s, "passed"))
		return "passed";
	if (!strcmp(s, "failed"))
		return "failed";
	if (!strcmp(s, "skipped"))
		return "skipped";
	if (!strcmp(s, "pending"))
		return "not-executed";
	return "blocked";
}

static void lines(struct tl_buf *b, const json_t *arr)
{
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *s = json_string_value(json_array_get(arr, i));
		if (!s)
			continue;
		if (b->len)
			tl_buf_putc(b, '\n');
		tl_buf_puts(b, s);
	}
}

static int emit_test(
	const json_t *t, tl_test_fn fn, void *ctx, struct tl_err *err)
{
	struct tl_test x;
	const json_t *suite = json_object_get(t, "suite");
	const json_t *attempts = json_object_get(t, "retryAttempts");
	struct tl_buf su = TL_BUF_INIT;
	int rc;
	memset(&x, 0, sizeof(x));
	tl_test_reset(&x);
	if (json_is_string(suite))
		tl_buf_puts(&su, json_string_value(suite));
	else
		lines(&su, suite);
	for (size_t i = 0; i < su.len; i++)
		if (su.ptr[i] == '\n')
			su.ptr[i] = '/';
	x.suite = su.len ? tl_buf_detach(&su) : NULL;
	tl_buf_release(&su);
	x.name = tl_strdup(json_string_value(json_object_get(t, "name")));
	x.file = opt_dup(t, "filePath");
	x.status = status_of(json_string_value(json_object_get(t, "status")));
	x.raw_ok = !strcmp(x.status, "passed");
	x.has_duration = json_is_number(json_object_get(t, "duration"));
	x.duration = json_number_value(json_object_get(t, "duration")) / 1000;
	x.message = opt_dup(t, "message");
	x.type = opt_dup(t, "rawStatus");
	if (json_string_value(json_object_get(t, "trace")))
		tl_buf_puts(&x.trace,
			json_string_value(json_object_get(t, "trace")));
	lines(&x.output, json_object_get(t, "stdout"));
	lines(&x.output, json_object_get(t, "stderr"));
	/* earlier attempts: every attempt but the last, which is the result */
	for (size_t i = 0; i + 1 < json_array_size(attempts); i++) {
		const json_t *a = json_array_get(attempts, i);
		struct tl_attempt *at;
		x.retries = tl_realloc(
			x.retries, tl_mul(x.nretries + 1, sizeof(*x.retries)));
		at = &x.retries[x.nretries++];
		memset(at, 0, sizeof(*at));
		at->status = status_of(
			json_string_value(json_object_get(a, "status")));
		at->has_duration =
			json_is_integer(json_object_get(a, "duration"));
		at->duration = (double)json_integer_value(
				       json_object_get(a, "duration")) /
			1000;
		at->message = opt_dup(a, "message");
		at->trace = opt_dup(a, "trace");
	}
	rc = fn(&x, ctx, err);
	tl_test_reset(&x);
	tl_buf_release(&x.trace);
	tl_buf_release(&x.output);
	return rc;
}

int tl_ctrf_read(FILE *f, const char *name, tl_test_fn fn, void *ctx,
	struct tl_report_info *info, struct tl_err *err)
{
	json_t *doc = NULL;
	struct tl_buf path = TL_BUF_INIT;
	const json_t *tests;
	int rc;
	if (info) {
		info->properties = NULL;
		info->declared_tests = -1;
	}
	if ((rc = tl_json_load(&doc, f, JSON_REJECT_DUPLICATES, name, err)))
		return rc;
	vc.legacy = json_is_object(doc) &&
		!json_object_get(doc, "reportFormat") &&
		!json_object_get(doc, "specVersion");
	rc = vc.legacy ? validate_legacy(doc, name, err)
		       : validate(doc, root, &path, name, err);
	tl_buf_release(&path);
	if (!rc) {
		const json_t *res = json_object_get(doc, "results");
		tests = json_object_get(res, "tests");
		if (info)
			info->declared_tests = json_integer_value(
				json_object_get(json_object_get(res, "summary"),
					"tests"));
		for (size_t i = 0; i < json_array_size(tests) && !rc; i++)
			rc = emit_test(json_array_get(tests, i), fn, ctx, err);
	}
	json_decref(doc);
	return rc;
}

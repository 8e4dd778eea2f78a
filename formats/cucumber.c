#include "formats/cucumber.h"
#include "formats/json.h"
#include "core/model.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

enum { OK, SKIP, FAIL };

/* A step's or hook's status: failed beats skipped beats passed. */
static int rank(const json_t *result)
{
	const char *s = json_string_value(json_object_get(result, "status"));
	if (!s)
		return SKIP; /* no result: the step never ran (an outline row)
			      */
	if (!strcmp(s, "passed"))
		return OK;
	if (!strcmp(s, "failed"))
		return FAIL;
	return SKIP; /* skipped, pending, undefined, ambiguous, unknown */
}

static int is_background(const json_t *e)
{
	const char *type = json_string_value(json_object_get(e, "type"));
	const char *kw = json_string_value(json_object_get(e, "keyword"));
	return (type && !strcmp(type, "background")) ||
		(!type && kw && !strcmp(kw, "Background"));
}

/* Walks the steps and hooks of a scenario into the test. */
static int fold(struct tl_test *t, const json_t *list, int log, double *ns)
{
	int worst = OK;
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *s = json_array_get(list, i);
		const json_t *res = json_object_get(s, "result");
		const char *err = json_string_value(
			json_object_get(res, "error_message"));
		int r = rank(res);
		if (json_is_number(json_object_get(res, "duration")))
			*ns += json_number_value(
				json_object_get(res, "duration"));
		if (r == FAIL && err && !t->trace.len) {
			size_t n = strcspn(err, "\n");
			t->message = tl_strndup(err, n);
			tl_buf_puts(&t->trace, err);
		}
		if (r > worst)
			worst = r;
		/* hooks around a single step (cucumber-ruby) count too */
		if (log) {
			int h = fold(t, json_object_get(s, "before"), 0, ns);
			worst = h > worst ? h : worst;
			h = fold(t, json_object_get(s, "after"), 0, ns);
			worst = h > worst ? h : worst;
		}
		if (log && json_is_string(json_object_get(s, "name"))) {
			const char *st = json_string_value(
				json_object_get(res, "status"));
			const char *kw = json_string_value(
				json_object_get(s, "keyword"));
			if (t->output.len)
				tl_buf_putc(&t->output, '\n');
			tl_buf_printf(&t->output, "%-9s %s%s",
				st ? st : "unknown", kw ? kw : "",
				json_string_value(json_object_get(s, "name")));
		}
	}
	return worst;
}

int tl_cucumber_read(FILE *f, const char *name, tl_test_fn fn, void *ctx,
	struct tl_report_info *info, struct tl_err *err)
{
	json_t *doc = NULL;
	int rc = 0;
	if (info) {
		info->properties = NULL;
		info->declared_tests = -1;
	}
	if ((rc = tl_json_load(&doc, f, 0, name, err)))
		return rc;
	if (!json_is_array(doc)) {
		json_decref(doc);
		return tl_err_set(err, TL_EINVALID,
			"%s: not a Cucumber report: expected an array of features",
			name);
	}
	for (size_t i = 0; i < json_array_size(doc) && !rc; i++) {
		const json_t *feat = json_array_get(doc, i);
		const json_t *els = json_object_get(feat, "elements");
		const char *fname =
			json_string_value(json_object_get(feat, "name"));
		const char *uri =
			json_string_value(json_object_get(feat, "uri"));
		if (!json_is_object(feat)) {
			rc = tl_err_set(err, TL_EINVALID,
				"%s: feature %zu: expected an object", name,
				i + 1);
			break;
		}
		for (size_t j = 0; j < json_array_size(els) && !rc; j++) {
			const json_t *e = json_array_get(els, j);
			struct tl_test t;
			double ns = 0;
			int worst;
			if (!json_is_object(e) || is_background(e))
				continue;
			memset(&t, 0, sizeof(t));
			tl_test_reset(&t);
			t.suite = tl_strdup(fname && *fname ? fname
					: uri		    ? uri
							    : "feature");
			t.name = tl_strdup(
				json_string_value(json_object_get(e, "name"))
					? json_string_value(
						  json_object_get(e, "name"))
					: "scenario");
			t.file = uri ? tl_strdup(uri) : NULL;
			worst = fold(&t, json_object_get(e, "before"), 0, &ns);
			{
				int r = fold(&t, json_object_get(e, "steps"), 1,
					&ns);
				worst = r > worst ? r : worst;
				r = fold(&t, json_object_get(e, "after"), 0,
					&ns);
				worst = r > worst ? r : worst;
			}
			t.status = worst == FAIL ? "failed"
				: worst == SKIP	 ? "skipped"
						 : "passed";
			t.raw_ok = worst == OK;
			/* durations are nanoseconds in every implementation
			 * that writes them */
			t.has_duration = ns > 0;
			t.duration = ns / 1e9;
			t.line = (unsigned)json_integer_value(
				json_object_get(e, "line"));
			rc = fn(&t, ctx, err);
			tl_test_reset(&t);
			tl_buf_release(&t.trace);
			tl_buf_release(&t.output);
		}
	}
	json_decref(doc);
	return rc;
}

#include "core/params.h"
#include "core/buf.h"
#include "core/runs.h"
#include "core/store.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

void tl_params_default(struct tl_params *p)
{
	memset(p, 0, sizeof(*p));
	p->window = 30;
	p->evidence_days = 14;
	p->evidence_results = 20;
	p->hold = 3;
	p->lambda = 0.1;
	p->confidence_verdicts = 2;
	p->confidence_rate = 0.01;
	p->suspect_flip_rate = 0.2;
	p->suspect_flips = 3;
	p->suspect_results = 10;
	p->leave_days = 14;
	p->leave_results = 30;
	p->infra_results = 20;
	p->infra_bad_rate = 0.8;
	p->samples = 30;
	p->recent = 5;
	p->min_samples = 10;
	p->ratio = 1.2;
	p->mad_factor = 3;
	p->min_delta = 0.05;
	p->max_new_failures = 0;
	p->max_failures = p->min_pass_rate = p->max_flaky_rate = -1;
	p->max_duration_regressions = p->min_tests = -1;
}

enum kind {
	COUNT, /* a whole number >= 1 */
	DAYS, /* a whole number >= 0, int64_t */
	RATE, /* 0 <= x <= 1 */
	POSITIVE, /* a real > 0 */
	SECONDS, /* a duration: 50ms, 1.5s or seconds */
	LIMIT, /* gate: a number >= 0, or none (off) */
	LIMIT_RATE, /* gate: 0..1, or none */
	PATHS, /* a list of folders of the repository */
};

struct key {
	const char *name;
	enum kind kind;
	size_t off;
};

#define K(name, kind, field)                                  \
	{                                                     \
		name, kind, offsetof(struct tl_params, field) \
	}

static const struct key flaky_keys[] = {
	K("window", COUNT, window),
	K("evidence-days", DAYS, evidence_days),
	K("evidence-results", COUNT, evidence_results),
	K("hold", COUNT, hold),
	K("lambda", RATE, lambda),
	K("confidence-verdicts", COUNT, confidence_verdicts),
	K("confidence-rate", RATE, confidence_rate),
	K("suspect-flip-rate", RATE, suspect_flip_rate),
	K("suspect-flips", COUNT, suspect_flips),
	K("suspect-results", COUNT, suspect_results),
	K("leave-days", DAYS, leave_days),
	K("leave-results", COUNT, leave_results),
	K("infra-min-results", COUNT, infra_results),
	K("infra-bad-rate", RATE, infra_bad_rate),
	K("code-paths", PATHS, code_paths),
	{ NULL, 0, 0 },
};

static const struct key duration_keys[] = {
	K("samples", COUNT, samples),
	K("recent", COUNT, recent),
	K("min-samples", COUNT, min_samples),
	K("ratio", POSITIVE, ratio),
	K("mad-factor", POSITIVE, mad_factor),
	K("min-delta", SECONDS, min_delta),
	{ NULL, 0, 0 },
};

static const struct key gate_keys[] = {
	K("max-new-failures", LIMIT, max_new_failures),
	K("max-failures", LIMIT, max_failures),
	K("min-pass-rate", LIMIT_RATE, min_pass_rate),
	K("max-flaky-rate", LIMIT_RATE, max_flaky_rate),
	K("max-duration-regressions", LIMIT, max_duration_regressions),
	K("min-tests", LIMIT, min_tests),
	{ NULL, 0, 0 },
};

static int bad(const char *path, const struct tl_value *at, const char *section,
	const char *key, const char *want, struct tl_err *err)
{
	return tl_err_set(err, TL_EINVALID,
		"%s:%u:%u: %s.%s takes %s, not '%s'", path, at->line, at->col,
		section, key, want,
		at->kind == TL_V_SCALAR ? at->str : "a collection");
}

static int read_number(const char *s, double *out)
{
	char *end;
	errno = 0;
	*out = strtod(s, &end);
	return !*s || *end || errno || !isfinite(*out) ? -1 : 0;
}

static int set_one(struct tl_params *p, const struct key *k,
	const struct tl_value *v, const char *section, const char *path,
	struct tl_err *err)
{
	char *field = (char *)p + k->off;
	const char *s = v->kind == TL_V_SCALAR ? v->str : NULL;
	double x = 0;
	int num = s && !read_number(s, &x);

	if (k->kind == PATHS) {
		int ok = v->kind == TL_V_SEQ;
		for (size_t i = 0; ok && i < v->n; i++) {
			const struct tl_value *it = v->items[i];
			const char *f =
				it->kind == TL_V_SCALAR ? it->str : NULL;
			ok = f && *f && *f != '/' && !strstr(f, "..") &&
				!strstr(f, "//");
			if (!ok)
				v = it;
		}
		if (!ok)
			return bad(path, v, section, k->name,
				"a list of folders of the repository (src/, lib/core)",
				err);
		*(const struct tl_value **)(void *)field = v->n ? v : NULL;
		return 0;
	}
	switch (k->kind) {
	case COUNT:
		if (!num || x < 1 || x != floor(x) || x > 1e9)
			return bad(path, v, section, k->name,
				"a whole number of at least 1", err);
		*(size_t *)(void *)field = (size_t)x;
		return 0;
	case DAYS:
		if (!num || x < 0 || x != floor(x) || x > 1e6)
			return bad(path, v, section, k->name,
				"a whole number of days", err);
		*(int64_t *)(void *)field = (int64_t)x;
		return 0;
	case RATE:
		if (!num || x < 0 || x > 1)
			return bad(path, v, section, k->name,
				"a number from 0 to 1", err);
		break;
	case POSITIVE:
		if (!num || x <= 0)
			return bad(path, v, section, k->name,
				"a number above 0", err);
		break;
	case SECONDS:
		if (!s || tl_parse_duration(s, &x))
			return bad(path, v, section, k->name,
				"a duration (50ms, 1.5s or seconds)", err);
		break;
	case PATHS:
		break;
	case LIMIT:
	case LIMIT_RATE:
		if (s && !strcmp(s, "none")) {
			x = -1;
			break;
		}
		if (!num || x < 0 || (k->kind == LIMIT_RATE && x > 1))
			return bad(path, v, section, k->name,
				k->kind == LIMIT
					? "a number of at least 0, or none"
					: "a number from 0 to 1, or none",
				err);
		break;
	}
	*(double *)(void *)field = x;
	return 0;
}

static int load_section(struct tl_params *p, const struct tl_value *map,
	const char *section, const struct key *keys, const char *path,
	struct tl_err *err)
{
	if (!map)
		return 0;
	if (map->kind != TL_V_MAP)
		return tl_err_set(err, TL_EINVALID,
			"%s:%u:%u: %s: takes a mapping of settings", path,
			map->line, map->col, section);
	for (size_t i = 0; i < map->n; i++) {
		const struct key *k = keys;
		int rc;
		while (k->name && strcmp(k->name, map->keys[i]))
			k++;
		if (!k->name) {
			struct tl_buf known = TL_BUF_INIT;
			for (k = keys; k->name; k++)
				tl_buf_printf(&known, "%s%s",
					k == keys ? "" : ", ", k->name);
			rc = tl_err_set(err, TL_EINVALID,
				"%s:%u:%u: %s: has no setting '%s' (it has %s)",
				path, map->items[i]->line, map->items[i]->col,
				section, map->keys[i], known.ptr);
			tl_buf_release(&known);
			return rc;
		}
		if ((rc = set_one(p, k, map->items[i], section, path, err)))
			return rc;
	}
	return 0;
}

int tl_params_load(struct tl_params *p, const struct tl_value *flaky,
	const struct tl_value *durations, const struct tl_value *gate,
	const char *path, struct tl_err *err)
{
	int rc;
	tl_params_default(p);
	if ((rc = load_section(p, flaky, "flaky", flaky_keys, path, err)) ||
		(rc = load_section(p, durations, "durations", duration_keys,
			 path, err)) ||
		(rc = load_section(p, gate, "gate", gate_keys, path, err)))
		return rc;
	return 0;
}

int tl_params_of(
	struct tl_params *p, const struct tl_store *s, struct tl_err *err)
{
	char *path = tl_store_wpath(s, "tally.yaml");
	int rc = tl_params_load(
		p, s->ws->flaky, s->ws->durations, s->ws->gate, path, err);
	free(path);
	return rc;
}

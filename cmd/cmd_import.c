/* tally import: test reports into a run, one commit for the whole import. */
#include "cmd/tally.h"
#include "cmd/import_seen.h"
#include "core/bulk.h"
#include "core/fs.h"
#include "core/key.h"
#include "core/resolve.h"
#include "core/runs.h"
#include "core/strmap.h"
#include "core/strpool.h"
#include "core/text.h"
#include "core/time.h"
#include "core/trace.h"
#include "formats/entity.h"
#include "formats/junit.h"
#include "formats/tap.h"
#include "formats/ctrf.h"
#include "formats/cucumber.h"
#include "formats/dotnet.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define TEXT_CAP (64u << 10)

static const char *const import_formats[] = { "auto", "junit", "tap", "ctrf",
	"cucumber", "trx", "nunit", "xunit", NULL };

/* clang-format off */
const struct opt_spec opts_import[] = {
	{ "format", 'F', OPT_STR, "FORMAT", "auto (from the content), junit, tap, ctrf, cucumber, trx, nunit or xunit", import_formats },
	{ "run", 0, OPT_STR, "RUN", "add to this run instead of starting one", NULL },
	{ "title", 0, OPT_STR, "TITLE", "the new run's title", NULL },
	{ "release", 0, OPT_STR, "RELEASE", "make the new run an execution of a release", NULL },
	{ "revision", 0, OPT_STR, "SHA", "the code under test", NULL },
	{ "env", 0, OPT_LIST, "KEY=VALUE", "an environment property of the run", NULL },
	{ "suite-prefix", 0, OPT_STR, "SUITE", "put new cases under this suite", NULL },
	{ "dry-run", 'n', OPT_FLAG, NULL, "read and count, write nothing", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};
/* clang-format on */

/* --format here names the input format: a command's own options shadow
 * the global ones, so the output format goes before the command
 * (tally --format json import ...). */

struct counts {
	long long tests, passed, failed, errored, skipped, other;
	/* TAP's own view, for comparing with other tools' counts */
	long long ok, not_ok, todo, skip, ok_plain, not_ok_plain;
	long long results, new_cases;
};

struct import {
	struct ctx *c;
	struct args *a;
	struct tl_store *s;
	const char *project;
	struct tl_list cases;
	struct tl_runs runs;
	struct tl_rundata *d; /* the existing run (--run), or NULL */
	struct tl_run *run; /* d's run, or a new one */
	char *runkey;
	int run_changed;
	struct tl_bulk *bulk; /* NULL with --dry-run */
	struct tl_buf scratch;
	struct seen seen; /* the tests so far, on disk */
	struct pending cur; /* the test being imported */
	struct tl_strmap autos; /* automation id -> index in cases */
	struct tl_strmap keys; /* case key -> index in cases */
	struct tl_strmap lower; /* an existing case's lowercased key -> 1 */
	/* the run's selection, when it has one (--run): its own strings */
	struct tl_strmap selected;
	int selected_built;
	struct tl_strpool pool; /* existing cases' lowercased keys */
	struct tl_buf low; /* a lowercased key being looked up */
	struct tl_buf key; /* the key of the test being imported */
	int maps;
	struct counts k;
	int dry;
	int merge; /* repeated tests are retries (JUnit), not (TAP) */
	const char *file;
	char *folder; /* the report's folder, resolved; NULL for stdin */
	char started[32];
};

/* Keys are compared without letter case: they collide on macOS/Windows. */
static void remember_key(struct import *im, const char *key)
{
	seen_lowered(&im->low, key, strlen(key));
	tl_strmap_put(&im->lower,
		tl_strpool_addn(&im->pool, im->low.ptr, im->low.len), 1);
}

/* Whether the key lowercased in im->low is an existing case's or a new
 * one's but for letter case. */
static int key_taken(struct import *im, int *taken, struct tl_err *err)
{
	*taken = tl_strmap_get(&im->lower, im->low.ptr) != (size_t)-1;
	return *taken ? 0
		      : seen_key_taken(&im->seen, im->low.ptr, im->low.len,
				taken, err);
}

static void build_maps(struct import *im)
{
	for (size_t i = 0; i < im->cases.n; i++) {
		const struct tl_case *k = im->cases.v[i];
		if (k->automation)
			tl_strmap_put(&im->autos, k->automation, i);
	}
	for (size_t i = 0; i < im->cases.n; i++) {
		remember_key(im, ((struct tl_entity *)im->cases.v[i])->key);
		tl_strmap_put(&im->keys,
			((struct tl_entity *)im->cases.v[i])->key, i);
	}
	im->maps = 1;
}

static const struct tl_case *case_by_automation(
	struct import *im, const char *id)
{
	size_t i;
	if (!im->maps)
		build_maps(im);
	i = tl_strmap_get(&im->autos, id);
	return i == (size_t)-1 ? NULL : im->cases.v[i];
}

/* Cleaned text without the blank lines and indentation XML puts around it. */
static char *clean(const char *s, size_t len)
{
	struct tl_buf b = TL_BUF_INIT;
	while (len && strchr(" \t\r\n", s[len - 1]))
		len--;
	while (len && strchr(" \t\r\n", *s)) {
		/* keep the indentation of the first line only when it has text
		 */
		const char *nl = memchr(s, '\n', len);
		size_t skip = 1;
		if (*s != '\n' && *s != '\r') {
			size_t i = 0;
			while (i < len && (s[i] == ' ' || s[i] == '\t'))
				i++;
			if (i < len && s[i] != '\n' && s[i] != '\r')
				break;
			skip = nl ? (size_t)(nl - s) + 1 : len;
		}
		s += skip;
		len -= skip;
	}
	tl_text_clean(&b, s, len);
	return tl_buf_detach(&b);
}

static struct tl_value *attempt_value(const char *status, int has_d, double d,
	const char *message, const char *type)
{
	struct tl_value *a = tl_value_map();
	tl_value_put(a, "status", tl_value_str(status));
	if (has_d)
		tl_value_put(a, "duration", tl_value_num(d));
	if (message)
		tl_value_put(a, "message", tl_value_str(message));
	if (type)
		tl_value_put(a, "type", tl_value_str(type));
	return a;
}

/* Adds (sign 1) or takes back (sign -1) a test's final result in the
 * counts: a test that ran again in the same import is one test with
 * retries, counted by its last run. */
static void count(struct counts *k, const struct pending *p, int sign)
{
	k->tests += sign;
	k->new_cases += sign * p->new_case;
	if (p->status == ST_PASSED)
		k->passed += sign;
	else if (p->status == ST_FAILED)
		*(p->errored ? &k->errored : &k->failed) += sign;
	else if (p->status == ST_SKIPPED)
		k->skipped += sign;
	else
		k->other += sign;
	k->ok += sign * p->raw_ok;
	k->not_ok += sign * !p->raw_ok;
	k->todo += sign * p->todo;
	k->skip += sign * p->skip;
	k->ok_plain += sign * (p->raw_ok && !p->todo && !p->skip);
	k->not_ok_plain += sign * (!p->raw_ok && !p->todo && !p->skip);
}

static char *one_line(const char *s)
{
	char *t = tl_strdup(s);
	for (char *p = t; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return t;
}

/* a + b: the attempts of an earlier result, that result, then b's own */
static struct tl_value *fold_attempts(
	const struct tl_result *old, const struct tl_value *own)
{
	struct tl_value *r = tl_value_seq();
	if (old->retries)
		for (size_t j = 0; j < old->retries->n; j++)
			tl_value_push(r, tl_value_dup(old->retries->items[j]));
	tl_value_push(r,
		attempt_value(old->status, old->duration.set, old->duration.v,
			old->message, old->type));
	if (own)
		for (size_t j = 0; j < own->n; j++)
			tl_value_push(r, tl_value_dup(own->items[j]));
	return r;
}

static struct tl_result *result_from(struct import *im, const struct tl_test *t)
{
	struct tl_result *x = tl_entity_new(TL_KIND_RESULT);
	x->status = tl_strdup(t->status);
	x->duration.set = t->has_duration;
	x->duration.v = t->duration;
	x->started = tl_strdup(im->started);
	if (t->message)
		x->message = clean(t->message, strlen(t->message));
	if (t->type)
		x->type = clean(t->type, strlen(t->type));
	if (t->trace.len)
		x->trace = clean(t->trace.ptr,
			tl_text_cut(t->trace.ptr, t->trace.len, TEXT_CAP));
	if (t->properties)
		x->environment = tl_value_dup(t->properties);
	if (t->nretries) {
		x->retries = tl_value_seq();
		for (size_t i = 0; i < t->nretries; i++) {
			const struct tl_attempt *a = &t->retries[i];
			char *m = a->message
				? clean(a->message, strlen(a->message))
				: NULL;
			tl_value_push(x->retries,
				attempt_value(a->status, a->has_duration,
					a->duration, m, a->type));
			free(m);
		}
	}
	return x;
}

/* Into the bulk commit: the entity's file at path. */
static int put_entity(struct import *im, enum tl_kind kind, const void *e,
	const char *path, struct tl_err *err)
{
	char *w = tl_store_wpath(im->s, path);
	int rc;
	tl_buf_reset(&im->scratch);
	rc = tl_store_encode(&im->scratch, im->s, kind, e, err);
	if (!rc)
		rc = tl_bulk_put(
			im->bulk, w, im->scratch.ptr, im->scratch.len, err);
	free(w);
	return rc;
}

static int put_case(struct import *im, const char *id, const char *key,
	const char *name, struct tl_err *err)
{
	struct tl_case *k = tl_entity_new(TL_KIND_CASE);
	char *title = clean(name, strlen(name));
	char *path = tl_store_case_path(im->project, key);
	int rc;
	k->title = one_line(title[0] ? title : id);
	k->type = tl_strdup("automated");
	k->priority = tl_strdup("medium");
	k->automation = one_line(id);
	rc = put_entity(im, TL_KIND_CASE, k, path, err);
	tl_case_free(k);
	free(title);
	free(path);
	return rc;
}

/* The earlier result of this test in this import becomes attempts. */
static int fold_earlier(struct import *im, const struct pending *p,
	const char *path, struct tl_result *x, struct tl_err *err)
{
	void *old = NULL;
	int rc = tl_bulk_read(im->bulk, p->result, &im->scratch, err);
	if (!rc)
		rc = tl_entity_parse(&old, TL_KIND_RESULT, path,
			im->scratch.ptr, im->scratch.len, err);
	if (!rc) {
		struct tl_value *r = fold_attempts(old, x->retries);
		tl_value_free(x->retries);
		x->retries = r;
	}
	tl_entity_free(TL_KIND_RESULT, old);
	return rc;
}

/* Whether the run's selection holds key, through a table made on the
 * first call (a scan of a selection of 100,000 cases for each test
 * would be quadratic). */
static int is_selected(struct import *im, const char *key)
{
	if (!im->selected_built) {
		tl_strmap_reserve(&im->selected, im->run->cases.n);
		for (size_t i = 0; i < im->run->cases.n; i++)
			tl_strmap_put(&im->selected, im->run->cases.v[i], 0);
		im->selected_built = 1;
	}
	return tl_strmap_get(&im->selected, key) != (size_t)-1;
}

/* The key test t's id leads to before a clash is settled (its lookup
 * key), in im->key and lowercased in im->low; *out its case when it has
 * one. */
static void lookup_key(struct import *im, const struct tl_test *t,
	const struct tl_buf *id, const struct tl_case **out)
{
	const struct tl_case *k =
		im->dry ? NULL : case_by_automation(im, id->ptr);
	struct tl_buf *key = &im->key;
	tl_buf_reset(key);
	if (k) {
		tl_buf_puts(key, k->ent.key);
	} else {
		/* without a classname the suite path is the folder */
		tl_key_for_test(key, arg_str(im->a, "suite-prefix"),
			t->classname && *t->classname ? t->classname : t->suite,
			t->name);
		if (!im->maps)
			build_maps(im);
		{
			/* then by key: a case without an automation id whose
			 * key is the one this id maps to (a manual case
			 * exported as JUnit and read back) */
			size_t ki = tl_strmap_get(&im->keys, key->ptr);
			const struct tl_case *byk =
				ki == (size_t)-1 ? NULL : im->cases.v[ki];
			if (byk && !byk->automation)
				k = byk;
		}
	}
	seen_lowered(&im->low, key->ptr, key->len);
	*out = k;
}

/* A test seen for the first time, in im->cur (*at its index), k its
 * case and its lookup key in im->key and im->low (lookup_key); its key
 * in im->key. */
static int new_pending(struct import *im, const struct tl_buf *id,
	const struct tl_case *k, uint32_t *at, struct tl_err *err)
{
	struct pending *p = &im->cur;
	int rc = 0, taken = 0;
	memset(p, 0, sizeof(*p));
	p->new_case = !k;
	if (!k && !(rc = key_taken(im, &taken, err)) && taken)
		tl_key_add_hash(&im->key, id->ptr);
	return rc ? rc
		  : seen_add(&im->seen, im->low.ptr, im->low.len, id, &im->key,
			    p, at, err);
}

static void warn(struct import *im, const struct tl_test *t, const char *fmt,
	const char *what)
{
	if (im->c->quiet)
		return;
	fprintf(stderr, "tally: warning: %s: %s: ", im->file, t->name);
	fprintf(stderr, fmt, what);
	fputc('\n', stderr);
}

/*
 * [[ATTACHMENT|path]] lines in a test's output (the convention of Jenkins'
 * JUnit attachments plugin): the file is attached when its real path lies
 * inside the report's folder, so a report cannot pull in /etc/passwd or
 * a symlink's target elsewhere.
 */
static int attach_markers(struct import *im, const struct tl_test *t,
	struct tl_result *x, const char *key, struct tl_err *err)
{
	static const char open_tag[] = "[[ATTACHMENT|";
	const char *p = t->output.ptr, *end = p + t->output.len;
	int rc = 0;
	while (!rc && (p = strstr(p, open_tag)) && p < end) {
		const char *s = p + sizeof(open_tag) - 1;
		const char *close = strstr(s, "]]");
		char *rel, *cand, *real = NULL;
		const char *base;
		size_t flen = im->folder ? strlen(im->folder) : 0;
		struct tl_buf data = TL_BUF_INIT;
		if (!close)
			break;
		p = close + 2;
		rel = tl_strndup(s, (size_t)(close - s));
		cand = rel[0] == '/' || !im->folder
			? tl_strdup(rel)
			: tl_format("%s/%s", im->folder, rel);
		base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
		if (!im->folder)
			warn(im, t,
				"%s not attached: a report on standard input has no folder",
				rel);
		else if (!(real = realpath(cand, NULL)) ||
			strncmp(real, im->folder, flen) || real[flen] != '/')
			warn(im, t,
				"%s not attached: not a file inside the report's folder",
				rel);
		else if (tl_key_check_segment(
				 base, strlen(base), "attachment", err) ||
			tl_fs_read(&data, real, attach_limit(im->s, "max-size"),
				err)) {
			warn(im, t, "%s not attached: %s", err->msg);
			tl_err_clear(err);
		} else {
			char *ap = tl_format("%s/runs/%s/attachments/%s/%s",
				im->project, im->runkey, key, base);
			char *w = tl_store_wpath(im->s, ap);
			rc = tl_bulk_put(im->bulk, w, data.ptr, data.len, err);
			if (!tl_strlist_has(&x->attachments, base))
				tl_strlist_push(&x->attachments, base);
			free(w);
			free(ap);
		}
		tl_buf_release(&data);
		free(real);
		free(cand);
		free(rel);
	}
	return rc;
}

static int on_test(struct tl_test *t, void *vctx, struct tl_err *err)
{
	struct import *im = vctx;
	struct tl_buf id = TL_BUF_INIT;
	struct pending *p = &im->cur;
	struct tl_result *x = NULL;
	const struct tl_case *kase = NULL;
	const char *key;
	char *path = NULL;
	uint32_t at = (uint32_t)-1;
	int rc = 0, again;

	/* the automation id: classname.name; without a classname the suite
	 * path tells same-named tests of different suites apart */
	if (t->classname && *t->classname)
		tl_buf_printf(&id, "%s.%s", t->classname, t->name);
	else if (t->suite && *t->suite)
		tl_buf_printf(&id, "%s / %s", t->suite, t->name);
	else
		tl_buf_puts(&id, t->name);
	lookup_key(im, t, &id, &kase);
	rc = seen_find(&im->seen, im->low.ptr, im->low.len, id.ptr, id.len, &at,
		p, err);
	if (!rc && at != (uint32_t)-1 && !im->merge) {
		/* TAP: the same description again is another test */
		size_t base = id.len;
		for (int k = 2; !rc && at != (uint32_t)-1; k++) {
			tl_buf_truncate(&id, base);
			tl_buf_printf(&id, " (%d)", k);
			lookup_key(im, t, &id, &kase);
			rc = seen_find(&im->seen, im->low.ptr, im->low.len,
				id.ptr, id.len, &at, p, err);
		}
	}
	again = at != (uint32_t)-1;
	if (!rc && again) {
		/* its key, from the spool */
		const char *pid = NULL, *pkey = NULL;
		uint32_t idlen = 0, keylen = 0;
		if (!(rc = seen_strings(&im->seen, p, &pid, &idlen, &pkey,
			      &keylen, err))) {
			tl_buf_reset(&im->key);
			tl_buf_put(&im->key, pkey, keylen);
		}
		/* its earlier run no longer counts: this one does */
		count(&im->k, p, -1);
	} else if (!rc) {
		rc = new_pending(im, &id, kase, &at, err);
		if (!rc) {
			p->raw_ok = t->raw_ok;
			p->todo = t->directive && !strcmp(t->directive, "todo");
			p->skip = t->directive && !strcmp(t->directive, "skip");
		}
		if (!rc && p->new_case && !im->dry)
			rc = put_case(im, id.ptr, im->key.ptr, t->name, err);
	}
	if (!rc) {
		/* the final run of a test decides its status */
		p->status = !strcmp(t->status, "passed") ? ST_PASSED
			: !strcmp(t->status, "failed")	 ? ST_FAILED
			: !strcmp(t->status, "skipped")	 ? ST_SKIPPED
							 : ST_OTHER;
		p->errored = t->errored;
		count(&im->k, p, 1);
		rc = seen_put(&im->seen, at, p, err);
	}
	tl_buf_release(&id);
	if (im->dry || rc)
		return rc;
	key = im->key.ptr;

	x = result_from(im, t);
	path = tl_store_result_path(im->project, im->runkey, key);
	if (again) {
		/* the same test again in this import (JUnit reruns) */
		rc = fold_earlier(im, p, path, x, err);
	} else {
		/* this case's result alone, not the run's every one (a
		 * thousand tests into a run of 100,000 read them all) */
		struct tl_result *old = NULL;
		if (im->d)
			rc = tl_run_result_read(im->d, im->s, key, &old, err);
		if (old) {
			/* recorded in the run already: an attempt now */
			struct tl_value *r = fold_attempts(old, x->retries);
			tl_value_free(x->retries);
			x->retries = r;
		}
		tl_entity_free(TL_KIND_RESULT, old);
		if (im->run->cases.n && !is_selected(im, key)) {
			tl_strlist_push(&im->run->cases, key);
			tl_strmap_put(&im->selected,
				im->run->cases.v[im->run->cases.n - 1], 0);
			im->run_changed = 1;
		}
	}
	if (!rc && t->output.len)
		rc = attach_markers(im, t, x, key, err);
	if (!rc && t->output.len) {
		size_t keep =
			tl_text_cut(t->output.ptr, t->output.len, TEXT_CAP);
		x->output = clean(t->output.ptr, keep);
		if (keep < t->output.len) {
			/* the whole output, beside the capped one */
			char *ap = tl_format(
				"%s/runs/%s/attachments/%s/output.log",
				im->project, im->runkey, key);
			char *w = tl_store_wpath(im->s, ap);
			rc = tl_bulk_put(
				im->bulk, w, t->output.ptr, t->output.len, err);
			tl_strlist_push(&x->attachments, "output.log");
			free(w);
			free(ap);
		}
	}
	if (!rc) {
		p->result = tl_bulk_mark(im->bulk);
		rc = seen_put(&im->seen, at, p, err);
		if (!rc)
			rc = put_entity(im, TL_KIND_RESULT, x, path, err);
	}
	tl_entity_free(TL_KIND_RESULT, x);
	free(path);
	return rc;
}

#define ENV_MAX_KEYS 64
#define ENV_MAX_VALUE 256

/*
 * Suite properties describe where the tests ran: they fill the run's
 * environment where --env (or the run) has not set the key. Surefire
 * writes every Java system property there, so long values (class paths)
 * are left out and at most ENV_MAX_KEYS are kept.
 */
static void suite_environment(struct import *im, const struct tl_value *props)
{
	struct tl_run *run = im->run;
	for (size_t i = 0; props && i < props->n; i++) {
		const struct tl_value *v = props->items[i];
		if (v->kind != TL_V_SCALAR || v->len > ENV_MAX_VALUE ||
			!*props->keys[i] ||
			(run->environment &&
				(tl_value_get(
					 run->environment, props->keys[i]) ||
					run->environment->n >= ENV_MAX_KEYS)))
			continue;
		if (!run->environment)
			run->environment = tl_value_map();
		tl_value_put(
			run->environment, props->keys[i], tl_value_str(v->str));
		im->run_changed = 1;
	}
}

static int read_file(struct import *im, const char *path, const char *format)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	struct tl_report_info info;
	int rc;
	if (!f)
		return tl_err_set(&im->c->err,
			errno == ENOENT ? TL_ENOTFOUND : TL_EIO, "%s: %s", path,
			strerror(errno));
	if (!strcmp(format, "auto") &&
		!(format = tl_report_detect(f, name, &im->c->err))) {
		if (f != stdin)
			fclose(f);
		return im->c->err.code;
	}
	im->file = name;
	free(im->folder);
	im->folder = NULL;
	if (f != stdin) {
		char *dir = tl_strdup(path), *slash = strrchr(dir, '/');
		if (slash)
			*slash = slash == dir ? '/' : '\0', slash[1] = '\0';
		im->folder = realpath(slash ? dir : ".", NULL);
		free(dir);
	}
	if (!strcmp(format, "junit")) {
		im->merge = 1;
		rc = tl_junit_read(f, name, on_test, im, &info, &im->c->err);
		if (!rc && !im->dry)
			suite_environment(im, info.properties);
		tl_value_free(info.properties);
	} else if (!strcmp(format, "tap")) {
		im->merge = 0;
		rc = tl_tap_read(f, name, on_test, im, &info, &im->c->err);
	} else if (!strcmp(format, "trx") || !strcmp(format, "nunit") ||
		!strcmp(format, "xunit")) {
		im->merge = 0;
		rc = tl_dotnet_read(f, name, on_test, im, &info, &im->c->err);
	} else if (!strcmp(format, "cucumber") ||
		!strcmp(format, "json-array")) {
		im->merge = 0;
		rc = tl_cucumber_read(f, name, on_test, im, &info, &im->c->err);
	} else if (!strcmp(format, "ctrf") || !strcmp(format, "json")) {
		/* JSON that opens with an object: CTRF (Cucumber is an array)
		 */
		im->merge = 0;
		rc = tl_ctrf_read(f, name, on_test, im, &info, &im->c->err);
	} else {
		rc = tl_err_set(&im->c->err, TL_EUSAGE,
			"%s: the %s format is not supported yet (supported: junit, tap, ctrf, cucumber, trx, nunit, xunit)",
			name, format);
	}
	if (f != stdin)
		fclose(f);
	return rc;
}

static struct tl_value *summary(
	const struct import *im, const char *run, const char *commit)
{
	struct tl_value *o = tl_value_map();
	tl_value_put(o, "run", run ? tl_value_str(run) : tl_value_null());
	tl_value_put(o, "tests", tl_value_int(im->k.tests));
	tl_value_put(o, "passed", tl_value_int(im->k.passed));
	tl_value_put(o, "failed", tl_value_int(im->k.failed));
	tl_value_put(o, "errored", tl_value_int(im->k.errored));
	tl_value_put(o, "skipped", tl_value_int(im->k.skipped));
	tl_value_put(o, "results", tl_value_int(im->k.results));
	tl_value_put(o, "ok", tl_value_int(im->k.ok));
	tl_value_put(o, "not_ok", tl_value_int(im->k.not_ok));
	tl_value_put(o, "todo", tl_value_int(im->k.todo));
	tl_value_put(o, "skip", tl_value_int(im->k.skip));
	tl_value_put(o, "ok_plain", tl_value_int(im->k.ok_plain));
	tl_value_put(o, "not_ok_plain", tl_value_int(im->k.not_ok_plain));
	tl_value_put(o, "new_cases", tl_value_int(im->k.new_cases));
	tl_value_put(
		o, "commit", commit ? tl_value_str(commit) : tl_value_null());
	return o;
}

static void summary_text(
	struct ctx *c, const struct tl_value *o, struct tl_buf *b)
{
	(void)c;
	tl_buf_printf(b,
		"%s tests: %s passed, %s failed, %s errored, %s skipped",
		tl_value_gets(o, "tests"), tl_value_gets(o, "passed"),
		tl_value_gets(o, "failed"), tl_value_gets(o, "errored"),
		tl_value_gets(o, "skipped"));
	if (tl_value_gets(o, "run"))
		tl_buf_printf(b,
			"\nimported into run %s (%s results, %s new cases)%s%s",
			tl_value_gets(o, "run"), tl_value_gets(o, "results"),
			tl_value_gets(o, "new_cases"),
			tl_value_gets(o, "commit") ? " [" : "",
			tl_value_gets(o, "commit") ? tl_value_gets(o, "commit")
						   : "");
	tl_buf_puts(b, tl_value_gets(o, "commit") ? "]\n" : "\n");
}

/* The run the results go to: --run's, or a new one (keyed before any
 * report is read, since the results' paths name it). */
static int prepare_run(struct ctx *c, struct import *im)
{
	const char *runref = arg_str(im->a, "run");
	struct tl_buf key = TL_BUF_INIT;
	const char *title = arg_str(im->a, "title");
	const struct tl_value *env = arg_list(im->a, "env");
	struct tl_run *run;
	char *deftitle = NULL, prefix[12];
	int rc;

	if (runref) {
		if ((rc = tl_runs_load(
			     &im->runs, im->s, im->project, 0, &c->err)) ||
			(rc = tl_runs_find(&im->runs, runref, &im->d, &c->err)))
			return rc;
		if (im->d->run->closed == 1)
			return tl_err_set(&c->err, TL_ECONFLICT,
				"run %s is closed (tally run reopen %s)",
				im->d->run->ent.key, im->d->run->ent.key);
		im->run = im->d->run;
		im->runkey = tl_strdup(im->run->ent.key);
		return 0;
	}
	if (!title) {
		const char *f = im->a->pos.v[0];
		const char *base = strrchr(f, '/') ? strrchr(f, '/') + 1 : f;
		deftitle = tl_format("Import of %s", base);
		title = deftitle;
	}
	run = im->run = tl_entity_new(TL_KIND_RUN);
	snprintf(prefix, sizeof(prefix), "%.10s-", im->started);
	rc = new_key(c, &key, NULL, title, prefix, "run");
	run->ent.key = tl_buf_detach(&key);
	run->title = one_line(title);
	run->created = tl_strdup(im->started);
	run->created_by = ctx_author_string(c);
	run->closed = 0;
	opt_set_str(&run->revision, arg_str(im->a, "revision"));
	free(deftitle);
	if (!rc && arg_str(im->a, "release")) {
		struct tl_list rels = { 0 };
		void *rel;
		rc = tl_store_releases(im->s, im->project, &rels, &c->err);
		if (!rc)
			rc = tl_resolve_list(&rels, arg_str(im->a, "release"),
				"release", &rel, &c->err);
		if (!rc)
			run->release =
				tl_strdup(((struct tl_entity *)rel)->key);
		tl_list_release(&rels);
	}
	for (size_t i = 0; !rc && env && i < env->n; i++)
		rc = opt_assign_kv(
			c, &run->environment, env->items[i]->str, "env");
	im->runkey = tl_strdup(run->ent.key);
	im->run_changed = 1;
	return rc;
}

/* What the reading needed and the commit does not: released before the
 * commit, so the commit's memory reuses it rather than adding to it. */
static void release_tests(struct import *im)
{
	tl_strpool_release(&im->pool);
	tl_buf_release(&im->low);
	seen_release(&im->seen);
	tl_buf_release(&im->key);
	tl_strmap_release(&im->autos);
	tl_strmap_release(&im->keys);
	tl_strmap_release(&im->lower);
	tl_strmap_release(&im->selected);
	tl_list_release(&im->cases);
}

static int import_commit(struct ctx *c, struct import *im)
{
	struct tl_buf msg = TL_BUF_INIT;
	struct tl_ident au, cm;
	struct tl_commit_opts o = { 0 };
	char id[64] = "";
	int rc = 0;

	if (!im->seen.n)
		return tl_err_set(&c->err, TL_EINVALID,
			"the reports hold no test: nothing to import");
	if (im->run_changed) {
		char *path = tl_format(
			"%s/runs/%s/run.yaml", im->project, im->runkey);
		rc = put_entity(im, TL_KIND_RUN, im->run, path, &c->err);
		free(path);
	}
	tl_trace_perf("import: reports read and serialized");
	if (rc)
		return rc;
	tl_buf_printf(&msg,
		"tally: import %zu results into %s\n\n"
		"Tally-Action: import\nTally-Project: %s\nTally-Run: %s\n",
		(size_t)im->k.results, im->runkey, im->project, im->runkey);
	for (size_t i = 0; i < im->a->pos.n; i++)
		tl_buf_printf(&msg, "Tally-Source: %s\n", im->a->pos.v[i]);
	/* the summary is the output, not ctx_commit's one line */
	rc = ctx_idents(c, im->s->repo, &au, &cm, NULL);
	release_tests(im);
	tl_mem_trim();
	if (!rc) {
		o.message = msg.ptr;
		o.author = &au;
		o.committer = &cm;
		o.no_commit = c->no_commit;
		o.stage = ctx_stage_hook(c);
		rc = tl_bulk_commit(im->bulk, &o, id, &c->err);
	}
	tl_buf_release(&msg);
	if (!rc) {
		struct tl_value *s =
			summary(im, im->runkey, c->no_commit ? NULL : id);
		if (!c->quiet || c->format == FMT_JSON)
			rc = out_object(c, s, summary_text);
		tl_value_free(s);
	}
	return rc;
}

int cmd_import(struct ctx *c, struct args *a)
{
	struct import im;
	const char *format = arg_str(a, "format");
	int rc = 0;

	memset(&im, 0, sizeof(im));
	im.c = c;
	im.a = a;
	im.dry = arg_flag(a, "dry-run");
	tl_time_format(ctx_now(c), im.started, sizeof(im.started));
	if (!format)
		format = "auto";
	if (!im.dry) {
		char *project = NULL;
		if ((rc = ctx_store(c, &im.s)) ||
			(rc = ctx_project(c, &project)))
			return rc;
		im.project = project;
		rc = tl_store_cases(im.s, project, &im.cases, &c->err);
		if (!rc)
			rc = prepare_run(c, &im);
		if (!rc)
			rc = tl_bulk_open(&im.bulk, im.s->repo, &c->err);
	}
	if (!rc)
		rc = seen_open(&im.seen,
			im.s ? tl_repo_gitdir(im.s->repo) : NULL, &c->err);
	tl_trace_perf("import: cases loaded");
	for (size_t i = 0; i < a->pos.n && !rc; i++)
		rc = read_file(&im, a->pos.v[i], format);
	im.k.results = (long long)im.seen.n;
	if (!rc && im.dry) {
		struct tl_value *o = summary(&im, NULL, NULL);
		rc = out_object(c, o, summary_text);
		tl_value_free(o);
	} else if (!rc) {
		rc = import_commit(c, &im);
	}
	release_tests(&im);
	tl_bulk_free(im.bulk);
	tl_buf_release(&im.scratch);
	if (!im.d)
		tl_entity_free(TL_KIND_RUN, im.run);
	tl_runs_release(&im.runs);
	free(im.runkey);
	free(im.folder);
	free((char *)im.project);
	return rc;
}

/* tally record: the result of one or more cases in a run, one commit. */
#include "cmd/tally.h"
#include "core/fs.h"
#include "core/key.h"
#include "core/regex.h"
#include "core/resolve.h"
#include "core/runs.h"
#include "core/text.h"
#include "core/time.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define DEFAULT_ATTACH_MAX (10u << 20)
#define DEFAULT_TEXT_CAP (64u << 10)

/* clang-format off */
const struct opt_spec opts_record[] = {
	{ "status", 's', OPT_STR, "STATUS", "the status, for recording several cases at once", tl_statuses },
	{ "message", 'm', OPT_STR, "TEXT", "the failure message or a note", NULL },
	{ "duration", 'd', OPT_STR, "TIME", "how long it took: 1.5s, 250ms, 2m, or seconds", NULL },
	{ "type", 0, OPT_STR, "TYPE", "the failure type (an exception class)", NULL },
	{ "trace-file", 0, OPT_STR, "FILE", "the stack trace, from a file (- for stdin)", NULL },
	{ "output-file", 0, OPT_STR, "FILE", "captured output, from a file (- for stdin)", NULL },
	{ "attach", 'a', OPT_LIST, "FILE", "attach a file (screenshot, log)", NULL },
	{ "env", 0, OPT_LIST, "KEY=VALUE", "an environment property of this result", NULL },
	{ "defect", 0, OPT_LIST, "DEFECT", "link a defect (a local key or an external one)", NULL },
	{ "assignee", 0, OPT_STR, "USER", "who ran it", NULL },
	{ "revision", 0, OPT_STR, "SHA", "the code under test", NULL },
	{ "retry", 0, OPT_FLAG, NULL, "keep the previous result as an earlier attempt", NULL },
	{ "add", 0, OPT_FLAG, NULL, "add the case to the run if it is not selected", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};
/* clang-format on */

size_t attach_limit(struct tl_store *s, const char *key)
{
	const char *v = tl_value_gets(s->ws->attachments, key);
	size_t n;
	if (v && !tl_parse_size(v, &n))
		return n;
	return strcmp(key, "text-cap") ? DEFAULT_ATTACH_MAX : DEFAULT_TEXT_CAP;
}

/* Reads a file or stdin, bounded. */
static int read_input(
	struct ctx *c, const char *path, size_t cap, struct tl_buf *out)
{
	if (strcmp(path, "-"))
		return tl_fs_read(out, path, cap, &c->err);
	{
		char chunk[65536];
		size_t n;
		while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
			if (cap && out->len + n > cap)
				return tl_err_set(&c->err, TL_EINVALID,
					"standard input is larger than %zu bytes",
					cap);
			tl_buf_put(out, chunk, n);
		}
	}
	return 0;
}

struct recording {
	struct ctx *c;
	struct tl_store *s;
	const char *project;
	struct tl_rundata *run;
	struct tl_txn *t;
	struct tl_strlist names; /* attachment paths already used in this txn */
};

/* A file name for an attachment, unique in the case's folder. */
static char *attach_path(
	struct recording *r, const char *casekey, const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t stem = dot && dot != name ? (size_t)(dot - name) : strlen(name);
	for (int i = 1;; i++) {
		char *p = i == 1
			? tl_format("%s/runs/%s/attachments/%s/%s", r->project,
				  r->run->run->ent.key, casekey, name)
			: tl_format("%s/runs/%s/attachments/%s/%.*s-%d%s",
				  r->project, r->run->run->ent.key, casekey,
				  (int)stem, name, i, name + stem);
		char *full = tl_path_join(r->s->root, p);
		int taken = tl_fs_is_file(full) || tl_strlist_has(&r->names, p);
		free(full);
		if (!taken) {
			tl_strlist_push(&r->names, p);
			return p;
		}
		free(p);
	}
}

static int attach_bytes(struct recording *r, struct tl_result *x,
	const char *casekey, const char *name, const char *data, size_t len)
{
	char *p = attach_path(r, casekey, name);
	const char *base = strrchr(p, '/') + 1;
	tl_txn_put_raw(r->t, r->s, p, data, len);
	if (!tl_strlist_has(&x->attachments, base))
		tl_strlist_push(&x->attachments, base);
	free(p);
	return 0;
}

static int attach_file(struct recording *r, struct tl_result *x,
	const char *casekey, const char *file)
{
	struct tl_buf b = TL_BUF_INIT;
	size_t cap = attach_limit(r->s, "max-size");
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	int rc = tl_key_check_segment(
		base, strlen(base), "attachment", &r->c->err);
	if (!rc &&
		(rc = tl_fs_read(&b, file, cap, &r->c->err)) == TL_EINVALID &&
		strstr(r->c->err.msg, "larger than"))
		tl_err_set(&r->c->err, TL_EINVALID,
			"%s is larger than the attachment limit of %zu bytes "
			"(attachments: {max-size: ...} in tally.yaml)",
			file, cap);
	if (!rc)
		rc = attach_bytes(r, x, casekey, base, b.ptr, b.len);
	tl_buf_release(&b);
	return rc;
}

/* Stores text capped in the result; the whole of it goes to an
 * attachment when it is longer (DESIGN.md: output is capped). */
static int capped_text(struct recording *r, struct tl_result *x,
	const char *casekey, const char *file, const char *attach_name,
	char **dst)
{
	struct tl_buf raw = TL_BUF_INIT, clean = TL_BUF_INIT;
	size_t cap = attach_limit(r->s, "text-cap");
	int rc = read_input(r->c, file, attach_limit(r->s, "max-size"), &raw);
	if (rc)
		goto out;
	tl_text_clean(&clean, raw.ptr, raw.len);
	if (clean.len > cap) {
		size_t keep = tl_text_cut(clean.ptr, clean.len, cap);
		rc = attach_bytes(r, x, casekey, attach_name, raw.ptr, raw.len);
		tl_buf_truncate(&clean, keep);
		tl_buf_printf(&clean,
			"\n[truncated at %zu bytes; the whole is in %s]\n",
			keep, attach_name);
	}
	free(*dst);
	*dst = tl_buf_detach(&clean);
out:
	tl_buf_release(&raw);
	tl_buf_release(&clean);
	return rc;
}

/* The previous result as an earlier attempt, for retries:. */
static struct tl_value *attempt_of(const struct tl_result *old)
{
	struct tl_value *a = tl_value_map();
	tl_value_put(a, "status", tl_value_str(old->status));
	if (old->duration.set)
		tl_value_put(a, "duration", tl_value_num(old->duration.v));
	if (old->started)
		tl_value_put(a, "started", tl_value_str(old->started));
	if (old->message)
		tl_value_put(a, "message", tl_value_str(old->message));
	if (old->type)
		tl_value_put(a, "type", tl_value_str(old->type));
	return a;
}

int resolve_defect(struct ctx *c, struct tl_store *s, const char *project,
	const char *ref, char **out)
{
	struct tl_list l = { 0 };
	void *d;
	int rc = tl_store_defects(s, project, &l, &c->err);
	*out = NULL;
	if (!rc)
		rc = tl_resolve_list(&l, ref, "defect", &d, &c->err);
	if (!rc)
		*out = tl_strdup(((struct tl_entity *)d)->key);
	tl_list_release(&l);
	if (rc != TL_ENOTFOUND)
		return rc;
	/* an external key, such as BUG-7, when it matches defects.pattern */
	{
		const char *pat = tl_value_gets(s->ws->defects, "pattern");
		struct tl_regex *re = NULL;
		int m = 0;
		if (pat && !tl_regex_new(&re, pat, 0, &c->err))
			m = tl_regex_search(re, ref, strlen(ref), &c->err);
		tl_regex_free(re);
		if (m == 1) {
			tl_err_clear(&c->err);
			*out = tl_strdup(ref);
			return 0;
		}
		tl_err_set(&c->err, TL_ENOTFOUND,
			"no defect matches '%s'%s (tally defect new creates one)",
			ref,
			pat ? ", and it does not match defects.pattern" : "");
		return TL_ENOTFOUND;
	}
}

static int record_one(struct recording *r, struct args *a, const char *casekey,
	int status, int *run_changed)
{
	struct ctx *c = r->c;
	struct tl_result *old = NULL;
	struct tl_result *x = tl_entity_new(TL_KIND_RESULT);
	const struct tl_value *v;
	char started[32], *path = NULL;
	double dur;
	int rc;

	/* this case's result alone: a run of 100,000 took 2 s to read */
	if ((rc = tl_run_result_read(r->run, r->s, casekey, &old, &c->err)))
		goto out;
	/* selected: in the run's list, or with a result already */
	if (!old && !tl_strlist_has(&r->run->run->cases, casekey)) {
		if (!arg_flag(a, "add")) {
			rc = tl_err_set(&c->err, TL_EINVALID,
				"case %s is not selected in run %s (use --add to add it)",
				casekey, r->run->run->ent.key);
			goto out;
		}
		tl_strlist_push(&r->run->run->cases, casekey);
		*run_changed = 1;
	}
	x->status = tl_strdup(tl_status_name(status));
	if (arg_str(a, "duration")) {
		if (tl_parse_duration(arg_str(a, "duration"), &dur)) {
			rc = tl_err_set(&c->err, TL_EUSAGE,
				"--duration takes 1.5s, 250ms, 2m, 1m30s or seconds, not '%s'",
				arg_str(a, "duration"));
			goto out;
		}
		x->duration.set = 1;
		x->duration.v = dur;
	}
	tl_time_format(ctx_now(c), started, sizeof(started));
	x->started = tl_strdup(started);
	if (arg_str(a, "message")) {
		struct tl_buf m = TL_BUF_INIT;
		tl_text_clean(&m, arg_str(a, "message"),
			strlen(arg_str(a, "message")));
		x->message = tl_buf_detach(&m);
	}
	opt_set_str(&x->type, arg_str(a, "type"));
	opt_set_str(&x->revision,
		arg_str(a, "revision") ? arg_str(a, "revision")
				       : r->run->run->revision);
	x->assignee = tl_strdup(arg_str(a, "assignee") ? arg_str(a, "assignee")
			: old && old->assignee
			? old->assignee
			: tl_value_gets(r->run->run->assignees, casekey));
	if (old) {
		/* links and files stay with the case run */
		tl_strlist_copy(&x->defects, &old->defects);
		tl_strlist_copy(&x->attachments, &old->attachments);
		if (old->fields)
			x->fields = tl_value_dup(old->fields);
		if (arg_flag(a, "retry")) {
			x->retries =
				old->retries && old->retries->kind == TL_V_SEQ
				? tl_value_dup(old->retries)
				: tl_value_seq();
			tl_value_push(x->retries, attempt_of(old));
		}
	} else if (arg_flag(a, "retry")) {
		rc = tl_err_set(&c->err, TL_EINVALID,
			"--retry: case %s has no earlier result in this run",
			casekey);
		goto out;
	}
	if (arg_str(a, "trace-file"))
		rc = capped_text(r, x, casekey, arg_str(a, "trace-file"),
			"trace.txt", &x->trace);
	if (!rc && arg_str(a, "output-file"))
		rc = capped_text(r, x, casekey, arg_str(a, "output-file"),
			"output.log", &x->output);
	if (!rc && (v = arg_list(a, "attach")))
		for (size_t i = 0; i < v->n && !rc; i++)
			rc = attach_file(r, x, casekey, v->items[i]->str);
	if (!rc && (v = arg_list(a, "env")))
		for (size_t i = 0; i < v->n && !rc; i++)
			rc = opt_assign_kv(
				c, &x->environment, v->items[i]->str, "env");
	if (!rc && (v = arg_list(a, "defect")))
		for (size_t i = 0; i < v->n && !rc; i++) {
			char *dk;
			rc = resolve_defect(
				c, r->s, r->project, v->items[i]->str, &dk);
			if (!rc && !tl_strlist_has(&x->defects, dk))
				tl_strlist_push(&x->defects, dk);
			free(dk);
		}
	if (rc)
		goto out;
	path = tl_store_result_path(r->project, r->run->run->ent.key, casekey);
	x->ent.path = tl_store_wpath(r->s, path);
	rc = tl_txn_put(r->t, r->s, TL_KIND_RESULT, x, path, &c->err);
out:
	free(path);
	tl_entity_free(TL_KIND_RESULT, x);
	tl_entity_free(TL_KIND_RESULT, old);
	return rc;
}

/* A reference that is a case's key names one file, read alone; anything
 * else (a prefix, a title) is resolved among every case of the project,
 * read once (*cases, *loaded). A key not yet in keys is added to it. */
static int resolve_case(struct ctx *c, struct tl_store *s, const char *project,
	struct tl_list *cases, int *loaded, const char *ref,
	struct tl_strlist *keys)
{
	struct tl_case *one = NULL;
	const char *key = NULL;
	void *hit;
	int rc = tl_store_case_by_key(s, project, ref, &one, &c->err);
	if (!rc)
		key = ref;
	if (rc == TL_ENOTFOUND && !*loaded) {
		rc = tl_store_cases(s, project, cases, &c->err);
		*loaded = !rc;
	}
	if (!key && *loaded &&
		!(rc = tl_resolve_list(cases, ref, "case", &hit, &c->err)))
		key = ((struct tl_entity *)hit)->key;
	if (!rc && !tl_strlist_has(keys, key))
		tl_strlist_push(keys, key);
	tl_case_free(one);
	return rc;
}

int cmd_record(struct ctx *c, struct args *a)
{
	struct tl_store *s;
	struct tl_runs runs = { 0 };
	struct tl_list cases = { 0 };
	struct tl_rundata *d;
	struct tl_txn t = { 0 };
	struct tl_strlist keys = { 0 };
	struct recording r;
	struct tl_buf subject = TL_BUF_INIT, trailers = TL_BUF_INIT;
	const char *status_name = arg_str(a, "status");
	char *project = NULL;
	size_t first = 1, last = a->pos.n;
	int rc, status, run_changed = 0, cases_loaded = 0;

	memset(&r, 0, sizeof(r));
	if (!status_name) {
		if (a->pos.n != 3) {
			rc = tl_err_set(&c->err, TL_EUSAGE,
				"usage: tally record RUN CASE STATUS, or tally record RUN --status STATUS CASE...");
			goto out;
		}
		status_name = a->pos.v[2];
		last = 2;
	}
	for (size_t i = 1; arg_str(a, "status") && i < a->pos.n; i++)
		if (tl_status_from_name(a->pos.v[i]) >= 0) {
			rc = tl_err_set(&c->err, TL_EUSAGE,
				"give the status once: tally record RUN CASE STATUS, or "
				"tally record RUN --status STATUS CASE...");
			goto out;
		}
	status = tl_status_from_name(status_name);
	if (status < 0) {
		rc = tl_err_set(&c->err, TL_EUSAGE,
			"'%s' is not a status (passed, failed, blocked, skipped, running, not-executed)",
			status_name);
		goto out;
	}
	if ((rc = ctx_store(c, &s)) || (rc = ctx_project(c, &project)) ||
		(rc = tl_runs_load(&runs, s, project, 0, &c->err)) ||
		(rc = tl_runs_find(&runs, a->pos.v[0], &d, &c->err)))
		goto out;
	if (d->run->closed == 1) {
		rc = tl_err_set(&c->err, TL_ECONFLICT,
			"run %s is closed (tally run reopen %s)",
			d->run->ent.key, d->run->ent.key);
		goto out;
	}
	for (size_t i = first; i < last && !rc; i++)
		rc = resolve_case(c, s, project, &cases, &cases_loaded,
			a->pos.v[i], &keys);
	if (rc)
		goto out;
	r.c = c;
	r.s = s;
	r.project = project;
	r.run = d;
	r.t = &t;
	for (size_t i = 0; i < keys.n && !rc; i++)
		rc = record_one(&r, a, keys.v[i], status, &run_changed);
	if (!rc && run_changed) {
		char *p = tl_format(
			"%s/runs/%s/run.yaml", project, d->run->ent.key);
		rc = tl_txn_put(&t, s, TL_KIND_RUN, d->run, p, &c->err);
		free(p);
	}
	if (rc)
		goto out;
	if (keys.n == 1)
		tl_buf_printf(&subject, "record %s %s in %s", keys.v[0],
			status_name, d->run->ent.key);
	else
		tl_buf_printf(&subject, "record %zu cases %s in %s", keys.n,
			status_name, d->run->ent.key);
	tl_buf_printf(&trailers,
		"Tally-Action: record\nTally-Project: %s\nTally-Run: %s\n",
		project, d->run->ent.key);
	for (size_t i = 0; i < keys.n; i++)
		tl_buf_printf(&trailers, "Tally-Case: %s\n", keys.v[i]);
	tl_buf_printf(&trailers, "Tally-Status: %s\n", status_name);
	{
		char *p = keys.n == 1 ? tl_store_result_path(project,
						d->run->ent.key, keys.v[0])
				      : NULL;
		char *w = p ? tl_store_wpath(s, p) : NULL;
		rc = ctx_commit(c, &t, subject.ptr, trailers.ptr,
			keys.n == 1 ? keys.v[0] : NULL, w);
		free(p);
		free(w);
	}
out:
	tl_buf_release(&subject);
	tl_buf_release(&trailers);
	tl_strlist_release(&keys);
	tl_strlist_release(&r.names);
	tl_txn_release(&t);
	tl_runs_release(&runs);
	tl_list_release(&cases);
	free(project);
	return rc;
}

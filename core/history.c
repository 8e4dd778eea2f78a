/* Result events from the commits, and per-case metrics over them. */
#include "core/history.h"
#include "core/buf.h"
#include "core/hcache.h"
#include "core/strmap.h"
#include "core/time.h"
#include "core/walk.h"
#include "formats/entity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

struct loader {
	struct tl_history *h;
	size_t cap;
	const struct tl_value *aliases;
	struct tl_hcache *cache;
	struct tl_buf rec;
	struct tl_strmap at; /* "run/case" -> event */
	struct tl_strlist ids; /* the map's keys */
	struct tl_value *runrev; /* run -> revision */
	size_t seq;
};

static void event_clear(struct tl_event *e)
{
	free(e->casekey);
	free(e->run);
	free(e->status);
	free(e->outcomes);
	free(e->revision);
	free(e->message);
	free(e->type);
	free(e->trace);
	free(e->commit);
	free(e->author);
	free(e->started);
	free(e->blob);
	memset(e, 0, sizeof(*e));
}

/*
 * What a blob parses to, as the cache keeps it: a kind ('E' a result, 'R'
 * a run, 'X' a file that does not parse) and NUL-ended fields, each
 * starting with '1' when present or '0' when not. Fresh and cached blobs
 * both go through this form, so the cache cannot change an output.
 */
enum {
	F_STATUS,
	F_OUTCOMES,
	F_DURATION,
	F_RETRY,
	F_REVISION,
	F_MESSAGE,
	F_TYPE,
	F_TRACE,
	F_STARTED,
	F__COUNT
};

static void field(struct tl_buf *b, const char *s)
{
	tl_buf_putc(b, s ? '1' : '0');
	if (s)
		tl_buf_puts(b, s);
	tl_buf_putc(b, '\0');
}

static void encode(
	struct tl_buf *b, const char *path, const char *data, size_t len)
{
	struct tl_err ignore = TL_ERR_INIT;
	const char *slash = strchr(path, '/');
	tl_buf_reset(b);
	if (!strcmp(slash, "/run.yaml")) {
		struct tl_run *r = NULL;
		if (tl_entity_parse((void **)&r, TL_KIND_RUN, path, data, len,
			    &ignore)) {
			tl_buf_putc(b, 'X');
		} else {
			tl_buf_putc(b, 'R');
			field(b, r->revision);
		}
		tl_entity_free(TL_KIND_RUN, r);
	} else {
		struct tl_result *x = NULL;
		struct tl_buf o = TL_BUF_INIT;
		char num[40];
		double cost = 0;
		if (tl_entity_parse((void **)&x, TL_KIND_RESULT, path, data,
			    len, &ignore)) {
			tl_buf_putc(b, 'X');
			tl_err_clear(&ignore);
			return;
		}
		for (size_t i = 0; x->retries && i < x->retries->n; i++) {
			const struct tl_value *at = x->retries->items[i];
			const char *d = tl_value_gets(at, "duration");
			tl_buf_putc(
				&o, tl_outcome_of(tl_value_gets(at, "status")));
			if (d)
				cost += strtod(d, NULL);
		}
		tl_buf_putc(&o, tl_outcome_of(x->status));
		tl_buf_putc(b, 'E');
		field(b, x->status);
		field(b, o.ptr);
		snprintf(num, sizeof(num), "%.17g", x->duration.v);
		field(b, x->duration.set ? num : NULL);
		snprintf(num, sizeof(num), "%.17g", cost);
		field(b, num);
		field(b, x->revision);
		field(b, x->message);
		field(b, x->type);
		if (x->trace && !x->message) {
			/* a signature's fallback: the start is enough */
			char *t = tl_strndup(x->trace, 512);
			field(b, t);
			free(t);
		} else {
			field(b, NULL);
		}
		field(b, x->started);
		tl_buf_release(&o);
		tl_entity_free(TL_KIND_RESULT, x);
	}
	tl_err_clear(&ignore);
}

/* Splits a record; 0 when it is whole. */
static int decode(
	const char *p, size_t len, char *kind, const char **f, size_t nf)
{
	const char *end = p + len;
	if (!len)
		return -1;
	*kind = *p++;
	for (size_t i = 0; i < nf; i++) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		if (p >= end || !nul)
			return -1;
		f[i] = *p == '1' ? p + 1 : NULL;
		p = nul + 1;
	}
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? tl_strdup(s) : NULL;
}

static void fill(struct tl_event *e, const char **f,
	const struct tl_blob_change *ch, const char *run, const char *key)
{
	int64_t t;
	e->casekey = tl_strdup(key);
	e->run = tl_strdup(run);
	e->status = dup_or_null(f[F_STATUS]);
	e->outcomes = tl_strdup(f[F_OUTCOMES] ? f[F_OUTCOMES] : "N");
	e->has_duration = f[F_DURATION] != NULL;
	e->duration = f[F_DURATION] ? strtod(f[F_DURATION], NULL) : 0;
	e->retry_cost = f[F_RETRY] ? strtod(f[F_RETRY], NULL) : 0;
	e->revision = dup_or_null(f[F_REVISION]);
	e->message = dup_or_null(f[F_MESSAGE]);
	e->type = dup_or_null(f[F_TYPE]);
	e->trace = dup_or_null(f[F_TRACE]);
	e->commit = tl_strdup(ch->commit);
	e->author = dup_or_null(ch->author);
	e->started = dup_or_null(f[F_STARTED]);
	e->blob = dup_or_null(ch->blob);
	e->time = f[F_STARTED] && !tl_time_parse(f[F_STARTED], &t, NULL)
		? t
		: ch->time;
}

static int need(const char *blob, void *vctx)
{
	struct loader *l = vctx;
	size_t len;
	return !l->cache || !tl_hcache_blob(l->cache, blob, &len);
}

static int on_change(
	const struct tl_blob_change *ch, void *vctx, struct tl_err *err)
{
	struct loader *l = vctx;
	const char *slash = strchr(ch->path, '/');
	char *run, *key, *id;
	size_t at;
	const char *f[F__COUNT];
	const char *rec;
	size_t len;
	char kind;
	(void)err;
	if (!slash || !ch->blob)
		return 0; /* a deletion changes no history */
	if (ch->data) {
		encode(&l->rec, ch->path, ch->data, ch->len);
		if (l->cache)
			tl_hcache_put_blob(
				l->cache, ch->blob, l->rec.ptr, l->rec.len);
		rec = l->rec.ptr;
		len = l->rec.len;
	} else if (!(rec = tl_hcache_blob(l->cache, ch->blob, &len))) {
		return 0;
	}
	if (decode(rec, len, &kind, f, 1) || kind == 'X')
		return 0; /* history may hold files that no longer parse */
	run = tl_strndup(ch->path, (size_t)(slash - ch->path));
	if (kind == 'R') {
		if (f[0])
			tl_value_set(l->runrev, run, tl_value_str(f[0]));
		free(run);
		return 0;
	}
	if (strncmp(slash, "/results/", 9) || strlen(slash) < 15 ||
		decode(rec, len, &kind, f, F__COUNT)) {
		free(run);
		return 0;
	}
	key = tl_strndup(slash + 9, strlen(slash + 9) - 5);
	if (l->aliases && tl_value_gets(l->aliases, key)) {
		char *now = tl_strdup(tl_value_gets(l->aliases, key));
		free(key);
		key = now;
	}
	id = tl_format("%s/%s", run, key);
	at = tl_strmap_get(&l->at, id);
	if (at == (size_t)-1) {
		struct tl_history *h = l->h;
		if (h->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 256;
			h->v = tl_realloc(h->v, tl_mul(l->cap, sizeof(*h->v)));
		}
		at = h->n++;
		memset(&h->v[at], 0, sizeof(h->v[at]));
		tl_strlist_push(&l->ids, id);
		tl_strmap_put(&l->at, l->ids.v[l->ids.n - 1], at);
	}
	/* a later version of a result replaces the earlier one, in the
	 * place the first took (a moved file is the same result) */
	if (l->h->v[at].blob && ch->blob && !strcmp(l->h->v[at].blob, ch->blob))
		; /* the same bytes (a moved file): the first commit stays */
	else {
		size_t seq = l->h->v[at].commit ? l->h->v[at].seq : l->seq++;
		event_clear(&l->h->v[at]);
		fill(&l->h->v[at], f, ch, run, key);
		l->h->v[at].seq = seq;
	}
	free(id);
	free(run);
	free(key);
	return 0;
}

/* Runs' run.yaml and results/, nothing else (attachments are large). */
static int want(const char *path, int is_folder, void *vctx)
{
	const char *slash = strchr(path, '/');
	(void)vctx;
	if (!slash)
		return is_folder;
	if (!strcmp(slash, "/run.yaml"))
		return !is_folder;
	return !strncmp(slash, "/results", 8) && (!slash[8] || slash[8] == '/');
}

static int by_case_time(const void *a, const void *b)
{
	const struct tl_event *x = a, *y = b;
	int c = strcmp(x->casekey, y->casekey);
	if (c)
		return c;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* METRICS.md's infrastructure guard: a run with 20 or more decisive
 * results of which over 80% are bad is left out of flake and regression
 * inference (it still counts in the rates). */
static void mark_infra(struct tl_history *h)
{
	struct tl_strmap runs = { 0 };
	size_t *decisive = tl_calloc(h->n ? h->n : 1, sizeof(size_t));
	size_t *bad = tl_calloc(h->n ? h->n : 1, sizeof(size_t));
	size_t nruns = 0;
	for (size_t i = 0; i < h->n; i++) {
		const char *o = h->v[i].outcomes;
		char f = o[strlen(o) - 1];
		size_t r = tl_strmap_get(&runs, h->v[i].run);
		if (r == (size_t)-1)
			tl_strmap_put(&runs, h->v[i].run, r = nruns++);
		decisive[r] += f != 'N';
		bad[r] += f == 'F';
	}
	for (size_t i = 0; i < h->n; i++) {
		size_t r = tl_strmap_get(&runs, h->v[i].run);
		h->v[i].infra =
			decisive[r] >= 20 && bad[r] * 5 > decisive[r] * 4;
	}
	tl_strmap_release(&runs);
	free(decisive);
	free(bad);
}

int tl_history_aliases(struct tl_value **out, struct tl_store *s,
	const char *project, struct tl_err *err)
{
	struct tl_list cases = { 0 };
	int rc = tl_store_cases(s, project, &cases, err);
	*out = NULL;
	for (size_t i = 0; !rc && i < cases.n; i++) {
		const struct tl_case *k = cases.v[i];
		for (size_t j = 0; j < k->aliases.n; j++) {
			if (!*out)
				*out = tl_value_map();
			tl_value_set(*out, k->aliases.v[j],
				tl_value_str(k->ent.key));
		}
	}
	tl_list_release(&cases);
	return rc;
}

int tl_history_load(struct tl_history *h, struct tl_store *s,
	const char *project, const char *rev, const struct tl_value *aliases,
	const char *casekey, struct tl_err *err)
{
	struct loader l;
	char *prefix = tl_format("%s%s/runs", s->prefix, project);
	int rc;
	memset(&l, 0, sizeof(l));
	memset(h, 0, sizeof(*h));
	l.h = h;
	/* every case is read, even for one: the infrastructure guard
	 * needs whole runs */
	l.aliases = aliases;
	l.runrev = tl_value_map();
	l.rec = (struct tl_buf)TL_BUF_INIT;
	{
		/* one cache per walked folder: its name stands for the prefix
		 * (the want function is this file's) */
		uint64_t hsh = 1469598103934665603ull;
		char name[40];
		struct tl_walk_opts o = { NULL, need };
		for (const char *p = prefix; *p; p++)
			hsh = (hsh ^ (unsigned char)*p) * 1099511628211ull;
		snprintf(name, sizeof(name), "history-%016llx",
			(unsigned long long)hsh);
		if (!getenv("TALLY_NO_CACHE"))
			tl_hcache_open(&l.cache, s->repo, name, err);
		o.cache = l.cache;
		rc = tl_walk_changes_opts(
			s->repo, rev, prefix, want, on_change, &l, &o, err);
		if (!rc && l.cache)
			tl_hcache_save(l.cache);
		tl_hcache_free(l.cache);
		tl_buf_release(&l.rec);
	}
	for (size_t i = 0; i < h->n; i++)
		if (!h->v[i].revision)
			h->v[i].revision = dup_or_null(
				tl_value_gets(l.runrev, h->v[i].run));
	mark_infra(h);
	if (casekey) {
		size_t k = 0;
		for (size_t i = 0; i < h->n; i++) {
			if (strcmp(h->v[i].casekey, casekey))
				event_clear(&h->v[i]);
			else
				h->v[k++] = h->v[i];
		}
		h->n = k;
	}
	if (h->n)
		tl_sort(h->v, h->n, sizeof(*h->v), by_case_time);
	tl_strmap_release(&l.at);
	tl_strlist_release(&l.ids);
	tl_value_free(l.runrev);
	free(prefix);
	if (rc)
		tl_history_release(h);
	return rc;
}

void tl_history_release(struct tl_history *h)
{
	for (size_t i = 0; i < h->n; i++)
		event_clear(&h->v[i]);
	free(h->v);
	memset(h, 0, sizeof(*h));
}

static char final_outcome(const struct tl_event *e)
{
	return e->outcomes[strlen(e->outcomes) - 1];
}

void tl_case_metrics_of(const struct tl_event *ev, size_t n, size_t window,
	int64_t now, struct tl_case_metrics *out)
{
	struct tl_mresult *r = tl_calloc(n ? n : 1, sizeof(*r));
	int *y = tl_calloc(n ? n : 1, sizeof(*y));
	double *samples = tl_calloc(n ? n : 1, sizeof(*samples));
	size_t *sample_at = tl_calloc(n ? n : 1, sizeof(*sample_at));
	size_t ny = 0, ns = 0, from = n > window ? n - window : 0;
	struct tl_buf o = TL_BUF_INIT;

	memset(out, 0, sizeof(*out));
	out->results = n;
	for (size_t i = 0; i < n; i++) {
		char f = final_outcome(&ev[i]);
		r[i].outcomes = ev[i].outcomes;
		r[i].retry_cost = ev[i].retry_cost;
		if (f != 'N')
			y[ny++] = f == 'F';
		if (f == 'P' && ev[i].has_duration) {
			sample_at[ns] = i;
			samples[ns++] = ev[i].duration;
		}
		out->last_seen = ev[i].time;
	}
	tl_rates_of(r + from, n - from, &out->rates);
	tl_rates_of(r, n, &out->all);
	out->flip_rate = tl_flip_rate(y, ny);
	out->weighted_flip_rate = tl_weighted_flip_rate(y, ny, 0.1);
	tl_durations_of(samples, ns, &out->durations);
	if (out->durations.regression)
		out->slow_revision =
			ev[sample_at[out->durations.first_slow]].revision;
	/* source verdicts: all attempts of the results on one revision; a
	 * result without a revision is its own group. Groups in the order
	 * of their first result. */
	out->timeline = tl_calloc(n ? n : 1, sizeof(*out->timeline));
	{
		char *done = tl_calloc(n ? n : 1, 1);
		for (size_t i = 0; i < n; i++) {
			enum tl_verdict v;
			int64_t last = ev[i].time;
			if (done[i] || ev[i].infra)
				continue;
			tl_buf_reset(&o);
			for (size_t j = i; j < n; j++) {
				int same = j == i ||
					(ev[i].revision && ev[j].revision &&
						!strcmp(ev[i].revision,
							ev[j].revision));
				if (!same || done[j] || ev[j].infra)
					continue;
				done[j] = 1;
				tl_buf_puts(&o, ev[j].outcomes);
				last = ev[j].time;
			}
			v = tl_verdict_of(o.ptr, NULL);
			if (v == TL_VERDICT_SKIP)
				continue;
			out->timeline[out->ntimeline].verdict = v;
			out->timeline[out->ntimeline].revision = ev[i].revision;
			out->timeline[out->ntimeline].time = last;
			out->ntimeline++;
		}
		free(done);
	}
	tl_state_of(out->timeline, out->ntimeline, now, &out->state);
	tl_buf_release(&o);
	free(samples);
	free(sample_at);
	free(y);
	free(r);
}

void tl_case_metrics_release(struct tl_case_metrics *m)
{
	free(m->timeline);
	memset(m, 0, sizeof(*m));
}

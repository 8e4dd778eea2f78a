/* Result events from the commits, and per-case metrics over them. */
#include "core/history.h"
#include "core/buf.h"
#include "core/hcache.h"
#include "core/hrecord.h"
#include "core/hsnap.h"
#include "core/pairmap.h"
#include "core/strmap.h"
#include "core/trace.h"
#include "core/revs.h"
#include "core/walk.h"
#include "formats/entity.h"
#include "formats/yaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define GIT_HEX 40

/*
 * A string-keyed map looked up once per event: the events' strings are
 * interned (one pointer per distinct string, in the pool or the
 * snapshot), so a pointer table in front answers almost every lookup
 * without hashing a string. It holds val + 1 (0: known absent).
 */
static size_t memo_get(
	struct tl_pairmap *memo, const struct tl_strmap *m, const char *key)
{
	size_t v = tl_pairmap_get(memo, key, NULL);
	if (v != (size_t)-1)
		return v - 1;
	v = tl_strmap_get(m, key);
	tl_pairmap_put(memo, key, NULL, v + 1);
	return v;
}

static void memo_put(struct tl_pairmap *memo, struct tl_strmap *m,
	const char *key, size_t val)
{
	tl_strmap_put(m, key, val);
	tl_pairmap_put(memo, key, NULL, val + 1);
}

struct loader {
	struct tl_history *h;
	size_t cap;
	const struct tl_value *aliases;
	struct tl_hcache *cache;
	struct tl_buf rec;
	/* (run, case) -> event; both interned in the pool, so a lookup
	 * compares two pointers */
	struct tl_pairmap at;
	struct tl_strmap alias; /* earlier key -> index into aliasv */
	const char **aliasv;
	struct tl_strmap runrev; /* run -> index into revs */
	/* a run's revision and environment, each time its run.yaml
	 * changed; runrev points at the latest */
	const char **revs, **envs, **runnames;
	size_t nrevs;
	struct tl_buf id;
	size_t seq;
	/* the last commit's strings, interned once per commit */
	const char *commit, *author;
	/* the last event's run, status, outcomes, revision, type and
	 * environment as interned: the next event mostly has the same */
	const char *last[6];
};

/* s interned, through the last string interned in its place: a compare
 * of a few bytes instead of a hash and a probe of the pool's table. */
static const char *intern_like(
	struct tl_strpool *p, const char **last, const char *s)
{
	if (!s)
		return NULL;
	if (*last && !strcmp(*last, s))
		return *last;
	return *last = tl_strpool_intern(p, s);
}

static void fill(struct loader *l, struct tl_event *e, const char **f,
	const struct tl_blob_change *ch, const char *run, const char *key)
{
	struct tl_strpool *p = &l->h->pool;
	e->casekey = key; /* key and run: interned by the caller */
	e->run = run;
	e->status = intern_like(p, &l->last[1], f[TL_HR_STATUS]);
	e->outcomes = intern_like(
		p, &l->last[2], f[TL_HR_OUTCOMES] ? f[TL_HR_OUTCOMES] : "N");
	e->has_duration = f[TL_HR_DURATION] != NULL;
	e->duration = tl_hrecord_num(f[TL_HR_DURATION]);
	e->retry_cost = tl_hrecord_num(f[TL_HR_RETRY]);
	e->revision = intern_like(p, &l->last[3], f[TL_HR_REVISION]);
	/* messages and traces differ, often only late in the text */
	e->message = tl_strpool_intern(p, f[TL_HR_MESSAGE]);
	e->type = intern_like(p, &l->last[4], f[TL_HR_TYPE]);
	e->trace = tl_strpool_intern(p, f[TL_HR_TRACE]);
	e->environment = intern_like(p, &l->last[5], f[TL_HR_ENV]);
	e->blob = tl_strpool_add(p, ch->blob);
	e->time = f[TL_HR_TIME] ? tl_hrecord_int(f[TL_HR_TIME]) : ch->time;
}

/* Whether a blob must be read: not when the cache has its record. Asked
 * ahead of on_change (the walk batches), so it only looks; on_change
 * finds the record in the cache again. */
static int need_ahead(const char *blob, void *vctx)
{
	struct loader *l = vctx;
	size_t len;
	return !l->cache || !tl_hcache_blob(l->cache, blob, &len);
}

static void parse_ahead(
	const char *path, const char *data, size_t len, struct tl_buf *out)
{
	tl_hrecord_encode(out, path, data, len);
}

static int on_change(
	const struct tl_blob_change *ch, void *vctx, struct tl_err *err)
{
	struct loader *l = vctx;
	struct tl_strpool *p = &l->h->pool;
	const char *slash = strchr(ch->path, '/');
	const char *run, *key;
	size_t at, ai;
	const char *f[TL_HR__COUNT];
	const char *rec;
	size_t len;
	char kind;
	(void)err;
	if (!slash || !ch->blob)
		return 0; /* a deletion changes no history */
	if (ch->rec) {
		/* parsed ahead, on either thread (tl_walk_opts.parse) */
		rec = ch->rec;
		len = ch->rec_len;
		if (l->cache)
			tl_hcache_put_blob(l->cache, ch->blob, rec, len);
	} else if (ch->data) {
		tl_hrecord_encode(&l->rec, ch->path, ch->data, ch->len);
		if (l->cache)
			tl_hcache_put_blob(
				l->cache, ch->blob, l->rec.ptr, l->rec.len);
		rec = l->rec.ptr;
		len = l->rec.len;
	} else if (!(rec = tl_hcache_blob(l->cache, ch->blob, &len))) {
		return 0;
	}
	if (!l->commit || strcmp(l->commit, ch->commit)) {
		l->commit = tl_strpool_intern(p, ch->commit);
		l->author = tl_strpool_intern(p, ch->author);
	}
	if (tl_hrecord_decode(rec, len, &kind, f, 1) || kind == 'X')
		return 0; /* history may hold files that no longer parse */
	tl_buf_reset(&l->id);
	tl_buf_put(&l->id, ch->path, (size_t)(slash - ch->path));
	run = intern_like(p, &l->last[0], l->id.ptr);
	if (kind == 'R') {
		if (!tl_hrecord_decode(rec, len, &kind, f, TL_HR_RUN__COUNT) &&
			(f[TL_HR_RUN_REVISION] || f[TL_HR_RUN_ENV])) {
			l->revs = tl_realloc(l->revs,
				tl_mul(l->nrevs + 1, sizeof(*l->revs)));
			l->envs = tl_realloc(l->envs,
				tl_mul(l->nrevs + 1, sizeof(*l->envs)));
			l->runnames = tl_realloc(l->runnames,
				tl_mul(l->nrevs + 1, sizeof(*l->runnames)));
			l->runnames[l->nrevs] = run;
			l->revs[l->nrevs] =
				tl_strpool_intern(p, f[TL_HR_RUN_REVISION]);
			l->envs[l->nrevs] =
				tl_strpool_intern(p, f[TL_HR_RUN_ENV]);
			tl_strmap_put(&l->runrev, run, l->nrevs++);
		}
		return 0;
	}
	if (strncmp(slash, "/results/", 9) || strlen(slash) < 15 ||
		tl_hrecord_decode(rec, len, &kind, f, TL_HR__COUNT))
		return 0;
	tl_buf_reset(&l->id);
	tl_buf_put(&l->id, slash + 9, strlen(slash + 9) - 5);
	ai = tl_strmap_get(&l->alias, l->id.ptr);
	key = ai != (size_t)-1 ? l->aliasv[ai]
			       : tl_strpool_intern(p, l->id.ptr);
	at = tl_pairmap_get_or_put(&l->at, run, key, l->h->n);
	if (at == (size_t)-1) {
		struct tl_history *h = l->h;
		if (h->n == l->cap) {
			/* past TL_LARGE by eight: the array is copied as it
			 * grows (tl_realloc_large), and room never used is
			 * address space, not memory */
			l->cap = !l->cap ? 256
				: l->cap * sizeof(*h->v) >= TL_LARGE
				? tl_mul(l->cap, 8)
				: l->cap * 2;
			if (tl_history_events_in_snap(h)) {
				/* out of the snapshot's block, whose strings
				 * stay */
				struct tl_event *v = tl_realloc_large(
					NULL, 0, tl_mul(l->cap, sizeof(*v)));
				memcpy(v, h->v, h->n * sizeof(*v));
				h->v = v;
			} else {
				h->v = tl_realloc_large(h->v,
					h->n * sizeof(*h->v),
					tl_mul(l->cap, sizeof(*h->v)));
			}
			h->cap = l->cap;
		}
		at = h->n++; /* as the table has it */
		memset(&h->v[at], 0, sizeof(h->v[at]));
	}
	/* a later version of a result replaces the earlier one, in the
	 * place the first took (a moved file is the same result) */
	if (l->h->v[at].blob && ch->blob && !strcmp(l->h->v[at].blob, ch->blob))
		; /* the same bytes (a moved file): the first commit stays */
	else {
		size_t seq = l->h->v[at].commit ? l->h->v[at].seq : l->seq++;
		memset(&l->h->v[at], 0, sizeof(l->h->v[at]));
		fill(l, &l->h->v[at], f, ch, run, key);
		l->h->v[at].commit = l->commit;
		l->h->v[at].author = l->author;
		l->h->v[at].seq = seq;
	}
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
	/* keys are interned: the same key is mostly the same pointer */
	int c = x->casekey == y->casekey ? 0 : strcmp(x->casekey, y->casekey);
	if (c)
		return c;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int by_time(const void *a, const void *b)
{
	const struct tl_event *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The whole array by case and time, as a walk leaves it: a few thousand
 * cases, each's events mostly in time order already (the walk goes
 * oldest first). Events are counted into their case's place, cases in
 * name order, and only a case whose events are out of time order is
 * sorted. A comparison sort of the whole took a cold query 60 ms. */
static void sort_by_case(struct tl_history *h)
{
	struct tl_strmap ids = { 0 };
	const char **names = NULL;
	size_t nnames = 0, *at, *rank;
	/* each event's case, then where it goes */
	uint32_t *to = tl_malloc(tl_mul(h->n, sizeof(*to)));
	for (size_t i = 0; i < h->n; i++) {
		const char *k = h->v[i].casekey;
		uint64_t hash = tl_strmap_hash(k);
		size_t slot = tl_strmap_index_hashed(&ids, k, hash);
		if (slot == (size_t)-1) {
			/* at 0, 1, 2, 4...: doubled */
			if (!(nnames & (nnames - 1)))
				names = tl_realloc(names,
					tl_mul(nnames ? nnames * 2 : 1,
						sizeof(*names)));
			names[nnames] = k;
			tl_strmap_put_hashed(&ids, k, hash, nnames);
			to[i] = (uint32_t)nnames++;
		} else {
			to[i] = (uint32_t)ids.slots[slot].val;
		}
	}
	/* names sorted, then each case's first place in the output */
	tl_sort(names, nnames, sizeof(*names), by_name);
	rank = tl_calloc(nnames + 1, sizeof(*rank));
	at = tl_calloc(nnames + 1, sizeof(*at));
	for (size_t r = 0; r < nnames; r++)
		rank[tl_strmap_get(&ids, names[r])] = r;
	for (size_t i = 0; i < h->n; i++)
		at[rank[to[i]] + 1]++;
	for (size_t r = 0; r < nnames; r++)
		at[r + 1] += at[r];
	for (size_t i = 0; i < h->n; i++)
		to[i] = (uint32_t)at[rank[to[i]]]++;
	/* moved in place, cycle by cycle: a second array of events was
	 * fresh memory, and faulting it in cost more than the sort */
	for (size_t i = 0; i < h->n; i++)
		while (to[i] != i) {
			size_t j = to[i];
			struct tl_event e = h->v[j];
			uint32_t t = to[j];
			h->v[j] = h->v[i];
			to[j] = to[i];
			h->v[i] = e;
			to[i] = t;
		}
	/* at[r] is now where case r ends */
	for (size_t r = 0, from = 0; r < nnames; from = at[r++]) {
		size_t j = from + 1;
		while (j < at[r] && by_time(&h->v[j - 1], &h->v[j]) <= 0)
			j++;
		if (j < at[r])
			tl_sort(h->v + from, at[r] - from, sizeof(*h->v),
				by_time);
	}
	free(at);
	free(rank);
	free(names);
	free(to);
	tl_strmap_release(&ids);
}

/* Sorted by case and time, unless already so (a single case's history
 * often is). A sorted run and a shorter tail (a snapshot's events, then
 * those of the commits after it) is merged: the tail sorted apart, then
 * both merged from the back, in place; sorting the whole again took a
 * query after one new import 50 ms. */
void tl_history_sort(struct tl_history *h)
{
	size_t p = 1, k, i, j, out;
	struct tl_event *tail;
	while (p < h->n && by_case_time(&h->v[p - 1], &h->v[p]) <= 0)
		p++;
	if (p >= h->n)
		return;
	k = h->n - p;
	if (k > p) {
		if (h->n <= UINT32_MAX)
			sort_by_case(h);
		else
			tl_sort(h->v, h->n, sizeof(*h->v), by_case_time);
		return;
	}
	tail = tl_malloc(tl_mul(k, sizeof(*tail)));
	memcpy(tail, h->v + p, k * sizeof(*tail));
	tl_sort(tail, k, sizeof(*tail), by_case_time);
	/* no two events tie: seq sets them apart */
	for (i = p, j = k, out = h->n; j > 0;)
		if (i > 0 && by_case_time(&h->v[i - 1], &tail[j - 1]) > 0)
			h->v[--out] = h->v[--i];
		else
			h->v[--out] = tail[--j];
	free(tail);
}

/* What the aliases make of the events, for the snapshot's key: a rename
 * changes which results merge, so a snapshot is only good for the same
 * aliases. */
static uint64_t aliases_key(const struct tl_value *aliases)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0;
		aliases && aliases->kind == TL_V_MAP && i < aliases->n; i++) {
		const char *to = tl_value_gets(aliases, aliases->keys[i]);
		for (const char *p = aliases->keys[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ull;
		h = (h ^ 0xff) * 1099511628211ull;
		for (const char *p = to ? to : ""; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ull;
		h = (h ^ 0xfe) * 1099511628211ull;
	}
	return h;
}

/* The code identity of a revision that is a commit here (METRICS.md
 * "Code identity"): its commit time orders source groups by their code,
 * and with flaky.code-paths it stands for the trees of those paths, so
 * commits touching only other files are the same code. */
struct codes {
	const char **paths;
	size_t np;
	struct tl_strmap seen; /* revision -> index */
	struct tl_pairmap memo; /* in front of seen */
	const char **ids;
	int64_t *times;
	size_t n, cap;
};

static int code_of(struct codes *c, struct tl_history *h, struct tl_repo *repo,
	const char *rev, size_t *out, struct tl_err *err)
{
	char hex[GIT_HEX + 1];
	int64_t t = 0;
	int r;
	size_t k = memo_get(&c->memo, &c->seen, rev);
	if (k != (size_t)-1) {
		*out = k;
		return 0;
	}
	r = tl_repo_code_id(repo, rev, c->paths, c->np, hex, &t, err);
	if (r && r != TL_ENOTFOUND)
		return r;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->ids = tl_realloc(c->ids, tl_mul(c->cap, sizeof(*c->ids)));
		c->times =
			tl_realloc(c->times, tl_mul(c->cap, sizeof(*c->times)));
	}
	c->times[c->n] = r ? 0 : t;
	if (r || !c->np) {
		c->ids[c->n] = NULL;
	} else {
		/* "code:" keeps it apart from any revision */
		char *tagged = tl_format("code:%s", hex);
		c->ids[c->n] = tl_strpool_intern(&h->pool, tagged);
		free(tagged);
	}
	memo_put(&c->memo, &c->seen, rev, *out = c->n++);
	return 0;
}

/* What events take from their runs and from the repository, in one pass:
 * a 200,000-event history is 30 MB, and a warm query's time was mostly
 * passes over it (three here, now one and a short second).
 * - events without a revision or environment take their run's;
 * - each revision's code identity, one lookup per revision;
 * - METRICS.md's infrastructure guard: a run with infra-min-results
 *   (20) decisive results, more than infra-bad-rate (80 %) of them
 *   failed, marks them all, to be left out of flake and regression
 *   inference (they still count in the rates). */
static int from_runs(struct loader *l, struct tl_repo *repo,
	unsigned char *lent, struct tl_err *err)
{
	struct tl_history *h = l->h;
	const struct tl_params *p = &h->params;
	const struct tl_value *cp = p->code_paths;
	struct codes c;
	struct tl_strmap runs = { 0 }; /* every run an event names */
	struct tl_pairmap memo = { 0 };
	/* per run (numbered as met): its runrev entry, decisive and bad
	 * results, and the code of its revision (NOCODE: not looked up yet),
	 * which its events without their own share: one lookup less each */
	size_t *rr = NULL, *decisive = NULL, *bad = NULL, *rcode = NULL;
	size_t nruns = 0, cap = 0, suspects = 0;
	unsigned char *suspect;
	const size_t NOCODE = (size_t)-1;
	int rc = 0;
	memset(&c, 0, sizeof(c));
	c.np = cp ? cp->n : 0;
	c.paths = tl_calloc(c.np ? c.np : 1, sizeof(*c.paths));
	for (size_t i = 0; i < c.np; i++)
		c.paths[i] = cp->items[i]->str;
	for (size_t i = 0; i < h->n && !rc; i++) {
		struct tl_event *e = &h->v[i];
		const char *o = e->outcomes;
		char f = o[strlen(o) - 1];
		size_t r = memo_get(&memo, &runs, e->run), k;
		int own = e->revision != NULL;
		if (r == (size_t)-1) {
			if (nruns == cap) {
				cap = cap ? cap * 2 : 64;
				rr = tl_realloc(rr, tl_mul(cap, sizeof(*rr)));
				decisive = tl_realloc(decisive,
					tl_mul(cap, sizeof(*decisive)));
				bad = tl_realloc(
					bad, tl_mul(cap, sizeof(*bad)));
				rcode = tl_realloc(
					rcode, tl_mul(cap, sizeof(*rcode)));
			}
			r = nruns++;
			rr[r] = tl_strmap_get(&l->runrev, e->run);
			decisive[r] = bad[r] = 0;
			rcode[r] = NOCODE;
			memo_put(&memo, &runs, e->run, r);
		}
		decisive[r] += f != 'N';
		bad[r] += f == 'F';
		if (rr[r] != (size_t)-1) {
			if (!e->revision && (e->revision = l->revs[rr[r]]) &&
				lent)
				lent[i] |= TL_HSNAP_LENT_REVISION;
			if (!e->environment &&
				(e->environment = l->envs[rr[r]]) && lent)
				lent[i] |= TL_HSNAP_LENT_ENVIRONMENT;
		}
		if (!e->revision)
			continue;
		if (!own && rcode[r] != NOCODE) {
			k = rcode[r];
		} else {
			if ((rc = code_of(&c, h, repo, e->revision, &k, err)))
				break;
			if (!own)
				rcode[r] = k;
		}
		e->code = c.ids[k];
		e->code_time = c.times[k];
	}
	/* the guard marks few runs, mostly none: only their events are
	 * touched (events start unmarked) */
	suspect = tl_calloc(nruns ? nruns : 1, 1);
	for (size_t r = 0; r < nruns && !rc; r++) {
		suspect[r] = decisive[r] >= p->infra_results &&
			(double)bad[r] >
				p->infra_bad_rate * (double)decisive[r];
		suspects += suspect[r];
	}
	for (size_t i = 0; i < h->n && !rc && suspects; i++)
		if (suspect[memo_get(&memo, &runs, h->v[i].run)])
			h->v[i].infra = 1;
	tl_strmap_release(&runs);
	tl_pairmap_release(&memo);
	tl_strmap_release(&c.seen);
	tl_pairmap_release(&c.memo);
	free(c.ids);
	free(c.times);
	free(c.paths);
	free(suspect);
	free(rr);
	free(decisive);
	free(bad);
	free(rcode);
	return rc;
}

/* The runs' table of a snapshot, as if their run.yaml files were read. */
static void restore_runs(
	struct loader *l, const struct tl_hsnap_run *runs, size_t n)
{
	l->revs = tl_calloc(n ? n : 1, sizeof(*l->revs));
	l->envs = tl_calloc(n ? n : 1, sizeof(*l->envs));
	l->runnames = tl_calloc(n ? n : 1, sizeof(*l->runnames));
	for (size_t i = 0; i < n; i++) {
		l->revs[i] = runs[i].revision;
		l->envs[i] = runs[i].environment;
		l->runnames[i] = runs[i].run;
		tl_strmap_put(&l->runrev, runs[i].run, i);
	}
	l->nrevs = n;
}

/* The loader's index of a snapshot's events, so that later commits
 * replace and add to them as a walk from the start would. */
static void restore_events(struct loader *l)
{
	struct tl_history *h = l->h;
	l->cap = h->cap > h->n ? h->cap : h->n;
	tl_pairmap_reserve(&l->at, h->n);
	for (size_t i = 0; i < h->n; i++) {
		/* the snapshot's strings are its own: the map's keys are
		 * the pool's copies, as on_change looks them up */
		tl_pairmap_put(&l->at, tl_strpool_intern(&h->pool, h->v[i].run),
			tl_strpool_intern(&h->pool, h->v[i].casekey), i);
		if (h->v[i].seq >= l->seq)
			l->seq = h->v[i].seq + 1;
	}
}

/* Whether the walk started at HEAD's commit. */
static int is_head(struct tl_repo *repo, const char *rev, const char *start)
{
	char hex[GIT_HEX + 1];
	struct tl_err ignore = TL_ERR_INIT;
	int same;
	if (!rev)
		return 1;
	same = !tl_repo_resolve(repo, "HEAD", hex, &ignore) &&
		!strcmp(hex, start);
	tl_err_clear(&ignore);
	return same;
}

/* Drops what a snapshot gave, for a walk from the start. */
static void forget(struct loader *l)
{
	struct tl_history *h = l->h;
	tl_hsnap_drop(h);
	tl_pairmap_release(&l->at);
	tl_strmap_release(&l->runrev);
	free(l->revs);
	free(l->envs);
	free(l->runnames);
	l->revs = l->envs = l->runnames = NULL;
	l->nrevs = l->cap = l->seq = 0;
	l->commit = l->author = NULL;
	memset(l->last, 0, sizeof(l->last));
}

/* The events as walked (lent marks what runs lent them since) and each
 * run's latest revision and environment, saved on a thread of their own
 * (h->saving): the metrics and output go on meanwhile. */
static void save_snapshot(struct loader *l, struct tl_repo *r, const char *name,
	const char *head, uint64_t key, unsigned char *lent)
{
	struct tl_hsnap_run *runs =
		tl_calloc(l->nrevs ? l->nrevs : 1, sizeof(*runs));
	size_t n = 0;
	for (size_t i = 0; i < l->nrevs; i++) {
		if (tl_strmap_get(&l->runrev, l->runnames[i]) != i)
			continue;
		runs[n].run = l->runnames[i];
		runs[n].revision = l->revs[i];
		runs[n].environment = l->envs[i];
		n++;
	}
	l->h->saving =
		tl_hsnap_save_start(l->h, lent, runs, n, r, name, head, key);
}

/* Whether the snapshot can serve a walk from head: it was saved for head
 * or for an ancestor. Asked of its header before it is loaded: diff's
 * base side (an ancestor of the snapshot's commit) took 30 to 40 ms to
 * convert the whole file and look for it on its chain, for nothing. */
static int snapshot_serves(
	struct tl_repo *r, const char *name, const char *head)
{
	char commit[41];
	if (tl_hsnap_commit(r, name, commit))
		return 1; /* none there, or unreadable: the load will say */
	return !strcmp(commit, head) || tl_repo_descends(r, head, commit);
}

int tl_history_load(struct tl_history *h, struct tl_store *s,
	const char *project, const char *rev, const struct tl_value *aliases,
	const char *casekey, struct tl_err *err)
{
	struct loader l;
	char *prefix = tl_format("%s%s/runs", s->prefix, project);
	char name[40], head[GIT_HEX + 1];
	uint64_t key = aliases_key(aliases);
	unsigned char *lent = NULL;
	int rc, sorted = 0, to_save = 0;
	memset(&l, 0, sizeof(l));
	memset(h, 0, sizeof(*h));
	if ((rc = tl_params_of(&h->params, s, err))) {
		free(prefix);
		return rc;
	}
	l.h = h;
	/* every case is read, even for one: the infrastructure guard
	 * needs whole runs */
	l.aliases = aliases;
	for (size_t i = 0;
		aliases && aliases->kind == TL_V_MAP && i < aliases->n; i++) {
		const char *to = tl_value_gets(aliases, aliases->keys[i]);
		if (!to)
			continue;
		l.aliasv =
			tl_realloc(l.aliasv, tl_mul(i + 1, sizeof(*l.aliasv)));
		l.aliasv[i] = tl_strpool_intern(&h->pool, to);
		tl_strmap_put(&l.alias,
			tl_strpool_intern(&h->pool, aliases->keys[i]), i);
	}
	l.id = (struct tl_buf)TL_BUF_INIT;
	l.rec = (struct tl_buf)TL_BUF_INIT;
	{
		/* one cache per walked folder: its name stands for the prefix
		 * (the want function is this file's) */
		uint64_t hsh = 1469598103934665603ull;
		char snapped[GIT_HEX + 1];
		/* blobs parsed ahead on two threads (need is then need_ahead:
		 * a pure lookup) */
		struct tl_walk_opts o = { NULL, need_ahead, NULL, NULL,
			parse_ahead, 0 };
		struct tl_err ignore = TL_ERR_INIT;
		struct tl_hsnap_run *runs = NULL;
		size_t nruns = 0;
		int cached = !getenv("TALLY_NO_CACHE"), found = 0, serves;
		for (const char *p = prefix; *p; p++)
			hsh = (hsh ^ (unsigned char)*p) * 1099511628211ull;
		snprintf(name, sizeof(name), "history-%016llx",
			(unsigned long long)hsh);
		/* The per-commit cache is for the walks the snapshot cannot
		 * serve (another branch, --at, diff's base side): the first
		 * query of a clone, with neither file there yet, writes only
		 * the snapshot, and skips the cache's cost (a third of a cold
		 * walk's time and memory). */
		int fill_cache = cached &&
			(tl_hcache_exists(s->repo, name) ||
				tl_hsnap_exists(s->repo, name));
		tl_trace_perf("history: loading");
		/* the snapshot is keyed by the commit the walk starts at: an
		 * unborn branch has none, and then no snapshot */
		if (cached &&
			tl_repo_resolve(
				s->repo, rev ? rev : "HEAD", head, &ignore))
			head[0] = '\0';
		tl_err_clear(&ignore);
		serves = cached && head[0] &&
			snapshot_serves(s->repo, name, head);
		if (cached && head[0] && !serves) {
			/* kept for the head side, the copy read ahead would
			 * add its 50 MB to this walk's peak: diff then took
			 * 206 MB instead of 160 */
			tl_hsnap_ahead_free(s->ahead);
			s->ahead = NULL;
		}
		if (serves &&
			!tl_hsnap_load(h, s->repo, name, key, snapped, &runs,
				&nruns, &s->ahead)) {
			restore_runs(&l, runs, nruns);
			free(runs);
			if (!strcmp(snapped, head)) {
				tl_trace_perf("history: snapshot read");
				sorted = 1; /* as it was saved */
				goto loaded;
			}
			/* an older snapshot: only the commits after it, if it
			 * is on this first-parent chain */
			restore_events(&l);
			o.since = snapped;
			o.since_found = &found;
			o.apart = 1; /* no cache: on_change shares nothing */
			rc = tl_walk_changes_opts(s->repo, rev, prefix, want,
				on_change, &l, &o, err);
			if (!rc && !found)
				forget(&l);
			tl_trace_perf("history: commits since the snapshot");
		}
		if (!rc && !found) {
			o.since = NULL;
			o.since_found = NULL;
			if (fill_cache)
				tl_hcache_open(&l.cache, s->repo, name, err);
			tl_trace_perf("history: cache opened");
			o.cache = l.cache;
			/* on_change fills the cache, which need_ahead reads */
			o.apart = !l.cache;
			rc = tl_walk_changes_opts(s->repo, rev, prefix, want,
				on_change, &l, &o, err);
			tl_trace_perf("history: commits walked");
			if (!rc && l.cache)
				tl_hcache_save(l.cache);
			tl_trace_perf("history: cache saved");
			if (l.cache) {
				tl_hcache_free(l.cache);
				/* its tables were the walk's largest blocks:
				 * handed back, so that what a command loads
				 * next (diff's other side) does not stack on
				 * them */
				tl_mem_trim();
			}
		}
		tl_buf_release(&l.rec);
		/* only the walk looks results up: released before the
		 * snapshot is written, whose memory then reuses them */
		tl_pairmap_release(&l.at);
		tl_strmap_release(&l.alias);
		/* one snapshot per folder, for the branch's tip: a walk
		 * from elsewhere (diff's base, --at) must not replace it */
		if (!rc && cached && head[0] && is_head(s->repo, rev, head)) {
			tl_history_sort(h);
			sorted = 1;
			tl_trace_perf(
				"history: events sorted, for the snapshot");
			to_save = 1;
		}
	}
loaded:
	if (to_save)
		lent = tl_calloc(h->n ? h->n : 1, 1);
	if (!rc)
		rc = from_runs(&l, s->repo, lent, err);
	tl_trace_perf("history: infrastructure guard");
	if (!rc && to_save) {
		save_snapshot(&l, s->repo, name, head, key, lent);
		lent = NULL; /* the save's */
		if (casekey) {
			/* the events are about to be filtered in place */
			tl_hsnap_save_wait(h->saving);
			h->saving = NULL;
		}
		tl_trace_perf("history: snapshot being saved");
	}
	free(lent);
	if (casekey) {
		size_t k = 0;
		for (size_t i = 0; i < h->n; i++) {
			if (!strcmp(h->v[i].casekey, casekey))
				h->v[k++] = h->v[i];
		}
		h->n = k;
	}
	/* nothing since reordered them: a pass over them all saved */
	if (!sorted)
		tl_history_sort(h);
	tl_trace_perf("history: events sorted");
	tl_pairmap_release(&l.at);
	tl_strmap_release(&l.alias);
	tl_strmap_release(&l.runrev);
	free(l.aliasv);
	free(l.revs);
	free(l.envs);
	free(l.runnames);
	tl_buf_release(&l.id);
	free(prefix);
	if (rc)
		tl_history_release(h);
	return rc;
}

void tl_history_release(struct tl_history *h)
{
	tl_hsnap_save_wait(h->saving); /* it reads the events */
	tl_hsnap_drop(h);
	tl_strpool_release(&h->pool);
	memset(h, 0, sizeof(*h));
}

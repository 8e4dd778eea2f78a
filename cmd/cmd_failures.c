/* tally failures: failures clustered by signature and category across
 * runs, cases that fail together, and runs that look like infrastructure. */
#include "cmd/tally.h"
#include "core/aliases.h"
#include "core/history.h"
#include "core/regex.h"
#include "core/signature.h"
#include "core/time.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

/* clang-format off */
const struct opt_spec opts_failures[] = {
	{ "since", 0, OPT_STR, "DATE", "only results from this day on", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};
/* clang-format on */

struct category {
	char *name;
	struct tl_regex *re;
};

static struct tl_value *iso(int64_t t)
{
	char b[32];
	tl_time_format(t, b, sizeof(b));
	return tl_value_str(b);
}

static int load_categories(const struct tl_value *list, struct category **out,
	size_t *n, struct tl_err *err)
{
	*out = NULL;
	*n = 0;
	for (size_t i = 0; list && i < list->n; i++) {
		const char *name = tl_value_gets(list->items[i], "name");
		const char *pat = tl_value_gets(list->items[i], "message");
		struct tl_regex *re;
		int rc;
		if (!name || !pat)
			return tl_err_set(err, TL_EINVALID,
				"failures.categories[%zu] needs a name and a message pattern",
				i);
		if ((rc = tl_regex_new(&re, pat, 0, err)))
			return rc;
		*out = tl_realloc(*out, tl_mul(*n + 1, sizeof(**out)));
		(*out)[*n].name = tl_strdup(name);
		(*out)[*n].re = re;
		(*n)++;
	}
	return 0;
}

static const char *category_of(const struct category *cats, size_t n,
	const struct tl_event *e, struct tl_err *err)
{
	for (size_t i = 0; i < n; i++) {
		int hit = 0;
		if (e->message)
			hit = tl_regex_search(cats[i].re, e->message,
				strlen(e->message), err);
		if (hit == 0 && e->trace)
			hit = tl_regex_search(
				cats[i].re, e->trace, strlen(e->trace), err);
		if (hit > 0)
			return cats[i].name;
	}
	return NULL;
}

/* A run with 20 or more decisive results, over 80% of them bad. */
static struct tl_value *infra_runs(const struct tl_history *h)
{
	struct tl_value *per = tl_value_map(), *out = tl_value_seq();
	for (size_t i = 0; i < h->n; i++) {
		const char *o = h->v[i].outcomes;
		char f = o[strlen(o) - 1];
		struct tl_value *r = tl_value_get(per, h->v[i].run);
		if (f == 'N')
			continue;
		if (!r) {
			r = tl_value_map();
			tl_value_put(r, "run", tl_value_str(h->v[i].run));
			tl_value_put(r, "decisive", tl_value_int(0));
			tl_value_put(r, "bad", tl_value_int(0));
			tl_value_put(per, h->v[i].run, r);
		}
		tl_value_set(r, "decisive",
			tl_value_int(atoll(tl_value_gets(r, "decisive")) + 1));
		if (f == 'F')
			tl_value_set(r, "bad",
				tl_value_int(
					atoll(tl_value_gets(r, "bad")) + 1));
	}
	for (size_t i = 0; i < per->n; i++) {
		long long d = atoll(tl_value_gets(per->items[i], "decisive"));
		long long b = atoll(tl_value_gets(per->items[i], "bad"));
		if (d >= 20 && b * 5 > d * 4)
			tl_value_push(out, tl_value_dup(per->items[i]));
	}
	tl_value_free(per);
	return out;
}

static int is_infra(const struct tl_value *infra, const char *run)
{
	for (size_t i = 0; i < infra->n; i++)
		if (!strcmp(tl_value_gets(infra->items[i], "run"), run))
			return 1;
	return 0;
}

/* Cases whose failures fall in exactly the same runs (two or more),
 * infrastructure runs left out. */
static struct tl_value *co_failing(
	const struct tl_history *h, const struct tl_value *infra)
{
	struct tl_value *by = tl_value_map(), *out = tl_value_seq();
	struct tl_buf runs = TL_BUF_INIT;
	for (size_t i = 0, j; i < h->n; i = j) {
		size_t count = 0;
		tl_buf_reset(&runs);
		for (j = i; j < h->n &&
			(h->v[j].casekey == h->v[i].casekey ||
				!strcmp(h->v[j].casekey, h->v[i].casekey));
			j++) {
			const char *o = h->v[j].outcomes;
			if (o[strlen(o) - 1] != 'F' ||
				is_infra(infra, h->v[j].run))
				continue;
			tl_buf_printf(
				&runs, "%s%s", count ? " " : "", h->v[j].run);
			count++;
		}
		if (count >= 2) {
			struct tl_value *g = tl_value_get(by, runs.ptr);
			if (!g) {
				g = tl_value_seq();
				tl_value_put(by, runs.ptr, g);
			}
			tl_value_push(g, tl_value_str(h->v[i].casekey));
		}
	}
	for (size_t i = 0; i < by->n; i++) {
		struct tl_value *c, *rs;
		char *list, *save;
		if (by->items[i]->n < 2)
			continue;
		c = tl_value_map();
		tl_value_put(c, "cases", tl_value_dup(by->items[i]));
		rs = tl_value_seq();
		list = tl_strdup(by->keys[i]);
		save = list;
		for (char *p = list; p && *p;) {
			char *sp = strchr(p, ' ');
			if (sp)
				*sp = '\0';
			tl_value_push(rs, tl_value_str(p));
			p = sp ? sp + 1 : NULL;
		}
		free(save);
		tl_value_put(c, "runs", rs);
		tl_value_push(out, c);
	}
	tl_buf_release(&runs);
	tl_value_free(by);
	return out;
}

static void failures_text(
	struct ctx *c, const struct tl_value *o, struct tl_buf *b)
{
	const struct tl_value *sigs = tl_value_get(o, "signatures");
	const struct tl_value *co = tl_value_get(o, "co_failing");
	const struct tl_value *infra = tl_value_get(o, "infra_suspect");
	(void)c;
	if (!sigs->n)
		tl_buf_puts(b, "no failures\n");
	for (size_t i = 0; i < sigs->n; i++) {
		const struct tl_value *s = sigs->items[i];
		const struct tl_value *cases = tl_value_get(s, "cases");
		const char *cat = tl_value_gets(s, "category");
		tl_buf_printf(b,
			"%.12s  x%s in %zu case%s%s%s%s  last %s\n  %s\n",
			tl_value_gets(s, "signature"),
			tl_value_gets(s, "count"), cases->n,
			cases->n == 1 ? "" : "s", cat ? "  [" : "",
			cat ? cat : "", cat ? "]" : "",
			tl_value_gets(s, "last_seen"),
			tl_value_gets(s, "text"));
		for (size_t k = 0; k < cases->n && k < 5; k++)
			tl_buf_printf(b, "    %s\n", cases->items[k]->str);
		if (cases->n > 5)
			tl_buf_printf(b, "    ... %zu more\n", cases->n - 5);
	}
	for (size_t i = 0; i < co->n; i++) {
		const struct tl_value *g = co->items[i];
		tl_buf_puts(b, i ? "" : "\nfailing together:\n");
		tl_buf_puts(b, "  ");
		for (size_t k = 0; k < tl_value_get(g, "cases")->n; k++)
			tl_buf_printf(b, "%s%s", k ? ", " : "",
				tl_value_get(g, "cases")->items[k]->str);
		tl_buf_printf(
			b, " (in %zu runs)\n", tl_value_get(g, "runs")->n);
	}
	for (size_t i = 0; i < infra->n; i++)
		tl_buf_printf(b,
			"%sinfra-suspect run %s: %s of %s results bad\n",
			i ? "" : "\n", tl_value_gets(infra->items[i], "run"),
			tl_value_gets(infra->items[i], "bad"),
			tl_value_gets(infra->items[i], "decisive"));
}

static int by_count(const void *x, const void *y)
{
	const struct tl_value *a = *(struct tl_value *const *)x;
	const struct tl_value *b = *(struct tl_value *const *)y;
	long long ca = atoll(tl_value_gets(a, "count"));
	long long cb = atoll(tl_value_gets(b, "count"));
	if (ca != cb)
		return ca > cb ? -1 : 1;
	return strcmp(
		tl_value_gets(b, "last_seen"), tl_value_gets(a, "last_seen"));
}

int cmd_failures(struct ctx *c, struct args *a)
{
	struct tl_store *s;
	struct tl_history h = { 0 };
	struct tl_value *aliases = NULL, *by = tl_value_map(), *o = NULL;
	struct tl_sigrules *rules = NULL;
	struct category *cats = NULL;
	struct tl_buf text = TL_BUF_INIT;
	size_t ncats = 0;
	const char *since = arg_str(a, "since");
	char *project = NULL;
	int64_t from = 0;
	int rc = 0;

	if (since && tl_date_parse(since, &from)) {
		rc = tl_err_set(&c->err, TL_EUSAGE,
			"--since wants a date (2026-11-01), not '%s'", since);
		goto out;
	}
	if ((rc = ctx_store(c, &s)) || (rc = ctx_project(c, &project)) ||
		(rc = tl_sigrules_new(&rules,
			 tl_value_get(s->ws->failures, "normalize"),
			 &c->err)) ||
		(rc = load_categories(
			 tl_value_get(s->ws->failures, "categories"), &cats,
			 &ncats, &c->err)) ||
		(rc = tl_aliases_load(&aliases, s, project, c->at, &c->err)) ||
		(rc = tl_history_load(
			 &h, s, project, c->at, aliases, NULL, &c->err)))
		goto out;
	for (size_t i = 0; !rc && i < h.n; i++) {
		const struct tl_event *e = &h.v[i];
		const char *o2 = e->outcomes;
		char id[33];
		struct tl_value *g, *cases;
		const char *cat;
		if (o2[strlen(o2) - 1] != 'F' || e->time < from)
			continue;
		if ((rc = tl_signature(rules, e->message, e->trace, e->type,
			     &text, id, &c->err)))
			break;
		cat = category_of(cats, ncats, e, &c->err);
		if (!(g = tl_value_get(by, id))) {
			g = tl_value_map();
			tl_value_put(g, "signature", tl_value_str(id));
			tl_value_put(g, "text", tl_value_str(text.ptr));
			tl_value_put(g, "type",
				e->type ? tl_value_str(e->type)
					: tl_value_null());
			tl_value_put(g, "category",
				cat ? tl_value_str(cat) : tl_value_null());
			tl_value_put(g, "count", tl_value_int(0));
			tl_value_put(g, "cases", tl_value_seq());
			tl_value_put(g, "first_seen", iso(e->time));
			tl_value_put(g, "last_seen", iso(e->time));
			tl_value_put(g, "example",
				e->message ? tl_value_str(e->message)
					   : tl_value_null());
			tl_value_put(by, id, g);
		}
		tl_value_set(g, "count",
			tl_value_int(atoll(tl_value_gets(g, "count")) + 1));
		cases = tl_value_get(g, "cases");
		if (!cases->n ||
			strcmp(cases->items[cases->n - 1]->str, e->casekey))
			tl_value_push(cases, tl_value_str(e->casekey));
		{
			struct tl_value *t = iso(e->time);
			if (strcmp(t->str, tl_value_gets(g, "last_seen")) > 0)
				tl_value_set(g, "last_seen", tl_value_dup(t));
			if (strcmp(t->str, tl_value_gets(g, "first_seen")) < 0)
				tl_value_set(g, "first_seen", tl_value_dup(t));
			tl_value_free(t);
		}
	}
	if (!rc) {
		struct tl_value *sigs = tl_value_seq(), *infra = infra_runs(&h);
		for (size_t i = 0; i < by->n; i++) {
			tl_value_push(sigs, by->items[i]);
			by->items[i] = NULL;
		}
		tl_sort(sigs->items, sigs->n, sizeof(*sigs->items), by_count);
		o = tl_value_map();
		tl_value_put(o, "signatures", sigs);
		tl_value_put(o, "co_failing", co_failing(&h, infra));
		tl_value_put(o, "infra_suspect", infra);
		rc = out_object(c, o, failures_text);
	}
out:
	for (size_t i = 0; i < ncats; i++) {
		free(cats[i].name);
		tl_regex_free(cats[i].re);
	}
	free(cats);
	tl_buf_release(&text);
	tl_sigrules_free(rules);
	tl_value_free(o);
	tl_value_free(by);
	tl_value_free(aliases);
	tl_history_release(&h);
	free(project);
	return rc;
}

#include "core/resolve.h"
#include "core/buf.h"
#include "core/model.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define LIST_MAX 10

static int ambiguous(const struct tl_candidate *c, const size_t *hits,
	size_t nhits, const char *ref, const char *what, struct tl_err *err)
{
	struct tl_buf b = TL_BUF_INIT;
	int rc;
	tl_buf_printf(&b, "%s '%s' is ambiguous; it matches:", what, ref);
	for (size_t i = 0; i < nhits && i < LIST_MAX; i++)
		tl_buf_printf(&b, "\n  %s%s%s%s", c[hits[i]].key,
			c[hits[i]].title ? "  (" : "",
			c[hits[i]].title ? c[hits[i]].title : "",
			c[hits[i]].title ? ")" : "");
	if (nhits > LIST_MAX)
		tl_buf_printf(&b, "\n  ... and %zu more", nhits - LIST_MAX);
	rc = tl_err_set(err, TL_EAMBIGUOUS, "%s", b.ptr);
	tl_buf_release(&b);
	return rc;
}

static int has_date_prefix(const char *k)
{
	for (int i = 0; i < 11; i++) {
		int digit = k[i] >= '0' && k[i] <= '9';
		if ((i == 4 || i == 7 || i == 10) ? k[i] != '-' : !digit)
			return 0;
	}
	return 1;
}

int tl_resolve(const struct tl_candidate *c, size_t n, const char *ref,
	const char *what, size_t *out, struct tl_err *err)
{
	size_t *hits = tl_calloc(n ? n : 1, sizeof(*hits));
	size_t nhits = 0, len = strlen(ref);
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(c[i].key, ref)) {
			*out = i;
			goto done;
		}
	/* exact trailing segments: "login" is auth/login/login, even when
	 * auth/login/logout also starts with it */
	for (size_t i = 0; i < n && len; i++) {
		size_t kl = strlen(c[i].key);
		if (kl > len && c[i].key[kl - len - 1] == '/' &&
			!strcmp(c[i].key + kl - len, ref))
			hits[nhits++] = i;
	}
	if (nhits == 1) {
		*out = hits[0];
		goto done;
	}
	nhits = 0;
	for (size_t i = 0; i < n && len; i++)
		if (!strncmp(c[i].key, ref, len))
			hits[nhits++] = i;
	/* then a prefix of a trailing part of the path: "checkout" finds
	 * "billing/checkout-with-a-saved-card" */
	if (nhits == 0)
		for (size_t i = 0; i < n && len; i++)
			for (const char *p = strchr(c[i].key, '/'); p;
				p = strchr(p + 1, '/'))
				if (!strncmp(p + 1, ref, len)) {
					hits[nhits++] = i;
					break;
				}
	/* then a prefix of the key after the date of a generated key:
	 * "sprint-42" finds "2026-11-21-sprint-42-k3q9" */
	if (nhits == 0)
		for (size_t i = 0; i < n && len; i++)
			if (has_date_prefix(c[i].key) &&
				!strncmp(c[i].key + 11, ref, len))
				hits[nhits++] = i;
	if (nhits == 0)
		for (size_t i = 0; i < n; i++)
			if (c[i].title && !strcmp(c[i].title, ref))
				hits[nhits++] = i;
	if (nhits == 1)
		*out = hits[0];
	else if (nhits > 1)
		rc = ambiguous(c, hits, nhits, ref, what, err);
	else
		rc = tl_err_set(
			err, TL_ENOTFOUND, "no %s matches '%s'", what, ref);
done:
	free(hits);
	return rc;
}

int tl_resolve_list(const struct tl_list *l, const char *ref, const char *what,
	void **out, struct tl_err *err)
{
	const struct tl_fieldspec *t =
		tl_schema_field(tl_schema_of(l->kind), "title");
	struct tl_candidate *cand = tl_calloc(l->n ? l->n : 1, sizeof(*cand));
	size_t idx;
	int rc;
	for (size_t i = 0; i < l->n; i++) {
		cand[i].key = ((struct tl_entity *)l->v[i])->key;
		cand[i].title = t ? *(char **)((char *)l->v[i] + t->off) : NULL;
	}
	rc = tl_resolve(cand, l->n, ref, what, &idx, err);
	*out = rc ? NULL : l->v[idx];
	free(cand);
	return rc;
}

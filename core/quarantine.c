/* quarantine.yaml: known failures, validated. */
#include "core/quarantine.h"
#include "core/fs.h"
#include "core/time.h"
#include "formats/yaml.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static const char *const keys[] = { "case", "signature", "defect", "reason",
	"expires", NULL };

static int bad(struct tl_err *err, const char *name, const struct tl_value *v,
	const char *what, const char *detail)
{
	return tl_err_set(err, TL_EINVALID, "%s:%u:%u: %s%s", name,
		v->line ? v->line : 1, v->col ? v->col : 1, what, detail);
}

static int is_sig(const char *s)
{
	size_t n = strlen(s);
	if (n != 32)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return 0;
	return 1;
}

static int entry(struct tl_qentry *e, const struct tl_value *m,
	const char *name, struct tl_err *err)
{
	if (m->kind != TL_V_MAP)
		return bad(err, name, m, "an entry must be a mapping", "");
	for (size_t i = 0; i < m->n; i++) {
		size_t k = 0;
		while (keys[k] && strcmp(keys[k], m->keys[i]))
			k++;
		if (!keys[k])
			return bad(err, name, m->items[i], "unknown key ",
				m->keys[i]);
		if (m->items[i]->kind != TL_V_SCALAR)
			return bad(err, name, m->items[i], "expected text for ",
				m->keys[i]);
	}
	e->line = m->line;
	e->col = m->col;
#define TAKE(field, key)                                     \
	do {                                                 \
		const char *v_ = tl_value_gets(m, key);      \
		e->field = v_ && *v_ ? tl_strdup(v_) : NULL; \
	} while (0)
	TAKE(casekey, "case");
	TAKE(signature, "signature");
	TAKE(defect, "defect");
	TAKE(reason, "reason");
	TAKE(expires, "expires");
#undef TAKE
	if (!e->casekey && !e->signature)
		return bad(err, name, m,
			"an entry needs a case, a signature or both", "");
	if (e->signature && !is_sig(e->signature))
		return bad(err, name, tl_value_get(m, "signature"),
			"a signature is 32 lowercase hex digits (tally failures shows them), not ",
			e->signature);
	if (e->expires) {
		int64_t day;
		if (tl_date_parse(e->expires, &day))
			return bad(err, name, tl_value_get(m, "expires"),
				"expires wants a date like 2026-12-31, not ",
				e->expires);
		e->until = day + 24 * 3600;
	}
	return 0;
}

int tl_quarantine_load(
	struct tl_quarantine *q, struct tl_store *s, struct tl_err *err)
{
	char *name = tl_store_wpath(s, "quarantine.yaml");
	struct tl_buf b = TL_BUF_INIT;
	struct tl_value *doc = NULL;
	int rc =
		tl_store_read(s, "quarantine.yaml", TL_YAML_MAX_BYTES, &b, err);
	memset(q, 0, sizeof(*q));
	if (rc == TL_ENOTFOUND) {
		tl_err_clear(err);
		rc = 0;
		goto out;
	}
	if (rc || (rc = tl_yaml_parse(&doc, name, b.ptr, b.len, err)) || !doc)
		goto out;
	if (doc->kind != TL_V_SEQ) {
		rc = bad(err, name, doc,
			"quarantine.yaml is a list of entries (- case: ...)",
			"");
		goto out;
	}
	q->v = tl_calloc(doc->n ? doc->n : 1, sizeof(*q->v));
	for (size_t i = 0; !rc && i < doc->n; i++, q->n++)
		rc = entry(&q->v[i], doc->items[i], name, err);
out:
	if (rc)
		tl_quarantine_release(q);
	tl_value_free(doc);
	tl_buf_release(&b);
	free(name);
	return rc;
}

const struct tl_qentry *tl_quarantine_match(const struct tl_quarantine *q,
	const char *casekey, const char *signature, int64_t now)
{
	for (size_t i = 0; i < q->n; i++) {
		const struct tl_qentry *e = &q->v[i];
		if (e->until && now >= e->until)
			continue;
		if (e->casekey && (!casekey || strcmp(e->casekey, casekey)))
			continue;
		if (e->signature &&
			(!signature || strcmp(e->signature, signature)))
			continue;
		return e;
	}
	return NULL;
}

void tl_quarantine_release(struct tl_quarantine *q)
{
	for (size_t i = 0; i < q->n; i++) {
		free(q->v[i].casekey);
		free(q->v[i].signature);
		free(q->v[i].defect);
		free(q->v[i].reason);
		free(q->v[i].expires);
	}
	free(q->v);
	memset(q, 0, sizeof(*q));
}

#include "formats/entity.h"
#include "formats/yaml.h"
#include "core/time.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static int bad(struct tl_err *err, const char *name, const struct tl_value *at,
	const char *key, const char *fmt, const char *arg)
{
	struct tl_buf b = TL_BUF_INIT;
	if (name && at && at->line)
		tl_buf_printf(&b, "%s:%u:%u: ", name, at->line, at->col);
	else if (name)
		tl_buf_printf(&b, "%s: ", name);
	if (key)
		tl_buf_printf(&b, "%s: ", key);
	tl_buf_printf(&b, fmt, arg);
	tl_err_set(err, TL_EINVALID, "%s", b.ptr);
	tl_buf_release(&b);
	return TL_EINVALID;
}

static const char *kind_word(enum tl_vkind k)
{
	return k == TL_V_MAP	? "a mapping"
		: k == TL_V_SEQ ? "a sequence"
				: "a scalar";
}

static int one_line(const struct tl_value *v)
{
	return !memchr(v->str, '\n', v->len) && !memchr(v->str, '\r', v->len);
}

static int read_enum(const struct tl_fieldspec *f, const struct tl_value *v,
	const char *name, struct tl_err *err)
{
	struct tl_buf b = TL_BUF_INIT;
	int rc;
	for (const char *const *p = f->values; *p; p++)
		if (!strcmp(*p, v->str))
			return 0;
	tl_buf_printf(&b, "invalid value '%s' (expected one of:", v->str);
	for (const char *const *p = f->values; *p; p++)
		tl_buf_printf(&b, " %s", *p);
	tl_buf_putc(&b, ')');
	rc = bad(err, name, v, f->key, "%s", b.ptr);
	tl_buf_release(&b);
	return rc;
}

static int read_steps(
	const struct tl_value *v, const char *name, struct tl_err *err)
{
	if (v->kind != TL_V_SEQ)
		return bad(err, name, v, "steps",
			"expected a sequence, found %s", kind_word(v->kind));
	for (size_t i = 0; i < v->n; i++) {
		const struct tl_value *s = v->items[i];
		if (s->kind != TL_V_MAP)
			return bad(err, name, s, "steps",
				"each step must be a mapping with action and expected, found %s",
				kind_word(s->kind));
		for (size_t j = 0; j < s->n; j++)
			if (s->items[j]->kind != TL_V_SCALAR)
				return bad(err, name, s->items[j], "steps",
					"step key '%s' must hold text",
					s->keys[j]);
		if (!tl_value_gets(s, "action"))
			return bad(err, name, s, "steps", "%s",
				"a step needs an action");
	}
	return 0;
}

static int read_field(char *e, const struct tl_fieldspec *f,
	const struct tl_value *v, const char *name, struct tl_err *err)
{
	void *dst = e + f->off;
	int64_t t;

	if (v->kind == TL_V_SCALAR && v->type == TL_T_NULL &&
		f->type != TL_F_VALUE)
		return 0; /* an empty key is an absent key */
	switch (f->type) {
	case TL_F_STR:
	case TL_F_TEXT:
	case TL_F_ENUM:
	case TL_F_TIME:
	case TL_F_DATE:
		if (v->kind != TL_V_SCALAR)
			return bad(err, name, v, f->key,
				"expected text, found %s", kind_word(v->kind));
		if (f->type != TL_F_TEXT && !one_line(v))
			return bad(err, name, v, f->key, "%s",
				"expected a single line");
		if (f->type == TL_F_ENUM && read_enum(f, v, name, err))
			return TL_EINVALID;
		if (f->type == TL_F_TIME && tl_time_parse(v->str, &t, NULL))
			return bad(err, name, v, f->key,
				"invalid time '%s' (expected RFC 3339, like 2026-11-21T10:02:11Z)",
				v->str);
		if (f->type == TL_F_DATE && tl_date_parse(v->str, &t))
			return bad(err, name, v, f->key,
				"invalid date '%s' (expected YYYY-MM-DD)",
				v->str);
		*(char **)dst = tl_strndup(v->str, v->len);
		return 0;
	case TL_F_LIST:
		if (v->kind != TL_V_SEQ)
			return bad(err, name, v, f->key,
				"expected a list, found %s",
				kind_word(v->kind));
		for (size_t i = 0; i < v->n; i++) {
			const struct tl_value *it = v->items[i];
			if (it->kind != TL_V_SCALAR || !one_line(it) ||
				!it->len)
				return bad(err, name, it, f->key, "%s",
					"list items must be non-empty single-line text");
			tl_strlist_push(dst, it->str);
		}
		return 0;
	case TL_F_MAP:
		if (v->kind != TL_V_MAP)
			return bad(err, name, v, f->key,
				"expected a mapping, found %s",
				kind_word(v->kind));
		*(struct tl_value **)dst = tl_value_dup(v);
		return 0;
	case TL_F_STEPS:
		if (read_steps(v, name, err))
			return TL_EINVALID;
		*(struct tl_value **)dst = tl_value_dup(v);
		return 0;
	case TL_F_VALUE:
		*(struct tl_value **)dst = tl_value_dup(v);
		return 0;
	case TL_F_BOOL:
		if (v->kind != TL_V_SCALAR || v->type != TL_T_BOOL)
			return bad(err, name, v, f->key, "%s",
				"expected true or false");
		*(int *)dst = strchr("yYtTo", v->str[0]) &&
			strcmp(v->str, "off") && strcmp(v->str, "Off") &&
			strcmp(v->str, "OFF");
		return 0;
	case TL_F_NUM:
		if (v->kind != TL_V_SCALAR ||
			(v->type != TL_T_INT && v->type != TL_T_FLOAT))
			return bad(err, name, v, f->key, "%s",
				"expected a number");
		((struct tl_num *)dst)->set = 1;
		((struct tl_num *)dst)->v = strtod(v->str, NULL);
		return 0;
	}
	return 0;
}

int tl_entity_from_value(void **out, enum tl_kind kind, const char *name,
	struct tl_value *doc, struct tl_err *err)
{
	const struct tl_schema *s = tl_schema_of(kind);
	char *e = tl_entity_new(kind);
	struct tl_entity *ent = (struct tl_entity *)e;
	int rc = 0;

	*out = NULL;
	if (!doc) {
		doc = tl_value_map(); /* an empty file is an empty mapping */
		doc->line = doc->col = 1;
	}
	ent->doc = doc;
	if (doc->kind != TL_V_MAP) {
		rc = bad(err, name, doc, NULL,
			"expected a mapping of keys, found %s",
			kind_word(doc->kind));
		goto done;
	}
	for (size_t i = 0; i < doc->n && !rc; i++) {
		const struct tl_fieldspec *f = tl_schema_field(s, doc->keys[i]);
		if (f) {
			rc = read_field(e, f, doc->items[i], name, err);
			continue;
		}
		if (!ent->extra)
			ent->extra = tl_value_map();
		tl_value_put(
			ent->extra, doc->keys[i], tl_value_dup(doc->items[i]));
	}
	for (size_t i = 0; i < s->nfields && !rc; i++) {
		const struct tl_fieldspec *f = &s->fields[i];
		const struct tl_value *v = tl_value_get(doc, f->key);
		if (f->required &&
			(!v ||
				(v->kind == TL_V_SCALAR &&
					(v->type == TL_T_NULL || !v->len))))
			rc = bad(err, name, doc, NULL,
				"missing required key '%s'", f->key);
	}
done:
	if (rc) {
		tl_entity_free(kind, e);
		return rc;
	}
	*out = e;
	return 0;
}

int tl_entity_parse(void **out, enum tl_kind kind, const char *name,
	const char *data, size_t len, struct tl_err *err)
{
	struct tl_value *doc;
	int rc = tl_yaml_parse(&doc, name, data, len, err);
	if (rc) {
		*out = NULL;
		return rc;
	}
	return tl_entity_from_value(out, kind, name, doc, err);
}

static struct tl_value *text(const char *s)
{
	return tl_value_str(s);
}

struct tl_value *tl_entity_to_value(enum tl_kind kind, const void *p)
{
	const struct tl_schema *s = tl_schema_of(kind);
	const struct tl_entity *ent = p;
	const char *e = p;
	struct tl_value *doc = tl_value_map();

	for (size_t i = 0; i < s->nfields; i++) {
		const struct tl_fieldspec *f = &s->fields[i];
		const void *src = e + f->off;
		struct tl_value *v = NULL;
		switch (f->type) {
		case TL_F_STR:
		case TL_F_TEXT:
		case TL_F_ENUM:
		case TL_F_TIME:
		case TL_F_DATE:
			if (*(char *const *)src)
				v = text(*(char *const *)src);
			break;
		case TL_F_LIST: {
			const struct tl_strlist *l = src;
			if (!l->n)
				break;
			v = tl_value_seq();
			v->style = TL_STYLE_FLOW;
			for (size_t j = 0; j < l->n; j++)
				tl_value_push(v, text(l->v[j]));
			break;
		}
		case TL_F_MAP:
		case TL_F_STEPS:
		case TL_F_VALUE: {
			const struct tl_value *m =
				*(struct tl_value *const *)src;
			if (!m ||
				(f->type != TL_F_VALUE &&
					m->kind != TL_V_SCALAR && !m->n))
				break;
			v = tl_value_dup(m);
			/* settings blocks such as readiness: read best as
			 * blocks */
			if (f->type == TL_F_VALUE && v->kind == TL_V_MAP)
				v->style = TL_STYLE_BLOCK;
			if (f->type == TL_F_STEPS) {
				v->style = TL_STYLE_BLOCK;
				for (size_t j = 0; j < v->n; j++)
					v->items[j]->style = TL_STYLE_BLOCK;
			}
			break;
		}
		case TL_F_BOOL:
			if (*(const int *)src != TL_BOOL_UNSET)
				v = tl_value_bool(*(const int *)src);
			break;
		case TL_F_NUM:
			if (((const struct tl_num *)src)->set)
				v = tl_value_num(
					((const struct tl_num *)src)->v);
			break;
		}
		if (v)
			tl_value_put(doc, f->key, v);
	}
	if (ent->extra)
		for (size_t i = 0; i < ent->extra->n; i++)
			if (!tl_value_get(doc, ent->extra->keys[i]))
				tl_value_put(doc, ent->extra->keys[i],
					tl_value_dup(ent->extra->items[i]));
	return doc;
}

int tl_entity_validate(enum tl_kind kind, const void *e, struct tl_err *err)
{
	void *check;
	int rc = tl_entity_from_value(&check, kind, tl_schema_of(kind)->name,
		tl_entity_to_value(kind, e), err);
	tl_entity_free(kind, check);
	return rc;
}

int tl_entity_write(struct tl_buf *out, enum tl_kind kind, const void *e,
	struct tl_err *err)
{
	struct tl_value *doc;
	int rc = tl_entity_validate(kind, e, err);
	if (rc)
		return rc;
	doc = tl_entity_to_value(kind, e);
	rc = tl_yaml_emit(out, doc, err);
	tl_value_free(doc);
	return rc;
}

void tl_entity_where(struct tl_buf *out, const void *p, const char *key)
{
	const struct tl_entity *ent = p;
	const struct tl_value *at = key ? tl_value_get(ent->doc, key) : NULL;
	if (!at)
		at = ent->doc;
	tl_buf_puts(out, ent->path ? ent->path : "?");
	if (at && at->line)
		tl_buf_printf(out, ":%u:%u", at->line, at->col);
}

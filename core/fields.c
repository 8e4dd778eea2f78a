#include "core/fields.h"
#include "core/buf.h"
#include "core/time.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

const char *const tl_field_types[] = { "text", "number", "bool", "date", "enum",
	"user", "url", NULL };

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

static int def_error(struct tl_err *err, const char *name,
	const struct tl_value *at, const char *msg, const char *arg)
{
	struct tl_buf b = TL_BUF_INIT;
	int rc;
	tl_buf_printf(&b, "%s:%u:%u: fields: ", name, at ? at->line : 0,
		at ? at->col : 0);
	tl_buf_printf(&b, msg, arg);
	rc = tl_err_set(err, TL_EINVALID, "%s", b.ptr);
	tl_buf_release(&b);
	return rc;
}

static int read_strs(struct tl_strlist *out, const struct tl_value *v)
{
	if (!v)
		return 0;
	if (v->kind == TL_V_SCALAR) {
		tl_strlist_push(out, v->str);
		return 0;
	}
	if (v->kind != TL_V_SEQ)
		return -1;
	for (size_t i = 0; i < v->n; i++) {
		if (v->items[i]->kind != TL_V_SCALAR)
			return -1;
		tl_strlist_push(out, v->items[i]->str);
	}
	return 0;
}

int tl_fields_load(struct tl_field_defs *out, const struct tl_value *defs,
	const char *name, struct tl_err *err)
{
	int rc = 0;
	memset(out, 0, sizeof(*out));
	if (!defs || (defs->kind == TL_V_SCALAR && defs->type == TL_T_NULL))
		return 0;
	if (defs->kind != TL_V_SEQ)
		return def_error(err, name, defs, "%s",
			"expected a list of field definitions");
	out->v = tl_calloc(defs->n ? defs->n : 1, sizeof(*out->v));
	for (size_t i = 0; i < defs->n && !rc; i++) {
		const struct tl_value *d = defs->items[i];
		struct tl_field_def *f = &out->v[out->n];
		const char *fname, *type, *req;
		if (d->kind != TL_V_MAP) {
			rc = def_error(err, name, d, "%s",
				"each field needs name and type");
			break;
		}
		out->n++;
		fname = tl_value_gets(d, "name");
		type = tl_value_gets(d, "type");
		if (!fname || !*fname) {
			rc = def_error(
				err, name, d, "%s", "a field has no name");
			break;
		}
		if (tl_fields_find(out, fname)) {
			rc = def_error(err, name, d,
				"field '%s' is defined twice", fname);
			break;
		}
		f->name = tl_strdup(fname);
		if (!type || !in_list(tl_field_types, type)) {
			rc = def_error(err, name,
				tl_value_get(d, "type")
					? tl_value_get(d, "type")
					: d,
				"field type must be one of text, number, bool, date, enum, user, url (field '%s')",
				fname);
			break;
		}
		f->type = tl_strdup(type);
		if (read_strs(&f->values, tl_value_get(d, "values")) ||
			read_strs(&f->on, tl_value_get(d, "on"))) {
			rc = def_error(err, name, d,
				"values and on must be lists (field '%s')",
				fname);
			break;
		}
		for (size_t j = 0; j < f->on.n; j++)
			if (tl_kind_from_name(f->on.v[j]) < 0 ||
				!strcmp(f->on.v[j], "workspace")) {
				rc = def_error(err, name, tl_value_get(d, "on"),
					"unknown kind '%s' in on (expected case, run, result, defect, requirement, release, project)",
					f->on.v[j]);
				break;
			}
		if (rc)
			break;
		if (!strcmp(type, "enum") && !f->values.n) {
			rc = def_error(err, name, d,
				"enum field '%s' needs values", fname);
			break;
		}
		req = tl_value_gets(d, "required");
		f->required = req &&
			tl_value_get(d, "required")->type == TL_T_BOOL &&
			strchr("yYtTo", req[0]) && strcmp(req, "off") &&
			strcmp(req, "Off") && strcmp(req, "OFF");
		if (tl_value_gets(d, "pattern")) {
			f->pattern = tl_strdup(tl_value_gets(d, "pattern"));
			rc = tl_regex_new(&f->re, f->pattern, 0, err);
			if (rc) {
				const struct tl_value *at =
					tl_value_get(d, "pattern");
				tl_err_prefix(err, "%s:%u:%u: fields", name,
					at->line, at->col);
				break;
			}
		}
	}
	if (rc)
		tl_fields_release(out);
	return rc;
}

void tl_fields_release(struct tl_field_defs *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].name);
		free(d->v[i].type);
		free(d->v[i].pattern);
		tl_strlist_release(&d->v[i].values);
		tl_strlist_release(&d->v[i].on);
		tl_regex_free(d->v[i].re);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

const struct tl_field_def *tl_fields_find(
	const struct tl_field_defs *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].name && !strcmp(d->v[i].name, name))
			return &d->v[i];
	return NULL;
}

static int applies(const struct tl_field_def *f, const char *kind)
{
	return !f->on.n || tl_strlist_has(&f->on, kind);
}

static int bad_value(struct tl_err *err, const char *where,
	const struct tl_value *v, const struct tl_field_def *f, const char *why)
{
	struct tl_buf b = TL_BUF_INIT;
	int rc;
	tl_buf_puts(&b, where);
	if (v && v->line)
		tl_buf_printf(&b, ":%u:%u", v->line, v->col);
	tl_buf_printf(&b, ": field '%s': %s", f->name, why);
	rc = tl_err_set(err, TL_EINVALID, "%s", b.ptr);
	tl_buf_release(&b);
	return rc;
}

static int check_one(const struct tl_field_def *f, const struct tl_value *v,
	const char *where, struct tl_err *err)
{
	const char *s;
	struct tl_buf why = TL_BUF_INIT;
	int rc = 0;

	if (v->kind == TL_V_SEQ) {
		for (size_t i = 0; i < v->n && !rc; i++)
			rc = check_one(f, v->items[i], where, err);
		return rc;
	}
	if (v->kind != TL_V_SCALAR)
		return bad_value(
			err, where, v, f, "expected a value, found a mapping");
	s = v->str;
	if (!strcmp(f->type, "number")) {
		char *end;
		errno = 0;
		(void)strtod(s, &end);
		if (!*s || *end || errno)
			tl_buf_printf(&why, "'%s' is not a number", s);
	} else if (!strcmp(f->type, "bool")) {
		if (v->type != TL_T_BOOL)
			tl_buf_printf(&why, "'%s' is not true or false", s);
	} else if (!strcmp(f->type, "date")) {
		int64_t t;
		if (tl_date_parse(s, &t) && tl_time_parse(s, &t, NULL))
			tl_buf_printf(
				&why, "'%s' is not a date (YYYY-MM-DD)", s);
	} else if (!strcmp(f->type, "enum")) {
		if (!tl_strlist_has(&f->values, s)) {
			tl_buf_printf(&why, "'%s' is not one of:", s);
			for (size_t i = 0; i < f->values.n; i++)
				tl_buf_printf(&why, " %s", f->values.v[i]);
		}
	} else if (!strcmp(f->type, "url")) {
		if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8))
			tl_buf_printf(&why, "'%s' is not an http(s) URL", s);
	} else if (!strcmp(f->type, "user")) {
		if (!*s || strchr(s, '\n'))
			tl_buf_printf(&why,
				"'%s' is not a user (a name, an email, or Name <email>)",
				s);
	}
	if (!why.len && f->re) {
		rc = tl_regex_search(f->re, s, strlen(s), err);
		if (rc < 0) {
			tl_buf_release(&why);
			return rc;
		}
		if (rc == 0)
			tl_buf_printf(&why,
				"'%s' does not match the pattern '%s'", s,
				f->pattern);
		rc = 0;
	}
	if (why.len)
		rc = bad_value(err, where, v, f, why.ptr);
	tl_buf_release(&why);
	return rc;
}

int tl_fields_validate(const struct tl_field_defs *d, const char *kind,
	const struct tl_value *fields, const char *where, struct tl_err *err)
{
	int rc;
	if (fields && fields->kind == TL_V_MAP) {
		for (size_t i = 0; i < fields->n; i++) {
			const struct tl_field_def *f =
				tl_fields_find(d, fields->keys[i]);
			if (!f || !applies(f, kind)) {
				struct tl_buf b = TL_BUF_INIT;
				tl_buf_puts(&b, where);
				if (fields->items[i]->line)
					tl_buf_printf(&b, ":%u:%u",
						fields->items[i]->line,
						fields->items[i]->col);
				tl_buf_printf(&b,
					": unknown custom field '%s' for a %s "
					"(declare it under fields: in tally.yaml)",
					fields->keys[i], kind);
				rc = tl_err_set(err, TL_EINVALID, "%s", b.ptr);
				tl_buf_release(&b);
				return rc;
			}
			if (fields->items[i]->kind == TL_V_SCALAR &&
				fields->items[i]->type == TL_T_NULL)
				continue;
			if ((rc = check_one(f, fields->items[i], where, err)))
				return rc;
		}
	}
	for (size_t i = 0; i < d->n; i++) {
		const struct tl_value *v;
		if (!d->v[i].required || !applies(&d->v[i], kind))
			continue;
		v = tl_value_get(fields, d->v[i].name);
		if (!v || (v->kind == TL_V_SCALAR && v->type == TL_T_NULL))
			return bad_value(err, where, fields, &d->v[i],
				"is required and missing");
	}
	return 0;
}

int tl_fields_assign(const struct tl_field_defs *d, const char *kind,
	struct tl_value **fields, const char *assign, struct tl_err *err)
{
	const char *eq = strchr(assign, '=');
	const struct tl_field_def *f;
	struct tl_value *v;
	char *name;
	int rc = 0;

	if (!eq || eq == assign)
		return tl_err_set(err, TL_EUSAGE,
			"--field takes name=value (an empty value removes it): '%s'",
			assign);
	name = tl_strndup(assign, (size_t)(eq - assign));
	f = tl_fields_find(d, name);
	if (!f || !applies(f, kind)) {
		rc = tl_err_set(err, TL_EINVALID,
			"unknown custom field '%s' for a %s (declare it under fields: in tally.yaml)",
			name, kind);
		goto out;
	}
	if (!*fields)
		*fields = tl_value_map();
	if (!eq[1]) {
		tl_value_del(*fields, name);
		goto out;
	}
	v = tl_value_str(eq + 1);
	if (!strcmp(f->type, "number") || !strcmp(f->type, "bool")) {
		enum tl_vtype t = tl_value_resolve(v->str, v->len);
		if (t != TL_T_STR && t != TL_T_NULL)
			v->type = t;
	}
	tl_value_set(*fields, name, v);
	rc = check_one(f, v, "--field", err);
out:
	free(name);
	return rc;
}

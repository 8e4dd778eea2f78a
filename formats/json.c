#include "formats/json.h"
#include "core/buf.h"
#include "core/text.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

/* Bytes that are not UTF-8 (a commit author's Latin-1 name) each become
 * U+FFFD: jansson refuses them, and the value was lost from its object
 * without a word. */
static json_t *string_of(const char *s, size_t len)
{
	json_t *j = json_stringn(s, len);
	struct tl_buf b = TL_BUF_INIT;
	if (j)
		return j;
	tl_text_utf8_fix(&b, s, len);
	j = json_stringn(b.ptr ? b.ptr : "", b.len);
	tl_buf_release(&b);
	return j;
}

static json_t *to_json(const struct tl_value *v)
{
	json_t *j;
	if (!v)
		return json_null();
	if (v->kind == TL_V_SCALAR) {
		char *end;
		switch (v->type) {
		case TL_T_NULL:
			return json_null();
		case TL_T_BOOL:
			return json_boolean(strchr("yYtTo", v->str[0]) &&
				strcmp(v->str, "off") &&
				strcmp(v->str, "Off") && strcmp(v->str, "OFF"));
		case TL_T_INT: {
			long long n = strtoll(v->str, &end, 10);
			if (!*end)
				return json_integer(n);
			break;
		}
		case TL_T_FLOAT: {
			double d = strtod(v->str, &end);
			/* JSON has no infinity or NaN: those stay text */
			if (!*end && (j = json_real(d)))
				return j;
			break;
		}
		case TL_T_STR:
			break;
		}
		return string_of(v->str, v->len);
	}
	if (v->kind == TL_V_SEQ) {
		j = json_array();
		for (size_t i = 0; i < v->n; i++)
			json_array_append_new(j, to_json(v->items[i]));
		return j;
	}
	j = json_object();
	for (size_t i = 0; i < v->n; i++) {
		const char *k = v->keys[i];
		size_t n = strlen(k);
		if (tl_utf8_valid(k, n)) {
			json_object_set_new(j, k, to_json(v->items[i]));
		} else {
			json_t *key = string_of(k, n);
			json_object_set_new(j, json_string_value(key),
				to_json(v->items[i]));
			json_decref(key);
		}
	}
	return j;
}

/* jansson prints every real with one precision; the smallest one that
 * reads every real of the document back exactly keeps 0.95 as 0.95. */
static int precision(const struct tl_value *v, int p)
{
	if (!v)
		return p;
	if (v->kind == TL_V_SCALAR && v->type == TL_T_FLOAT) {
		double d = strtod(v->str, NULL);
		char tmp[64];
		int q = 1;
		/* infinity and NaN are written as text: NaN, equal to
		 * nothing, asked for 17 digits for every number */
		if (!isfinite(d))
			return p;
		for (; q < 17; q++) {
			snprintf(tmp, sizeof(tmp), "%.*g", q, d);
			if (strtod(tmp, NULL) == d)
				break;
		}
		return q > p ? q : p;
	}
	for (size_t i = 0; i < v->n; i++)
		p = precision(v->items[i], p);
	return p;
}

static int dump_cb(const char *buf, size_t size, void *data)
{
	tl_buf_put(data, buf, size);
	return 0;
}

struct bounded {
	FILE *f;
	size_t read;
	int over;
};

static size_t read_bounded(void *buf, size_t len, void *arg)
{
	struct bounded *b = arg;
	size_t n;
	if (b->read >= TL_JSON_REPORT_MAX) {
		b->over = fgetc(b->f) != EOF;
		return b->over ? (size_t)-1 : 0;
	}
	if (len > TL_JSON_REPORT_MAX - b->read)
		len = TL_JSON_REPORT_MAX - b->read;
	n = fread(buf, 1, len, b->f);
	if (!n && ferror(b->f))
		return (size_t)-1;
	b->read += n;
	return n;
}

int tl_json_load(json_t **out, FILE *f, size_t flags, const char *name,
	struct tl_err *err)
{
	struct bounded b = { f, 0, 0 };
	json_error_t je;
	*out = json_load_callback(read_bounded, &b, flags, &je);
	if (*out)
		return 0;
	if (b.over)
		return tl_err_set(err, TL_EINVALID,
			"%s: larger than %zu MiB: JSON reports are read whole, "
			"so this one is refused",
			name, TL_JSON_REPORT_MAX >> 20);
	if (ferror(f))
		return tl_err_set(err, TL_EIO, "%s: read error", name);
	return tl_err_set(err, TL_EINVALID, "%s:%d:%d: %s", name,
		je.line < 1 ? 1 : je.line, je.column < 1 ? 1 : je.column,
		je.text);
}

int tl_json_emit(
	struct tl_buf *out, const struct tl_value *v, struct tl_err *err)
{
	json_t *j = to_json(v);
	int rc;
	if (!j)
		return tl_err_set(
			err, TL_ERROR, "building JSON (invalid UTF-8?)");
	rc = json_dump_callback(j, dump_cb, out,
		JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY |
			JSON_REAL_PRECISION(precision(v, 1)));
	json_decref(j);
	if (rc)
		return tl_err_set(err, TL_ERROR, "writing JSON");
	tl_buf_putc(out, '\n');
	return 0;
}

#include "core/value.h"
#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static struct tl_value *node(enum tl_vkind kind)
{
	struct tl_value *v = tl_calloc(1, sizeof(*v));
	v->kind = kind;
	return v;
}

struct tl_value *tl_value_strn(const char *s, size_t len)
{
	struct tl_value *v = node(TL_V_SCALAR);
	v->str = tl_strndup(s, len);
	v->len = len;
	v->type = TL_T_STR;
	return v;
}

struct tl_value *tl_value_str(const char *s)
{
	return tl_value_strn(s, strlen(s));
}

struct tl_value *tl_value_typed(const char *s, enum tl_vtype type)
{
	struct tl_value *v = tl_value_str(s);
	v->type = type;
	return v;
}

struct tl_value *tl_value_int(long long n)
{
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "%lld", n);
	return tl_value_typed(tmp, TL_T_INT);
}

struct tl_value *tl_value_num(double d)
{
	char tmp[64];
	/* Whole numbers print without an exponent ("30", not "3e+01"). */
	if (d == (double)(long long)d && d > -1e15 && d < 1e15) {
		snprintf(tmp, sizeof(tmp), "%lld", (long long)d);
		return tl_value_typed(tmp, TL_T_INT);
	}
	/* Otherwise the shortest form that reads back to the same double. */
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	if (!strpbrk(tmp, ".eEn"))
		return tl_value_typed(tmp, TL_T_INT);
	return tl_value_typed(tmp, TL_T_FLOAT);
}

struct tl_value *tl_value_bool(int b)
{
	return tl_value_typed(b ? "true" : "false", TL_T_BOOL);
}

struct tl_value *tl_value_null(void)
{
	return tl_value_typed("", TL_T_NULL);
}

struct tl_value *tl_value_seq(void)
{
	return node(TL_V_SEQ);
}

struct tl_value *tl_value_map(void)
{
	return node(TL_V_MAP);
}

void tl_value_free(struct tl_value *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		tl_value_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v);
}

struct tl_value *tl_value_dup(const struct tl_value *v)
{
	struct tl_value *d;
	if (!v)
		return NULL;
	if (v->kind == TL_V_SCALAR) {
		d = tl_value_strn(v->str, v->len);
		d->type = v->type;
	} else {
		d = node(v->kind);
		for (size_t i = 0; i < v->n; i++) {
			if (v->kind == TL_V_MAP)
				tl_value_put(d, v->keys[i],
					tl_value_dup(v->items[i]));
			else
				tl_value_push(d, tl_value_dup(v->items[i]));
		}
	}
	d->line = v->line;
	d->col = v->col;
	return d;
}

static void reserve(struct tl_value *v)
{
	if (v->n < v->cap)
		return;
	v->cap = v->cap ? v->cap * 2 : 4;
	v->items = tl_realloc(v->items, tl_mul(v->cap, sizeof(*v->items)));
	if (v->kind == TL_V_MAP)
		v->keys = tl_realloc(v->keys, tl_mul(v->cap, sizeof(*v->keys)));
}

void tl_value_push(struct tl_value *seq, struct tl_value *item)
{
	reserve(seq);
	seq->items[seq->n++] = item;
}

void tl_value_put(struct tl_value *map, const char *key, struct tl_value *val)
{
	reserve(map);
	map->keys[map->n] = tl_strdup(key);
	map->items[map->n++] = val;
}

static long find(const struct tl_value *map, const char *key)
{
	if (!map || map->kind != TL_V_MAP)
		return -1;
	for (size_t i = 0; i < map->n; i++)
		if (!strcmp(map->keys[i], key))
			return (long)i;
	return -1;
}

void tl_value_set(struct tl_value *map, const char *key, struct tl_value *val)
{
	long i = find(map, key);
	if (i < 0) {
		tl_value_put(map, key, val);
		return;
	}
	tl_value_free(map->items[i]);
	map->items[i] = val;
}

int tl_value_del(struct tl_value *map, const char *key)
{
	long i = find(map, key);
	if (i < 0)
		return 0;
	tl_value_free(map->items[i]);
	free(map->keys[i]);
	memmove(map->items + i, map->items + i + 1,
		(map->n - (size_t)i - 1) * sizeof(*map->items));
	memmove(map->keys + i, map->keys + i + 1,
		(map->n - (size_t)i - 1) * sizeof(*map->keys));
	map->n--;
	return 1;
}

struct tl_value *tl_value_get(const struct tl_value *map, const char *key)
{
	long i = find(map, key);
	return i < 0 ? NULL : map->items[i];
}

const char *tl_value_gets(const struct tl_value *map, const char *key)
{
	struct tl_value *v = tl_value_get(map, key);
	return v && v->kind == TL_V_SCALAR && v->type != TL_T_NULL ? v->str
								   : NULL;
}

static int eq_any(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(s, *words))
			return 1;
	return 0;
}

static int all_digits(const char *s, const char *end, int allow_us)
{
	if (s == end)
		return 0;
	for (; s < end; s++)
		if (!((*s >= '0' && *s <= '9') || (allow_us && *s == '_')))
			return 0;
	return 1;
}

/*
 * YAML 1.1 implicit types, as PyYAML and libyaml-based readers resolve
 * them: a plain scalar that looks like one of these must be quoted when it
 * is meant as a string, or another reader would see a bool or a number.
 */
enum tl_vtype tl_value_resolve(const char *s, size_t len)
{
	static const char *const nulls[] = { "~", "null", "Null", "NULL",
		NULL };
	static const char *const bools[] = { "y", "Y", "yes", "Yes", "YES", "n",
		"N", "no", "No", "NO", "true", "True", "TRUE", "false", "False",
		"FALSE", "on", "On", "ON", "off", "Off", "OFF", NULL };
	static const char *const floats[] = { ".inf", ".Inf", ".INF", "-.inf",
		"-.Inf", "-.INF", "+.inf", "+.Inf", "+.INF", ".nan", ".NaN",
		".NAN", NULL };
	const char *p = s, *end = s + len;
	/* every word above has at most 5 characters and starts with one of
	 * these: most scalars are none of them, and skip 38 compares */
	int word = len <= 5 && strchr("~nNyYtTfFoO.+-", s[0]);

	if (len == 0 || (word && eq_any(s, nulls)))
		return TL_T_NULL;
	if (word && eq_any(s, bools))
		return TL_T_BOOL;
	if (word && eq_any(s, floats))
		return TL_T_FLOAT;
	if (*p == '-' || *p == '+')
		p++;
	if (p == end)
		return TL_T_STR;
	if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'b')) {
		const char *q = p + 2;
		for (; q < end; q++)
			if (!(strchr("0123456789abcdefABCDEF_", *q)))
				return TL_T_STR;
		return TL_T_INT;
	}
	if (all_digits(p, end, 1))
		return TL_T_INT;
	/* sexagesimal 1:20 and floats: digits, one dot, optional exponent */
	{
		const char *q = p;
		int digits = 0, dot = 0, colon = 0;
		for (; q < end; q++) {
			if ((*q >= '0' && *q <= '9') || *q == '_')
				digits = 1;
			else if (*q == '.' && !dot)
				dot = 1;
			else if (*q == ':')
				colon = 1;
			else
				break;
		}
		if (q < end && (*q == 'e' || *q == 'E') && digits && dot) {
			q++;
			if (q < end && (*q == '-' || *q == '+'))
				q++;
			if (all_digits(q, end, 0))
				return TL_T_FLOAT;
			return TL_T_STR;
		}
		if (q == end && digits && colon && !dot && p[0] != ':')
			return TL_T_INT;
		if (q == end && digits && dot)
			return TL_T_FLOAT;
		if (q == end && digits && colon && dot)
			return TL_T_FLOAT;
	}
	return TL_T_STR;
}

void tl_value_sort_keys(struct tl_value *map)
{
	if (!map || map->kind != TL_V_MAP)
		return;
	/* insertion sort: maps here are small, and it is stable */
	for (size_t i = 1; i < map->n; i++) {
		char *k = map->keys[i];
		struct tl_value *v = map->items[i];
		size_t j = i;
		while (j > 0 && strcmp(map->keys[j - 1], k) > 0) {
			map->keys[j] = map->keys[j - 1];
			map->items[j] = map->items[j - 1];
			j--;
		}
		map->keys[j] = k;
		map->items[j] = v;
	}
}

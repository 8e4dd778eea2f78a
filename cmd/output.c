#include "cmd/tally.h"
#include "core/regex.h"
#include "core/text.h"
#include "formats/csv.h"
#include "formats/json.h"
#include "formats/yaml.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define CELL_MAX 60 /* display width of a cell on a terminal */

void out_write(const struct tl_buf *b)
{
	fwrite(b->ptr, 1, b->len, stdout);
}

const char *out_bold(struct ctx *c)
{
	return c->color ? "\033[1m" : "";
}

const char *out_reset(struct ctx *c)
{
	return c->color ? "\033[0m" : "";
}

void out_cell(struct tl_buf *b, const struct tl_value *v)
{
	if (!v)
		return;
	if (v->kind == TL_V_SCALAR) {
		if (v->type != TL_T_NULL)
			tl_buf_put(b, v->str, v->len);
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			tl_buf_puts(b, ", ");
		if (v->kind == TL_V_MAP)
			tl_buf_printf(b, "%s=", v->keys[i]);
		out_cell(b, v->items[i]);
	}
}

static int field_matches(const struct tl_value *row, const char *assign)
{
	const char *eq = strchr(assign, '=');
	const struct tl_value *fields = tl_value_get(row, "fields"), *v;
	char *name;
	if (!eq)
		return 0;
	name = tl_strndup(assign, (size_t)(eq - assign));
	v = tl_value_get(fields, name);
	free(name);
	if (!v)
		return !eq[1];
	if (v->kind == TL_V_SCALAR)
		return !strcmp(v->str, eq + 1);
	for (size_t i = 0; i < v->n; i++)
		if (v->items[i]->kind == TL_V_SCALAR &&
			!strcmp(v->items[i]->str, eq + 1))
			return 1;
	return 0;
}

static int keep_row(struct ctx *c, struct args *a, const struct tl_value *row,
	const struct tl_regex *re, int *rc)
{
	const struct tl_value *f = arg_list(a, "field");
	if (re) {
		const char *t = tl_value_gets(row, "title");
		const char *d = tl_value_gets(row, "description");
		int m = 0;
		if (t && (m = tl_regex_search(re, t, strlen(t), &c->err)) < 0)
			return *rc = m, 0;
		if (!m && d &&
			(m = tl_regex_search(re, d, strlen(d), &c->err)) < 0)
			return *rc = m, 0;
		if (!m)
			return 0;
	}
	for (size_t i = 0; f && i < f->n; i++) {
		if (!strchr(f->items[i]->str, '=')) {
			*rc = tl_err_set(&c->err, TL_EUSAGE,
				"--field takes NAME=VALUE, not '%s'",
				f->items[i]->str);
			return 0;
		}
		if (!field_matches(row, f->items[i]->str))
			return 0;
	}
	return 1;
}

struct sort_item {
	struct tl_value *row;
	size_t idx;
	char *text;
	double num;
	int is_num;
};

static int sort_desc;

static int cmp_items(const void *pa, const void *pb)
{
	const struct sort_item *a = pa, *b = pb;
	int r;
	if (a->is_num && b->is_num)
		r = a->num < b->num ? -1 : a->num > b->num;
	else
		r = strcmp(a->text, b->text);
	if (sort_desc)
		r = -r;
	return r ? r : (a->idx < b->idx ? -1 : 1);
}

static int sort_rows(struct ctx *c, struct tl_value *rows, const char *spec,
	const char *const *all)
{
	int desc = spec[0] == '-';
	const char *col = spec + desc;
	struct sort_item *items;
	int known = 0;
	for (const char *const *p = all; *p; p++)
		known |= !strcmp(*p, col);
	if (!known) {
		struct tl_buf b = TL_BUF_INIT;
		int rc;
		for (const char *const *p = all; *p; p++)
			tl_buf_printf(&b, "%s%s", p == all ? "" : ", ", *p);
		rc = tl_err_set(&c->err, TL_EUSAGE,
			"cannot sort by '%s'; columns: %s", col, b.ptr);
		tl_buf_release(&b);
		return rc;
	}
	items = tl_calloc(rows->n ? rows->n : 1, sizeof(*items));
	for (size_t i = 0; i < rows->n; i++) {
		struct tl_buf b = TL_BUF_INIT;
		const struct tl_value *v = tl_value_get(rows->items[i], col);
		char *end;
		out_cell(&b, v);
		items[i].row = rows->items[i];
		items[i].idx = i;
		items[i].text = tl_buf_detach(&b);
		items[i].num = strtod(items[i].text, &end);
		items[i].is_num = items[i].text[0] && !*end;
	}
	sort_desc = desc;
	tl_sort(items, rows->n, sizeof(*items), cmp_items);
	for (size_t i = 0; i < rows->n; i++) {
		rows->items[i] = items[i].row;
		free(items[i].text);
	}
	free(items);
	return 0;
}

static int pick_columns(struct ctx *c, struct args *a,
	const char *const *defaults, const char *const *all,
	struct tl_strlist *cols)
{
	const char *spec = arg_str(a, "columns");
	if (!spec) {
		for (const char *const *p = defaults; *p; p++)
			tl_strlist_push(cols, *p);
		return 0;
	}
	for (const char *p = spec; *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char *col = tl_strndup(p, n);
		int known = 0;
		for (const char *const *q = all; *q; q++)
			known |= !strcmp(*q, col);
		if (!known) {
			struct tl_buf b = TL_BUF_INIT;
			for (const char *const *q = all; *q; q++)
				tl_buf_printf(
					&b, "%s%s", q == all ? "" : ", ", *q);
			tl_err_set(&c->err, TL_EUSAGE,
				"unknown column '%s'; columns: %s", col, b.ptr);
			tl_buf_release(&b);
			free(col);
			return TL_EUSAGE;
		}
		if (n)
			tl_strlist_push(cols, col);
		free(col);
		p += n + (comma ? 1 : 0);
	}
	return 0;
}

/* Display width in code points, a fair guess for a terminal. */
static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static char *clean_cell(const struct tl_value *v, int cap)
{
	struct tl_buf b = TL_BUF_INIT;
	size_t w = 0, i;
	out_cell(&b, v);
	for (i = 0; i < b.len; i++)
		if (b.ptr[i] == '\t' || b.ptr[i] == '\n' || b.ptr[i] == '\r')
			b.ptr[i] = ' ';
	if (cap && width(b.ptr) > CELL_MAX) {
		for (i = 0; i < b.len; i++) {
			if (((unsigned char)b.ptr[i] & 0xc0) != 0x80 &&
				++w == CELL_MAX)
				break;
		}
		tl_buf_truncate(&b, i);
		tl_buf_puts(&b, "\xe2\x80\xa6"); /* … */
	}
	return tl_buf_detach(&b);
}

/* Where rendered rows come from: a sequence held whole (out_rows), or
 * rows made one at a time and freed once written (out_rows_each), so a
 * listing of 200,000 rows never holds them all as values. get gives NULL
 * for a row that --grep or --field leaves out. */
struct src {
	size_t n;
	struct tl_value *(*get)(struct src *s, size_t i);
	void (*put)(struct src *s, struct tl_value *row);
	const struct tl_value *seq;
	/* a made source */
	out_row_fn make;
	void *ctx;
	struct ctx *c;
	struct args *a;
	const struct tl_regex *re;
	int rc; /* a filter's error (a regex that failed to run) */
};

static struct tl_value *seq_get(struct src *s, size_t i)
{
	return s->seq->items[i];
}

static void seq_put(struct src *s, struct tl_value *row)
{
	(void)s;
	(void)row;
}

static struct tl_value *made_get(struct src *s, size_t i)
{
	struct tl_value *row;
	if (s->rc)
		return NULL;
	row = s->make(s->ctx, i);
	if (row && !keep_row(s->c, s->a, row, s->re, &s->rc)) {
		tl_value_free(row);
		row = NULL;
	}
	return row;
}

static void made_put(struct src *s, struct tl_value *row)
{
	(void)s;
	tl_value_free(row);
}

/* Text is written as it is made, a chunk at a time. */
#define OUT_CHUNK ((size_t)1 << 16)

void out_spill(struct tl_buf *out)
{
	if (out->len >= OUT_CHUNK) {
		out_write(out);
		tl_buf_reset(out);
	}
}

int out_json_rows(struct ctx *c, const struct tl_value *head, size_t n,
	out_row_fn fn, void *ctx, struct tl_buf *out)
{
	static const char mark[] = "\"\\u0001tally-rows\\u0001\"";
	struct tl_buf h = TL_BUF_INIT, b = TL_BUF_INIT;
	struct tl_value *one = tl_value_seq();
	const char *at = NULL, *line;
	size_t indent = 0;
	int rc = tl_json_emit(&h, head, &c->err);
	if (!rc && !(at = strstr(h.ptr, mark)))
		rc = tl_err_set(
			&c->err, TL_ERROR, "JSON rows: no place marked");
	if (rc)
		goto done;
	/* the rows sit one level deeper than the key that holds them */
	for (line = at; line > h.ptr && line[-1] != '\n'; line--)
		;
	while (line[indent] == ' ')
		indent++;
	tl_buf_put(out, h.ptr, (size_t)(at - h.ptr));
	for (size_t i = 0; i < n && !rc; i++) {
		struct tl_value *row = fn(ctx, i);
		tl_value_push(one, row);
		tl_buf_reset(&b);
		rc = tl_json_emit(&b, one, &c->err);
		one->n = 0; /* the row is not the sequence's to free */
		tl_value_free(row);
		if (rc)
			break;
		tl_buf_puts(out, i ? ",\n" : "[\n");
		/* "[\n" row "\n]\n", each of its lines indented */
		for (size_t p = 2; p + 3 < b.len;) {
			const char *nl = memchr(b.ptr + p, '\n', b.len - 3 - p);
			size_t end = nl ? (size_t)(nl - b.ptr) : b.len - 3;
			tl_buf_printf(out, "%*s", (int)indent, "");
			tl_buf_put(out, b.ptr + p, end - p);
			if (nl)
				tl_buf_putc(out, '\n');
			p = end + 1;
		}
		out_spill(out);
	}
	if (!rc) {
		if (n)
			tl_buf_printf(out, "\n%*s]", (int)indent, "");
		else
			tl_buf_puts(out, "[]");
		tl_buf_puts(out, at + strlen(mark));
	}
done:
	tl_value_free(one);
	tl_buf_release(&h);
	tl_buf_release(&b);
	return rc;
}

static int fix_utf8(struct tl_value *v);

struct fixed_rows {
	out_row_fn fn;
	void *ctx;
};

/* A row made and cleaned, as out_object cleans the whole for YAML. */
static struct tl_value *fixed_row(void *vctx, size_t i)
{
	struct fixed_rows *f = vctx;
	struct tl_value *r = f->fn(f->ctx, i);
	fix_utf8(r);
	return r;
}

/* out_object's CSV cell of the rows (out_cell of their sequence, quoted
 * as tl_csv_field would quote it: every row has several keys, so the
 * text holds ", " once there is a row), written a row at a time. */
static void csv_rows_cell(
	struct tl_buf *out, size_t n, out_row_fn fn, void *ctx)
{
	struct tl_buf b = TL_BUF_INIT;
	int cut = 0; /* a NUL ended the C string tl_csv_field would see */
	if (!n)
		return;
	tl_buf_putc(out, '"');
	for (size_t i = 0; i < n; i++) {
		struct tl_value *row = fn(ctx, i);
		tl_buf_reset(&b);
		if (i)
			tl_buf_puts(&b, ", ");
		out_cell(&b, row);
		tl_value_free(row);
		for (size_t k = 0; !cut && k < b.len; k++) {
			if (!b.ptr[k]) {
				cut = 1;
				break;
			}
			if (b.ptr[k] == '"')
				tl_buf_putc(out, '"');
			tl_buf_putc(out, b.ptr[k]);
		}
		out_spill(out);
	}
	tl_buf_putc(out, '"');
	tl_buf_release(&b);
}

int out_object_rows(struct ctx *c, const struct tl_value *head, size_t n,
	out_row_fn fn, void *ctx, struct tl_buf *out)
{
	if (c->format == FMT_JSON)
		return out_json_rows(c, head, n, fn, ctx, out);
	if (c->format == FMT_YAML) {
		struct tl_value *h = tl_value_dup(head);
		struct fixed_rows f = { fn, ctx };
		int rc;
		fix_utf8(h);
		rc = tl_yaml_emit_rows(out, h, OUT_ROWS_MARK, n, fixed_row, &f,
			out_spill, &c->err);
		tl_value_free(h);
		return rc;
	}
	if (c->format != FMT_CSV)
		return tl_err_set(
			&c->err, TL_ERROR, "rows: JSON, YAML or CSV only");
	tl_buf_puts(out, "key,value\r\n");
	for (size_t i = 0; i < head->n; i++) {
		const struct tl_value *v = head->items[i];
		tl_csv_field(out, head->keys[i]);
		tl_buf_putc(out, ',');
		if (v->kind == TL_V_SCALAR && !strcmp(v->str, OUT_ROWS_MARK)) {
			csv_rows_cell(out, n, fn, ctx);
		} else {
			struct tl_buf b = TL_BUF_INIT;
			out_cell(&b, v);
			tl_csv_field(out, b.ptr);
			tl_buf_release(&b);
		}
		tl_buf_puts(out, "\r\n");
	}
	return 0;
}

/* A cell of a terminal's table: its width noted (pass 0), or written
 * and padded to its column's (pass 1). */
static void table_cell(struct tl_buf *out, size_t *w, size_t k, size_t ncols,
	const char *s, int pass)
{
	if (!pass) {
		if (width(s) > w[k])
			w[k] = width(s);
		return;
	}
	tl_buf_puts(out, s);
	if (k + 1 < ncols)
		tl_buf_printf(out, "%*s", (int)(w[k] - width(s) + 2), "");
}

static void render_table(struct ctx *c, struct src *src,
	const struct tl_strlist *cols, struct tl_buf *out)
{
	size_t *w;
	if (!c->tty) {
		/* a pipe gets tab-separated rows with no header, like gh */
		for (size_t r = 0; r < src->n; r++) {
			struct tl_value *row = src->get(src, r);
			if (!row)
				continue;
			for (size_t k = 0; k < cols->n; k++) {
				char *s = clean_cell(
					tl_value_get(row, cols->v[k]), 0);
				tl_buf_printf(out, "%s%s", k ? "\t" : "", s);
				free(s);
			}
			tl_buf_putc(out, '\n');
			src->put(src, row);
			out_spill(out);
		}
		return;
	}
	/* two passes, the widths first: cells are made twice rather than
	 * held */
	w = tl_calloc(cols->n ? cols->n : 1, sizeof(*w));
	tl_buf_puts(out, out_bold(c));
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < cols->n; k++) {
			struct tl_buf h = TL_BUF_INIT;
			for (const char *p = cols->v[k]; *p; p++)
				tl_buf_putc(&h,
					(char)(*p >= 'a' && *p <= 'z' ? *p - 32
							: *p == '_'   ? ' '
								      : *p));
			table_cell(out, w, k, cols->n, h.ptr, pass);
			tl_buf_release(&h);
		}
		if (pass)
			tl_buf_printf(out, "%s\n", out_reset(c));
		for (size_t r = 0; r < src->n; r++) {
			struct tl_value *row = src->get(src, r);
			if (!row)
				continue;
			for (size_t k = 0; k < cols->n; k++) {
				char *s = clean_cell(
					tl_value_get(row, cols->v[k]), 1);
				table_cell(out, w, k, cols->n, s, pass);
				free(s);
			}
			if (pass) {
				tl_buf_putc(out, '\n');
				out_spill(out);
			}
			src->put(src, row);
		}
	}
	free(w);
}

static void md_cell(struct tl_buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			tl_buf_puts(out, "\\|");
		else if (*s == '\n')
			tl_buf_puts(out, "<br>");
		else
			tl_buf_putc(out, *s);
	}
}

static void render_md(
	struct src *src, const struct tl_strlist *cols, struct tl_buf *out)
{
	for (size_t k = 0; k < cols->n; k++)
		tl_buf_printf(out, "| %s ", cols->v[k]);
	tl_buf_puts(out, "|\n");
	for (size_t k = 0; k < cols->n; k++)
		tl_buf_puts(out, "|---");
	tl_buf_puts(out, "|\n");
	for (size_t r = 0; r < src->n; r++) {
		struct tl_value *row = src->get(src, r);
		if (!row)
			continue;
		for (size_t k = 0; k < cols->n; k++) {
			struct tl_buf b = TL_BUF_INIT;
			out_cell(&b, tl_value_get(row, cols->v[k]));
			tl_buf_puts(out, "| ");
			md_cell(out, b.ptr);
			tl_buf_putc(out, ' ');
			tl_buf_release(&b);
		}
		tl_buf_puts(out, "|\n");
		src->put(src, row);
		out_spill(out);
	}
}

static void render_csv(
	struct src *src, const struct tl_strlist *cols, struct tl_buf *out)
{
	for (size_t k = 0; k < cols->n; k++) {
		if (k)
			tl_buf_putc(out, ',');
		tl_csv_field(out, cols->v[k]);
	}
	tl_buf_puts(out, "\r\n");
	for (size_t r = 0; r < src->n; r++) {
		struct tl_value *row = src->get(src, r);
		if (!row)
			continue;
		for (size_t k = 0; k < cols->n; k++) {
			struct tl_buf b = TL_BUF_INIT;
			out_cell(&b, tl_value_get(row, cols->v[k]));
			if (k)
				tl_buf_putc(out, ',');
			tl_csv_field(out, b.ptr);
			tl_buf_release(&b);
		}
		tl_buf_puts(out, "\r\n");
		src->put(src, row);
		out_spill(out);
	}
}

/* Text that is not UTF-8 (a commit author's Latin-1 name), each bad
 * byte made U+FFFD in v's scalars and keys: libyaml refuses to write it,
 * and output should show what it can. Says whether any was. */
static int fix_utf8(struct tl_value *v)
{
	struct tl_buf b = TL_BUF_INIT;
	int fixed = 0;
	if (!v)
		return 0;
	if (v->kind == TL_V_SCALAR) {
		if (v->str && !tl_utf8_valid(v->str, v->len) &&
			tl_text_utf8_fix(&b, v->str, v->len)) {
			free(v->str);
			v->len = b.len;
			v->str = tl_buf_detach(&b);
			fixed = 1;
		}
		tl_buf_release(&b);
		return fixed;
	}
	for (size_t i = 0; i < v->n; i++) {
		if (v->keys && !tl_utf8_valid(v->keys[i], strlen(v->keys[i]))) {
			tl_buf_reset(&b);
			if (tl_text_utf8_fix(
				    &b, v->keys[i], strlen(v->keys[i]))) {
				free(v->keys[i]);
				v->keys[i] = tl_buf_detach(&b);
				fixed = 1;
			}
		}
		fixed |= fix_utf8(v->items[i]);
	}
	tl_buf_release(&b);
	return fixed;
}

/* JSON or YAML, a row at a time: each is emitted as a sequence of one
 * and the sequence's own brackets (JSON) are put around them all, which
 * gives the bytes the whole sequence would. */
static int render_data(struct ctx *c, struct src *src, int columns,
	const struct tl_strlist *cols, struct tl_buf *out)
{
	struct tl_value *one = tl_value_seq();
	struct tl_buf b = TL_BUF_INIT;
	size_t written = 0;
	int json = c->format == FMT_JSON, rc = 0;
	for (size_t r = 0; r < src->n && !rc; r++) {
		struct tl_value *row = src->get(src, r), *o = row;
		if (!row)
			continue;
		if (columns) {
			o = tl_value_map();
			for (size_t k = 0; k < cols->n; k++) {
				const struct tl_value *v =
					tl_value_get(row, cols->v[k]);
				tl_value_put(o, cols->v[k],
					v ? tl_value_dup(v) : tl_value_null());
			}
		}
		o->style = TL_STYLE_BLOCK; /* one record, one block */
		if (!json)
			fix_utf8(o);
		tl_value_push(one, o);
		tl_buf_reset(&b);
		rc = json ? tl_json_emit(&b, one, &c->err)
			  : tl_yaml_emit(&b, one, &c->err);
		one->n = 0; /* o is not the sequence's to free */
		if (o != row)
			tl_value_free(o);
		src->put(src, row);
		if (rc)
			break;
		if (!json) {
			tl_buf_put(out, b.ptr, b.len);
		} else {
			/* "[\n" row "\n]\n": the row, already indented */
			tl_buf_puts(out, written ? ",\n" : "[\n");
			if (b.len > 5)
				tl_buf_put(out, b.ptr + 2, b.len - 5);
		}
		written++;
		out_spill(out);
	}
	if (!rc)
		tl_buf_puts(out, !written ? "[]\n" : json ? "\n]\n" : "");
	tl_value_free(one);
	tl_buf_release(&b);
	return rc;
}

static int render(
	struct ctx *c, struct args *a, struct src *src, struct tl_strlist *cols)
{
	struct tl_buf out = TL_BUF_INIT;
	int rc = 0;
	switch (c->format) {
	case FMT_TABLE:
		render_table(c, src, cols, &out);
		break;
	case FMT_MD:
		render_md(src, cols, &out);
		break;
	case FMT_CSV:
		render_csv(src, cols, &out);
		break;
	case FMT_JSON:
	case FMT_YAML:
		rc = render_data(
			c, src, arg_str(a, "columns") != NULL, cols, &out);
		break;
	}
	if (!rc)
		rc = src->rc;
	if (!rc)
		out_write(&out);
	tl_buf_release(&out);
	return rc;
}

int out_rows(struct ctx *c, struct args *a, struct tl_value *rows,
	const char *const *defaults, const char *const *all)
{
	struct tl_regex *re = NULL;
	struct tl_value *kept = tl_value_seq();
	struct tl_strlist cols = { 0 };
	struct src src;
	const char *grep = arg_str(a, "grep"), *sort = arg_str(a, "sort");
	int rc = 0;

	if (grep && (rc = tl_regex_new(&re, grep, 1, &c->err)))
		goto done;
	for (size_t i = 0; i < rows->n && !rc; i++) {
		if (keep_row(c, a, rows->items[i], re, &rc) && !rc) {
			tl_value_push(kept, rows->items[i]);
			rows->items[i] = NULL;
		}
	}
	if (rc || (sort && (rc = sort_rows(c, kept, sort, all))) ||
		(rc = pick_columns(c, a, defaults, all, &cols)))
		goto done;
	memset(&src, 0, sizeof(src));
	src.n = kept->n;
	src.get = seq_get;
	src.put = seq_put;
	src.seq = kept;
	rc = render(c, a, &src, &cols);
done:
	tl_regex_free(re);
	tl_value_free(kept);
	tl_strlist_release(&cols);
	return rc;
}

int out_rows_each(struct ctx *c, struct args *a, size_t n, out_row_fn make,
	void *ctx, const char *const *defaults, const char *const *all)
{
	struct tl_regex *re = NULL;
	struct tl_strlist cols = { 0 };
	struct src src;
	const char *grep = arg_str(a, "grep");
	int rc;

	/* sorting needs every row at once: made whole, then as out_rows */
	if (arg_str(a, "sort")) {
		struct tl_value *rows = tl_value_seq();
		for (size_t i = 0; i < n; i++)
			tl_value_push(rows, make(ctx, i));
		rc = out_rows(c, a, rows, defaults, all);
		tl_value_free(rows);
		return rc;
	}
	if ((grep && (rc = tl_regex_new(&re, grep, 1, &c->err))) ||
		(rc = pick_columns(c, a, defaults, all, &cols)))
		goto done;
	memset(&src, 0, sizeof(src));
	src.n = n;
	src.get = made_get;
	src.put = made_put;
	src.make = make;
	src.ctx = ctx;
	src.c = c;
	src.a = a;
	src.re = re;
	rc = render(c, a, &src, &cols);
done:
	tl_regex_free(re);
	tl_strlist_release(&cols);
	return rc;
}

int out_object(struct ctx *c, const struct tl_value *obj,
	void (*text)(
		struct ctx *c, const struct tl_value *obj, struct tl_buf *b))
{
	struct tl_buf out = TL_BUF_INIT;
	int rc = 0;
	if (c->format == FMT_JSON) {
		rc = tl_json_emit(&out, obj, &c->err);
	} else if (c->format == FMT_YAML || !text) {
		struct tl_value *fixed = tl_value_dup(obj);
		fix_utf8(fixed);
		rc = tl_yaml_emit(&out, fixed, &c->err);
		tl_value_free(fixed);
	} else if (c->format == FMT_CSV) {
		tl_buf_puts(&out, "key,value\r\n");
		for (size_t i = 0; i < obj->n; i++) {
			struct tl_buf b = TL_BUF_INIT;
			out_cell(&b, obj->items[i]);
			tl_csv_field(&out, obj->keys[i]);
			tl_buf_putc(&out, ',');
			tl_csv_field(&out, b.ptr);
			tl_buf_puts(&out, "\r\n");
			tl_buf_release(&b);
		}
	} else
		text(c, obj, &out);
	if (!rc)
		out_write(&out);
	tl_buf_release(&out);
	return rc;
}

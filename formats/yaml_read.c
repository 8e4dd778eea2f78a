#include "formats/yaml.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/banned.h"

struct frame {
	struct tl_value *node;
	char *key; /* pending mapping key, when one was read */
	unsigned kline, kcol;
};

struct reader {
	const char *name;
	struct frame *stack;
	size_t depth, cap;
	size_t nodes;
	struct tl_value *root;
	struct tl_err *err;
};

static int fail(struct reader *r, const yaml_mark_t *m, const char *fmt,
	const char *arg)
{
	struct tl_buf b = TL_BUF_INIT;
	tl_buf_printf(&b, "%s:%zu:%zu: ", r->name, m->line + 1, m->column + 1);
	tl_buf_printf(&b, fmt, arg);
	tl_err_set(r->err, TL_EINVALID, "%s", b.ptr);
	tl_buf_release(&b);
	return TL_EINVALID;
}

/* Attaches a finished node to its parent, or makes it the root. */
static int attach(struct reader *r, struct tl_value *v, const yaml_mark_t *m)
{
	struct frame *f;
	if (++r->nodes > TL_YAML_MAX_NODES) {
		tl_value_free(v);
		return fail(r, m, "more than %s nodes", "1000000");
	}
	if (!r->depth) {
		r->root = v;
		return 0;
	}
	f = &r->stack[r->depth - 1];
	if (f->node->kind == TL_V_SEQ) {
		tl_value_push(f->node, v);
		return 0;
	}
	if (!f->key) {
		/* this node is a key */
		if (v->kind != TL_V_SCALAR) {
			tl_value_free(v);
			return fail(
				r, m, "%s", "a mapping key must be a scalar");
		}
		if (tl_value_get(f->node, v->str)) {
			int rc = fail(r, m, "duplicate key '%s'", v->str);
			tl_value_free(v);
			return rc;
		}
		f->key = v->str;
		f->kline = v->line;
		f->kcol = v->col;
		v->str = NULL;
		tl_value_free(v);
		return 0;
	}
	tl_value_put(f->node, f->key, v);
	free(f->key);
	f->key = NULL;
	return 0;
}

static int push(struct reader *r, struct tl_value *v, const yaml_mark_t *m)
{
	if (r->depth >= TL_YAML_MAX_DEPTH) {
		tl_value_free(v);
		return fail(r, m, "nesting deeper than %s levels", "64");
	}
	if (r->depth == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 8;
		r->stack =
			tl_realloc(r->stack, tl_mul(r->cap, sizeof(*r->stack)));
	}
	r->stack[r->depth].node = v;
	r->stack[r->depth].key = NULL;
	r->depth++;
	return 0;
}

static int pop(struct reader *r, const yaml_mark_t *m)
{
	struct frame f = r->stack[--r->depth];
	free(f.key); /* a key with no value cannot happen in valid events */
	return attach(r, f.node, m);
}

static int on_event(struct reader *r, yaml_event_t *ev, int *docs)
{
	const yaml_mark_t *m = &ev->start_mark;
	struct tl_value *v;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if ((*docs)++)
			return fail(
				r, m, "%s", "expected a single YAML document");
		return 0;
	case YAML_ALIAS_EVENT:
		return fail(r, m, "%s", "aliases are not supported");
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.length > TL_YAML_MAX_SCALAR)
			return fail(r, m, "%s",
				"a scalar is larger than the 1 MiB limit");
		v = tl_value_strn((const char *)ev->data.scalar.value,
			ev->data.scalar.length);
		if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
			v->type = tl_value_resolve(v->str, v->len);
		v->line = m->line + 1;
		v->col = m->column + 1;
		return attach(r, v, m);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		v = ev->type == YAML_SEQUENCE_START_EVENT ? tl_value_seq()
							  : tl_value_map();
		v->line = m->line + 1;
		v->col = m->column + 1;
		return push(r, v, m);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return pop(r, m);
	default:
		return 0;
	}
}

static void offset_to_mark(
	const char *data, size_t len, size_t off, size_t *line, size_t *col)
{
	*line = *col = 0;
	for (size_t i = 0; i < off && i < len; i++) {
		if (data[i] == '\n') {
			++*line;
			*col = 0;
		} else if (((unsigned char)data[i] & 0xc0) != 0x80) {
			++*col;
		}
	}
}

int tl_yaml_parse(struct tl_value **out, const char *name, const char *data,
	size_t len, struct tl_err *err)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct reader r = { name, NULL, 0, 0, 0, NULL, err };
	int rc = 0, docs = 0, done = 0;

	*out = NULL;
	if (len > TL_YAML_MAX_BYTES)
		return tl_err_set(err, TL_EINVALID,
			"%s: file is larger than the %u MiB limit", name,
			TL_YAML_MAX_BYTES >> 20);
	if (!yaml_parser_initialize(&p))
		return tl_err_set(err, TL_ERROR,
			"%s: cannot start the YAML parser", name);
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);

	while (!done && !rc) {
		if (!yaml_parser_parse(&p, &ev)) {
			struct tl_buf b = TL_BUF_INIT;
			size_t line = p.problem_mark.line,
			       col = p.problem_mark.column;
			/* the reader (bad UTF-8, control characters) reports a
			 * byte offset, not a mark */
			if (p.error == YAML_READER_ERROR)
				offset_to_mark(data, len, p.problem_offset,
					&line, &col);
			tl_buf_printf(&b, "%s:%zu:%zu: %s", name, line + 1,
				col + 1,
				p.problem ? p.problem : "invalid YAML");
			if (p.context)
				tl_buf_printf(&b, " (%s at line %zu)",
					p.context, p.context_mark.line + 1);
			rc = tl_err_set(err, TL_EINVALID, "%s", b.ptr);
			tl_buf_release(&b);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		rc = on_event(&r, &ev, &docs);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	while (r.depth) {
		struct frame *f = &r.stack[--r.depth];
		free(f->key);
		tl_value_free(f->node);
	}
	free(r.stack);
	if (rc) {
		tl_value_free(r.root);
		return rc;
	}
	*out = r.root;
	return 0;
}

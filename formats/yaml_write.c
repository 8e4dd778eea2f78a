#include "formats/yaml.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <yaml.h>

#include "core/banned.h"

/* A short collection of one-line scalars stays on one line. */
#define FLOW_MAX 72

static int write_cb(void *data, unsigned char *buf, size_t size)
{
	tl_buf_put(data, buf, size);
	return 1;
}

static int is_simple(const struct tl_value *v)
{
	return v->kind == TL_V_SCALAR && !memchr(v->str, '\n', v->len);
}

static int use_flow(const struct tl_value *v)
{
	size_t total = 0;
	if (v->style != TL_STYLE_AUTO)
		return v->style == TL_STYLE_FLOW;
	if (!v->n)
		return 1;
	for (size_t i = 0; i < v->n; i++) {
		if (!is_simple(v->items[i]))
			return 0;
		total += v->items[i]->len + 2;
		if (v->keys)
			total += strlen(v->keys[i]) + 2;
	}
	return total <= FLOW_MAX;
}

static yaml_scalar_style_t scalar_style(
	const char *s, size_t len, enum tl_vtype type, int in_flow)
{
	if (type == TL_T_NULL)
		return YAML_PLAIN_SCALAR_STYLE;
	if (type != TL_T_STR)
		return YAML_PLAIN_SCALAR_STYLE;
	if (memchr(s, '\n', len) && !in_flow)
		return YAML_LITERAL_SCALAR_STYLE;
	/* A string that a YAML 1.1 reader would take for a bool, a number or
	 * null is quoted, so it stays a string everywhere. */
	if (tl_value_resolve(s, len) != TL_T_STR)
		return YAML_SINGLE_QUOTED_SCALAR_STYLE;
	return YAML_PLAIN_SCALAR_STYLE;
}

static int emit_scalar(yaml_emitter_t *e, const char *s, size_t len,
	enum tl_vtype type, int in_flow)
{
	yaml_event_t ev;
	yaml_scalar_style_t style = scalar_style(s, len, type, in_flow);
	if (type == TL_T_NULL) {
		s = "~";
		len = 1;
	}
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL,
		    (yaml_char_t *)(uintptr_t)s, (int)len,
		    style == YAML_PLAIN_SCALAR_STYLE, 1, style))
		return -1;
	return yaml_emitter_emit(e, &ev) ? 0 : -1;
}

static int emit_node(
	yaml_emitter_t *e, const struct tl_value *v, int in_flow, int depth)
{
	yaml_event_t ev;
	int flow;

	if (v->kind == TL_V_SCALAR)
		return emit_scalar(e, v->str, v->len, v->type, in_flow);
	/* the document itself is always a block */
	flow = in_flow || (depth > 0 && use_flow(v));
	if (v->kind == TL_V_SEQ) {
		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
			    flow ? YAML_FLOW_SEQUENCE_STYLE
				 : YAML_BLOCK_SEQUENCE_STYLE) ||
			!yaml_emitter_emit(e, &ev))
			return -1;
		for (size_t i = 0; i < v->n; i++)
			if (emit_node(e, v->items[i], flow, depth + 1))
				return -1;
		if (!yaml_sequence_end_event_initialize(&ev) ||
			!yaml_emitter_emit(e, &ev))
			return -1;
		return 0;
	}
	if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
		    flow ? YAML_FLOW_MAPPING_STYLE
			 : YAML_BLOCK_MAPPING_STYLE) ||
		!yaml_emitter_emit(e, &ev))
		return -1;
	for (size_t i = 0; i < v->n; i++) {
		const char *k = v->keys[i];
		if (emit_scalar(e, k, strlen(k), TL_T_STR, 1) ||
			emit_node(e, v->items[i], flow, depth + 1))
			return -1;
	}
	if (!yaml_mapping_end_event_initialize(&ev) ||
		!yaml_emitter_emit(e, &ev))
		return -1;
	return 0;
}

const char *tl_yaml_version(void)
{
	return yaml_get_version_string();
}

/* The stream and document started: 0; 1 when that failed (finish then
 * says why); an error when there is no emitter at all. */
static int start(yaml_emitter_t *e, struct tl_buf *out, struct tl_err *err)
{
	yaml_event_t ev;
	if (!yaml_emitter_initialize(e))
		return tl_err_set(
			err, TL_ERROR, "cannot start the YAML emitter");
	yaml_emitter_set_output(e, write_cb, out);
	yaml_emitter_set_unicode(e, 1);
	yaml_emitter_set_width(e, -1); /* never fold long lines */
	yaml_emitter_set_indent(e, 2);
	yaml_emitter_set_break(e, YAML_LN_BREAK);
	if (yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
		yaml_emitter_emit(e, &ev) &&
		yaml_document_start_event_initialize(
			&ev, NULL, NULL, NULL, 1) &&
		yaml_emitter_emit(e, &ev))
		return 0;
	return 1;
}

/* The document's end; the emitter deleted either way. */
static int finish(yaml_emitter_t *e, int ok, struct tl_err *err)
{
	yaml_event_t ev;
	ok = ok && yaml_document_end_event_initialize(&ev, 1) &&
		yaml_emitter_emit(e, &ev) &&
		yaml_stream_end_event_initialize(&ev) &&
		yaml_emitter_emit(e, &ev) && yaml_emitter_flush(e);
	if (!ok)
		tl_err_set(err, TL_ERROR, "writing YAML: %s",
			e->problem ? e->problem : "emitter failed");
	yaml_emitter_delete(e);
	return ok ? 0 : TL_ERROR;
}

int tl_yaml_emit(
	struct tl_buf *out, const struct tl_value *v, struct tl_err *err)
{
	yaml_emitter_t e;
	int rc = start(&e, out, err);
	if (rc < 0)
		return rc;
	return finish(&e, !rc && !emit_node(&e, v, 0, 0), err);
}

int tl_yaml_emit_rows(struct tl_buf *out, const struct tl_value *head,
	const char *mark, size_t n,
	struct tl_value *(*row)(void *ctx, size_t i), void *ctx,
	void (*spill)(struct tl_buf *out), struct tl_err *err)
{
	yaml_emitter_t e;
	yaml_event_t ev;
	int rc = start(&e, out, err), ok;
	if (rc < 0)
		return rc;
	/* as emit_node lays the whole out: the document a block, its
	 * sequence of rows a block, each row at depth 2 */
	ok = !rc && head->kind == TL_V_MAP &&
		yaml_mapping_start_event_initialize(
			&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE) &&
		yaml_emitter_emit(&e, &ev);
	for (size_t i = 0; ok && i < head->n; i++) {
		const struct tl_value *v = head->items[i];
		const char *k = head->keys[i];
		ok = !emit_scalar(&e, k, strlen(k), TL_T_STR, 1);
		if (ok && !(v->kind == TL_V_SCALAR && !strcmp(v->str, mark))) {
			ok = !emit_node(&e, v, 0, 1);
			continue;
		}
		/* a block (libyaml writes an empty one as []) */
		ok = ok &&
			yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
				YAML_BLOCK_SEQUENCE_STYLE) &&
			yaml_emitter_emit(&e, &ev);
		for (size_t j = 0; ok && j < n; j++) {
			struct tl_value *r = row(ctx, j);
			ok = !emit_node(&e, r, 0, 2) && yaml_emitter_flush(&e);
			tl_value_free(r);
			if (ok)
				spill(out);
		}
		ok = ok && yaml_sequence_end_event_initialize(&ev) &&
			yaml_emitter_emit(&e, &ev);
	}
	ok = ok && yaml_mapping_end_event_initialize(&ev) &&
		yaml_emitter_emit(&e, &ev);
	return finish(&e, ok, err);
}

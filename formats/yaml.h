#ifndef TL_FORMATS_YAML_H
#define TL_FORMATS_YAML_H
/*
 * YAML <-> struct tl_value, through libyaml. Reading is bounded (size,
 * depth, node count, scalar length) and refuses aliases, so no alias bomb
 * can expand. Writing is canonical: the output depends only on the values,
 * so a file tally wrote reads back and writes out byte for byte the same.
 */
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/value.h"

#define TL_YAML_MAX_BYTES (8u << 20) /* a whole file */
#define TL_YAML_MAX_SCALAR (1u << 20) /* one scalar */
#define TL_YAML_MAX_DEPTH 64
#define TL_YAML_MAX_NODES 1000000

/*
 * Parses one YAML document. name prefixes error messages
 * ("qa/x.yaml:3:7: ..."). An empty document gives *out == NULL.
 */
int tl_yaml_parse(struct tl_value **out, const char *name, const char *data,
	size_t len, struct tl_err *err);

const char *tl_yaml_version(void);

/* Appends the canonical YAML of v to out. */
int tl_yaml_emit(
	struct tl_buf *out, const struct tl_value *v, struct tl_err *err);
/* tl_yaml_emit of a mapping in which the value that is the string mark
 * stands for a sequence of n values, made by row as they are written and
 * freed after, out handed to spill after each: the same text as the
 * whole document, without holding it. */
int tl_yaml_emit_rows(struct tl_buf *out, const struct tl_value *head,
	const char *mark, size_t n,
	struct tl_value *(*row)(void *ctx, size_t i), void *ctx,
	void (*spill)(struct tl_buf *out), struct tl_err *err);

#endif

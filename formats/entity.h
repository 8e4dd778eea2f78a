#ifndef TL_FORMATS_ENTITY_H
#define TL_FORMATS_ENTITY_H
/*
 * Entities <-> YAML, driven by the schema tables in core/model.c: keys are
 * written in the schema's order, unknown keys after them in the order the
 * file had them, and every value is checked against its declared type.
 */
#include "core/buf.h"
#include "core/err.h"
#include "core/model.h"

/* Parses a file's bytes into a new entity; name prefixes errors. */
int tl_entity_parse(void **out, enum tl_kind kind, const char *name,
	const char *data, size_t len, struct tl_err *err);
/* Builds an entity from a parsed document; takes ownership of doc. */
int tl_entity_from_value(void **out, enum tl_kind kind, const char *name,
	struct tl_value *doc, struct tl_err *err);
/* The entity as a document: known keys in order, then unknown ones. */
struct tl_value *tl_entity_to_value(enum tl_kind kind, const void *e);
/* Checks the entity against its schema, as reading it back would. */
int tl_entity_validate(enum tl_kind kind, const void *e, struct tl_err *err);
/* Validates and appends the file's canonical bytes to out. */
int tl_entity_write(struct tl_buf *out, enum tl_kind kind, const void *e,
	struct tl_err *err);
/* Where a key of the entity's file was, for messages: "path:line:col". */
void tl_entity_where(struct tl_buf *out, const void *e, const char *key);

#endif

#ifndef TL_FIELDS_H
#define TL_FIELDS_H
/*
 * Custom fields, declared in tally.yaml under fields: with a type (text,
 * number, bool, date, enum, user, url), the kinds they apply to (on:),
 * required, allowed values and a pcre2 pattern. Checked on every write and
 * by tally check.
 */
#include "core/err.h"
#include "core/model.h"
#include "core/regex.h"

struct tl_field_def {
	char *name;
	char *type;
	struct tl_strlist values;
	struct tl_strlist on;
	int required;
	char *pattern;
	struct tl_regex *re;
};

struct tl_field_defs {
	struct tl_field_def *v;
	size_t n;
};

extern const char *const tl_field_types[];

/* Reads the definitions; name and marks of defs locate errors. */
int tl_fields_load(struct tl_field_defs *out, const struct tl_value *defs,
	const char *name, struct tl_err *err);
void tl_fields_release(struct tl_field_defs *d);
const struct tl_field_def *tl_fields_find(
	const struct tl_field_defs *d, const char *name);
/* Checks an entity's fields: map (may be NULL) for a kind ("case"). */
int tl_fields_validate(const struct tl_field_defs *d, const char *kind,
	const struct tl_value *fields, const char *where, struct tl_err *err);
/* Applies "name=value" from the command line to *fields (created when
 * NULL); an empty value removes the field. Typed by the definition. */
int tl_fields_assign(const struct tl_field_defs *d, const char *kind,
	struct tl_value **fields, const char *assign, struct tl_err *err);

#endif

#ifndef TL_VALUE_H
#define TL_VALUE_H
/*
 * A small document tree: scalars, sequences and mappings, with the
 * line and column where each node started. It carries what the typed
 * model does not: unknown keys (kept, never dropped), custom field values,
 * and rows handed to the output renderers. Plain C, no library types.
 */
#include <stddef.h>

enum tl_vkind { TL_V_SCALAR, TL_V_SEQ, TL_V_MAP };

/* How a scalar resolves; decides quoting on output and JSON typing. */
enum tl_vtype { TL_T_STR, TL_T_INT, TL_T_FLOAT, TL_T_BOOL, TL_T_NULL };

/* Collection layout on output: decided by content unless a codec says. */
enum tl_vstyle { TL_STYLE_AUTO, TL_STYLE_BLOCK, TL_STYLE_FLOW };

struct tl_value {
	enum tl_vkind kind;
	enum tl_vstyle style;
	enum tl_vtype type; /* scalars only */
	char *str; /* scalars: NUL-terminated text */
	size_t len;
	struct tl_value **items; /* sequence items or mapping values */
	char **keys; /* mapping keys, parallel to items */
	size_t n, cap;
	unsigned line, col; /* 1-based; 0 when built in memory */
};

struct tl_value *tl_value_str(const char *s);
struct tl_value *tl_value_strn(const char *s, size_t len);
struct tl_value *tl_value_typed(const char *s, enum tl_vtype type);
struct tl_value *tl_value_int(long long v);
struct tl_value *tl_value_num(double v);
struct tl_value *tl_value_bool(int v);
struct tl_value *tl_value_null(void);
struct tl_value *tl_value_seq(void);
struct tl_value *tl_value_map(void);
void tl_value_free(struct tl_value *v);
struct tl_value *tl_value_dup(const struct tl_value *v);

/* Appends to a sequence; takes ownership of item. */
void tl_value_push(struct tl_value *seq, struct tl_value *item);
/* Appends a key (no duplicate check); takes ownership of val. */
void tl_value_put(struct tl_value *map, const char *key, struct tl_value *val);
/* Replaces the value of key, or appends it. */
void tl_value_set(struct tl_value *map, const char *key, struct tl_value *val);
/* Removes key; returns 1 when it was there. */
int tl_value_del(struct tl_value *map, const char *key);
struct tl_value *tl_value_get(const struct tl_value *map, const char *key);
/* The string of a scalar at key, or NULL. */
const char *tl_value_gets(const struct tl_value *map, const char *key);

/* The YAML 1.1 type a plain scalar resolves to. */
enum tl_vtype tl_value_resolve(const char *s, size_t len);
/* Sorts a mapping by key, byte order. */
void tl_value_sort_keys(struct tl_value *map);

#endif

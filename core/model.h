#ifndef TL_MODEL_H
#define TL_MODEL_H
/*
 * The model: plain structs, one per kind of file, and a schema table per
 * kind that names every known key in its fixed on-disk order. The YAML
 * codec (formats/entity.c) reads and writes through the tables, so a key's
 * type, order and allowed values are stated once, here.
 */
#include <stddef.h>

#include "core/value.h"

struct tl_strlist {
	char **v;
	size_t n;
};

void tl_strlist_push(struct tl_strlist *l, const char *s);
int tl_strlist_has(const struct tl_strlist *l, const char *s);
int tl_strlist_remove(struct tl_strlist *l, const char *s);
void tl_strlist_release(struct tl_strlist *l);
void tl_strlist_copy(struct tl_strlist *dst, const struct tl_strlist *src);

enum tl_kind {
	TL_KIND_WORKSPACE,
	TL_KIND_PROJECT,
	TL_KIND_SUITE,
	TL_KIND_CASE,
	TL_KIND_REQUIREMENT,
	TL_KIND_RELEASE,
	TL_KIND_RUN,
	TL_KIND_RESULT,
	TL_KIND_DEFECT,
	TL_KIND__COUNT
};

/* Every entity starts with this header. */
struct tl_entity {
	char *key; /* derived from the path, not stored */
	char *path; /* relative to the repository work tree */
	struct tl_value *extra; /* unknown keys, in file order; kept on write */
	struct tl_value *doc; /* the parsed file, for line:col in errors */
};

/* Optional number: set says whether the key was present. */
struct tl_num {
	int set;
	double v;
};

#define TL_BOOL_UNSET (-1)

struct tl_workspace {
	struct tl_entity ent;
	struct tl_num version; /* tally: 1 */
	char *name;
	char *default_project;
	struct tl_value *fields; /* custom field definitions (core/fields.c) */
	struct tl_value *defects;
	struct tl_value *failures;
	struct tl_value *readiness;
	struct tl_value *flaky;
	struct tl_value *durations;
	struct tl_value *gate;
	struct tl_value *attachments;
};

struct tl_project {
	struct tl_entity ent;
	char *title;
	char *description;
	char *owner;
	struct tl_value *fields;
};

struct tl_suite {
	struct tl_entity ent;
	char *title;
	char *description;
	char *owner;
};

struct tl_case {
	struct tl_entity ent;
	char *title;
	char *description;
	char *type; /* manual | automated */
	char *priority; /* low | medium | high | critical */
	char *owner;
	struct tl_strlist tags;
	struct tl_strlist requirements;
	char *automation;
	struct tl_strlist
		aliases; /* earlier keys, for history across renames */
	char *preconditions;
	struct tl_value *steps; /* sequence of {action, expected} */
	struct tl_value *fields;
};

struct tl_requirement {
	struct tl_entity ent;
	char *title;
	char *description;
	char *status; /* draft | approved | implemented | verified | obsolete */
	char *priority;
	char *owner;
	char *url;
	struct tl_value *fields;
};

struct tl_release {
	struct tl_entity ent;
	char *title;
	char *description;
	char *status; /* planned | active | released | cancelled */
	char *start;
	char *due;
	char *released;
	char *url;
	struct tl_value *fields;
};

struct tl_run {
	struct tl_entity ent;
	char *title;
	char *description;
	char *release;
	char *created;
	char *created_by;
	struct tl_value *sources;
	struct tl_strlist cases;
	struct tl_value *assignees;
	struct tl_value *environment;
	char *revision;
	int closed; /* TL_BOOL_UNSET, 0 or 1 */
	struct tl_value *fields;
};

struct tl_result {
	struct tl_entity ent;
	char *status;
	struct tl_num duration;
	char *assignee;
	char *started;
	char *message;
	char *type; /* failure type */
	char *trace;
	char *output;
	struct tl_strlist attachments;
	struct tl_value *environment;
	char *revision;
	struct tl_strlist defects;
	struct tl_value *retries;
	struct tl_value *fields;
};

struct tl_defect {
	struct tl_entity ent;
	char *title;
	char *description;
	char *severity; /* trivial | minor | major | critical | blocker */
	char *status; /* open | fixed | closed | wontfix */
	char *url;
	char *created;
	struct tl_value *fields;
};

/* How a key's value is typed on disk. */
enum tl_ftype {
	TL_F_STR, /* one line of text */
	TL_F_TEXT, /* text, multi-line as a literal block */
	TL_F_ENUM, /* one of spec->values */
	TL_F_TIME, /* RFC 3339 UTC */
	TL_F_DATE, /* YYYY-MM-DD */
	TL_F_LIST, /* sequence of one-line strings, written flow style */
	TL_F_MAP, /* mapping, written flow style when short */
	TL_F_STEPS, /* sequence of mappings, written block style */
	TL_F_BOOL,
	TL_F_NUM,
	TL_F_VALUE, /* any YAML, kept as parsed */
};

struct tl_fieldspec {
	const char *key;
	enum tl_ftype type;
	size_t off;
	const char *const *values; /* TL_F_ENUM */
	int required;
};

struct tl_schema {
	enum tl_kind kind;
	const char *name; /* "case", used in messages and field `on:` */
	size_t size;
	const struct tl_fieldspec *fields;
	size_t nfields;
};

const struct tl_schema *tl_schema_of(enum tl_kind kind);
const struct tl_fieldspec *tl_schema_field(
	const struct tl_schema *s, const char *key);
/* Looks a kind up by its name ("case"); -1 when unknown. */
int tl_kind_from_name(const char *name);

extern const char *const tl_case_types[];
extern const char *const tl_priorities[];
extern const char *const tl_statuses[];
extern const char *const tl_req_statuses[];
extern const char *const tl_severities[];
extern const char *const tl_defect_statuses[];
extern const char *const tl_release_statuses[];

/* Allocates a zeroed entity of the kind, with booleans unset. */
void *tl_entity_new(enum tl_kind kind);
void tl_entity_free(enum tl_kind kind, void *e);

static inline void tl_case_free(struct tl_case *c)
{
	tl_entity_free(TL_KIND_CASE, c);
}
static inline void tl_workspace_free(struct tl_workspace *w)
{
	tl_entity_free(TL_KIND_WORKSPACE, w);
}
static inline void tl_project_free(struct tl_project *p)
{
	tl_entity_free(TL_KIND_PROJECT, p);
}
static inline void tl_suite_free(struct tl_suite *s)
{
	tl_entity_free(TL_KIND_SUITE, s);
}
static inline void tl_requirement_free(struct tl_requirement *r)
{
	tl_entity_free(TL_KIND_REQUIREMENT, r);
}

/* A list of entities of one kind, owned. */
struct tl_list {
	enum tl_kind kind;
	void **v;
	size_t n, cap;
};

void tl_list_push(struct tl_list *l, void *e);
void tl_list_release(struct tl_list *l);

#endif

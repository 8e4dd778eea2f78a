#include "core/model.h"
#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

/* Capacity is the next power of two, so it needs no field of its own. */
static size_t grown(size_t n)
{
	return (n & (n - 1)) == 0 ? (n < 4 ? 4 : n * 2) : 0;
}

void tl_strlist_push(struct tl_strlist *l, const char *s)
{
	if (grown(l->n))
		l->v = tl_realloc(l->v, tl_mul(grown(l->n), sizeof(*l->v)));
	l->v[l->n++] = tl_strdup(s);
}

int tl_strlist_has(const struct tl_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return 1;
	return 0;
}

int tl_strlist_remove(struct tl_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i], s))
			continue;
		free(l->v[i]);
		memmove(l->v + i, l->v + i + 1, (l->n - i - 1) * sizeof(*l->v));
		l->n--;
		return 1;
	}
	return 0;
}

void tl_strlist_release(struct tl_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void tl_strlist_copy(struct tl_strlist *dst, const struct tl_strlist *src)
{
	for (size_t i = 0; i < src->n; i++)
		tl_strlist_push(dst, src->v[i]);
}

const char *const tl_case_types[] = { "manual", "automated", NULL };
const char *const tl_priorities[] = { "low", "medium", "high", "critical",
	NULL };
const char *const tl_statuses[] = { "passed", "failed", "blocked", "skipped",
	"running", "not-executed", NULL };
const char *const tl_req_statuses[] = { "draft", "approved", "implemented",
	"verified", "obsolete", NULL };
const char *const tl_severities[] = { "trivial", "minor", "major", "critical",
	"blocker", NULL };
const char *const tl_defect_statuses[] = { "open", "fixed", "closed", "wontfix",
	NULL };
const char *const tl_release_statuses[] = { "planned", "active", "released",
	"cancelled", NULL };

#define F(st, k, t, m)                                \
	{                                             \
		k, t, offsetof(struct st, m), NULL, 0 \
	}
#define FR(st, k, t, m)                               \
	{                                             \
		k, t, offsetof(struct st, m), NULL, 1 \
	}
#define FE(st, k, m, vals)                                    \
	{                                                     \
		k, TL_F_ENUM, offsetof(struct st, m), vals, 0 \
	}

static const struct tl_fieldspec workspace_fields[] = {
	{ "tally", TL_F_NUM, offsetof(struct tl_workspace, version), NULL, 1 },
	F(tl_workspace, "name", TL_F_STR, name),
	F(tl_workspace, "default-project", TL_F_STR, default_project),
	F(tl_workspace, "fields", TL_F_VALUE, fields),
	F(tl_workspace, "defects", TL_F_VALUE, defects),
	F(tl_workspace, "failures", TL_F_VALUE, failures),
	F(tl_workspace, "readiness", TL_F_VALUE, readiness),
	F(tl_workspace, "flaky", TL_F_VALUE, flaky),
	F(tl_workspace, "durations", TL_F_VALUE, durations),
	F(tl_workspace, "gate", TL_F_VALUE, gate),
	F(tl_workspace, "attachments", TL_F_VALUE, attachments),
};

static const struct tl_fieldspec project_fields[] = {
	F(tl_project, "title", TL_F_STR, title),
	F(tl_project, "description", TL_F_TEXT, description),
	F(tl_project, "owner", TL_F_STR, owner),
	F(tl_project, "fields", TL_F_MAP, fields),
};

static const struct tl_fieldspec suite_fields[] = {
	F(tl_suite, "title", TL_F_STR, title),
	F(tl_suite, "description", TL_F_TEXT, description),
	F(tl_suite, "owner", TL_F_STR, owner),
};

static const struct tl_fieldspec case_fields[] = {
	FR(tl_case, "title", TL_F_STR, title),
	F(tl_case, "description", TL_F_TEXT, description),
	FE(tl_case, "type", type, tl_case_types),
	FE(tl_case, "priority", priority, tl_priorities),
	F(tl_case, "owner", TL_F_STR, owner),
	F(tl_case, "tags", TL_F_LIST, tags),
	F(tl_case, "requirements", TL_F_LIST, requirements),
	F(tl_case, "automation", TL_F_STR, automation),
	F(tl_case, "aliases", TL_F_LIST, aliases),
	F(tl_case, "preconditions", TL_F_TEXT, preconditions),
	F(tl_case, "steps", TL_F_STEPS, steps),
	F(tl_case, "fields", TL_F_MAP, fields),
};

static const struct tl_fieldspec requirement_fields[] = {
	FR(tl_requirement, "title", TL_F_STR, title),
	F(tl_requirement, "description", TL_F_TEXT, description),
	FE(tl_requirement, "status", status, tl_req_statuses),
	FE(tl_requirement, "priority", priority, tl_priorities),
	F(tl_requirement, "owner", TL_F_STR, owner),
	F(tl_requirement, "url", TL_F_STR, url),
	F(tl_requirement, "fields", TL_F_MAP, fields),
};

static const struct tl_fieldspec release_fields[] = {
	FR(tl_release, "title", TL_F_STR, title),
	F(tl_release, "description", TL_F_TEXT, description),
	FE(tl_release, "status", status, tl_release_statuses),
	F(tl_release, "start", TL_F_DATE, start),
	F(tl_release, "due", TL_F_DATE, due),
	F(tl_release, "released", TL_F_DATE, released),
	F(tl_release, "url", TL_F_STR, url),
	F(tl_release, "fields", TL_F_MAP, fields),
};

static const struct tl_fieldspec run_fields[] = {
	FR(tl_run, "title", TL_F_STR, title),
	F(tl_run, "description", TL_F_TEXT, description),
	F(tl_run, "release", TL_F_STR, release),
	F(tl_run, "created", TL_F_TIME, created),
	F(tl_run, "created-by", TL_F_STR, created_by),
	F(tl_run, "sources", TL_F_VALUE, sources),
	F(tl_run, "cases", TL_F_LIST, cases),
	F(tl_run, "assignees", TL_F_MAP, assignees),
	F(tl_run, "environment", TL_F_MAP, environment),
	F(tl_run, "revision", TL_F_STR, revision),
	F(tl_run, "closed", TL_F_BOOL, closed),
	F(tl_run, "fields", TL_F_MAP, fields),
};

static const struct tl_fieldspec result_fields[] = {
	{ "status", TL_F_ENUM, offsetof(struct tl_result, status), tl_statuses,
		1 },
	F(tl_result, "duration", TL_F_NUM, duration),
	F(tl_result, "assignee", TL_F_STR, assignee),
	F(tl_result, "started", TL_F_TIME, started),
	F(tl_result, "message", TL_F_TEXT, message),
	F(tl_result, "type", TL_F_STR, type),
	F(tl_result, "trace", TL_F_TEXT, trace),
	F(tl_result, "output", TL_F_TEXT, output),
	F(tl_result, "attachments", TL_F_LIST, attachments),
	F(tl_result, "environment", TL_F_MAP, environment),
	F(tl_result, "revision", TL_F_STR, revision),
	F(tl_result, "defects", TL_F_LIST, defects),
	F(tl_result, "retries", TL_F_VALUE, retries),
	F(tl_result, "fields", TL_F_MAP, fields),
};

static const struct tl_fieldspec defect_fields[] = {
	FR(tl_defect, "title", TL_F_STR, title),
	F(tl_defect, "description", TL_F_TEXT, description),
	FE(tl_defect, "severity", severity, tl_severities),
	FE(tl_defect, "status", status, tl_defect_statuses),
	F(tl_defect, "url", TL_F_STR, url),
	F(tl_defect, "created", TL_F_TIME, created),
	F(tl_defect, "fields", TL_F_MAP, fields),
};

#define S(k, n, st, f)                                               \
	{                                                            \
		k, n, sizeof(struct st), f, sizeof(f) / sizeof(f[0]) \
	}

static const struct tl_schema schemas[TL_KIND__COUNT] = {
	S(TL_KIND_WORKSPACE, "workspace", tl_workspace, workspace_fields),
	S(TL_KIND_PROJECT, "project", tl_project, project_fields),
	S(TL_KIND_SUITE, "suite", tl_suite, suite_fields),
	S(TL_KIND_CASE, "case", tl_case, case_fields),
	S(TL_KIND_REQUIREMENT, "requirement", tl_requirement,
		requirement_fields),
	S(TL_KIND_RELEASE, "release", tl_release, release_fields),
	S(TL_KIND_RUN, "run", tl_run, run_fields),
	S(TL_KIND_RESULT, "result", tl_result, result_fields),
	S(TL_KIND_DEFECT, "defect", tl_defect, defect_fields),
};

const struct tl_schema *tl_schema_of(enum tl_kind kind)
{
	return (unsigned)kind < TL_KIND__COUNT ? &schemas[kind] : NULL;
}

const struct tl_fieldspec *tl_schema_field(
	const struct tl_schema *s, const char *key)
{
	for (size_t i = 0; i < s->nfields; i++)
		if (!strcmp(s->fields[i].key, key))
			return &s->fields[i];
	return NULL;
}

int tl_kind_from_name(const char *name)
{
	for (int k = 0; k < TL_KIND__COUNT; k++)
		if (!strcmp(schemas[k].name, name))
			return k;
	return -1;
}

void *tl_entity_new(enum tl_kind kind)
{
	const struct tl_schema *s = tl_schema_of(kind);
	char *e = tl_calloc(1, s->size);
	for (size_t i = 0; i < s->nfields; i++)
		if (s->fields[i].type == TL_F_BOOL)
			*(int *)(e + s->fields[i].off) = TL_BOOL_UNSET;
	return e;
}

void tl_entity_free(enum tl_kind kind, void *p)
{
	const struct tl_schema *s = tl_schema_of(kind);
	struct tl_entity *ent = p;
	char *e = p;
	if (!p)
		return;
	for (size_t i = 0; i < s->nfields; i++) {
		void *field = e + s->fields[i].off;
		switch (s->fields[i].type) {
		case TL_F_STR:
		case TL_F_TEXT:
		case TL_F_ENUM:
		case TL_F_TIME:
		case TL_F_DATE:
			free(*(char **)field);
			break;
		case TL_F_LIST:
			tl_strlist_release(field);
			break;
		case TL_F_MAP:
		case TL_F_STEPS:
		case TL_F_VALUE:
			tl_value_free(*(struct tl_value **)field);
			break;
		case TL_F_BOOL:
		case TL_F_NUM:
			break;
		}
	}
	free(ent->key);
	free(ent->path);
	tl_value_free(ent->extra);
	tl_value_free(ent->doc);
	free(p);
}

void tl_list_push(struct tl_list *l, void *e)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = tl_realloc(l->v, tl_mul(l->cap, sizeof(*l->v)));
	}
	l->v[l->n++] = e;
}

void tl_list_release(struct tl_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		tl_entity_free(l->kind, l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

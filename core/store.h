#ifndef TL_STORE_H
#define TL_STORE_H
/*
 * The tracker in a work tree: finding it, loading its files into the
 * model, and writing changes through the commit protocol. Paths inside
 * the tracker ("web/cases/auth/login.yaml") are relative to its root, the
 * folder holding tally.yaml; paths in commits are relative to the work tree.
 */
#include "core/buf.h"
#include "core/err.h"
#include "core/fields.h"
#include "core/fs.h"
#include "core/model.h"
#include "core/repo.h"

struct tl_snapshot;
struct tl_hsnap_ahead;

struct tl_store {
	struct tl_repo *repo;
	char *workdir; /* absolute */
	char *root; /* absolute path of the tracker root */
	char *prefix; /* root relative to workdir, with a trailing '/' ("" at
			 top) */
	struct tl_workspace *ws;
	struct tl_field_defs fields;
	/* with --at: the files as of that revision; the store is then
	 * read-only (a transaction is refused) */
	struct tl_snapshot *snap;
	/* the history snapshot being read ahead, or NULL (core/hsnap.h) */
	struct tl_hsnap_ahead *ahead;
	/* loaded entities keep their parsed file (tl_entity.doc) for the
	 * line:col of later problems: tally check's. Others drop it, as a
	 * second copy of every file's content (a run of 100,000 results
	 * held 300 MB with them). */
	int keep_docs;
};

#define TL_FORMAT_VERSION 1

/* Opens the repository containing dir and finds the tracker: tally.yaml in
 * dir or a parent inside the work tree, else qa/tally.yaml at its top. */
int tl_store_open(struct tl_store **out, const char *dir, struct tl_err *err);
/* The same tracker as of revision rev (NULL: the work tree), read from
 * git's objects: a read-only store. */
int tl_store_open_at(struct tl_store **out, const char *dir, const char *rev,
	struct tl_err *err);
/* Opens with a known tracker root (used right after init). */
int tl_store_open_root(struct tl_store **out, struct tl_repo *repo,
	const char *root, struct tl_err *err);
void tl_store_free(struct tl_store *s);

/* Reads of tracker paths (store_read.c), from the work tree or the
 * snapshot: the contracts of tl_fs_read_flags (no links followed),
 * tl_fs_list and tl_fs_walk, with errors naming work-tree paths. */
int tl_store_read(struct tl_store *s, const char *path, size_t cap,
	struct tl_buf *out, struct tl_err *err);
int tl_store_list(struct tl_store *s, const char *dir, int dirs, char ***out,
	size_t *n, struct tl_err *err);
int tl_store_walk(struct tl_store *s, const char *dir, tl_walk_fn fn, void *ctx,
	struct tl_err *err);
int tl_store_is_file(struct tl_store *s, const char *path);
int tl_store_is_dir(struct tl_store *s, const char *path);

/* "qa/" + path: the work-tree path of a tracker path. Caller frees. */
char *tl_store_wpath(const struct tl_store *s, const char *path);
/* Whether a path a walk of an entity folder gave names an entity's file
 * (NAME.yaml, not a suite's _suite.yaml). */
int tl_store_is_entity_file(const char *rel);

/* Loads the entity files under dir (keep says which, by path below dir;
 * NULL: all) into out, in the walk's order, each keyed by its path less
 * ".yaml". With threads > 1, two threads read and parse them (one with
 * --at: libgit2's repository handle is not shared). On an error out is
 * left empty and the error is that of the first failing file in order,
 * as a loop would have reported. */
int tl_store_load_many(struct tl_store *s, const char *dir, enum tl_kind kind,
	int (*keep)(const char *rel), int threads, struct tl_list *out,
	struct tl_err *err);
/* The same for the files rels names (paths below dir, in that order). */
int tl_store_load_listed(struct tl_store *s, const char *dir, enum tl_kind kind,
	const struct tl_strlist *rels, int threads, struct tl_list *out,
	struct tl_err *err);
/* Loads each of rels (paths below dir, "NAME.yaml") as kinds[i] into
 * ents[i], or fills errs[i] (TL_ERR_INIT'd by the caller) with why not;
 * every file is read, on two threads when threads > 1 and there are
 * enough of them (one with --at). */
void tl_store_load_files(struct tl_store *s, const char *dir,
	const struct tl_strlist *rels, const enum tl_kind *kinds, int threads,
	void **ents, struct tl_err *errs);
/* Loads one file of the tracker as an entity; sets its key and path. */
int tl_store_load(void **out, struct tl_store *s, enum tl_kind kind,
	const char *path, const char *key, struct tl_err *err);

int tl_store_projects(
	struct tl_store *s, struct tl_list *out, struct tl_err *err);
/* Chooses a project: ref when given (key, prefix or title), else the
 * workspace's default-project, else the only one. Caller frees *key. */
int tl_store_project(
	struct tl_store *s, const char *ref, char **key, struct tl_err *err);
int tl_store_cases(struct tl_store *s, const char *project, struct tl_list *out,
	struct tl_err *err);
int tl_store_requirements(struct tl_store *s, const char *project,
	struct tl_list *out, struct tl_err *err);
/* Every folder under cases/ is a suite; _suite.yaml adds metadata. */
int tl_store_suites(struct tl_store *s, const char *project,
	struct tl_list *out, struct tl_err *err);

int tl_store_releases(struct tl_store *s, const char *project,
	struct tl_list *out, struct tl_err *err);
int tl_store_defects(struct tl_store *s, const char *project,
	struct tl_list *out, struct tl_err *err);

char *tl_store_case_path(const char *project, const char *key);
/* The case whose key is key, its file read alone (a project of 100,000
 * cases took a second to read whole): TL_ENOTFOUND, err untouched, when
 * key is not a key or names no case. */
struct tl_case;
int tl_store_case_by_key(struct tl_store *s, const char *project,
	const char *key, struct tl_case **out, struct tl_err *err);
/* One case by reference: a key alone, as above, else a prefix or a
 * title resolved among every case of the project; *out points into l,
 * which holds what was read. */
int tl_store_case_find(struct tl_store *s, const char *project, const char *ref,
	struct tl_list *l, struct tl_case **out, struct tl_err *err);
char *tl_store_req_path(const char *project, const char *key);

/* The file's bytes for an entity, its custom fields validated. */
int tl_store_encode(struct tl_buf *out, struct tl_store *s, enum tl_kind kind,
	const void *e, struct tl_err *err);

/* A set of file changes that becomes one commit. */
struct tl_txn {
	struct tl_change *changes;
	char **owned; /* paths and data this txn owns */
	size_t n, nowned;
};

/* Serializes the entity (validating it) into the txn at a tracker path. */
int tl_txn_put(struct tl_txn *t, struct tl_store *s, enum tl_kind kind,
	const void *e, const char *path, struct tl_err *err);
void tl_txn_put_raw(struct tl_txn *t, struct tl_store *s, const char *path,
	const char *data, size_t len);
void tl_txn_remove(struct tl_txn *t, struct tl_store *s, const char *path);
int tl_txn_commit(struct tl_txn *t, struct tl_store *s,
	const struct tl_commit_opts *opts, char *out_id, struct tl_err *err);
void tl_txn_release(struct tl_txn *t);
/* The error for a change asked of a store opened with --at. */
int tl_store_refuse_write(const struct tl_store *s, struct tl_err *err);

/* Validates custom fields of an entity against tally.yaml. */
int tl_store_check_fields(struct tl_store *s, enum tl_kind kind, const void *e,
	struct tl_err *err);

#endif

#ifndef TL_HCACHE_H
#define TL_HCACHE_H
/*
 * The history cache under .git/tally/ (DESIGN.md "History and flakiness"):
 * what a commit changed (path and blob id, by commit id) and what a blob
 * parsed to (opaque bytes, by blob id). Both are facts about immutable
 * objects, so an entry never goes stale; a rebase just brings new commits.
 * The file is versioned and checksummed: when it is missing, of another
 * version or damaged it is ignored and rebuilt, silently. Deleting it
 * changes no output, only the time a query takes.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/repo.h"

struct tl_hcache;

struct tl_hc_change {
	const char *path;
	char blob[41]; /* "" for a deletion */
};

/* Opens .git/tally/<name>.cache (an empty cache when unusable). */
int tl_hcache_open(struct tl_hcache **out, struct tl_repo *r, const char *name,
	struct tl_err *err);
/* A commit's author, time and the changes it made. */
struct tl_hc_commit {
	int64_t time;
	const char *author;
	struct tl_hc_change *v;
	size_t n;
};

/* What is cached of a commit, or NULL. */
const struct tl_hc_commit *tl_hcache_commit(
	struct tl_hcache *c, const char *commit);
/* Copies what it is given. */
void tl_hcache_put_commit(
	struct tl_hcache *c, const char *commit, const struct tl_hc_commit *v);
/* The bytes stored for a blob, or NULL. */
const char *tl_hcache_blob(struct tl_hcache *c, const char *blob, size_t *len);
void tl_hcache_put_blob(
	struct tl_hcache *c, const char *blob, const char *data, size_t len);
/* Writes the file if anything was added (atomically; a failure to write
 * a cache is not an error of the command). */
void tl_hcache_save(struct tl_hcache *c);
void tl_hcache_free(struct tl_hcache *c);

/* Whether the cache file of name is there (it may still be stale). */
int tl_hcache_exists(struct tl_repo *r, const char *name);

#endif

#ifndef TL_WALK_H
#define TL_WALK_H
/*
 * History from commits (DESIGN.md "History and flakiness"): walk the
 * first-parent chain oldest first and compare each commit's tree with its
 * parent's by object id, descending only into subtrees whose ids differ,
 * so the cost follows what changed, not the size of the tree.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/model.h"
#include "core/repo.h"

struct tl_blob_change {
	const char *path; /* below the prefix */
	const char *data; /* the new blob; NULL when the file was deleted */
	size_t len;
	int64_t time; /* the commit's author time */
	const char *commit; /* hex id */
	const char *author; /* "Name <email>" */
	const char *blob; /* hex id of data's blob; NULL when deleted */
	const char *subject; /* the commit message's first line */
	/* with tl_walk_opts.parse: what it made of the blob (data is then
	 * NULL); NULL when the blob was not needed */
	const char *rec;
	size_t rec_len;
	/* tl_walk_back only: the blob before the change (NULL when the
	 * file was added) */
	const char *old_blob;
	const char *old_data;
	size_t old_len;
};

/* Says whether a path below the prefix matters (a folder, or a file):
 * what it refuses is neither descended into nor read. */
typedef int (*tl_want_fn)(const char *path, int is_folder, void *ctx);

typedef int (*tl_change_fn)(
	const struct tl_blob_change *c, void *ctx, struct tl_err *err);

/* Calls fn for every blob added, changed or deleted under prefix (a
 * work-tree folder such as "qa/web/runs"), commit by commit along the
 * first parents of rev (NULL: HEAD; any revision git understands); want
 * (may be NULL) prunes what is not needed. */
int tl_walk_changes(struct tl_repo *r, const char *rev, const char *prefix,
	tl_want_fn want, tl_change_fn fn, void *ctx, struct tl_err *err);

/* The files under prefix in rev's tree, relative to prefix, sorted (an
 * empty list when prefix is not there). */
int tl_repo_list_files(struct tl_repo *r, const char *rev, const char *prefix,
	struct tl_strlist *out, struct tl_err *err);

struct tl_hcache;

struct tl_walk_opts {
	/* what commits changed, by commit id: a commit in it is not read
	 * again (the cache's name must stand for prefix and want) */
	struct tl_hcache *cache;
	/* whether fn needs a blob's bytes (NULL: always); without them
	 * data is NULL but blob is set */
	int (*need)(const char *blob, void *ctx);
	/* a commit (hex) whose changes fn has already seen: when it is on
	 * rev's first-parent chain only the commits after it are walked and
	 * *since_found is set to 1; when it is not, nothing is walked and
	 * *since_found is 0 */
	const char *since;
	int *since_found;
	/* when set, needed blobs are read and parsed by this, in batches on
	 * two threads, and fn gets the result as rec (need must then have
	 * no side effects: it is asked ahead of fn) */
	void (*parse)(const char *path, const char *data, size_t len,
		struct tl_buf *out);
	/* with parse: fn may run on a thread of its own, beside the walk
	 * (still one change at a time, in walk order); fn then must share
	 * nothing with need, want or the cache */
	int apart;
};

/* What a change function returns to end tl_walk_back where it is. */
#define TL_WALK_STOP 1

/* The changes under prefix commit by commit along the first parents of
 * rev, the newest commit first (a commit's own changes in path order),
 * each with the blob before it as well as after: fn returns TL_WALK_STOP
 * to end the walk there, so a question about the last few changes (tally
 * log -n) reads as far back as it needs and no further. */
int tl_walk_back(struct tl_repo *r, const char *rev, const char *prefix,
	tl_want_fn want, tl_change_fn fn, void *ctx, struct tl_err *err);

/* tl_walk_changes with a cache and lazy blob reads. */
int tl_walk_changes_opts(struct tl_repo *r, const char *rev, const char *prefix,
	tl_want_fn want, tl_change_fn fn, void *ctx,
	const struct tl_walk_opts *opts, struct tl_err *err);

#endif

#ifndef TL_RCACHE_H
#define TL_RCACHE_H
/*
 * .git/tally/results-<project>.index: what each run's results of a
 * project came to (their counts, and which of them link defects: struct
 * tl_run_sum), with the stat of every folder and result file it was read
 * from, as git's index keeps a stat per file: a run whose folders and
 * files all stat as they did, and whose selection is the same, is summed
 * up without reading one result. A stat that changed, or that is not clearly
 * older than both the record's first stat and the cache file (a change
 * in the same clock tick as the stat would not show), sends the run
 * back to its files. A missing,
 * damaged or older-format file is an empty cache; deleting it changes no
 * output.
 *
 * A record is kept as the bytes the file holds, built or loaded alike:
 *   u32 size of the record, u32 key length, u32 entries, u32 links,
 *   u64 sum of the selection, i64 time its stats were begun (ns),
 *   i64 counts[TL_RC_NCOUNTS], the key and a NUL;
 *   per link: case, status, u32 defects, each defect (a string is a u32
 *   length, UINT32_MAX for none, then its bytes and a NUL);
 *   per entry (a folder or a result file, by its path below the run's
 *   results folder, "" for that folder): u64 inode, u64 size, i64 mtime
 *   and ctime (ns), u32 path length, the path and a NUL.
 */
#include "core/err.h"
#include "core/buf.h"
#include "core/fs.h"
#include "core/runs.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct tl_repo;

#define TL_RC_NCOUNTS (TL_STATUS__COUNT + 1) /* n[] then total */
/* where a record's key begins: after its fixed head */
#define TL_RC_KEY_AT (4 * 4 + 8 + 8 + 8 * TL_RC_NCOUNTS)

struct tl_rc_rec {
	const char *key;
	uint64_t sel;
	int64_t signed_at; /* the wall clock before its first stat, ns */
	struct tl_counts counts;
	uint32_t nent, nlinks;
	const unsigned char *links; /* the first link */
	const unsigned char *ents; /* the first entry */
	const unsigned char *start; /* the whole record's bytes */
	size_t len;
};

struct tl_rcache {
	char *path;
	struct tl_buf file;
	struct tl_rc_rec *v; /* sorted by key */
	size_t n;
	int64_t stamp; /* the file's mtime, ns */
};

/* The cache of a project (empty when there is none or it is unusable);
 * NULL when caching is off (TALLY_NO_CACHE). */
struct tl_rcache *tl_rcache_open(struct tl_repo *r, const char *project);
/* The same for the file at path (tests). */
struct tl_rcache *tl_rcache_open_at(const char *path);
void tl_rcache_free(struct tl_rcache *c);
const struct tl_rc_rec *tl_rcache_find(
	const struct tl_rcache *c, const char *key);
/* 1 when every entry of rec stats under dir (the run's results folder,
 * absolute) as recorded, and each was last changed well before the
 * cache was written; 0 otherwise. */
int tl_rcache_still(const struct tl_rcache *c, const struct tl_rc_rec *rec,
	const char *dir);

/* The links of a record, copied into out (its counts are the caller's
 * to set). */
void tl_rc_rec_links(const struct tl_rc_rec *rec, struct tl_run_sum *out);

/* A new record, built while its run is read: begin, one add per folder
 * and result file (its stat taken before it is listed or read), end
 * with the summary. bad: a stat failed; the record is not kept. */
struct tl_rc_new {
	struct tl_buf b, ents;
	uint32_t nent;
	int bad;
};
void tl_rc_new_begin(struct tl_rc_new *n, const char *key, uint64_t sel);
void tl_rc_new_add(struct tl_rc_new *n, const char *rel, const struct stat *st);
void tl_rc_new_end(struct tl_rc_new *n, const struct tl_run_sum *sum);
void tl_rc_new_release(struct tl_rc_new *n);

/* Writes the records (each a record's bytes, sorted by key) as the
 * cache; quietly nothing when it cannot (a cache is never an error). */
void tl_rcache_save(struct tl_rcache *c, const struct tl_part *recs, size_t n);

/* Makes len bytes a well-formed header and checksum over whatever body
 * follows (the fuzz target's: mutations then reach the checks behind
 * the sum). */
void tl_rcache_seal(void *file, size_t len);

/* The sum of a selection (the run's case keys, in their order). */
uint64_t tl_rc_selection_sum(const struct tl_strlist *cases);

#endif

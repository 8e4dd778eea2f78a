#ifndef TL_HSNAP_H
#define TL_HSNAP_H
/*
 * The history snapshot under .git/tally/: the events a history load made
 * for one commit, saved whole, so a query at a commit it has already
 * answered reads one file instead of replaying every commit through the
 * cache (core/hcache.c). Keyed by the commit and by what else shapes the
 * events (the aliases); versioned and checksummed like the cache, and
 * like it ignored when missing, stale or damaged: deleting it changes no
 * output. The layout is this machine's (native byte order): the file
 * never leaves .git.
 */
#include <stdint.h>

#include "core/history.h"
#include "core/repo.h"

/* A run's revision and environment as its run.yaml last gave them:
 * events without their own take these. */
struct tl_hsnap_run {
	const char *run, *revision, *environment;
};

/* A snapshot file read and checked whole, not yet matched to a query. */
struct tl_hsnap_file;
/* Reads path (NULL when it is not a snapshot of this version, or is
 * damaged). */
struct tl_hsnap_file *tl_hsnap_read(const char *path);
/* The same from an open file (fd < 0: none), which it closes. */
struct tl_hsnap_file *tl_hsnap_read_fd(int fd);
void tl_hsnap_file_free(struct tl_hsnap_file *f);

/* The snapshot read ahead (core/hsnap_ahead.c): started before the
 * repository is opened, from a guess of where .git is; NULL when there is
 * nothing to read. The file is opened before start returns: one that
 * replaces it later is not the one read. take waits for it and hands
 * over the file read (or NULL); free waits too. */
struct tl_hsnap_ahead;
struct tl_hsnap_ahead *tl_hsnap_ahead_start(void);
struct tl_hsnap_file *tl_hsnap_ahead_take(struct tl_hsnap_ahead *a);
void tl_hsnap_ahead_free(struct tl_hsnap_ahead *a);

/* Fills h->v and h->n (the events as the walk made them, before runs
 * lend their revision and environment) and *runs from
 * .git/tally/<name>.snap when it was saved for key, with the commit it
 * was saved for in commit. The strings live in h->snap; *runs is the caller's
 * to free. *ahead (when not NULL) is consumed: its file is used if it is this
 * one, unchanged. Returns 0 on a hit, -1 otherwise (h unchanged). */
int tl_hsnap_load(struct tl_history *h, struct tl_repo *r, const char *name,
	uint64_t key, char commit[41], struct tl_hsnap_run **runs,
	size_t *nruns, struct tl_hsnap_ahead **ahead);
/* The events of a file read (its strings live in its bytes). */
const struct tl_event *tl_hsnap_file_events(
	const struct tl_hsnap_file *f, size_t *n);
/* Writes the checksum a snapshot image of len bytes must end with (for
 * the fuzz target: a mutated image then gets past the sum to the checks
 * behind it). */
void tl_hsnap_seal(void *file, size_t len);
/* Releases the events (h->v, in the snapshot's block or not) and what
 * tl_hsnap_load read. */
void tl_hsnap_drop(struct tl_history *h);
/* Saves h's events for commit and key (a failure is silent). */
void tl_hsnap_save(const struct tl_history *h, const struct tl_hsnap_run *runs,
	size_t nruns, struct tl_repo *r, const char *name, const char *commit,
	uint64_t key);

/* A snapshot being saved on a thread of its own, so that a cold query's
 * metrics and output need not wait for it. lent (taken; NULL or one byte
 * per event) marks the fields runs lent the events after the walk, which
 * are saved as absent; runs is taken. Until tl_hsnap_save_wait, h's
 * events and strings must not change but for the lent fields before the
 * start and fields a snapshot does not keep (code, code_time, infra).
 * Without a thread, it is saved before this returns. */
#define TL_HSNAP_LENT_REVISION 1
#define TL_HSNAP_LENT_ENVIRONMENT 2
struct tl_hsnap_saving;
struct tl_hsnap_saving *tl_hsnap_save_start(const struct tl_history *h,
	unsigned char *lent, struct tl_hsnap_run *runs, size_t nruns,
	struct tl_repo *r, const char *name, const char *commit, uint64_t key);
/* Waits for the save to end and frees it; NULL is nothing. */
void tl_hsnap_save_wait(struct tl_hsnap_saving *s);

/* The commit the snapshot file of name was saved for, from its header
 * alone (the rest unchecked: tl_hsnap_load checks it all): 0 with commit
 * filled, -1 when there is no such file. */
int tl_hsnap_commit(struct tl_repo *r, const char *name, char commit[41]);
/* Whether the snapshot file of name is there (it may still not fit). */
int tl_hsnap_exists(struct tl_repo *r, const char *name);

#endif

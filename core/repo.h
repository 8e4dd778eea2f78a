#ifndef TL_REPO_H
#define TL_REPO_H
/*
 * The git side of the store: open a repository, and the commit protocol
 * of DESIGN.md "Git integration". A commit writes each file atomically,
 * builds its tree from HEAD's tree plus exactly the changed paths, creates
 * the commit without moving a ref, moves the branch by compare-and-swap
 * (retrying from the start on a race), then re-adds only those paths to
 * the index while holding index.lock. Other staged work stays staged.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct tl_repo;

struct tl_ident {
	const char *name;
	const char *email;
	int has_time;
	int64_t time; /* seconds since the epoch */
	int tz_minutes; /* offset from UTC */
};

struct tl_change {
	const char *path; /* relative to the work tree, '/'-separated */
	const char *data; /* NULL with remove */
	size_t len;
	int remove;
};

struct tl_commit_opts {
	const char *message;
	const struct tl_ident *author;
	const struct tl_ident *committer; /* NULL: same as author */
	int no_commit; /* stage only */
	int lock_timeout_ms; /* waiting for index.lock; 0: 10 s */
	/* Called at each stage ("written", "locked", "committed", "moved",
	 * "indexed"), so tests can stop the protocol exactly there. */
	void (*stage)(const char *name);
};

/* Finds the repository containing dir (like git does). */
int tl_repo_open(struct tl_repo **out, const char *dir, struct tl_err *err);
/* Creates a repository in dir (git init) and opens it. */
int tl_repo_init(struct tl_repo **out, const char *dir, struct tl_err *err);
void tl_repo_free(struct tl_repo *r);
/* Starts branch name at HEAD's commit and makes it HEAD (git switch -c):
 * the work tree and index stay as they are. was (may be NULL) receives
 * the branch HEAD was on, or NULL when it was detached. */
int tl_repo_branch_here(
	struct tl_repo *r, const char *name, char **was, struct tl_err *err);
/* "1.5.1" (caller frees) */
char *tl_repo_libgit2_version(void);
/* Releases libgit2's global state at exit. */
void tl_repo_shutdown(void);
/* The work tree, absolute, without a trailing slash. */
const char *tl_repo_workdir(const struct tl_repo *r);
/* The .git folder (a worktree's own), for temporary files. */
const char *tl_repo_gitdir(const struct tl_repo *r);
/* A string from the repository's git config (NULL when unset; caller frees). */
char *tl_repo_config(const struct tl_repo *r, const char *name);

/* Applies the changes and commits them (or stages them with no_commit).
 * out_id, when not NULL, receives the commit id in hex (41 bytes). */
int tl_repo_commit(struct tl_repo *r, const struct tl_change *changes, size_t n,
	const struct tl_commit_opts *opts, char *out_id, struct tl_err *err);

/* Parses git's date forms: "@1700000000 +0100", "1700000000 +0100",
 * RFC 3339 and "2026-11-21 10:00:00 +0100". */
int tl_parse_git_date(const char *s, int64_t *t, int *tz_minutes);
/* Splits "Name <email>" in place-free fashion; caller frees both. */
int tl_parse_ident(const char *s, char **name, char **email);

#endif

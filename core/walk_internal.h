#ifndef TL_WALK_INTERNAL_H
#define TL_WALK_INTERNAL_H
/* What walk.c (oldest first, batched) and walk_back.c (newest first)
 * share: the walk's state and the tree comparison (aliases.c borrows the
 * start commit and the subtree). Not a public header. */
#include "core/repo_internal.h"
#include "core/walk.h"

struct tl_hc_commit;
struct tl_pipe;

/* The trees a commit's side of a diff loaded, kept for the next commit
 * (walked oldest first, its parent side is mostly these): libgit2 does
 * not cache trees over 4 KiB, and a results folder's tree is larger. */
#define TREES_KEPT 256

struct kept {
	git_oid id;
	git_tree *t;
};

struct walk {
	git_repository *git;
	tl_want_fn want;
	tl_change_fn fn;
	void *ctx;
	struct tl_blob_change ch;
	struct tl_err *err;
	int (*need)(const char *blob, void *ctx);
	struct tl_hc_commit *collect; /* the changes, for the cache */
	struct tl_pipe *pipe; /* with opts->parse */
	struct kept *prev, *cur; /* TREES_KEPT each */
	size_t nprev, ncur;
	/* the last commit visited and its tree at the prefix (NULL when it
	 * has none): the next commit's parent, mostly */
	git_oid last;
	git_tree *last_tree;
	int has_last;
	int back; /* tl_walk_back: both sides of a change read, no batch */
};

/* A walk's state, empty but for what both walks are given. */
void tl_walk_init(struct walk *w, struct tl_repo *r, tl_want_fn want,
	tl_change_fn fn, void *ctx, struct tl_err *err);
/* Compares two trees (either may be NULL) and reports differing blobs. */
int tl_walk_diff_trees(
	struct walk *w, git_tree *a, git_tree *b, struct tl_buf *path);
/* The tree at prefix in c's tree; *out NULL when there is none. */
int tl_walk_subtree(
	git_tree **out, git_repository *git, git_commit *c, const char *prefix);
/* A commit's changes, when its tree at the prefix differs from its
 * parent's: the commit's fields set for fn (*who is the caller's). */
int tl_walk_diff_commit(struct walk *w, git_commit *c, git_tree *before,
	git_tree *now, struct tl_buf *path, char **who);
/* The commit a walk starts at: 1 when there is none (an unborn branch,
 * a HEAD that names no commit: no history), an error for a rev that
 * names none. */
int tl_walk_start(
	struct tl_repo *r, const char *rev, git_oid *start, struct tl_err *err);
/* tl_walk_back's change: both of its blobs read (few are asked for). */
int tl_walk_emit_back(struct walk *w, const char *path, const git_oid *old,
	const git_oid *blob);

#endif

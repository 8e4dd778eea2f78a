#ifndef TL_REPO_INTERNAL_H
#define TL_REPO_INTERNAL_H
/* For core/ files that talk to libgit2 directly; not a public header. */
#include <git2.h>

#include "core/err.h"
#include "core/repo.h"
#include "core/wtree.h"

struct tl_repo {
	git_repository *git;
	char *workdir;
	char *gitdir;
};

/* The one adapter from libgit2's errors to ours. */
int tl_git_fail(struct tl_err *err, int code, const char *what);

/* A path already written to the work tree, with its blob. */
struct tl_staged {
	const char *path; /* borrowed */
	git_oid id;
	int remove;
	struct tl_wstat stat; /* has == 0: the index stats the file */
};

/* A commit's staged files in path order, one path at a time: an array's
 * (tl_stage_array), or a bulk commit's merged from files on disk
 * (core/bulk.c), so that a commit of 200,000 files need not hold them. */
struct tl_stage_iter {
	/* The next path's entry, or *out NULL at the end; valid until the
	 * next call. */
	int (*next)(
		void *ctx, const struct tl_staged **out, struct tl_err *err);
	/* Back to the first entry. */
	int (*rewind)(void *ctx, struct tl_err *err);
	void *ctx;
};

struct tl_stage_array {
	const struct tl_staged *st;
	size_t n, i;
};

/* An iterator over st (sorted by path; of equal paths the last is given,
 * the others skipped); a lives as long as the iterator. */
struct tl_stage_iter tl_stage_array(
	struct tl_stage_array *a, const struct tl_staged *st, size_t n);

/* Makes objects durable before a ref or the index may name them. A
 * caller that built the commit's tree already (has_tree) says on which
 * parent (base, or base_unborn); the tree is used only on that parent. */
struct tl_persist {
	int (*fn)(void *ctx, struct tl_err *err);
	/* when not NULL: once the branch names the objects (or, staging
	 * only, once they are on disk), before the index is updated; what
	 * made them may go, with the git handle passed to tl_repo_finish */
	void (*done)(void *ctx);
	void *ctx;
	int has_tree, base_unborn;
	git_oid tree, base;
};

/* Reads HEAD: the ref a commit moves (caller frees) and, unless the
 * branch is unborn (*has_parent == 0), its commit. */
int tl_repo_read_head(git_repository *git, char **refname, git_oid *parent,
	int *has_parent, struct tl_err *err);
/* The tree of base (NULL: empty) with the staged paths upserted or
 * removed (it is rewound first). Built a batch of paths at a time, each
 * batch's trees on the last's, so its memory does not grow with the
 * paths; after each batch, when not NULL, batch_done may write out the
 * objects made so far. */
int tl_repo_build_tree(git_oid *out, git_repository *git, git_tree *base,
	struct tl_stage_iter *it,
	int (*batch_done)(void *ctx, struct tl_err *err), void *ctx,
	struct tl_err *err);

/* Refuses a commit whose author or committer git would refuse. */
int tl_repo_check_idents(const struct tl_commit_opts *opts, struct tl_err *err);

/* Refuses absolute paths, "..", ".git" and empty segments. */
int tl_repo_check_path(const char *p, struct tl_err *err);

/* Steps 2 and 3 of the commit protocol for files already written and
 * hashed: lock the index, commit and move the branch by compare-and-swap
 * (objects created through git), re-add the paths to the index. Sorts st
 * by path. persist, when not NULL, runs before anything names the new
 * objects. */
int tl_repo_finish(struct tl_repo *r, git_repository *git, struct tl_staged *st,
	size_t n, const struct tl_commit_opts *opts,
	const struct tl_persist *persist, char *out_id, struct tl_err *err);
/* The same for staged files already in path order, from it. */
int tl_repo_finish_iter(struct tl_repo *r, git_repository *git,
	struct tl_stage_iter *it, const struct tl_commit_opts *opts,
	const struct tl_persist *persist, char *out_id, struct tl_err *err);

#endif

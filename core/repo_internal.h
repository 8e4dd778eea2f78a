#ifndef TL_REPO_INTERNAL_H
#define TL_REPO_INTERNAL_H
/* For core/ files that talk to libgit2 directly; not a public header. */
#include <git2.h>

#include "core/err.h"

struct tl_repo {
	git_repository *git;
	char *workdir;
	char *gitdir;
};

/* The one adapter from libgit2's errors to ours. */
int tl_git_fail(struct tl_err *err, int code, const char *what);

#endif

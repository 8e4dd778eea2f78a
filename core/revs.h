#ifndef TL_REVS_H
#define TL_REVS_H
/* Revisions by name and by ancestry (core/revs.c). */
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/repo.h"

/* The best common ancestor of two revisions, in hex (41 bytes). */
int tl_repo_merge_base(struct tl_repo *r, const char *a, const char *b,
	char *out_hex, struct tl_err *err);

/* METRICS.md's code identity: when rev is a commit of this repository
 * (hex, 7 to 40 digits), the id (hex, 41 bytes) of the trees at paths in
 * it, so that commits that change nothing there are the same code.
 * Returns 0 with out filled, TL_ENOTFOUND when rev is not such a commit. */
int tl_repo_code_id(struct tl_repo *r, const char *rev,
	const char *const *paths, size_t npaths, char *out_hex, int64_t *when,
	struct tl_err *err);

/* Whether commit hex is ancestor_hex or one of its descendants (both
 * full ids in hex; 0 when either is not a commit here). */
int tl_repo_descends(
	struct tl_repo *r, const char *hex, const char *ancestor_hex);

/* Resolves a revision to a commit id in hex (41 bytes). */
int tl_repo_resolve(
	struct tl_repo *r, const char *rev, char *out_hex, struct tl_err *err);

#endif

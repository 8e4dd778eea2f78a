#ifndef TL_ALIASES_H
#define TL_ALIASES_H
/*
 * The aliases of a project's cases (tally case mv): earlier key -> current
 * key, as committed at a revision. History comes from commits, so its
 * renames do too: an uncommitted aliases: edit changes history no more
 * than an uncommitted result does, and --at REV takes REV's.
 *
 * They are read from the cases' tree and kept in .git/tally/ by that
 * tree's id: a query whose cases did not change reads no case file (a
 * warm query on a tracker of 100,000 cases read every one of them), and
 * one whose cases changed reads only the files that did. The file is
 * versioned and checksummed; when it is missing, damaged or of another
 * tree it is rebuilt, silently, and deleting it changes no output.
 */
#include "core/err.h"
#include "core/store.h"
#include "core/value.h"

/* *out is a map (NULL when no case has aliases); rev NULL: HEAD, and no
 * aliases on an unborn branch. Of two cases naming the same alias, the
 * later in path order wins. */
int tl_aliases_load(struct tl_value **out, struct tl_store *s,
	const char *project, const char *rev, struct tl_err *err);

#endif

#ifndef TL_INDEX_H
#define TL_INDEX_H
/*
 * git's index, updated as a stream: the old file is read entry by entry
 * and merged with a commit's paths into a new one, holding neither whole
 * in memory. libgit2 reads every entry of an index into memory and
 * writes them all back: for a commit of one file in a tracker of 200,000
 * files that took 0.6 s and 70 MB, and for an import the index was the
 * largest thing it held. Not a public header.
 *
 * The format is git's (Documentation/gitformat-index.txt), versions 2, 3
 * and 4, written in the version read (2 when there is no index). The
 * optional extensions (the cache tree, the untracked cache, resolve-undo,
 * fsmonitor, the offset tables) are dropped, as git allows: git rebuilds
 * what it needs. An index this writer cannot carry (a split or sparse
 * index, an extension git requires readers to know) is left to libgit2.
 */
#include <stddef.h>

#include "core/err.h"
#include "core/repo_internal.h"

/* tl_index_update's answer when the index is one it leaves to libgit2. */
#define TL_INDEX_UNSUPPORTED 1

/* Writes to out_path the index at index_path (absent: an empty one) with
 * the staged files applied (read twice: it is rewound); a put's
 * stat data is taken from the file under workdir when it has none. An
 * entry of the old index that git would call racily clean (changed in
 * the second the old index was written) and whose file no longer has the
 * recorded stat data is smudged, as git does, so that git looks at its
 * content again. 0, TL_INDEX_UNSUPPORTED (out_path not written) or an
 * error (a damaged index: file:offset and why). */
int tl_index_update(const char *index_path, const char *workdir,
	struct tl_stage_iter *it, const char *out_path, struct tl_err *err);

#endif

#ifndef TL_BULK_H
#define TL_BULK_H
/*
 * A commit of many files in bounded memory (an import of 100,000 test
 * results). Files put here go to a spill file, not the work tree, until
 * tl_bulk_commit; nothing is written where a user can see it if the
 * caller gives up. Each put or remove is a record in a second file, not
 * an entry in memory. Meanwhile the blobs are hashed and packed on a
 * second thread (core/packer.h). The commit sorts the records into runs
 * on disk and merges them, in path order, into three streams: the files
 * (core/wtree.h, flushed with one syncfs), the tree (on that thread), and
 * the ordinary commit protocol's index (core/repo.h).
 */
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/repo.h"

struct tl_bulk;

int tl_bulk_open(struct tl_bulk **out, struct tl_repo *r, struct tl_err *err);
/* Puts a file. Puts and removes are kept in order, not looked up by path:
 * of several for one path, the last wins at the commit. */
int tl_bulk_put(struct tl_bulk *b, const char *path, const char *data,
	size_t len, struct tl_err *err);
int tl_bulk_remove(struct tl_bulk *b, const char *path, struct tl_err *err);
/* The mark of the next put or remove, to read its bytes back later. */
size_t tl_bulk_mark(const struct tl_bulk *b);
/* Reads back what the put with this mark wrote: TL_ENOTFOUND for a
 * remove, TL_EINVALID for a mark not given out or after the commit. */
int tl_bulk_read(
	struct tl_bulk *b, size_t mark, struct tl_buf *out, struct tl_err *err);
int tl_bulk_commit(struct tl_bulk *b, const struct tl_commit_opts *opts,
	char *out_id, struct tl_err *err);
void tl_bulk_free(struct tl_bulk *b);

#endif

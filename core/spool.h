#ifndef TL_SPOOL_H
#define TL_SPOOL_H
/*
 * Records put away in a temporary file and read back by their offset:
 * what a large import remembers of every test (its id and key) but reads
 * back rarely, so its memory does not grow with the report. The file is
 * unlinked at once; the last TL_SPOOL_BUF bytes are kept in memory until
 * they fill. Not a public header.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/spill.h"

/* 64 KiB: four times as large put a 100,000-test import's peak higher
 * (three spools are filling at once) and saved no time. */
#define TL_SPOOL_BUF ((size_t)64 << 10)

struct tl_spool {
	int fd;
	int open; /* 0 in a zeroed spool: fd is not its */
	off_t end; /* the bytes in the file */
	struct tl_buf wbuf; /* the bytes after them */
	struct tl_spill_reader in;
};

/* A spool in dir (the temporary folder for NULL). */
int tl_spool_open(struct tl_spool *s, const char *dir, struct tl_err *err);
/* Appends n bytes; *off is where to read them back. */
int tl_spool_add(struct tl_spool *s, const void *p, size_t n, uint64_t *off,
	struct tl_err *err);
/* Writes out what is kept in memory: the file then holds every record
 * added, up to s->end. */
int tl_spool_flush(struct tl_spool *s, struct tl_err *err);
/* The offset the next record will get. */
uint64_t tl_spool_tell(const struct tl_spool *s);
/* Overwrites the n bytes at off, all of one record added before. */
int tl_spool_set(struct tl_spool *s, uint64_t off, const void *p, size_t n,
	struct tl_err *err);
/* The n bytes at off (valid until the next call), or NULL with err. */
const char *tl_spool_get(
	struct tl_spool *s, uint64_t off, size_t n, struct tl_err *err);
void tl_spool_release(struct tl_spool *s);

#endif

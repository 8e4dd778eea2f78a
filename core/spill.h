#ifndef TL_SPILL_H
#define TL_SPILL_H
/*
 * Reads spans of a bulk commit's spill file (core/bulk.h) through a few
 * windows of 256 KiB: a pread(2) per file was two system calls of the seven
 * a written file cost (one for its blob, one for the file), and on a
 * virtual machine a system call costs about a microsecond before it does
 * anything. Spans are asked for in a few rising streams (the packer's in
 * the order of the puts; the files' in path order, where the case files
 * and the result files of an import each rise), so a handful of windows
 * catches nearly all of them. The file may still grow between reads: a
 * window then reads no further than what the reader was told is whole
 * (bytes being appended meanwhile are not read half-written).
 * Not a public header.
 */
#include <stddef.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/err.h"

#define TL_SPILL_WINDOWS 4
/* 64 KiB: a window of 256 KiB, with the spools' and the spill's buffers
 * as large, put a 100,000-test import's peak 1 MB higher, and reading
 * the spill in four times as many preads costs nothing measurable. */
#define TL_SPILL_WINDOW ((size_t)64 << 10)

struct tl_spill_window {
	char *buf;
	off_t off;
	size_t len;
	unsigned long used; /* the reader's clock at its last use */
};

struct tl_spill_reader {
	int fd;
	struct tl_spill_window w[TL_SPILL_WINDOWS];
	int nw; /* windows used: one per rising stream */
	off_t whole; /* the bytes known written, or 0: the whole file */
	unsigned long clock;
	struct tl_buf big; /* a span larger than a window */
	size_t size; /* of a window */
};

/* windows: how many streams the spans come in (at most
 * TL_SPILL_WINDOWS). */
void tl_spill_init(struct tl_spill_reader *r, int fd, int windows);
/* The same with windows of size bytes (TL_SPILL_WINDOW for 0): a reader
 * of one stream among many (a merge of sorted runs) takes less. */
void tl_spill_init_sized(
	struct tl_spill_reader *r, int fd, int windows, size_t size);
/* The file is whole up to end (it is being appended to past it). */
void tl_spill_whole(struct tl_spill_reader *r, off_t end);
/* The len bytes at off (valid until the next call), or NULL with err. */
const char *tl_spill_get(
	struct tl_spill_reader *r, off_t off, size_t len, struct tl_err *err);
/* The file's bytes at off were rewritten with p: the windows holding
 * them take the new ones. */
void tl_spill_patch(
	struct tl_spill_reader *r, off_t off, const void *p, size_t n);
void tl_spill_release(struct tl_spill_reader *r);

#endif

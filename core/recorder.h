#ifndef TL_RECORDER_H
#define TL_RECORDER_H
/*
 * The packer's object database (core/packer.c): what a bulk commit makes
 * (blobs, trees, the commit) is noted here until it is packed, its bytes
 * on disk, not in memory: a blob's stay in the bulk's spill file where
 * they already are, and what libgit2 writes (trees, the commit) goes to
 * a temporary file of the recorder's own. Only 40 bytes an object are
 * kept in memory (its id, type, length and place), and only for the
 * next pack's objects and for the trees and commits of packs already
 * written (a batch's tree is the next batch's base). Libgit2's mempack
 * kept the bytes too: 2.85 MB of a 100,000-test import's peak.
 *
 * Reads of anything older go through tl_reader_new's backend, which
 * reads the repository's object database and answers nothing else: a
 * write checks only the recorder for the object first, never the packs
 * on disk (each of whose indexes a search maps in whole: 3 MB of a
 * 100,000-test import's peak went to the indexes of its own packs).
 *
 * Not a public header.
 */
#include <git2.h>
#include <git2/sys/odb_backend.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/fpmap.h"

struct tl_rec_obj {
	git_oid id;
	uint32_t len;
	uint64_t off; /* in the spill file, or the recorder's own */
	uint8_t type; /* git_object_t */
	uint8_t in_spill;
};

struct tl_recorder {
	git_odb_backend parent; /* first: libgit2 hands this back */
	int spill_fd; /* the blobs' bytes (borrowed) */
	int fd; /* the rest's: an unlinked temporary file */
	off_t end; /* the bytes in fd */
	struct tl_buf wbuf; /* the bytes after them */
	struct tl_rec_obj *v;
	size_t n, cap;
	size_t kept; /* v[0, kept): trees and commits already packed */
	size_t inserted; /* v[kept, inserted): in the packer's builder */
	size_t bytes; /* the length of v[kept, n) */
	struct tl_fpmap at; /* the id's fingerprint -> index in v */
};

/* A recorder whose own file is in dir; the odb it is added to owns it. */
int tl_recorder_new(struct tl_recorder **out, const char *dir, int spill_fd,
	struct tl_err *err);
/* A blob whose len bytes are at off in the spill file (noted once). */
void tl_recorder_note_blob(
	struct tl_recorder *r, const git_oid *id, uint64_t off, uint32_t len);
/* v[kept, n) are packed: the blobs are forgotten, the rest kept for
 * reading. */
void tl_recorder_packed(struct tl_recorder *r);

/* A backend that reads from odb (borrowed) and does nothing else. */
int tl_reader_new(git_odb_backend **out, git_odb *odb);

#endif

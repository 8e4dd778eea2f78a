#ifndef TALLY_IMPORT_SEEN_H
#define TALLY_IMPORT_SEEN_H
/*
 * The tests an import has seen (cmd_import.c), in memory that does not
 * grow with the reports: each test's id and key, and a 24-byte record of
 * it, are in two spool files (core/spool.h). One table finds them
 * (core/fpmap.h: 8 bytes a slot), by the fingerprint of the key a test's
 * id leads to before a clash is settled (its lookup key), lowercased: a
 * test seen again leads to the same one, and a new key that differs from
 * another test's only in letter case to the same one too. Every
 * candidate is confirmed against the strings read back, so a fingerprint
 * collision costs a read, never a wrong answer.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/fpmap.h"
#include "core/spool.h"

/* The final status of a test, for the counts. */
enum { ST_PASSED, ST_FAILED, ST_SKIPPED, ST_OTHER };

/* One test's record. */
struct pending {
	uint64_t rec; /* its "idlen keylen id key" in the strings spool */
	uint64_t result; /* the bulk's mark of its result file */
	unsigned status : 2, errored : 1, raw_ok : 1, todo : 1, skip : 1,
		new_case : 1;
};

struct seen {
	struct tl_spool recs; /* struct pending, by index */
	struct tl_spool strs; /* the ids and keys */
	/* the lookup key's, lowercased (and a key given a suffix by a clash
	 * under its own too) -> index */
	struct tl_fpmap keys;
	size_t n;
	struct tl_buf low, rec; /* scratch */
};

/* Its spools in dir (the temporary folder for NULL). */
int seen_open(struct seen *s, const char *dir, struct tl_err *err);
void seen_release(struct seen *s);
/* The test seen under id, whose lookup key lowercased is low: *at its
 * index and *p its record; *at is (uint32_t)-1 when there is none. */
int seen_find(struct seen *s, const char *low, size_t lowlen, const char *id,
	size_t idlen, uint32_t *at, struct pending *p, struct tl_err *err);
/* Whether a test seen has a key that, lowercased, is low. */
int seen_key_taken(struct seen *s, const char *low, size_t len, int *taken,
	struct tl_err *err);
/* A test seen for the first time, p so far (its new_case set), under id,
 * its lookup key lowercased low and its key: *at its index; p->rec is
 * set. */
int seen_add(struct seen *s, const char *low, size_t lowlen,
	const struct tl_buf *id, const struct tl_buf *key, struct pending *p,
	uint32_t *at, struct tl_err *err);
/* The test at's record, back after a change. */
int seen_put(struct seen *s, uint32_t at, const struct pending *p,
	struct tl_err *err);
/* p's id and key (valid until the next call). */
int seen_strings(struct seen *s, const struct pending *p, const char **id,
	uint32_t *idlen, const char **key, uint32_t *keylen,
	struct tl_err *err);
/* l: key lowercased (ASCII). */
void seen_lowered(struct tl_buf *l, const char *key, size_t len);

#endif

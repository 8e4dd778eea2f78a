#ifndef TL_HRECORD_H
#define TL_HRECORD_H
/*
 * What a run's blob parses to, as history keeps it: a kind ('E' a result,
 * 'R' a run.yaml, 'X' a file that does not parse) and NUL-ended fields,
 * each starting with '1' when present or '0' when not. Fresh and cached
 * blobs both go through this form (core/hcache.c stores it), so the cache
 * cannot change an output.
 *
 * Numbers are the 16 hex digits of their IEEE-754 bits (a time: of its
 * int64 seconds): exact, and far cheaper to write and read than "%.17g",
 * which was a third of parsing a result.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* The fields of an 'E' record, in order. */
enum {
	TL_HR_STATUS,
	TL_HR_OUTCOMES, /* every attempt's outcome, oldest first: "FFP" */
	TL_HR_DURATION, /* number */
	TL_HR_RETRY, /* number: the earlier attempts' durations */
	TL_HR_REVISION,
	TL_HR_MESSAGE,
	TL_HR_TYPE,
	TL_HR_TRACE, /* the start of the trace, when there is no message */
	TL_HR_ENV, /* "key=value" lines */
	TL_HR_TIME, /* number: when it started, when it says */
	TL_HR__COUNT
};

/* The fields of an 'R' record. */
enum { TL_HR_RUN_REVISION, TL_HR_RUN_ENV, TL_HR_RUN__COUNT };

/* The record of a blob at path ("RUN/run.yaml" or "RUN/results/..."). */
void tl_hrecord_encode(
	struct tl_buf *out, const char *path, const char *data, size_t len);

/* The two ways to it, exposed for the tests that hold them equal:
 * _flat reads a result of plain "key: value" lines only, and returns 0
 * when it wrote the record, -1 when the file needs the YAML parser
 * (_full), which reads every file. */
int tl_hrecord_encode_flat(struct tl_buf *out, const char *data, size_t len);
void tl_hrecord_encode_full(
	struct tl_buf *out, const char *path, const char *data, size_t len);

/* Splits a record into its kind and its first nf fields (NULL when
 * absent); 0 when it holds them all. */
int tl_hrecord_decode(
	const char *p, size_t len, char *kind, const char **f, size_t nf);

/* A number field's value (0 for NULL). */
double tl_hrecord_num(const char *f);
int64_t tl_hrecord_int(const char *f);

#endif

#ifndef TL_SIGNATURE_H
#define TL_SIGNATURE_H
/*
 * Failure signatures, sig-v1 of METRICS.md: the first line of a failure,
 * with what varies from run to run (ids, times, addresses, numbers)
 * replaced by placeholders, then the workspace's failures.normalize rules;
 * the id is the first 16 bytes of SHA-256 over "sig-v1\0" type "\0" text.
 * Signatures are derived, never stored in result files.
 */
#include "core/buf.h"
#include "core/err.h"
#include "core/value.h"

#define TL_SIG_VERSION "sig-v1"

struct tl_sigrules;

/* The built-in rules plus normalize (a sequence of {match, replace}; may be
 * NULL), compiled once. */
int tl_sigrules_new(struct tl_sigrules **out, const struct tl_value *normalize,
	struct tl_err *err);
void tl_sigrules_free(struct tl_sigrules *r);

/* The normalized text of a failure (message, else trace) into text and
 * its id (33 bytes of hex). type may be NULL. */
int tl_signature(const struct tl_sigrules *r, const char *message,
	const char *trace, const char *type, struct tl_buf *text, char *id,
	struct tl_err *err);

#endif

#ifndef TL_QUARANTINE_H
#define TL_QUARANTINE_H
/*
 * quarantine.yaml in the tracker root (METRICS.md "Known issues and
 * quarantine"): a reviewed list of known failures,
 *
 *   - case: app/Api/reg           # either or both of case and signature
 *     signature: 21dd518c4d3b3f299a813b7e3182d061
 *     defect: BUG-12
 *     reason: the payment sandbox is down
 *     expires: 2026-12-31
 *
 * A failure is known when every given field matches and the entry has not
 * expired (it holds through the day it names).
 */
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/store.h"

struct tl_qentry {
	char *casekey; /* a case key of the project; may be NULL */
	char *signature; /* sig-v1 id; may be NULL */
	char *defect, *reason, *expires;
	int64_t until; /* the end of the expiry day, 0 for none */
	unsigned line, col;
};

struct tl_quarantine {
	struct tl_qentry *v;
	size_t n;
};

/* Reads and validates the file; a missing file is an empty list. Errors
 * are "quarantine.yaml:line:col: ...". */
int tl_quarantine_load(
	struct tl_quarantine *q, struct tl_store *s, struct tl_err *err);
/* The entry that makes this failure known at time now, or NULL. */
const struct tl_qentry *tl_quarantine_match(const struct tl_quarantine *q,
	const char *casekey, const char *signature, int64_t now);
void tl_quarantine_release(struct tl_quarantine *q);

#endif

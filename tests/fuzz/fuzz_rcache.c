/* Fuzz target: the results index reader (core/rcache.c) on any file,
 * sealed with a right header and checksum first so that mutations reach
 * the record checks behind them. An index is a cache: a damaged one must
 * read as empty, never be followed out of its bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/rcache.h"

static char path[] = "/tmp/tally-fuzz-rcache-XXXXXX";
static int fd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	struct tl_rcache *c;
	if (fd < 0 && (fd = mkstemp(path)) < 0)
		abort();
	memcpy(copy, data, size);
	tl_rcache_seal(copy, size);
	if (ftruncate(fd, 0) || pwrite(fd, copy, size, 0) != (ssize_t)size)
		abort();
	free(copy);
	c = tl_rcache_open_at(path);
	/* every record is found by its key, and its entries walked (their
	 * paths looked up below an empty folder: /proc/self/fdinfo holds
	 * no paths of the index's kind) */
	for (size_t i = 0; i < c->n; i++) {
		if (tl_rcache_find(c, c->v[i].key) != &c->v[i])
			abort();
		if (c->v[i].start + c->v[i].len >
			(const unsigned char *)c->file.ptr + c->file.len)
			abort();
		c->stamp = INT64_MAX / 2;
		c->v[i].signed_at = INT64_MAX / 2;
		tl_rcache_still(c, &c->v[i], "/proc/self/fdinfo");
	}
	tl_rcache_free(c);
	return 0;
}

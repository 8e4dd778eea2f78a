/* Fuzz target: the history snapshot reader (core/hsnap.c) on any file,
 * sealed with its right checksum first so that mutations reach the
 * checks behind the sum (a snapshot is a cache: a damaged one must be
 * refused, never followed out of its mapping). */
#define _GNU_SOURCE /* memfd_create */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/hsnap.h"

static void touch(const char *s)
{
	if (s && strlen(s) > (size_t)1 << 31)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	int fd = memfd_create("hsnap", MFD_CLOEXEC);
	struct tl_hsnap_file *f;
	const struct tl_event *v;
	size_t n;
	if (fd < 0)
		abort();
	memcpy(copy, data, size);
	tl_hsnap_seal(copy, size);
	if (write(fd, copy, size) != (ssize_t)size)
		abort();
	free(copy);
	lseek(fd, 0, SEEK_SET);
	f = tl_hsnap_read_fd(fd);
	if (!f)
		return 0;
	/* every string of every event is inside the file, and ends there */
	v = tl_hsnap_file_events(f, &n);
	for (size_t i = 0; i < n; i++) {
		if (!v[i].casekey || !v[i].run || !v[i].outcomes ||
			!*v[i].outcomes)
			abort();
		const char *all[] = { v[i].casekey, v[i].run, v[i].status,
			v[i].outcomes, v[i].revision, v[i].message, v[i].type,
			v[i].trace, v[i].commit, v[i].author, v[i].environment,
			v[i].blob };
		for (size_t k = 0; k < sizeof(all) / sizeof(*all); k++)
			touch(all[k]);
	}
	tl_hsnap_file_free(f);
	return 0;
}

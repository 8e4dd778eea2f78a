/* Fuzz target: the streamed index update (core/index.c) on any file as
 * the old index, with a put and a remove to merge in. An index tally
 * writes must read back, through the same reader, to the same entries. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/index.h"

static char *dir;

static void put_file(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
}

static size_t file_size(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0)
		abort();
	fclose(f);
	return (size_t)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_staged st[2];
	struct tl_stage_array arr;
	struct tl_stage_iter it;
	char *in, *out, *again;
	int rc;
	if (!dir) {
		char tmpl[] = "/tmp/tally-fuzz-index-XXXXXX";
		if (!mkdtemp(tmpl))
			abort();
		dir = tl_strdup(tmpl);
	}
	in = tl_format("%s/index", dir);
	out = tl_format("%s/out", dir);
	again = tl_format("%s/again", dir);
	put_file(in, data, size);
	memset(st, 0, sizeof(st));
	st[0].path = "b/new.yaml";
	st[0].stat.has = 1;
	st[0].stat.size = 3;
	st[1].path = "c.yaml";
	st[1].remove = 1;
	it = tl_stage_array(&arr, st, 2);
	rc = tl_index_update(in, dir, &it, out, &err);
	tl_err_clear(&err);
	if (rc == 0) {
		/* ours reads back whole, and a second pass with the same
		 * paths changes nothing but what the racy check may smudge */
		if (tl_index_update(out, dir, &it, again, &err))
			abort();
		if (file_size(out) != file_size(again))
			abort();
		unlink(again);
	}
	unlink(out);
	free(in);
	free(out);
	free(again);
	return 0;
}

/* Fuzz target: the CTRF reader and its schema checks. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "formats/ctrf.h"

static int on_test(struct tl_test *t, void *ctx, struct tl_err *err)
{
	(void)err;
	++*(long *)ctx;
	return t->status == NULL || t->name == NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tl_err err = TL_ERR_INIT;
	long n = 0;
	FILE *f;
	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	tl_ctrf_read(f, "fuzz.json", on_test, &n, NULL, &err);
	tl_err_clear(&err);
	fclose(f);
	return 0;
}

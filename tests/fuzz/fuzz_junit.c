/* Fuzz target: the streaming JUnit reader. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "formats/junit.h"

static int on_test(struct tl_test *t, void *ctx, struct tl_err *err)
{
	(void)err;
	++*(long *)ctx;
	/* touch what a consumer reads */
	return t->status == NULL || t->name == NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_report_info info;
	long n = 0;
	FILE *f;
	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	tl_junit_read(f, "fuzz.xml", on_test, &n, &info, &err);
	tl_value_free(info.properties);
	tl_err_clear(&err);
	fclose(f);
	return 0;
}

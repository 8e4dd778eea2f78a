/* What the report fuzz targets share: a reader run over the input. */
#ifndef TL_REPORT_FUZZ_H
#define TL_REPORT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "formats/report.h"

typedef int (*report_reader)(FILE *f, const char *name, tl_test_fn fn,
	void *ctx, struct tl_report_info *info, struct tl_err *err);

static int on_test(struct tl_test *t, void *ctx, struct tl_err *err)
{
	(void)err;
	++*(long *)ctx;
	/* touch what a consumer reads */
	return t->status == NULL || t->name == NULL;
}

static inline int fuzz_report(
	report_reader read, const uint8_t *data, size_t size)
{
	struct tl_err err = TL_ERR_INIT;
	struct tl_report_info info = { NULL, -1 };
	long n = 0;
	FILE *f;
	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	read(f, "fuzz", on_test, &n, &info, &err);
	tl_value_free(info.properties);
	tl_err_clear(&err);
	fclose(f);
	return 0;
}

#endif

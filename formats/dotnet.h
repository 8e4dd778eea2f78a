#ifndef TL_FORMATS_DOTNET_H
#define TL_FORMATS_DOTNET_H
/*
 * The .NET reports, streamed with expat like JUnit (no entity expanded):
 * TRX (Visual Studio; data-driven InnerResults are not separate tests),
 * NUnit 3 (test-run), NUnit 2 (test-results) and xUnit.net v1 (assembly)
 * and v2 (assemblies). The root element tells which.
 */
#include <stdio.h>

#include "formats/report.h"

int tl_dotnet_read(FILE *f, const char *name, tl_test_fn fn, void *ctx,
	struct tl_report_info *info, struct tl_err *err);

#endif

/* Fuzz target: the CTRF reader. */
#include "formats/ctrf.h"
#include "report_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_report(tl_ctrf_read, data, size);
}

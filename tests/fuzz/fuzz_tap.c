/* Fuzz target: the TAP reader. */
#include "formats/tap.h"
#include "report_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_report(tl_tap_read, data, size);
}

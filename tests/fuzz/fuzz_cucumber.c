/* Fuzz target: the Cucumber JSON reader. */
#include "formats/cucumber.h"
#include "report_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_report(tl_cucumber_read, data, size);
}

/* Fuzz target: the JUnit reader. */
#include "formats/junit.h"
#include "report_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_report(tl_junit_read, data, size);
}

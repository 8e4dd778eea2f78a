/* Fuzz target: the TRX, NUnit and xUnit.net reader. */
#include "formats/dotnet.h"
#include "report_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_report(tl_dotnet_read, data, size);
}

/* Fuzz target: a result the flat reader takes reads, byte for byte, as
 * the YAML parser's way reads it (core/hrecord.h). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/hrecord.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tl_buf fast = TL_BUF_INIT, full = TL_BUF_INIT;
	const char *d = (const char *)data;
	if (!tl_hrecord_encode_flat(&fast, d, size)) {
		tl_hrecord_encode_full(&full, "r/results/c.yaml", d, size);
		if (fast.len != full.len ||
			memcmp(fast.ptr, full.ptr, fast.len))
			abort();
	}
	tl_hrecord_encode(&full, "r/run.yaml", d, size);
	tl_buf_release(&fast);
	tl_buf_release(&full);
	return 0;
}

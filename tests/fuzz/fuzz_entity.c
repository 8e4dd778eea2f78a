/* Fuzz target: every entity codec. What parses must write, and what is
 * written must parse back to the same bytes (the round-trip promise). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/entity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int k = 0; k < TL_KIND__COUNT; k++) {
		struct tl_err err = TL_ERR_INIT;
		void *e = NULL, *again = NULL;
		struct tl_buf a = TL_BUF_INIT, b = TL_BUF_INIT;
		if (tl_entity_parse(&e, k, "fuzz.yaml", (const char *)data,
			    size, &err) == 0) {
			if (tl_entity_write(&a, k, e, &err) != 0)
				abort();
			if (tl_entity_parse(&again, k, "again.yaml", a.ptr,
				    a.len, &err) != 0)
				abort();
			if (tl_entity_write(&b, k, again, &err) != 0)
				abort();
			if (a.len != b.len || memcmp(a.ptr, b.ptr, a.len))
				abort();
		}
		tl_entity_free(k, e);
		tl_entity_free(k, again);
		tl_buf_release(&a);
		tl_buf_release(&b);
		tl_err_clear(&err);
	}
	return 0;
}

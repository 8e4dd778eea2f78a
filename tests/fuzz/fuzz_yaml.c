/* Fuzz target: the YAML reader, then the canonical writer on what it read. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "formats/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tl_value *v = NULL;
	struct tl_err err = TL_ERR_INIT;
	if (tl_yaml_parse(&v, "fuzz.yaml", (const char *)data, size, &err) ==
			0 &&
		v) {
		struct tl_buf b = TL_BUF_INIT;
		struct tl_value *w = NULL;
		/* what the writer emits must read back */
		if (tl_yaml_emit(&b, v, &err) == 0 &&
			tl_yaml_parse(&w, "again.yaml", b.ptr, b.len, &err) !=
				0)
			abort();
		tl_value_free(w);
		tl_buf_release(&b);
	}
	tl_value_free(v);
	tl_err_clear(&err);
	return 0;
}

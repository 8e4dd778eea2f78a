#include "formats/csv.h"

#include <string.h>

#include "core/banned.h"

void tl_csv_field(struct tl_buf *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' &&
		(!*s || s[strlen(s) - 1] != ' ')) {
		tl_buf_puts(out, s);
		return;
	}
	tl_buf_putc(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			tl_buf_putc(out, '"');
		tl_buf_putc(out, *s);
	}
	tl_buf_putc(out, '"');
}

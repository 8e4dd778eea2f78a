#ifndef TL_FORMATS_CSV_H
#define TL_FORMATS_CSV_H
/* RFC 4180 fields: quoted when they hold a comma, quote or line break. */
#include "core/buf.h"

void tl_csv_field(struct tl_buf *out, const char *s);

#endif

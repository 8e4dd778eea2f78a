#ifndef TL_TIME_H
#define TL_TIME_H
/* RFC 3339 times and ISO dates, independent of the local time zone. */
#include <stdint.h>
#include <stddef.h>

/* Parses "2026-11-21T10:02:11Z" (fraction and +hh:mm offset allowed) into
 * seconds since the epoch. Returns 0, or -1 when s is not such a time. */
int tl_time_parse(const char *s, int64_t *out, int *tz_minutes);
/* Parses "2026-11-21". */
int tl_date_parse(const char *s, int64_t *out);
/* Writes "2026-11-21T10:02:11Z" into out (at least 21 bytes). */
void tl_time_format(int64_t t, char *out, size_t size);
/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
int64_t tl_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif

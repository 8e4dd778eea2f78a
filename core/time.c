#include "core/time.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/banned.h"

/* Howard Hinnant's days_from_civil: exact, no time zone, no timegm. */
int64_t tl_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dm[m - 1];
}

static int parse_ymd(const char *s, int *y, int *m, int *d)
{
	if (digits(s, 4, y) || s[4] != '-' || digits(s + 5, 2, m) ||
		s[7] != '-' || digits(s + 8, 2, d))
		return -1;
	if (*m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
		return -1;
	return 0;
}

int tl_date_parse(const char *s, int64_t *out)
{
	int y, m, d;
	if (strlen(s) != 10 || parse_ymd(s, &y, &m, &d))
		return -1;
	*out = tl_days_from_civil(y, (unsigned)m, (unsigned)d) * 86400;
	return 0;
}

int tl_time_parse(const char *s, int64_t *out, int *tz_minutes)
{
	int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
	const char *p;
	if (strlen(s) < 20 || parse_ymd(s, &y, &mo, &d))
		return -1;
	if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
		digits(s + 11, 2, &h) || s[13] != ':' ||
		digits(s + 14, 2, &mi) || s[16] != ':' ||
		digits(s + 17, 2, &se))
		return -1;
	if (h > 23 || mi > 59 || se > 60)
		return -1;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (digits(p + 1, 2, &oh) || p[3] != ':' ||
			digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	*out = tl_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
		h * 3600 + mi * 60 + se - sign * (oh * 3600 + om * 60);
	if (tz_minutes)
		*tz_minutes = sign * (oh * 60 + om);
	return 0;
}

void tl_time_format(int64_t t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) ||
		!strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, size, "invalid-time");
}

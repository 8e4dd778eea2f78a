#include "core/text.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

size_t tl_utf8_seq(const unsigned char *s, size_t left)
{
	size_t n;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong and surrogate forms */
	if (n == 3 &&
		((s[0] == 0xe0 && s[1] < 0xa0) ||
			(s[0] == 0xed && s[1] > 0x9f)))
		return 0;
	if (n == 4 &&
		((s[0] == 0xf0 && s[1] < 0x90) ||
			(s[0] == 0xf4 && s[1] > 0x8f)))
		return 0;
	return n;
}

void tl_text_clean(struct tl_buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t n = tl_utf8_seq(p + i, len - i);
		if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n') {
			i++;
			continue;
		}
		if (!n || (p[i] < 0x20 && p[i] != '\n' && p[i] != '\t') ||
			p[i] == 0x7f) {
			tl_buf_puts(out, "\xef\xbf\xbd");
			i += n ? n : 1;
			continue;
		}
		tl_buf_put(out, p + i, n);
		i += n;
	}
}

int tl_utf8_valid(const char *s, size_t len)
{
	size_t n;
	for (size_t i = 0; i < len; i += n)
		if (!(n = tl_utf8_seq((const unsigned char *)s + i, len - i)))
			return 0;
	return 1;
}

int tl_text_utf8_fix(struct tl_buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	int fixed = 0;
	for (size_t i = 0; i < len;) {
		size_t n = tl_utf8_seq(p + i, len - i);
		if (n) {
			tl_buf_put(out, p + i, n);
			i += n;
		} else {
			tl_buf_puts(out, "\xef\xbf\xbd");
			i++;
			fixed = 1;
		}
	}
	return fixed;
}

size_t tl_text_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

int tl_parse_size(const char *s, size_t *out)
{
	char *end;
	double v = strtod(s, &end);
	double mul = 1;
	if (end == s || v < 0)
		return -1;
	while (*end == ' ')
		end++;
	if (!*end || !strcmp(end, "B"))
		mul = 1;
	else if (!strcmp(end, "K") || !strcmp(end, "KB") ||
		!strcmp(end, "KiB") || !strcmp(end, "k"))
		mul = 1024;
	else if (!strcmp(end, "M") || !strcmp(end, "MB") || !strcmp(end, "MiB"))
		mul = 1024.0 * 1024;
	else if (!strcmp(end, "G") || !strcmp(end, "GB") || !strcmp(end, "GiB"))
		mul = 1024.0 * 1024 * 1024;
	else
		return -1;
	*out = (size_t)(v * mul);
	return 0;
}

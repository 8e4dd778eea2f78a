#include "core/key.h"
#include "core/text.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

static int reserved_windows_name(const char *s, size_t len)
{
	static const char *const names[] = { "con", "prn", "aux", "nul", NULL };
	size_t base = len;
	const char *dot = memchr(s, '.', len);
	if (dot)
		base = (size_t)(dot - s);
	if (base == 3) {
		char low[4];
		for (int i = 0; i < 3; i++)
			low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32
								   : s[i]);
		low[3] = '\0';
		for (const char *const *n = names; *n; n++)
			if (!strcmp(low, *n))
				return 1;
	}
	if (base == 4 && (s[3] >= '1' && s[3] <= '9')) {
		char low[4];
		for (int i = 0; i < 3; i++)
			low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32
								   : s[i]);
		low[3] = '\0';
		if (!strcmp(low, "com") || !strcmp(low, "lpt"))
			return 1;
	}
	return 0;
}

int tl_key_check_segment(
	const char *seg, size_t len, const char *what, struct tl_err *err)
{
	const unsigned char *s = (const unsigned char *)seg;
	if (!len)
		return tl_err_set(err, TL_EINVALID,
			"invalid %s key: empty path segment", what);
	if (len > TL_KEY_SEGMENT_MAX)
		return tl_err_set(err, TL_EINVALID,
			"invalid %s key '%.*s...': a segment is longer than %d bytes",
			what, 20, seg, TL_KEY_SEGMENT_MAX);
	if (s[0] == '.' || s[0] == '_' || s[0] == '-')
		return tl_err_set(err, TL_EINVALID,
			"invalid %s key '%.*s': a segment may not start with '%c'",
			what, (int)len, seg, s[0]);
	if (s[len - 1] == '.' || s[len - 1] == ' ')
		return tl_err_set(err, TL_EINVALID,
			"invalid %s key '%.*s': a segment may not end with '%c'",
			what, (int)len, seg, s[len - 1]);
	for (size_t i = 0; i < len;) {
		size_t n;
		if (s[i] < 0x20 || s[i] == 0x7f)
			return tl_err_set(err, TL_EINVALID,
				"invalid %s key: control character 0x%02x",
				what, s[i]);
		if (strchr("\\:*?\"<>|", s[i]))
			return tl_err_set(err, TL_EINVALID,
				"invalid %s key '%.*s': '%c' is not allowed",
				what, (int)len, seg, s[i]);
		n = tl_utf8_seq(s + i, len - i);
		if (!n)
			return tl_err_set(err, TL_EINVALID,
				"invalid %s key: not valid UTF-8", what);
		i += n;
	}
	if (reserved_windows_name(seg, len))
		return tl_err_set(err, TL_EINVALID,
			"invalid %s key '%.*s': a reserved device name on Windows",
			what, (int)len, seg);
	return 0;
}

int tl_key_check(const char *key, const char *what, struct tl_err *err)
{
	const char *p = key;
	int depth = 0;
	if (!*key)
		return tl_err_set(
			err, TL_EINVALID, "invalid %s key: empty", what);
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		int rc = tl_key_check_segment(p, len, what, err);
		if (rc)
			return rc;
		if (++depth > TL_KEY_DEPTH_MAX)
			return tl_err_set(err, TL_EINVALID,
				"invalid %s key: deeper than %d folders", what,
				TL_KEY_DEPTH_MAX);
		if (!slash)
			return 0;
		p = slash + 1;
	}
}

void tl_slugify(struct tl_buf *out, const char *text)
{
	size_t start = out->len;
	int dash = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		unsigned char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (dash && out->len > start)
				tl_buf_putc(out, '-');
			dash = 0;
			if (out->len - start >= TL_SLUG_MAX)
				break;
			tl_buf_putc(out, (char)c);
		} else {
			dash = 1;
		}
	}
	if (out->len == start)
		tl_buf_puts(out, "untitled");
	/* a cut may leave a dash at the end */
	while (out->len > start && out->ptr[out->len - 1] == '-')
		tl_buf_truncate(out, out->len - 1);
}

int tl_key_random(struct tl_buf *out, size_t n, struct tl_err *err)
{
	static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
	unsigned char bytes[16];
	int fd;
	ssize_t got;
	if (n > sizeof(bytes))
		n = sizeof(bytes);
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tl_err_set(err, TL_EIO, "cannot open /dev/urandom");
	got = read(fd, bytes, n);
	close(fd);
	if (got != (ssize_t)n)
		return tl_err_set(err, TL_EIO, "cannot read /dev/urandom");
	for (size_t i = 0; i < n; i++)
		tl_buf_putc(out, alphabet[bytes[i] & 31]);
	return 0;
}

int tl_key_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = (unsigned char)*a, cb = (unsigned char)*b;
		if (ca >= 'A' && ca <= 'Z')
			ca += 32;
		if (cb >= 'A' && cb <= 'Z')
			cb += 32;
		if (ca != cb)
			return ca - cb;
		if (!ca)
			return 0;
	}
}

/* Deriving a case's key from an imported test's ids (DESIGN.md "Keys"). */
#define SEGMENT_KEEP 56

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

void tl_key_add_hash(struct tl_buf *out, const char *of)
{
	tl_buf_printf(out, "-%06x", fnv1a(of) & 0xffffff);
}

/*
 * One path segment from any text: letters, digits, '.', '_' and '-' stay,
 * spaces become '-', anything else becomes '-' and marks the mapping lossy;
 * a lossy or long segment gets a short hash of the original, so two ids
 * never map to one key.
 */
static void segment(struct tl_buf *out, const char *s)
{
	size_t start = out->len;
	int lossy = 0, dash = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int keep = (*p >= 'a' && *p <= 'z') ||
			(*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			*p == '.' || *p == '_' || *p == '-';
		if (keep) {
			tl_buf_putc(out, (char)*p);
			dash = *p == '-';
			continue;
		}
		lossy |= *p != ' ';
		if (!dash && out->len > start)
			tl_buf_putc(out, '-');
		dash = 1;
	}
	while (out->len > start && strchr(".-", out->ptr[out->len - 1]))
		tl_buf_truncate(out, out->len - 1);
	{
		size_t lead = 0;
		while (start + lead < out->len &&
			strchr("._-", out->ptr[start + lead]))
			lead++;
		if (lead) {
			memmove(out->ptr + start, out->ptr + start + lead,
				out->len - start - lead + 1);
			out->len -= lead;
			lossy = 1;
		}
	}
	if (out->len == start) {
		tl_buf_puts(out, "unnamed");
		lossy = 1;
	}
	if (out->len - start > SEGMENT_KEEP) {
		tl_buf_truncate(out, start + SEGMENT_KEEP);
		lossy = 1;
	}
	{
		struct tl_err e = TL_ERR_INIT;
		if (tl_key_check_segment(
			    out->ptr + start, out->len - start, "case", &e))
			lossy = 1;
		tl_err_clear(&e);
	}
	if (lossy)
		tl_key_add_hash(out, s);
}

void tl_key_for_test(struct tl_buf *out, const char *prefix,
	const char *classname, const char *name)
{
	int depth = 0;
	if (prefix && *prefix) {
		char *p = tl_strdup(prefix), *save = p;
		for (char *seg = p; seg && *seg && depth < 4;) {
			char *slash = strchr(seg, '/');
			if (slash)
				*slash = '\0';
			if (*seg) {
				segment(out, seg);
				tl_buf_putc(out, '/');
				depth++;
			}
			seg = slash ? slash + 1 : NULL;
		}
		free(save);
	}
	if (classname && *classname) {
		/* com.acme.LoginTest, pkg/path, Module::Class: each a folder */
		char *c = tl_strdup(classname), *q = c;
		for (char *p = c; *p; p++)
			if (*p == ':' && p[1] == ':')
				*p = '.',
				memmove(p + 1, p + 2, strlen(p + 2) + 1);
		while (q && *q) {
			char *dot = strpbrk(q, "./\\");
			if (dot && depth < 14)
				*dot = '\0';
			else
				dot = NULL;
			if (*q) {
				segment(out, q);
				tl_buf_putc(out, '/');
				depth++;
			}
			q = dot ? dot + 1 : NULL;
		}
		free(c);
	}
	segment(out, name);
}

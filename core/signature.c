/* sig-v1: failure signatures (METRICS.md "Failure signatures"). */
#include "core/signature.h"
#include "core/regex.h"
#include "core/text.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define SIG_CAP 512

struct rule {
	struct tl_regex *re;
	char *with;
};

struct tl_sigrules {
	struct rule *v;
	size_t n;
};

/* In METRICS.md's order: the prefixes a log line starts with, then what
 * varies from run to run, most specific first. */
static const char *const builtin[][2] = {
	{ "\\x1b\\[[0-9;]*[A-Za-z]", "" },
	{ "\\s+", " " },
	{ "^\\[?\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}([.,]\\d+)?)?"
	  "(Z|[+-]\\d{2}:?\\d{2})?\\]? ?",
		"" },
	{ "^\\[?(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL|SEVERE)"
	  "\\]?:? ?",
		"" },
	{ "^\\[[^\\]\\s]*(thread|Thread|main|worker|pool)[^\\]]*\\] ?", "" },
	{ "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
	  "[0-9a-fA-F]{12}",
		"<uuid>" },
	{ "\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}([.,]\\d+)?)?"
	  "(Z|[+-]\\d{2}:?\\d{2})?",
		"<ts>" },
	{ "\\b\\d{1,2}:\\d{2}(:\\d{2}([.,]\\d+)?)?\\b", "<time>" },
	{ "\\b\\d{1,3}(\\.\\d{1,3}){3}(:\\d+)?\\b", "<ip>" },
	{ "(\\b[a-z][a-z0-9+.-]*://[^\\s?#]*)\\?[^\\s#]*", "$1?<q>" },
	{ "(/tmp|/var/tmp|/private/var/folders|[A-Za-z]:\\\\[^\\s]*\\\\Temp)"
	  "[/\\\\][^\\s:'\"]*",
		"<tmp>" },
	{ "@[0-9a-fA-F]{4,}\\b", "@<addr>" },
	{ "[A-Za-z0-9+/]{10,}={1,2}", "<b64>" },
	{ "0x[0-9a-fA-F]{8,}|\\b[0-9a-fA-F]{16,}\\b", "<hex>" },
	/* every other digit run, but not the 64 of <b64> */
	{ "<b64>(*SKIP)(*FAIL)|\\d+", "<n>" },
};

static int add(struct tl_sigrules *r, const char *match, const char *with,
	struct tl_err *err)
{
	struct tl_regex *re;
	int rc = tl_regex_new(&re, match, 0, err);
	if (rc)
		return rc;
	r->v = tl_realloc(r->v, tl_mul(r->n + 1, sizeof(*r->v)));
	r->v[r->n].re = re;
	r->v[r->n].with = tl_strdup(with);
	r->n++;
	return 0;
}

int tl_sigrules_new(struct tl_sigrules **out, const struct tl_value *normalize,
	struct tl_err *err)
{
	struct tl_sigrules *r = tl_calloc(1, sizeof(*r));
	int rc = 0;
	for (size_t i = 0; !rc && i < sizeof(builtin) / sizeof(*builtin); i++)
		rc = add(r, builtin[i][0], builtin[i][1], err);
	for (size_t i = 0; !rc && normalize && i < normalize->n; i++) {
		const char *m = tl_value_gets(normalize->items[i], "match");
		const char *w = tl_value_gets(normalize->items[i], "replace");
		if (!m)
			rc = tl_err_set(err, TL_EINVALID,
				"failures.normalize[%zu]: no match", i);
		else
			rc = add(r, m, w ? w : "", err);
	}
	if (rc) {
		tl_sigrules_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void tl_sigrules_free(struct tl_sigrules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		tl_regex_free(r->v[i].re);
		free(r->v[i].with);
	}
	free(r->v);
	free(r);
}

/* The first line with text in s (NULL when none). */
static const char *first_line(const char *s, size_t *len)
{
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		for (size_t i = 0; i < n; i++)
			if (!strchr(" \t\r", s[i])) {
				*len = n;
				return s;
			}
		s = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static void trim(struct tl_buf *b)
{
	size_t start = 0;
	while (b->len && b->ptr[b->len - 1] == ' ')
		b->len--;
	while (start < b->len && b->ptr[start] == ' ')
		start++;
	memmove(b->ptr, b->ptr + start, b->len - start);
	b->len -= start;
	b->ptr[b->len] = '\0';
}

int tl_signature(const struct tl_sigrules *r, const char *message,
	const char *trace, const char *type, struct tl_buf *text, char *id,
	struct tl_err *err)
{
	struct tl_buf next = TL_BUF_INIT;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t len = 0;
	const char *line = first_line(message, &len);
	EVP_MD_CTX *h;
	int rc = 0;

	if (!line)
		line = first_line(trace, &len);
	tl_buf_reset(text);
	if (line)
		tl_buf_put(text, line, len);
	for (size_t i = 0; !rc && i < r->n; i++) {
		/* the blanks again after the rules that may leave some */
		rc = tl_regex_replace(r->v[i].re, text->ptr, text->len,
			r->v[i].with, &next, err);
		if (rc >= 0) {
			struct tl_buf t = *text;
			*text = next;
			next = t;
			rc = 0;
		}
		if (i == 1)
			trim(text);
	}
	tl_buf_release(&next);
	if (rc)
		return rc;
	{
		/* fold the blanks the workspace rules left, and cap */
		char *p = text->ptr, *q = text->ptr;
		for (; *p; p++)
			if (!(*p == ' ' && (q == text->ptr || q[-1] == ' ')) &&
				!(*p == '\t' || *p == '\r'))
				*q++ = *p;
		*q = '\0';
		text->len = (size_t)(q - text->ptr);
		trim(text);
		tl_buf_truncate(
			text, tl_text_cut(text->ptr, text->len, SIG_CAP));
	}
	h = EVP_MD_CTX_new();
	if (!h || !EVP_DigestInit_ex(h, EVP_sha256(), NULL) ||
		!EVP_DigestUpdate(h, TL_SIG_VERSION, sizeof(TL_SIG_VERSION)) ||
		!EVP_DigestUpdate(
			h, type ? type : "", type ? strlen(type) : 0) ||
		!EVP_DigestUpdate(h, "", 1) ||
		!EVP_DigestUpdate(h, text->ptr, text->len) ||
		!EVP_DigestFinal_ex(h, md, &mdlen))
		rc = tl_err_set(err, TL_ERROR, "SHA-256 failed");
	EVP_MD_CTX_free(h);
	for (size_t i = 0; !rc && i < 16; i++) {
		static const char hex[] = "0123456789abcdef";
		id[2 * i] = hex[md[i] >> 4];
		id[2 * i + 1] = hex[md[i] & 15];
	}
	id[32] = '\0';
	return rc;
}

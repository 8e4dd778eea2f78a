#define PCRE2_CODE_UNIT_WIDTH 8
#include "core/regex.h"
#include "core/buf.h"

#include <pcre2.h>
#include <stdlib.h>

#include "core/banned.h"

#define MATCH_LIMIT 1000000
#define DEPTH_LIMIT 10000

struct tl_regex {
	pcre2_code *code;
	pcre2_match_context *mctx;
	char *pattern;
};

int tl_regex_new(struct tl_regex **out, const char *pattern, int caseless,
	struct tl_err *err)
{
	struct tl_regex *re;
	int ec;
	PCRE2_SIZE off;
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;

	*out = NULL;
	if (caseless)
		opts |= PCRE2_CASELESS;
	re = tl_calloc(1, sizeof(*re));
	re->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
		opts, &ec, &off, NULL);
	if (!re->code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(ec, msg, sizeof(msg));
		free(re);
		return tl_err_set(err, TL_EINVALID,
			"invalid regular expression '%s' at offset %zu: %s",
			pattern, (size_t)off, (const char *)msg);
	}
	(void)pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE); /* optional */
	re->mctx = pcre2_match_context_create(NULL);
	if (!re->mctx) {
		tl_regex_free(re);
		return tl_err_set(err, TL_ERROR, "out of memory");
	}
	pcre2_set_match_limit(re->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(re->mctx, DEPTH_LIMIT);
	re->pattern = tl_strdup(pattern);
	*out = re;
	return 0;
}

int tl_regex_search(const struct tl_regex *re, const char *s, size_t len,
	struct tl_err *err)
{
	pcre2_match_data *md =
		pcre2_match_data_create_from_pattern(re->code, NULL);
	int rc;
	if (!md)
		return tl_err_set(err, TL_ERROR, "out of memory");
	rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, md, re->mctx);
	pcre2_match_data_free(md);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	{
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(rc, msg, sizeof(msg));
		return tl_err_set(err, TL_EINVALID, "matching '%s': %s",
			re->pattern, (const char *)msg);
	}
}

int tl_regex_replace(const struct tl_regex *re, const char *s, size_t len,
	const char *with, struct tl_buf *out, struct tl_err *err)
{
	/* pcre2 says how much room it needs when the first try is short */
	PCRE2_SIZE n = len * 2 + 64;
	int rc;
	for (int tries = 0; tries < 2; tries++) {
		tl_buf_reset(out);
		tl_buf_grow(out, n);
		rc = pcre2_substitute(re->code, (PCRE2_SPTR)s, len, 0,
			PCRE2_SUBSTITUTE_GLOBAL |
				PCRE2_SUBSTITUTE_OVERFLOW_LENGTH,
			NULL, re->mctx, (PCRE2_SPTR)with, PCRE2_ZERO_TERMINATED,
			(PCRE2_UCHAR *)out->ptr, &n);
		if (rc != PCRE2_ERROR_NOMEMORY)
			break;
	}
	if (rc >= 0) {
		out->len = n;
		out->ptr[n] = '\0';
		return rc;
	}
	{
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(rc, msg, sizeof(msg));
		tl_buf_reset(out);
		return tl_err_set(err, TL_EINVALID, "replacing '%s': %s",
			re->pattern, (const char *)msg);
	}
}

const char *tl_regex_version(void)
{
	static char v[64];
	if (!v[0])
		pcre2_config(PCRE2_CONFIG_VERSION, v);
	return v;
}

void tl_regex_free(struct tl_regex *re)
{
	if (!re)
		return;
	pcre2_code_free(re->code);
	pcre2_match_context_free(re->mctx);
	free(re->pattern);
	free(re);
}

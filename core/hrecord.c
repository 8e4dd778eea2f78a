/* A run's blob as a history record: see hrecord.h. */
#include "core/hrecord.h"
#include "core/metrics.h"
#include "core/model.h"
#include "core/time.h"
#include "core/value.h"
#include "formats/entity.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

/* A signature's fallback when there is no message: the start is enough. */
#define TRACE_KEPT 512

/* An environment as "key=value" lines (a line break in a value becomes
 * a blank); NULL when there is none. Caller frees. */
static char *env_lines(const struct tl_value *env)
{
	struct tl_buf b = TL_BUF_INIT;
	for (size_t i = 0; env && env->kind == TL_V_MAP && i < env->n; i++) {
		const char *v = tl_value_gets(env, env->keys[i]);
		if (b.len)
			tl_buf_putc(&b, '\n');
		tl_buf_printf(&b, "%s=", env->keys[i]);
		for (; v && *v; v++)
			tl_buf_putc(&b, *v == '\n' || *v == '\r' ? ' ' : *v);
	}
	if (!b.len) {
		tl_buf_release(&b);
		return NULL;
	}
	return tl_buf_detach(&b);
}

static void field(struct tl_buf *b, const char *s)
{
	tl_buf_putc(b, s ? '1' : '0');
	if (s)
		tl_buf_puts(b, s);
	tl_buf_putc(b, '\0');
}

static void field_bits(struct tl_buf *b, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char s[18];
	s[0] = '1';
	for (int i = 0; i < 16; i++)
		s[1 + i] = hex[(v >> (60 - 4 * i)) & 15];
	s[17] = '\0';
	tl_buf_put(b, s, sizeof(s));
}

static void field_num(struct tl_buf *b, const double *v)
{
	uint64_t bits;
	if (!v) {
		field(b, NULL);
		return;
	}
	memcpy(&bits, v, sizeof(bits));
	field_bits(b, bits);
}

/* What an 'E' record holds, however it was read. */
struct result {
	const char *status, *outcomes, *revision, *message, *type, *trace;
	const char *started, *env;
	const double *duration;
	double cost;
};

static void put_result(struct tl_buf *b, const struct result *r)
{
	int64_t t;
	tl_buf_putc(b, 'E');
	field(b, r->status);
	field(b, r->outcomes);
	field_num(b, r->duration);
	field_num(b, &r->cost);
	field(b, r->revision);
	field(b, r->message);
	field(b, r->type);
	if (r->trace && !r->message) {
		size_t n = 0; /* its start, up to TRACE_KEPT bytes */
		while (n < TRACE_KEPT && r->trace[n])
			n++;
		tl_buf_putc(b, '1');
		tl_buf_put(b, r->trace, n);
		tl_buf_putc(b, '\0');
	} else {
		field(b, NULL);
	}
	field(b, r->env);
	if (r->started && !tl_time_parse(r->started, &t, NULL))
		field_bits(b, (uint64_t)t);
	else
		field(b, NULL);
}

void tl_hrecord_encode_full(
	struct tl_buf *b, const char *path, const char *data, size_t len)
{
	struct tl_err ignore = TL_ERR_INIT;
	const char *slash = strchr(path, '/');
	tl_buf_reset(b);
	if (slash && !strcmp(slash, "/run.yaml")) {
		struct tl_run *r = NULL;
		if (tl_entity_parse((void **)&r, TL_KIND_RUN, path, data, len,
			    &ignore)) {
			tl_buf_putc(b, 'X');
		} else {
			char *env = env_lines(r->environment);
			tl_buf_putc(b, 'R');
			field(b, r->revision);
			field(b, env);
			free(env);
		}
		tl_entity_free(TL_KIND_RUN, r);
	} else {
		struct tl_result *x = NULL;
		struct tl_buf o = TL_BUF_INIT;
		struct result res;
		if (tl_entity_parse((void **)&x, TL_KIND_RESULT, path, data,
			    len, &ignore)) {
			tl_buf_putc(b, 'X');
			tl_err_clear(&ignore);
			return;
		}
		memset(&res, 0, sizeof(res));
		res.message = x->message;
		res.type = x->type;
		for (size_t i = 0; x->retries && i < x->retries->n; i++) {
			const struct tl_value *at = x->retries->items[i];
			const char *d = tl_value_gets(at, "duration");
			char oc = tl_outcome_of(tl_value_gets(at, "status"));
			tl_buf_putc(&o, oc);
			if (d)
				res.cost += strtod(d, NULL);
			/* passed on a retry: the failure is the last bad
			 * attempt's */
			if (!x->message && oc == 'F' &&
				tl_value_gets(at, "message")) {
				res.message = tl_value_gets(at, "message");
				res.type = tl_value_gets(at, "type");
			}
		}
		tl_buf_putc(&o, tl_outcome_of(x->status));
		res.status = x->status;
		res.outcomes = o.ptr;
		res.duration = x->duration.set ? &x->duration.v : NULL;
		res.revision = x->revision;
		res.trace = x->trace;
		res.started = x->started;
		res.env = env_lines(x->environment);
		put_result(b, &res);
		free((char *)res.env);
		tl_buf_release(&o);
		tl_entity_free(TL_KIND_RESULT, x);
	}
	tl_err_clear(&ignore);
}

/* A line's value the YAML parser would read as the plain scalar it
 * shows: no indicator first, no comment, no mapping inside, nothing
 * around it. Anything else goes to the parser. */
static int plain_value(const char *v, size_t n)
{
	if (!n || strchr("-?:,[]{}#&*!|>'\"%@` ", v[0]) || v[n - 1] == ' ' ||
		v[n - 1] == ':')
		return 0;
	for (size_t i = 0; i + 1 < n; i++)
		if ((v[i] == ':' && v[i + 1] == ' ') ||
			(v[i] == ' ' && v[i + 1] == '#'))
			return 0;
	return 1;
}

#define FLAT_MAX_LEN 65536 /* far below the parser's limits */
#define FLAT_MAX_KEYS 32

/* What each field of the result schema is to a record, and its key's
 * length, worked out once: comparing every key with each name for every
 * blob was a third of reading a result. */
enum role {
	R_NONE,
	R_STATUS,
	R_DURATION,
	R_REVISION,
	R_MESSAGE,
	R_TYPE,
	R_TRACE,
	R_STARTED
};
static unsigned char roles[FLAT_MAX_KEYS];
static size_t key_lens[FLAT_MAX_KEYS];
static pthread_once_t roles_once = PTHREAD_ONCE_INIT;

static void find_roles(void)
{
	static const char *const names[] = { NULL, "status", "duration",
		"revision", "message", "type", "trace", "started" };
	const struct tl_schema *s = tl_schema_of(TL_KIND_RESULT);
	for (size_t i = 0; i < s->nfields && i < FLAT_MAX_KEYS; i++) {
		key_lens[i] = strlen(s->fields[i].key);
		for (size_t r = 1; r < sizeof(names) / sizeof(*names); r++)
			if (!strcmp(s->fields[i].key, names[r]))
				roles[i] = (unsigned char)r;
	}
}

int tl_hrecord_encode_flat(struct tl_buf *out, const char *data, size_t len)
{
	const struct tl_schema *s = tl_schema_of(TL_KIND_RESULT);
	/* per schema field, its value in copy (NULL: absent or null) */
	const char *val[FLAT_MAX_KEYS] = { 0 };
	/* every key seen, for duplicates: offsets into copy */
	size_t key_at[FLAT_MAX_KEYS], key_len[FLAT_MAX_KEYS], nkeys = 0;
	struct result res;
	double duration;
	char outcomes[2];
	char *copy;
	int rc = -1;

	if (len > FLAT_MAX_LEN || s->nfields > FLAT_MAX_KEYS)
		return -1;
	pthread_once(&roles_once, find_roles);
	for (size_t i = 0; i < len; i++) { /* printable ASCII lines only */
		unsigned char c = (unsigned char)data[i];
		if ((c < 0x20 && c != '\n') || c > 0x7e)
			return -1;
	}
	/* values end where lines do */
	copy = tl_strndup(data, len);
	for (char *p = copy, *end = copy + len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *v, *k = p;
		size_t kn = 0, vn;
		const struct tl_fieldspec *f = NULL;
		size_t fi = 0;
		if (!nl)
			nl = end;
		*nl = '\0';
		if (*k < 'a' || *k > 'z')
			goto done;
		while ((k[kn] >= 'a' && k[kn] <= 'z') ||
			(k[kn] >= '0' && k[kn] <= '9') || k[kn] == '_')
			kn++;
		if (k[kn] != ':' || k[kn + 1] != ' ' || nkeys == FLAT_MAX_KEYS)
			goto done;
		v = k + kn + 2;
		vn = (size_t)(nl - v);
		if (!plain_value(v, vn))
			goto done;
		for (size_t i = 0; i < nkeys; i++)
			if (key_len[i] == kn &&
				!memcmp(copy + key_at[i], k, kn))
				goto done; /* the parser's error to give */
		key_at[nkeys] = (size_t)(k - copy);
		key_len[nkeys++] = kn;
		for (fi = 0; fi < s->nfields; fi++)
			if (key_lens[fi] == kn &&
				!memcmp(s->fields[fi].key, k, kn))
				break;
		f = fi < s->nfields ? &s->fields[fi] : NULL;
		p = nl + 1;
		if (!f)
			continue; /* a key of the user's: kept aside, unread */
		switch (tl_value_resolve(v, vn)) {
		case TL_T_NULL:
			continue; /* an empty key is an absent key */
		case TL_T_INT:
		case TL_T_FLOAT:
			break;
		default:
			if (f->type == TL_F_NUM)
				goto done;
		}
		switch (f->type) {
		case TL_F_STR:
		case TL_F_TEXT:
			break;
		case TL_F_ENUM: {
			const char *const *e = f->values;
			while (*e && strcmp(*e, v))
				e++;
			if (!*e)
				goto done;
			break;
		}
		case TL_F_TIME: {
			int64_t t;
			if (tl_time_parse(v, &t, NULL))
				goto done;
			break;
		}
		case TL_F_NUM:
			break;
		default: /* lists, mappings and the rest: the parser's */
			goto done;
		}
		val[fi] = v;
	}
	for (size_t i = 0; i < s->nfields; i++)
		if (s->fields[i].required && (!val[i] || !*val[i]))
			goto done;
	memset(&res, 0, sizeof(res));
	for (size_t i = 0; i < s->nfields; i++) {
		const char *v = val[i];
		switch ((enum role)roles[i]) {
		case R_STATUS:
			res.status = v;
			break;
		case R_DURATION:
			if (v)
				duration = strtod(v, NULL),
				res.duration = &duration;
			break;
		case R_REVISION:
			res.revision = v;
			break;
		case R_MESSAGE:
			res.message = v;
			break;
		case R_TYPE:
			res.type = v;
			break;
		case R_TRACE:
			res.trace = v;
			break;
		case R_STARTED:
			res.started = v;
			break;
		case R_NONE:
			break;
		}
	}
	outcomes[0] = tl_outcome_of(res.status);
	outcomes[1] = '\0';
	res.outcomes = outcomes;
	tl_buf_reset(out);
	put_result(out, &res);
	rc = 0;
done:
	free(copy);
	return rc;
}

void tl_hrecord_encode(
	struct tl_buf *out, const char *path, const char *data, size_t len)
{
	const char *slash = strchr(path, '/');
	if ((slash && !strcmp(slash, "/run.yaml")) ||
		tl_hrecord_encode_flat(out, data, len))
		tl_hrecord_encode_full(out, path, data, len);
}

int tl_hrecord_decode(
	const char *p, size_t len, char *kind, const char **f, size_t nf)
{
	const char *end = p + len;
	if (!len)
		return -1;
	*kind = *p++;
	for (size_t i = 0; i < nf; i++) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		if (p >= end || !nul)
			return -1;
		f[i] = *p == '1' ? p + 1 : NULL;
		p = nul + 1;
	}
	return 0;
}

static uint64_t bits_of(const char *f)
{
	uint64_t v = 0;
	for (int i = 0; f && i < 16 && f[i]; i++) {
		char c = f[i];
		v = v << 4 |
			((uint64_t)(c >= 'a' ? c - 'a' + 10 : c - '0') & 15);
	}
	return v;
}

double tl_hrecord_num(const char *f)
{
	uint64_t b = bits_of(f);
	double d;
	memcpy(&d, &b, sizeof(d));
	return d;
}

int64_t tl_hrecord_int(const char *f)
{
	return (int64_t)bits_of(f);
}

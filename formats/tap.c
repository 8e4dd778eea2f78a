#include "formats/tap.h"
#include "core/model.h"
#include "formats/yaml.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define LINE_MAX_BYTES (1u << 20)

struct tap {
	const char *name;
	tl_test_fn fn;
	void *ctx;
	struct tl_err *err;
	struct tl_test t; /* the pending top-level test point */
	int have; /* t holds a point not yet handed over */
	int raw_ok;
	struct tl_buf yaml; /* a YAML diagnostic block being read */
	int in_yaml;
	unsigned yaml_line;
	struct tl_buf sub; /* subtest lines, kept as the parent's trace */
	unsigned line;
	int bailed;
	int closed; /* a plan after the points ended the stream */
	int braces; /* inside a buffered subtest: "ok name {" ... "}" */
	int after_point; /* the previous line was a test point */
	int points; /* top-level points seen */
	long long next_id;
};

static int ieq_prefix(const char *s, const char *word)
{
	size_t n = strlen(word);
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)s[i]) != word[i])
			return 0;
	return 1;
}

static int flush(struct tap *p)
{
	int rc = 0;
	if (!p->have)
		return 0;
	p->t.errored = 0;
	rc = p->fn(&p->t, p->ctx, p->err);
	tl_test_reset(&p->t);
	p->have = 0;
	return rc;
}

/* The YAML diagnostics of TAP 13/14: message, severity, duration_ms, at,
 * stack... what the tracker keeps goes to the test. */
static void diagnostics(struct tap *p)
{
	struct tl_value *v = NULL;
	struct tl_err ignore = TL_ERR_INIT;
	const char *s;
	if (tl_yaml_parse(&v, p->name, p->yaml.ptr, p->yaml.len, &ignore) ||
		!v || v->kind != TL_V_MAP) {
		tl_err_clear(&ignore);
		tl_value_free(v);
		return; /* a broken diagnostic block is not fatal: it is a
			   comment */
	}
	if ((s = tl_value_gets(v, "message")) && !p->t.message)
		p->t.message = tl_strdup(s);
	if ((s = tl_value_gets(v, "duration_ms"))) {
		p->t.duration = strtod(s, NULL) / 1000;
		p->t.has_duration = p->t.duration >= 0;
	}
	if ((s = tl_value_gets(v, "stack")) || (s = tl_value_gets(v, "at")))
		tl_buf_puts(&p->t.trace, s);
	if ((s = tl_value_gets(v, "name")) && !p->t.type)
		p->t.type = tl_strdup(s);
	tl_value_free(v);
}

static int test_point(struct tap *p, const char *s)
{
	int ok = s[0] == 'o';
	const char *q = s + (ok ? 2 : 6);
	const char *hash;
	struct tl_buf desc = TL_BUF_INIT;
	int rc = flush(p);
	if (rc)
		return rc;
	while (*q == ' ')
		q++;
	if (isdigit((unsigned char)*q)) {
		long long id = strtoll(q, (char **)&q, 10);
		/* a huge number must not overflow the next one */
		p->next_id = id < LLONG_MAX ? id + 1 : LLONG_MAX;
		while (*q == ' ')
			q++;
	} else {
		if (p->next_id < LLONG_MAX)
			p->next_id++;
	}
	if (q[0] == '-' && q[1] == ' ')
		q += 2;
	/* the description ends at an unescaped '#' */
	for (hash = q; *hash; hash++) {
		if (*hash == '\\' && hash[1]) {
			tl_buf_putc(&desc, hash[1]);
			hash++;
			continue;
		}
		/* a directive's '#' follows whitespace or an escaped backslash:
		 * "title#skip" is a title (tap-parser), "a \\\\# todo" a TODO
		 * (the TAP 14 examples) */
		if (*hash == '#' &&
			(hash == q || hash[-1] == ' ' || hash[-1] == '\t' ||
				(hash - q >= 2 && hash[-1] == '\\' &&
					hash[-2] == '\\')))
			break;
		tl_buf_putc(&desc, *hash);
	}
	while (desc.len && desc.ptr[desc.len - 1] == ' ')
		tl_buf_truncate(&desc, desc.len - 1);
	tl_test_reset(&p->t);
	p->t.name = desc.len ? tl_buf_detach(&desc)
			     : tl_format("test %lld", p->next_id - 1);
	tl_buf_release(&desc);
	p->t.line = p->line;
	p->t.status = ok ? "passed" : "failed";
	p->raw_ok = ok;
	if (*hash == '#') {
		const char *d = hash + 1;
		while (*d == ' ')
			d++;
		if (ieq_prefix(d, "skip")) {
			/* # SKIP: not run, whether ok or not ok */
			p->t.status = "skipped";
			while (*d && *d != ' ')
				d++;
			while (*d == ' ')
				d++;
			if (*d)
				p->t.message = tl_strdup(d);
			p->t.directive = "skip";
		} else if (ieq_prefix(d, "todo")) {
			/* # TODO: a known gap; a failing TODO is not a failure
			 */
			while (*d && *d != ' ')
				d++;
			while (*d == ' ')
				d++;
			p->t.directive = "todo";
			if (!ok) {
				p->t.status = "skipped";
				p->t.message = tl_format(
					"TODO%s%s", *d ? ": " : "", d);
			}
		}
	}
	p->t.raw_ok = ok;
	/* a TAP 14 subtest comes before the point that sums it up */
	if (p->sub.len) {
		tl_buf_put(&p->t.trace, p->sub.ptr, p->sub.len);
		tl_buf_reset(&p->sub);
	}
	p->have = 1;
	return 0;
}

static int line_inner(struct tap *p, char *s, size_t len);

/* A YAML block belongs to the point on the line right above it. */
static int line(struct tap *p, char *s, size_t len)
{
	int was = p->points;
	int rc = line_inner(p, s, len);
	p->after_point = p->points != was;
	return rc;
}

static int line_inner(struct tap *p, char *s, size_t len)
{
	size_t indent = 0;
	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		s[--len] = '\0';
	while (indent < len && s[indent] == ' ')
		indent++;
	if (p->in_yaml && len && indent < 2) {
		/* a de-indented line ends the block, and is read as TAP */
		p->in_yaml = 0;
		diagnostics(p);
	}
	if (p->in_yaml) {
		if (indent >= 2 && !strcmp(s + indent, "...")) {
			p->in_yaml = 0;
			diagnostics(p);
			return 0;
		}
		/* the block is indented two spaces under its test point */
		tl_buf_puts(&p->yaml, len >= 2 ? s + 2 : "");
		tl_buf_putc(&p->yaml, '\n');
		return 0;
	}
	if (p->braces && indent == 0 &&
		(!strncmp(s, "ok", 2) || !strncmp(s, "not ok", 6)))
		p->braces = 0; /* a top-level point: the "{" was only a title */
	if (p->braces) {
		/* everything up to the closing brace is the child's */
		if (!strcmp(s, "}")) {
			p->braces = 0;
		} else {
			/* a buffered child follows its point */
			tl_buf_puts(
				&p->t.trace, s + (indent >= 4 ? 4 : indent));
			tl_buf_putc(&p->t.trace, '\n');
		}
		return 0;
	}
	if (indent >= 4) {
		/* a subtest (TAP 14) or an indented child stream: kept as the
		 * trace of the parent point that follows it */
		tl_buf_puts(&p->sub, s + 4);
		tl_buf_putc(&p->sub, '\n');
		return 0;
	}
	if (indent == 2 && !strcmp(s + 2, "---") && p->have && p->after_point) {
		p->in_yaml = 1;
		p->yaml_line = p->line;
		tl_buf_reset(&p->yaml);
		return 0;
	}
	s += indent;
	if ((!strncmp(s, "ok", 2) && (s[2] == ' ' || !s[2])) ||
		(!strncmp(s, "not ok", 6) && (s[6] == ' ' || !s[6]))) {
		if (p->closed)
			return 0; /* after a closing plan: junk, as tap-parser
				     has it */
		p->points++;
		{
			size_t n = strlen(s);
			int brace =
				n >= 2 && s[n - 1] == '{' && s[n - 2] == ' ';
			int rc;
			if (brace)
				s[n - 2] = '\0';
			rc = test_point(p, s);
			p->braces = brace;
			return rc;
		}
	}
	if (isdigit((unsigned char)s[0]) && strstr(s, "..")) {
		/* a plan: 1..0 skips everything; a plan after the points closes
		 * the stream */
		long long first = strtoll(s, NULL, 10);
		long long last = strtoll(strstr(s, "..") + 2, NULL, 10);
		if (first == 1 && last == 0) {
			if (p->have) {
				p->t.status = "skipped";
				p->t.directive = "skip";
			}
			p->closed = 1;
		} else if (p->points) {
			p->closed = 1;
		}
		return 0;
	}
	if (!strncmp(s, "Bail out!", 9)) {
		p->bailed = 1;
		return flush(p);
	}
	if (s[0] == '#' && p->have) {
		/* comments after a point are its output */
		if (!strncmp(s, "# Subtest", 9))
			return 0;
		if (p->t.output.len)
			tl_buf_putc(&p->t.output, '\n');
		tl_buf_puts(&p->t.output, s + 1 + (s[1] == ' '));
	}
	/* plans, "TAP version", pragmas and anything else: nothing to record */
	return 0;
}

/* getline that stops taking bytes past LINE_MAX_BYTES: a 2 GB file with
 * no newline costs 1 MiB, not 2 GB. Returns the line's length (more than
 * LINE_MAX_BYTES when cut), or -1 at the end. */
static ssize_t read_line(char **buf, size_t *cap, FILE *f)
{
	size_t n = 0;
	int ch;
	if (!*buf) {
		*cap = 256;
		*buf = tl_malloc(*cap);
	}
	while ((ch = getc_unlocked(f)) != EOF) {
		if (n <= LINE_MAX_BYTES) {
			if (n + 2 > *cap) {
				*cap *= 2;
				*buf = tl_realloc(*buf, *cap);
			}
			(*buf)[n] = (char)ch;
		}
		n++;
		if (ch == '\n' || n > LINE_MAX_BYTES)
			break;
	}
	if (!n)
		return -1;
	(*buf)[n <= LINE_MAX_BYTES ? n : LINE_MAX_BYTES] = '\0';
	return (ssize_t)n;
}

int tl_tap_read(FILE *f, const char *name, tl_test_fn fn, void *ctx,
	struct tl_report_info *info, struct tl_err *err)
{
	struct tap p;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0, any = 0;

	memset(&p, 0, sizeof(p));
	p.name = name;
	p.fn = fn;
	p.ctx = ctx;
	p.err = err;
	p.next_id = 1;
	tl_buf_init(&p.yaml, LINE_MAX_BYTES);
	tl_buf_init(&p.sub, TL_REPORT_TEXT_MAX);
	tl_test_reset(&p.t);
	if (info) {
		info->properties = NULL;
		info->declared_tests = -1;
	}
	while (!rc && !p.bailed && (n = read_line(&buf, &cap, f)) >= 0) {
		p.line++;
		if ((size_t)n > LINE_MAX_BYTES) {
			rc = tl_err_set(err, TL_EINVALID,
				"%s:%u:1: a line longer than 1 MiB", name,
				p.line);
			break;
		}
		if (memchr(buf, '\0', (size_t)n)) {
			rc = tl_err_set(err, TL_EINVALID,
				"%s:%u:1: a NUL byte: not a TAP stream", name,
				p.line);
			break;
		}
		any = 1;
		rc = line(&p, buf, (size_t)n);
	}
	if (!rc && p.in_yaml)
		diagnostics(&p); /* an unterminated block at the end */
	if (!rc)
		rc = flush(&p);
	if (!rc && !any)
		rc = tl_err_set(err, TL_EINVALID, "%s:1:1: empty file", name);
	free(buf);
	tl_test_reset(&p.t);
	tl_buf_release(&p.t.trace);
	tl_buf_release(&p.t.output);
	tl_buf_release(&p.yaml);
	tl_buf_release(&p.sub);
	return rc;
}

#include "formats/xml.h"
#include "core/buf.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define CHUNK 65536

struct tl_xml {
	XML_Parser p;
	const char *name;
	struct tl_err *err;
	const struct tl_xml_handlers *h;
	void *ud;
	int rc;
};

struct tl_xml *tl_xml_new(const char *name, struct tl_err *err)
{
	struct tl_xml *x = tl_calloc(1, sizeof(*x));
	x->name = name;
	x->err = err;
	x->p = XML_ParserCreate(NULL);
	if (!x->p) {
		free(x);
		tl_err_set(err, TL_ERROR, "cannot start the XML parser");
		return NULL;
	}
	return x;
}

void tl_xml_free(struct tl_xml *x)
{
	if (!x)
		return;
	XML_ParserFree(x->p);
	free(x);
}

void tl_xml_abort(struct tl_xml *x, int code)
{
	if (!x->rc)
		x->rc = code ? code : TL_ERROR;
	XML_StopParser(x->p, XML_FALSE);
}

void tl_xml_fail(struct tl_xml *x, const char *fmt, const char *arg)
{
	struct tl_buf b = TL_BUF_INIT;
	if (x->rc)
		return;
	tl_buf_printf(&b, "%s:%lu:%lu: ", x->name,
		(unsigned long)XML_GetCurrentLineNumber(x->p),
		(unsigned long)XML_GetCurrentColumnNumber(x->p) + 1);
	tl_buf_printf(&b, fmt, arg);
	tl_err_set(x->err, TL_EINVALID, "%s", b.ptr);
	tl_buf_release(&b);
	tl_xml_abort(x, TL_EINVALID);
}

int tl_xml_failed(const struct tl_xml *x)
{
	return x->rc;
}

unsigned tl_xml_line(const struct tl_xml *x)
{
	return (unsigned)XML_GetCurrentLineNumber(x->p);
}

const char *tl_xml_attr(const char **a, const char *name)
{
	for (; a && *a; a += 2)
		if (!strcmp(a[0], name))
			return a[1];
	return NULL;
}

static void XMLCALL on_start(void *data, const XML_Char *el, const XML_Char **a)
{
	struct tl_xml *x = data;
	if (!x->rc)
		x->h->start(x->ud, el, a);
}

static void XMLCALL on_end(void *data, const XML_Char *el)
{
	struct tl_xml *x = data;
	if (!x->rc)
		x->h->end(x->ud, el);
}

static void XMLCALL on_text(void *data, const XML_Char *s, int len)
{
	struct tl_xml *x = data;
	if (!x->rc)
		x->h->text(x->ud, s, len);
}

/* Any entity declaration stops the parse: nothing is ever expanded. */
static void XMLCALL on_entity(void *data, const XML_Char *name, int param,
	const XML_Char *value, int value_len, const XML_Char *base,
	const XML_Char *system_id, const XML_Char *public_id,
	const XML_Char *notation)
{
	(void)param;
	(void)value;
	(void)value_len;
	(void)base;
	(void)system_id;
	(void)public_id;
	(void)notation;
	tl_xml_fail(data,
		"the document declares the entity '%s'; entities are not expanded",
		name);
}

int tl_xml_run(
	struct tl_xml *x, FILE *f, const struct tl_xml_handlers *h, void *ud)
{
	char *buf = tl_malloc(CHUNK);
	int done = 0;
	x->h = h;
	x->ud = ud;
	XML_SetUserData(x->p, x);
	XML_SetElementHandler(x->p, on_start, on_end);
	XML_SetCharacterDataHandler(x->p, on_text);
	XML_SetEntityDeclHandler(x->p, on_entity);
	XML_SetParamEntityParsing(x->p, XML_PARAM_ENTITY_PARSING_NEVER);
	while (!done && !x->rc) {
		size_t n = fread(buf, 1, CHUNK, f);
		done = n < CHUNK;
		if (ferror(f)) {
			x->rc = tl_err_set(
				x->err, TL_EIO, "%s: read error", x->name);
			break;
		}
		if (XML_Parse(x->p, buf, (int)n, done) == XML_STATUS_ERROR &&
			!x->rc)
			x->rc = tl_err_set(x->err, TL_EINVALID,
				"%s:%lu:%lu: %s", x->name,
				(unsigned long)XML_GetCurrentLineNumber(x->p),
				(unsigned long)XML_GetCurrentColumnNumber(
					x->p) +
					1,
				XML_ErrorString(XML_GetErrorCode(x->p)));
	}
	free(buf);
	return x->rc;
}

#ifndef TL_FORMATS_XML_H
#define TL_FORMATS_XML_H
/*
 * The one expat driver of the XML report readers: streams a file in
 * chunks, refuses any document that declares an entity (no XXE, no
 * billion laughs), and words every error as "file:line:col: message".
 */
#include <stdio.h>

#include "core/err.h"

struct tl_xml;

struct tl_xml_handlers {
	void (*start)(void *ud, const char *el, const char **attrs);
	void (*end)(void *ud, const char *el);
	void (*text)(void *ud, const char *s, int len);
};

struct tl_xml *tl_xml_new(const char *name, struct tl_err *err);
/* Reads f to its end through the handlers; 0, or the error of the parse
 * or of a handler that stopped it. */
int tl_xml_run(
	struct tl_xml *x, FILE *f, const struct tl_xml_handlers *h, void *ud);
void tl_xml_free(struct tl_xml *x);
/* From a handler: stops the parse with "name:line:col: <fmt arg>". */
void tl_xml_fail(struct tl_xml *x, const char *fmt, const char *arg);
/* From a handler: stops the parse; the error is in err already. */
void tl_xml_abort(struct tl_xml *x, int code);
int tl_xml_failed(const struct tl_xml *x);
unsigned tl_xml_line(const struct tl_xml *x);
/* The value of an attribute, or NULL. */
const char *tl_xml_attr(const char **attrs, const char *name);

#endif

#include "core/err.h"
#include "core/buf.h"

#include <stdlib.h>

#include "core/banned.h"

static char *vformat(const char *fmt, va_list ap)
{
	struct tl_buf b = TL_BUF_INIT;
	tl_buf_vprintf(&b, fmt, ap);
	return tl_buf_detach(&b);
}

int tl_err_set(struct tl_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	if (!err)
		return code;
	/* format before freeing: the arguments may point into the old message
	 */
	va_start(ap, fmt);
	msg = vformat(fmt, ap);
	va_end(ap);
	free(err->msg);
	err->msg = msg;
	err->code = code;
	return code;
}

int tl_err_prefix(struct tl_err *err, const char *fmt, ...)
{
	struct tl_buf b = TL_BUF_INIT;
	va_list ap;
	if (!err)
		return TL_ERROR;
	va_start(ap, fmt);
	tl_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	tl_buf_printf(&b, ": %s", err->msg ? err->msg : "unknown error");
	free(err->msg);
	err->msg = tl_buf_detach(&b);
	if (!err->code)
		err->code = TL_ERROR;
	return err->code;
}

void tl_err_clear(struct tl_err *err)
{
	if (!err)
		return;
	free(err->msg);
	err->msg = NULL;
	err->code = 0;
}

int tl_err_move(struct tl_err *dst, struct tl_err *src)
{
	int code = src->code ? src->code : TL_ERROR;
	if (dst) {
		free(dst->msg);
		dst->msg = src->msg;
		dst->code = code;
	} else {
		free(src->msg);
	}
	src->msg = NULL;
	src->code = 0;
	return code;
}

int tl_err_exit_status(int code)
{
	switch (code) {
	case TL_OK:
		return 0;
	case TL_EUSAGE:
	case TL_EAMBIGUOUS:
		return 2;
	case TL_ENOTFOUND:
		return 3;
	case TL_EINVALID:
	case TL_ECONFLICT:
	case TL_EEXISTS:
		return 4;
	default:
		return 1;
	}
}

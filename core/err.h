#ifndef TL_ERR_H
#define TL_ERR_H
/*
 * Errors: every fallible function returns 0 or a negative TL_E* code and
 * fills a caller-owned struct tl_err with the message. Context is added on
 * the way up with tl_err_prefix ("loading 'x.yaml': 3:7: expected ...").
 * Only main() prints an error and maps its code to an exit status.
 */
#include <stdarg.h>

enum {
	TL_OK = 0,
	TL_ERROR = -1, /* generic failure (exit 1) */
	TL_EUSAGE = -2, /* bad command line (exit 2) */
	TL_ENOTFOUND = -3, /* no such entity, file or tracker (exit 3) */
	TL_EINVALID = -4, /* invalid data or input (exit 4) */
	TL_ECONFLICT = -5, /* concurrent change, lock held (exit 4) */
	TL_EEXISTS = -6, /* would overwrite (exit 4) */
	TL_EAMBIGUOUS = -7, /* reference matches several (exit 2) */
	TL_EIO = -8, /* file system (exit 1) */
	TL_EGIT = -9, /* libgit2 (exit 1) */
	TL_EFAILED = -10, /* the command ran and found problems (exit 1) */
};

struct tl_err {
	int code;
	char *msg; /* heap, owned; NULL when no error */
};

#define TL_ERR_INIT     \
	{               \
		0, NULL \
	}

/* Sets the error (replacing any earlier one) and returns code. */
int tl_err_set(struct tl_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prepends "<context>: " to the message; returns err->code. */
int tl_err_prefix(struct tl_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tl_err_clear(struct tl_err *err);
/* Moves src's error into dst (another thread's, say); returns its code. */
int tl_err_move(struct tl_err *dst, struct tl_err *src);
/* Maps a TL_E* code to the documented exit status. */
int tl_err_exit_status(int code);

#endif

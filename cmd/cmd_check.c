#include "cmd/tally.h"
#include "core/check.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

int cmd_check(struct ctx *c, struct args *a)
{
	struct tl_store *s;
	struct tl_problems p = { 0 };
	struct tl_buf out = TL_BUF_INIT;
	int rc;
	(void)a;

	rc = ctx_store(c, &s);
	if (rc == TL_EINVALID) {
		/* a broken tally.yaml is itself a problem to report */
		char *path = tl_strndup(c->err.msg, strcspn(c->err.msg, ":"));
		tl_problems_add_err(&p, path, c->err.msg);
		free(path);
		tl_err_clear(&c->err);
		rc = 0;
	} else if (rc) {
		return rc;
	} else if ((rc = tl_check(s, &p, &c->err))) {
		return rc;
	}
	if (c->format == FMT_JSON || c->format == FMT_YAML) {
		struct tl_value *rows = tl_value_seq();
		for (size_t i = 0; i < p.n; i++) {
			struct tl_value *r = tl_value_map();
			tl_value_put(r, "path", tl_value_str(p.v[i].path));
			tl_value_put(r, "line", tl_value_int(p.v[i].line));
			tl_value_put(r, "col", tl_value_int(p.v[i].col));
			tl_value_put(
				r, "message", tl_value_str(p.v[i].message));
			r->style = TL_STYLE_BLOCK;
			tl_value_push(rows, r);
		}
		rc = out_object(c, rows, NULL);
		tl_value_free(rows);
	} else {
		for (size_t i = 0; i < p.n; i++) {
			tl_buf_printf(&out, "%s%s", out_bold(c), p.v[i].path);
			if (p.v[i].line)
				tl_buf_printf(&out, ":%u:%u", p.v[i].line,
					p.v[i].col);
			tl_buf_printf(
				&out, ":%s %s\n", out_reset(c), p.v[i].message);
		}
		out_write(&out);
		if (!c->quiet)
			fprintf(stderr,
				p.n ? "%zu problem%s found\n"
				    : "no problems found\n",
				p.n, p.n == 1 ? "" : "s");
	}
	if (!rc && p.n)
		rc = TL_EFAILED;
	tl_buf_release(&out);
	tl_problems_release(&p);
	return rc;
}

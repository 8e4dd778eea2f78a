#include "cmd/tally.h"

const struct opt_spec opts_run_analyze[] = {
	{ "release", 0, OPT_STR, "RELEASE",
		"analyze every execution of a release", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

int cmd_run_analyze(struct ctx *c, struct args *a)
{
	(void)a;
	return tl_err_set(&c->err, TL_ERROR, "not yet");
}

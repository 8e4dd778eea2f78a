#include "cmd/tally.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

static const char *const formats[] = { "table", "json", "yaml", "csv", "md",
	NULL };
static const char *const colors[] = { "auto", "always", "never", NULL };

const struct opt_spec tl_global_opts[] = {
	{ "directory", 'C', OPT_STR, "DIR", "run as if started in DIR", NULL },
	{ "project", 0, OPT_STR, "KEY", "the project to work on", NULL },
	{ "all-projects", 0, OPT_FLAG, NULL,
		"every project (the workspace view)", NULL },
	{ "no-commit", 0, OPT_FLAG, NULL,
		"stage the change instead of committing it", NULL },
	{ "format", 0, OPT_STR, "FMT", "output: table, json, yaml, csv or md",
		formats },
	{ "color", 0, OPT_STR, "WHEN",
		"auto, always or never (NO_COLOR is honoured)", colors },
	{ "quiet", 'q', OPT_FLAG, NULL, "print only data and errors", NULL },
	{ "author", 0, OPT_STR, "\"NAME <EMAIL>\"", "author of the commit",
		NULL },
	{ "at", 0, OPT_STR, "REV",
		"read the tracker and its history as of REV (read-only commands)",
		NULL },
	{ "help", 'h', OPT_FLAG, NULL, "show this help", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

const struct opt_spec tl_list_opts[] = {
	{ "grep", 0, OPT_STR, "REGEX",
		"keep rows whose title or description matches", NULL },
	{ "field", 0, OPT_LIST, "NAME=VALUE",
		"keep rows whose custom field has this value", NULL },
	{ "sort", 0, OPT_STR, "[-]COLUMN",
		"sort by a column (- for descending)", NULL },
	{ "columns", 0, OPT_STR, "A,B,C", "the columns to show", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

const struct opt_spec *opt_find(
	const struct opt_spec *opts, const char *name, char shrt)
{
	if (!opts)
		return NULL;
	for (; opts->name; opts++)
		if ((name && !strcmp(opts->name, name)) ||
			(shrt && opts->shrt == shrt))
			return opts;
	return NULL;
}

static int is_list_command(const struct command *cmd)
{
	const char *sp = strrchr(cmd->name, ' ');
	return (sp && !strcmp(sp + 1, "list")) || !strcmp(cmd->name, "flaky") ||
		!strcmp(cmd->name, "diff") || !strcmp(cmd->name, "log");
}

/* Options a command accepts: its own, the list ones, then the globals. */
static const struct opt_spec *lookup(
	const struct command *cmd, const char *name, char shrt)
{
	const struct opt_spec *o = opt_find(cmd->opts, name, shrt);
	if (!o && is_list_command(cmd))
		o = opt_find(tl_list_opts, name, shrt);
	if (!o)
		o = opt_find(tl_global_opts, name, shrt);
	return o;
}

static int in(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

int ctx_apply_global(
	struct ctx *c, const char *name, const char *value, struct tl_err *err)
{
	if (!strcmp(name, "directory"))
		c->dir = value;
	else if (!strcmp(name, "project"))
		c->project = value;
	else if (!strcmp(name, "all-projects"))
		c->all_projects = 1;
	else if (!strcmp(name, "no-commit"))
		c->no_commit = 1;
	else if (!strcmp(name, "quiet"))
		c->quiet = 1;
	else if (!strcmp(name, "author"))
		c->author = value;
	else if (!strcmp(name, "at"))
		c->at = value;
	else if (!strcmp(name, "format")) {
		if (!in(formats, value))
			return tl_err_set(err, TL_EUSAGE,
				"--format takes table, json, yaml, csv or md, not '%s'",
				value);
		c->format = !strcmp(value, "json") ? FMT_JSON
			: !strcmp(value, "yaml")   ? FMT_YAML
			: !strcmp(value, "csv")	   ? FMT_CSV
			: !strcmp(value, "md")	   ? FMT_MD
						   : FMT_TABLE;
	} else if (!strcmp(name, "color")) {
		if (!in(colors, value))
			return tl_err_set(err, TL_EUSAGE,
				"--color takes auto, always or never, not '%s'",
				value);
		c->color = !strcmp(value, "always") ? 1
			: !strcmp(value, "never")
			? 0
			: (c->tty && !getenv("NO_COLOR"));
	}
	return 0;
}

static int set_value(struct args *a, struct ctx *c, const struct opt_spec *o,
	const char *value, struct tl_err *err)
{
	if (opt_find(tl_global_opts, o->name, 0) == o) {
		if (!strcmp(o->name, "help")) {
			tl_value_set(a->vals, "help", tl_value_bool(1));
			return 0;
		}
		return ctx_apply_global(c, o->name, value, err);
	}
	if (o->kind == OPT_LIST) {
		struct tl_value *l = tl_value_get(a->vals, o->name);
		if (!l) {
			l = tl_value_seq();
			tl_value_put(a->vals, o->name, l);
		}
		tl_value_push(l, tl_value_str(value));
	} else if (o->kind == OPT_FLAG) {
		tl_value_set(a->vals, o->name, tl_value_bool(1));
	} else {
		tl_value_set(a->vals, o->name, tl_value_str(value));
	}
	if (o->values && !in(o->values, value)) {
		struct tl_buf b = TL_BUF_INIT;
		int rc;
		for (const char *const *v = o->values; *v; v++)
			tl_buf_printf(
				&b, "%s%s", v == o->values ? "" : ", ", *v);
		rc = tl_err_set(err, TL_EUSAGE,
			"--%s takes one of %s, not '%s'", o->name, b.ptr,
			value);
		tl_buf_release(&b);
		return rc;
	}
	return 0;
}

int args_parse(struct args *a, const struct command *cmd, int argc, char **argv,
	struct ctx *c, struct tl_err *err)
{
	int only_pos = 0;
	memset(a, 0, sizeof(*a));
	a->cmd = cmd;
	a->vals = tl_value_map();
	for (int i = 0; i < argc; i++) {
		const char *s = argv[i], *value = NULL;
		const struct opt_spec *o;
		char *name = NULL;
		int rc;

		if (only_pos || s[0] != '-' || !s[1]) {
			tl_strlist_push(&a->pos, s);
			continue;
		}
		if (!strcmp(s, "--")) {
			only_pos = 1;
			continue;
		}
		if (s[1] == '-') {
			const char *eq = strchr(s + 2, '=');
			name = eq ? tl_strndup(s + 2, (size_t)(eq - s - 2))
				  : tl_strdup(s + 2);
			if (eq)
				value = eq + 1;
			o = lookup(cmd, name, 0);
		} else {
			o = lookup(cmd, NULL, s[1]);
			if (s[2])
				value = s + 2;
		}
		if (!o) {
			rc = tl_err_set(err, TL_EUSAGE,
				"unknown option '%s' for 'tally %s' (see tally %s --help)",
				s, cmd->name, cmd->name);
			free(name);
			return rc;
		}
		free(name);
		if (o->kind == OPT_FLAG && value && s[1] == '-')
			return tl_err_set(
				err, TL_EUSAGE, "--%s takes no value", o->name);
		if (o->kind == OPT_FLAG && value) {
			/* bundled short flags such as -qh are not supported */
			return tl_err_set(
				err, TL_EUSAGE, "unknown option '%s'", s);
		}
		if (o->kind != OPT_FLAG && !value) {
			if (i + 1 >= argc)
				return tl_err_set(err, TL_EUSAGE,
					"--%s needs a value (%s)", o->name,
					o->arg ? o->arg : "VALUE");
			value = argv[++i];
		}
		rc = set_value(a, c, o, value, err);
		if (rc)
			return rc;
	}
	return 0;
}

void args_release(struct args *a)
{
	tl_strlist_release(&a->pos);
	tl_value_free(a->vals);
	a->vals = NULL;
}

const char *arg_str(const struct args *a, const char *name)
{
	return tl_value_gets(a->vals, name);
}

int arg_number(struct ctx *c, const struct args *a, const char *name,
	size_t def, size_t *out)
{
	const char *v = arg_str(a, name);
	char *end;
	unsigned long n;
	*out = def;
	if (!v)
		return 0;
	n = strtoul(v, &end, 10);
	if (*end || !*v || n == 0 || n > 1000000)
		return tl_err_set(&c->err, TL_EUSAGE,
			"--%s wants a positive whole number, not '%s'", name,
			v);
	*out = n;
	return 0;
}

int arg_flag(const struct args *a, const char *name)
{
	return tl_value_get(a->vals, name) != NULL;
}

const struct tl_value *arg_list(const struct args *a, const char *name)
{
	return tl_value_get(a->vals, name);
}

const struct command *command_find(const char *name)
{
	for (const struct command *c = tl_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int command_is_group(const char *word)
{
	size_t n = strlen(word);
	for (const struct command *c = tl_commands; c->name; c++)
		if (!strncmp(c->name, word, n) && c->name[n] == ' ')
			return 1;
	return 0;
}

static void print_opts(FILE *f, const struct opt_spec *o)
{
	for (; o && o->name; o++) {
		char left[96];
		snprintf(left, sizeof(left), "%s%c%s--%s%s%s",
			o->shrt ? "-" : "", o->shrt ? o->shrt : ' ',
			o->shrt ? ", " : "  ", o->name, o->arg ? " " : "",
			o->arg ? o->arg : "");
		if (!o->shrt)
			memmove(left, left + 2, strlen(left + 2) + 1);
		fprintf(f, "  %-30s %s%s\n", left, o->help,
			o->kind == OPT_LIST ? " (repeatable)" : "");
	}
}

void print_command_help(FILE *f, const struct command *cmd)
{
	fprintf(f, "usage: tally %s [options]%s%s\n\n%s\n", cmd->name,
		cmd->usage ? " " : "", cmd->usage ? cmd->usage : "",
		cmd->summary);
	if (cmd->help)
		fprintf(f, "\n%s\n", cmd->help);
	if (cmd->opts && cmd->opts->name) {
		fprintf(f, "\noptions:\n");
		print_opts(f, cmd->opts);
	}
	if (is_list_command(cmd)) {
		fprintf(f, "\nlist options:\n");
		print_opts(f, tl_list_opts);
	}
	fprintf(f, "\nglobal options:\n");
	print_opts(f, tl_global_opts);
}

void print_group_help(FILE *f, const char *group)
{
	size_t n = strlen(group);
	fprintf(f, "usage: tally %s <command> [options]\n\ncommands:\n", group);
	for (const struct command *c = tl_commands; c->name; c++)
		if (!strncmp(c->name, group, n) && c->name[n] == ' ')
			fprintf(f, "  %-14s %s\n", c->name + n + 1, c->summary);
	fprintf(f, "\nRun 'tally %s <command> --help' for its options.\n",
		group);
}

void print_main_help(FILE *f)
{
	const char *last = "";
	size_t lastn = 0;
	fprintf(f,
		"usage: tally [global options] <command> [options] [args]\n\n"
		"tally is a test tracker whose database is a git repository of\n"
		"plain YAML files: every change is one commit.\n\ncommands:\n");
	for (const struct command *c = tl_commands; c->name; c++) {
		const char *sp = strchr(c->name, ' ');
		if (c->name[0] == '_')
			continue;
		if (sp) {
			size_t n = (size_t)(sp - c->name);
			if (n == lastn && !strncmp(last, c->name, n))
				continue;
			last = c->name;
			lastn = n;
			fprintf(f, "  %-.*s%*s", (int)n, c->name, (int)(16 - n),
				"");
			for (const struct command *d = c; d->name; d++)
				if (!strncmp(d->name, c->name, n) &&
					d->name[n] == ' ')
					fprintf(f, "%s%s", d == c ? "" : "|",
						d->name + n + 1);
			fputc('\n', f);
		} else {
			fprintf(f, "  %-16s%s\n", c->name, c->summary);
		}
	}
	fprintf(f, "\nglobal options:\n");
	print_opts(f, tl_global_opts);
	fprintf(f,
		"\nexit status: 0 ok, 1 failure (or problems found), 2 usage, "
		"3 not found, 4 invalid data or conflict\n"
		"Run 'tally <command> --help' for more.\n");
}

/*
 * tally __complete WORD... : the candidates for the last word, one per
 * line, then ":<directive>" (cobra's convention: 4 = no file names). The
 * shell scripts in completions/ are thin shims around this.
 */
#include "cmd/tally.h"
#include "core/runs.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define NO_FILES 4

static void say(struct tl_buf *b, const char *cur, const char *cand)
{
	if (!strncmp(cand, cur, strlen(cur)))
		tl_buf_printf(b, "%s\n", cand);
}

static void keys_of(
	struct ctx *c, const char *what, const char *cur, struct tl_buf *b)
{
	struct tl_store *s;
	struct tl_list l = { 0 };
	char *project = NULL;
	int rc;
	if (ctx_store(c, &s))
		return;
	if (!strcmp(what, "project")) {
		rc = tl_store_projects(s, &l, &c->err);
	} else {
		if (ctx_project(c, &project))
			return;
		if (!strcmp(what, "run")) {
			struct tl_runs runs;
			if (!tl_runs_load(&runs, s, project, 0, &c->err)) {
				for (size_t i = 0; i < runs.n; i++)
					say(b, cur, runs.v[i]->run->ent.key);
				tl_runs_release(&runs);
			}
			free(project);
			return;
		}
		rc = !strcmp(what, "case")
			? tl_store_cases(s, project, &l, &c->err)
			: !strcmp(what, "req")
			? tl_store_requirements(s, project, &l, &c->err)
			: !strcmp(what, "suite")
			? tl_store_suites(s, project, &l, &c->err)
			: !strcmp(what, "release")
			? tl_store_releases(s, project, &l, &c->err)
			: !strcmp(what, "defect")
			? tl_store_defects(s, project, &l, &c->err)
			: -1;
	}
	for (size_t i = 0; !rc && i < l.n; i++)
		say(b, cur, ((struct tl_entity *)l.v[i])->key);
	tl_list_release(&l);
	free(project);
}

static void options_of(
	const struct opt_spec *o, const char *cur, struct tl_buf *b)
{
	for (; o && o->name; o++) {
		char *s = tl_format("--%s", o->name);
		say(b, cur, s);
		free(s);
	}
}

int cmd_complete(struct ctx *c, struct args *a)
{
	struct tl_buf b = TL_BUF_INIT;
	const char *cur = a->pos.n ? a->pos.v[a->pos.n - 1] : "";
	struct tl_strlist words = { 0 };
	const struct command *cmd = NULL;
	const struct opt_spec *pending = NULL;
	size_t used = 0;

	/* the words before the current one, global options applied */
	for (size_t i = 0; i + 1 < a->pos.n; i++) {
		const char *w = a->pos.v[i];
		const struct opt_spec *o = NULL;
		if (w[0] == '-' && w[1]) {
			const char *name = w[1] == '-' ? w + 2 : NULL;
			o = name ? opt_find(tl_global_opts, name, 0)
				 : opt_find(tl_global_opts, NULL, w[1]);
			if (!o && cmd)
				o = name ? opt_find(cmd->opts, name, 0)
					 : opt_find(cmd->opts, NULL, w[1]);
			if (!o && cmd && name)
				o = opt_find(tl_list_opts, name, 0);
			if (o && o->kind != OPT_FLAG && !strchr(w, '=')) {
				if (i + 2 < a->pos.n) {
					if (opt_find(tl_global_opts, o->name,
						    0) == o)
						ctx_apply_global(c, o->name,
							a->pos.v[i + 1],
							&c->err);
					i++;
				} else {
					pending = o;
				}
			}
			continue;
		}
		tl_strlist_push(&words, w);
		if (!cmd && words.n == 2) {
			char *two = tl_format("%s %s", words.v[0], words.v[1]);
			cmd = command_find(two);
			free(two);
			used = 2;
		}
		if (!cmd && words.n == 1 && !command_is_group(w)) {
			cmd = command_find(w);
			used = 1;
		}
	}
	if (pending) {
		if (pending->values)
			for (const char *const *v = pending->values; *v; v++)
				say(&b, cur, *v);
		else if (!strcmp(pending->name, "project"))
			keys_of(c, "project", cur, &b);
		else if (!strcmp(pending->name, "release"))
			keys_of(c, "release", cur, &b);
		else if (!strcmp(pending->name, "defect"))
			keys_of(c, "defect", cur, &b);
		else if (!strcmp(pending->name, "case") ||
			!strcmp(pending->name, "add-case") ||
			!strcmp(pending->name, "remove-case"))
			keys_of(c, "case", cur, &b);
		else if (!strcmp(pending->name, "suite") ||
			!strcmp(pending->name, "add-suite") ||
			!strcmp(pending->name, "remove-suite"))
			keys_of(c, "suite", cur, &b);
		else if (!strcmp(pending->name, "req") ||
			!strcmp(pending->name, "add-req") ||
			!strcmp(pending->name, "remove-req"))
			keys_of(c, "req", cur, &b);
		else if (!strcmp(pending->name, "directory")) {
			tl_buf_puts(&b, ":0\n");
			goto done;
		}
	} else if (cur[0] == '-') {
		if (cmd) {
			const char *sp = strrchr(cmd->name, ' ');
			options_of(cmd->opts, cur, &b);
			if (sp && !strcmp(sp + 1, "list"))
				options_of(tl_list_opts, cur, &b);
		}
		options_of(tl_global_opts, cur, &b);
	} else if (!words.n) {
		const char *last = "";
		size_t lastn = 0;
		for (const struct command *k = tl_commands; k->name; k++) {
			const char *sp = strchr(k->name, ' ');
			size_t n =
				sp ? (size_t)(sp - k->name) : strlen(k->name);
			if (k->name[0] == '_' ||
				(n == lastn && !strncmp(last, k->name, n)))
				continue;
			last = k->name;
			lastn = n;
			{
				char *w = tl_strndup(k->name, n);
				say(&b, cur, w);
				free(w);
			}
		}
	} else if (!cmd && words.n == 1 && command_is_group(words.v[0])) {
		size_t n = strlen(words.v[0]);
		for (const struct command *k = tl_commands; k->name; k++)
			if (!strncmp(k->name, words.v[0], n) &&
				k->name[n] == ' ')
				say(&b, cur, k->name + n + 1);
	} else if (cmd && !strcmp(cmd->name, "record")) {
		size_t at = words.n - used; /* the positional being completed */
		if (at == 0)
			keys_of(c, "run", cur, &b);
		else if (at == 2)
			for (const char *const *v = tl_statuses; *v; v++)
				say(&b, cur, *v);
		else
			keys_of(c, "case", cur, &b);
	} else if (cmd && cmd->complete &&
		words.n - used <
			(size_t)(cmd->max_args < 0 ? 1000 : cmd->max_args)) {
		keys_of(c, cmd->complete, cur, &b);
	} else if (cmd && !strcmp(cmd->name, "help") && words.n == 1) {
		for (const struct command *k = tl_commands; k->name; k++)
			if (!strchr(k->name, ' ') && k->name[0] != '_')
				say(&b, cur, k->name);
	} else if (cmd &&
		(!strcmp(cmd->name, "init") || !strcmp(cmd->name, "demo"))) {
		tl_buf_puts(&b, ":0\n");
		goto done;
	}
	tl_buf_printf(&b, ":%d\n", NO_FILES);
done:
	tl_err_clear(&c->err);
	out_write(&b);
	tl_buf_release(&b);
	tl_strlist_release(&words);
	return 0;
}

/*
 * tally's entry point: global options, the command table, and the one
 * place where an error is printed and turned into an exit status.
 */
#include "cmd/tally.h"
#include "core/hsnap.h"
#include "core/regex.h"
#include "core/repo.h"
#include "core/trace.h"
#include "formats/yaml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

#define LIST_HELP                                                             \
	"In a terminal the table is aligned with a header; on a pipe it is\n" \
	"tab-separated rows with no header. --format json is a stable contract."

const struct opt_spec opts_none[] = { { NULL, 0, 0, NULL, NULL, NULL } };

const struct command tl_commands[] = {
	{ "init", cmd_init, "[DIR]", "create a tracker (default DIR: qa)",
		"Writes DIR/tally.yaml and a first project, and commits them. Creates\n"
		"the git repository too when the current folder is not in one.",
		opts_init, 0, 1, NULL },
	{ "project new", cmd_project_new, "KEY", "add a project", NULL,
		opts_project_new, 1, 1, NULL },
	{ "project list", cmd_project_list, NULL, "list the projects",
		LIST_HELP, opts_none, 0, 0, NULL },
	{ "project show", cmd_project_show, "[PROJECT]", "show a project", NULL,
		opts_none, 0, 1, "project" },
	{ "case new", cmd_case_new, "TITLE", "add a test case",
		"The key is SUITE/slug-of-title unless --key gives it. Steps are\n"
		"\"ACTION => EXPECTED\".",
		opts_case_new, 1, 1, NULL },
	{ "case list", cmd_case_list, NULL, "list test cases", LIST_HELP,
		opts_case_list, 0, 0, NULL },
	{ "case show", cmd_case_show, "CASE", "show a test case",
		"CASE is a key, a unique prefix of one, or an exact title.",
		opts_none, 1, 1, "case" },
	{ "case edit", cmd_case_edit, "CASE", "change a test case",
		"With flags, changes those fields. With none, opens $VISUAL or $EDITOR\n"
		"on the file; the result is validated before it is committed, and an\n"
		"invalid edit is refused and left in the file, uncommitted.",
		opts_case_edit, 1, 1, "case" },
	{ "case rm", cmd_case_rm, "CASE", "remove a test case",
		"Its history stays in git.", opts_rm, 1, 1, "case" },
	{ "case mv", cmd_case_mv, "CASE NEW-KEY",
		"rename a test case; its history follows it",
		"The file moves, the old key goes to aliases: so history, flaky\n"
		"and diff follow the case; runs that select it, their results and\n"
		"attachments move too. One commit.",
		opts_none, 2, 2, "case" },
	{ "suite list", cmd_suite_list, NULL, "list suites (folders of cases)",
		LIST_HELP, opts_none, 0, 0, NULL },
	{ "suite show", cmd_suite_show, "SUITE", "show a suite and its cases",
		NULL, opts_none, 1, 1, "suite" },
	{ "req new", cmd_req_new, "TITLE", "add a requirement",
		"The key is --key (like REQ-12) or slug-of-title-xxxx.",
		opts_req_new, 1, 1, NULL },
	{ "req list", cmd_req_list, NULL, "list requirements", LIST_HELP,
		opts_req_list, 0, 0, NULL },
	{ "req show", cmd_req_show, "REQ",
		"show a requirement and the cases covering it", NULL, opts_none,
		1, 1, "req" },
	{ "req edit", cmd_req_edit, "REQ", "change a requirement",
		"With no flags, opens $VISUAL or $EDITOR on the file.",
		opts_req_edit, 1, 1, "req" },
	{ "req rm", cmd_req_rm, "REQ", "remove a requirement",
		"Refused while cases cover it, unless --force.", opts_rm, 1, 1,
		"req" },
	{ "run new", cmd_run_new, "TITLE",
		"start a test run or release execution",
		"Selects cases by --case, --suite (with sub-suites) and --req (the\n"
		"cases covering it); keeps those sources; --release makes it an\n"
		"execution of that release. The key is DATE-slug-xxxx.",
		opts_run_new, 1, 1, NULL },
	{ "run list", cmd_run_list, NULL, "list runs", LIST_HELP, opts_run_list,
		0, 0, NULL },
	{ "run show", cmd_run_show, "RUN", "show a run, its cases and progress",
		NULL, opts_none, 1, 1, "run" },
	{ "run edit", cmd_run_edit, "RUN", "change a run or its selection",
		"Re-resolves the selection from its sources. Unselecting a case\n"
		"that has a result is refused unless --force.",
		opts_run_edit, 1, 1, "run" },
	{ "run close", cmd_run_close, "RUN", "close a run (it refuses records)",
		NULL, opts_none, 1, 1, "run" },
	{ "run reopen", cmd_run_reopen, "RUN", "reopen a closed run", NULL,
		opts_none, 1, 1, "run" },
	{ "run rm", cmd_run_rm, "RUN", "remove a run and its results",
		"Its history stays in git.", opts_none, 1, 1, "run" },
	{ "run analyze", cmd_run_analyze, "[RUN]",
		"progress, ownership, hotspots and defect signals",
		"For a run, or with --release for every execution of a release.",
		opts_run_analyze, 0, 1, "run" },
	{ "record", cmd_record, "RUN CASE STATUS",
		"record a result: passed, failed, blocked, skipped, running, not-executed",
		"One commit. tally record RUN --status STATUS CASE... records several\n"
		"cases at once. Without --retry a new result replaces the old one\n"
		"(which stays in git history); with it the old one becomes an\n"
		"earlier attempt.",
		opts_record, 2, -1, "run" },
	{ "import", cmd_import, "FILE...",
		"import test reports (JUnit XML, ...) into a run, one commit",
		"The format is detected from the content; - reads standard input.\n"
		"Cases are matched by automation id and created as automated ones\n"
		"when new. --run adds to a run: a case recorded there already gets\n"
		"the new result, the old one becoming an earlier attempt. --format\n"
		"here is the input format; put an output format before the command\n"
		"(tally --format json import ...).",
		opts_import, 1, -1, NULL },
	{ "export", cmd_export, "RUN",
		"a run for people and tools: md, json, csv, junit or ctrf",
		"md is a pull-request comment (a summary line, the failures with\n"
		"their messages, the rest folded away); junit is read back by\n"
		"tally import to the same statuses; ctrf follows the CTRF schema.",
		opts_export, 1, 1, "run" },
	{ "history", cmd_history, "CASE",
		"every result of a case across runs, from the commits, with its metrics",
		"Results come from the commits, so runs deleted since still count.\n"
		"Shows a sparkline of statuses and durations, the METRICS.md rates,\n"
		"flip rates, state (regressed with its culprit range, flaky, ...),\n"
		"duration statistics and the failures grouped by message.",
		opts_history, 1, 1, "case" },
	{ "flaky", cmd_flaky, NULL,
		"cases ranked by flakiness, from the commits",
		"A case is listed when it is flaky (a FLAKY verdict on one revision\n"
		"in the evidence window), flaky-suspected (flips without same-code\n"
		"proof) or passed on a retry; --all lists every case.",
		opts_flaky, 0, 0, NULL },
	{ "failures", cmd_failures, NULL,
		"failures clustered by signature and category across runs",
		"Each cluster: its sig-v1 signature and normalized text, category\n"
		"(failures.categories), count, cases, first and last seen and an\n"
		"example message; then cases that fail in the same runs, and runs\n"
		"that look like infrastructure trouble (20+ results, over 80% bad).",
		opts_failures, 0, 0, NULL },
	{ "diff", cmd_diff, "[BASE...HEAD]",
		"what a change did to the tests: new failures, fixes, new flakes",
		"Compares, per case, the latest result reachable from each side.\n"
		"BASE...HEAD starts from their merge base, BASE..HEAD from BASE\n"
		"itself; with nothing, the upstream branch...HEAD. Classes: new\n"
		"failure, fixed, still failing, newly flaky, duration regression,\n"
		"known failure (quarantine.yaml), added and removed cases.\n"
		"--format md is a pull-request comment.",
		opts_diff, 0, 1, NULL },
	{ "gate", cmd_gate, "[BASE...HEAD]",
		"apply the gate: policy of tally.yaml to the diff; exit 1 on a violation",
		"Rules: max-new-failures (default 0), max-failures, min-pass-rate,\n"
		"max-flaky-rate, max-duration-regressions, min-tests. Known\n"
		"failures (quarantine.yaml) never count. Names every violated rule.",
		opts_diff, 0, 1, NULL },
	{ "log", cmd_log, "[RUN [CASE]]",
		"the audit trail: who changed which result or entity, from what to what",
		"From the commits, newest first: time, commit, author, what was\n"
		"added, changed or deleted, and a result's status before and after.\n"
		"RUN (its full key: deleted runs are found too) and CASE narrow it.",
		opts_log, 0, 2, "run" },
	{ "prune", cmd_prune, NULL,
		"remove old runs from the working tree, one commit; history keeps them",
		"--older-than 90d removes runs created more than 90 days ago,\n"
		"--keep N all but the N newest. History, flakiness and the audit\n"
		"trail come from the commits, so they do not change.",
		opts_prune, 0, 0, NULL },
	{ "release new", cmd_release_new, "KEY",
		"add a release (KEY like 1.4.0)", NULL, opts_release_new, 1, 1,
		NULL },
	{ "release list", cmd_release_list, NULL, "list releases", LIST_HELP,
		opts_none, 0, 0, NULL },
	{ "release show", cmd_release_show, "RELEASE",
		"progress and readiness of a release",
		"Counts each case of the release's executions once, by its latest\n"
		"result; standalone runs never count. Exits 1 when NOT READY.",
		opts_none, 1, 1, "release" },
	{ "release edit", cmd_release_edit, "RELEASE", "change a release", NULL,
		opts_release_edit, 1, 1, "release" },
	{ "defect new", cmd_defect_new, "TITLE", "add a local defect", NULL,
		opts_defect_new, 1, 1, NULL },
	{ "defect list", cmd_defect_list, NULL, "list defects", LIST_HELP,
		opts_defect_list, 0, 0, NULL },
	{ "defect show", cmd_defect_show, "DEFECT",
		"show a defect and the case runs it is linked to", NULL,
		opts_none, 1, 1, "defect" },
	{ "defect edit", cmd_defect_edit, "DEFECT", "change a defect", NULL,
		opts_defect_edit, 1, 1, "defect" },
	{ "defect close", cmd_defect_close, "DEFECT", "close a defect", NULL,
		opts_defect_close, 1, 1, "defect" },
	{ "defect rm", cmd_defect_rm, "DEFECT", "remove a defect",
		"Refused while case runs link it, unless --force.", opts_rm, 1,
		1, "defect" },
	{ "defect link", cmd_defect_link, "RUN:CASE DEFECT",
		"link a defect (local, or an external key) to a case run", NULL,
		opts_none, 2, 2, NULL },
	{ "defect unlink", cmd_defect_unlink, "RUN:CASE DEFECT",
		"unlink a defect from a case run", NULL, opts_none, 2, 2,
		NULL },
	{ "check", cmd_check, NULL, "validate every file of the tracker",
		"Checks syntax, schema, references, custom fields and duplicate\n"
		"automation ids, and prints each problem as path:line:col: message.\n"
		"Exits 1 when it finds any.",
		opts_none, 0, 0, NULL },
	{ "demo", cmd_demo, "[DIR]", "build a sample tracker and show it",
		"Builds the sample tracker compiled into tally in DIR (a new temporary\n"
		"folder when not given), one commit per change, and shows what it made.",
		opts_none, 0, 1, NULL },
	{ "help", cmd_help, "[COMMAND]", "show help for a command", NULL,
		opts_none, 0, 2, NULL },
	{ "version", cmd_version, NULL, "show the version", NULL, opts_none, 0,
		0, NULL },
	{ "__complete", cmd_complete, "WORDS...",
		"completion candidates (for the shell scripts)", NULL,
		opts_none, 0, -1, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL },
};

int cmd_help(struct ctx *c, struct args *a)
{
	struct tl_buf name = TL_BUF_INIT;
	const struct command *cmd;
	(void)c;
	if (!a->pos.n) {
		print_main_help(stdout);
		return 0;
	}
	for (size_t i = 0; i < a->pos.n; i++)
		tl_buf_printf(&name, "%s%s", i ? " " : "", a->pos.v[i]);
	cmd = command_find(name.ptr);
	if (cmd)
		print_command_help(stdout, cmd);
	else if (a->pos.n == 1 && command_is_group(a->pos.v[0]))
		print_group_help(stdout, a->pos.v[0]);
	else {
		tl_err_set(&c->err, TL_EUSAGE, "no such command: %s", name.ptr);
		tl_buf_release(&name);
		return TL_EUSAGE;
	}
	tl_buf_release(&name);
	return 0;
}

int cmd_version(struct ctx *c, struct args *a)
{
	char *git = tl_repo_libgit2_version();
	(void)c;
	(void)a;
	printf("tally %s (libgit2 %s, libyaml %s, pcre2 %s)\n", TALLY_VERSION,
		git, tl_yaml_version(), tl_regex_version());
	free(git);
	return 0;
}

/* The commands --at applies to: they only read. A command not named here
 * refuses --at, so a new command is safe until it is added. */
static int reads_only(const struct command *cmd)
{
	static const char *const names[] = { "project list", "project show",
		"case list", "case show", "suite list", "suite show",
		"req list", "req show", "run list", "run show", "run analyze",
		"release list", "release show", "defect list", "defect show",
		"export", "history", "flaky", "failures", "diff", "gate", "log",
		"check", "help", "version", NULL };
	for (const char *const *n = names; *n; n++)
		if (!strcmp(*n, cmd->name))
			return 1;
	return 0;
}

/* The commands that read the history snapshot (core/hsnap.h), at the
 * branch's tip: it is read ahead while they start. */
static int reads_history(const struct command *cmd)
{
	static const char *const names[] = { "history", "flaky", "failures",
		"diff", "gate", NULL };
	for (const char *const *n = names; *n; n++)
		if (!strcmp(*n, cmd->name))
			return 1;
	return 0;
}

static int run(struct ctx *c, int argc, char **argv)
{
	const struct command *cmd = NULL;
	struct args a;
	int i = 1, rc;

	/* global options before the command */
	while (i < argc && argv[i][0] == '-' && argv[i][1]) {
		const char *s = argv[i], *value = NULL;
		const struct opt_spec *o;
		if (!strcmp(s, "--version"))
			return cmd_version(c, NULL);
		if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			print_main_help(stdout);
			return 0;
		}
		if (s[1] == '-') {
			const char *eq = strchr(s + 2, '=');
			char *name = eq
				? tl_strndup(s + 2, (size_t)(eq - s - 2))
				: tl_strdup(s + 2);
			o = opt_find(tl_global_opts, name, 0);
			free(name);
			value = eq ? eq + 1 : NULL;
		} else {
			o = opt_find(tl_global_opts, NULL, s[1]);
			value = s[2] ? s + 2 : NULL;
		}
		if (!o)
			return tl_err_set(&c->err, TL_EUSAGE,
				"unknown option '%s' (see tally --help)", s);
		if (o->kind != OPT_FLAG && !value) {
			if (i + 1 >= argc)
				return tl_err_set(&c->err, TL_EUSAGE,
					"--%s needs a value", o->name);
			value = argv[++i];
		}
		if ((rc = ctx_apply_global(c, o->name, value, &c->err)))
			return rc;
		i++;
	}
	if (i >= argc) {
		print_main_help(stderr);
		return TL_EUSAGE;
	}
	if (i + 1 < argc) {
		char *two = tl_format("%s %s", argv[i], argv[i + 1]);
		cmd = command_find(two);
		free(two);
		if (cmd)
			i += 2;
	}
	if (!cmd && (cmd = command_find(argv[i])))
		i++;
	if (!cmd) {
		if (command_is_group(argv[i])) {
			int help = i + 1 < argc &&
				(!strcmp(argv[i + 1], "--help") ||
					!strcmp(argv[i + 1], "-h"));
			print_group_help(help ? stdout : stderr, argv[i]);
			if (help)
				return 0;
			if (i + 1 < argc)
				return tl_err_set(&c->err, TL_EUSAGE,
					"'%s' is not a %s command (see tally %s --help)",
					argv[i + 1], argv[i], argv[i]);
			return TL_EUSAGE;
		}
		return tl_err_set(&c->err, TL_EUSAGE,
			"'%s' is not a tally command (see tally --help)",
			argv[i]);
	}
	/* __complete takes words verbatim, options included */
	if (cmd->run == cmd_complete) {
		memset(&a, 0, sizeof(a));
		a.cmd = cmd;
		a.vals = tl_value_map();
		for (; i < argc; i++)
			tl_strlist_push(&a.pos, argv[i]);
	} else if ((rc = args_parse(&a, cmd, argc - i, argv + i, c, &c->err))) {
		args_release(&a);
		return rc;
	}
	if (c->at && !reads_only(cmd)) {
		rc = tl_err_set(&c->err, TL_EUSAGE,
			"--at reads the tracker as of a revision; 'tally %s' changes it",
			cmd->name);
		args_release(&a);
		return rc;
	}
	if (arg_flag(&a, "help")) {
		print_command_help(stdout, cmd);
		args_release(&a);
		return 0;
	}
	if ((int)a.pos.n < cmd->min_args ||
		(cmd->max_args >= 0 && (int)a.pos.n > cmd->max_args)) {
		rc = tl_err_set(&c->err, TL_EUSAGE, "usage: tally %s%s%s",
			cmd->name, cmd->usage ? " " : "",
			cmd->usage ? cmd->usage : "");
		args_release(&a);
		return rc;
	}
	if (c->dir && chdir(c->dir)) {
		rc = tl_err_set(&c->err, TL_ENOTFOUND,
			"cannot change to '%s': %s", c->dir, strerror(errno));
		args_release(&a);
		return rc;
	}
	if (!c->at && reads_history(cmd) && !getenv("TALLY_NO_CACHE"))
		c->ahead = tl_hsnap_ahead_start();
	rc = cmd->run(c, &a);
	args_release(&a);
	return rc;
}

int main(int argc, char **argv)
{
	struct ctx c;
	int rc, status;

	memset(&c, 0, sizeof(c));
	c.tty = isatty(STDOUT_FILENO);
	c.argv0 = argv[0];
	c.color = c.tty && !getenv("NO_COLOR");
	tl_trace_perf("start");
	rc = run(&c, argc, argv);
	status = tl_err_exit_status(rc);
	if (rc && c.err.msg)
		fprintf(stderr, "tally: %s\n", c.err.msg);
	if (fflush(stdout) || ferror(stdout)) {
		if (errno != EPIPE)
			fprintf(stderr, "tally: writing the output: %s\n",
				strerror(errno));
		status = status ? status : 1;
	}
	tl_hsnap_ahead_free(c.ahead); /* when no store took it */
	tl_store_free(c.store);
	tl_err_clear(&c.err);
	tl_strlist_release(&c.keep);
	tl_repo_shutdown();
	tl_trace_perf("exit");
	return status;
}

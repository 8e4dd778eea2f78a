#ifndef TALLY_CMD_H
#define TALLY_CMD_H
/*
 * The CLI: a table of commands (cmd/main.c), each with an option table
 * that drives parsing, --help and completion alike, and renderers that
 * turn rows of struct tl_value into tables, JSON, YAML, CSV or Markdown.
 */
#include <stdint.h>
#include <stdio.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/model.h"
#include "core/store.h"

enum opt_kind { OPT_FLAG, OPT_STR, OPT_LIST };

struct opt_spec {
	const char *name; /* long name, without -- */
	char shrt; /* short letter, or 0 */
	enum opt_kind kind;
	const char *arg; /* placeholder in help ("TITLE") */
	const char *help;
	const char *const *values; /* completion candidates for the value */
};

struct ctx;
struct args;
struct tl_hsnap_ahead;

struct command {
	const char *name; /* "case new" */
	int (*run)(struct ctx *c, struct args *a);
	const char *usage; /* positionals: "TITLE" */
	const char *summary;
	const char *help; /* what it does, in a few lines */
	const struct opt_spec *opts; /* ends with a NULL name; may be NULL */
	int min_args, max_args; /* max -1: unlimited */
	const char *complete; /* what positionals are: "case", "req", ... */
};

extern const struct command tl_commands[];
extern const struct opt_spec tl_global_opts[];
extern const struct opt_spec tl_list_opts[];

struct args {
	const struct command *cmd;
	struct tl_strlist pos;
	/* parsed option values, by name; lists keep every occurrence */
	struct tl_value *vals;
};

enum out_format { FMT_TABLE, FMT_JSON, FMT_YAML, FMT_CSV, FMT_MD };

struct ctx {
	const char *dir;
	const char *project;
	int all_projects;
	int no_commit;
	enum out_format format;
	int color;
	int quiet;
	const char *author;
	const char *at; /* --at REV: read the tracker as of REV */
	int tty;
	struct tl_store *store;
	/* the history snapshot read ahead, until the store takes it */
	struct tl_hsnap_ahead *ahead;
	struct tl_err err;
	struct tl_strlist keep; /* strings that live as long as the run */
	const char *argv0;
};

/* options.c */
int args_parse(struct args *a, const struct command *cmd, int argc, char **argv,
	struct ctx *c, struct tl_err *err);
void args_release(struct args *a);
const char *arg_str(const struct args *a, const char *name);
int arg_flag(const struct args *a, const char *name);
/* A positive whole number option (up to a million), def when absent. */
int arg_number(struct ctx *c, const struct args *a, const char *name,
	size_t def, size_t *out);
/* The occurrences of a list option (NULL when none). */
const struct tl_value *arg_list(const struct args *a, const char *name);
int ctx_apply_global(
	struct ctx *c, const char *name, const char *value, struct tl_err *err);
const struct opt_spec *opt_find(
	const struct opt_spec *opts, const char *name, char shrt);
void print_command_help(FILE *f, const struct command *cmd);
void print_group_help(FILE *f, const char *group);
void print_main_help(FILE *f);
const struct command *command_find(const char *name);
int command_is_group(const char *word);

/* context.c */
int ctx_store(struct ctx *c, struct tl_store **out);
/* The project to work on; caller frees. */
int ctx_project(struct ctx *c, char **key);
/* The projects a list covers: --all-projects gives every one. */
int ctx_projects(struct ctx *c, struct tl_strlist *out);
/* Commits the txn as one change; subject after "tally: ", trailers given
 * as "Key: value" lines. Prints what it did unless -q. */
int ctx_commit(struct ctx *c, struct tl_txn *t, const char *subject,
	const char *trailers, const char *key, const char *path);
/* Author and committer from --author, GIT_AUTHOR_*, git config. */
/* The commit protocol's stage hook: TALLY_TEST_KILL_AT's, or NULL. */
void (*ctx_stage_hook(struct ctx *c))(const char *);
int ctx_idents(struct ctx *c, struct tl_repo *repo, struct tl_ident *author,
	struct tl_ident *committer, struct tl_buf *scratch);
/* "Now" for created/started: GIT_AUTHOR_DATE when set (the commit's own
 * time), else the clock; with --at, once the store is open, REV's commit
 * time. */
int64_t ctx_now(struct ctx *c);
/* "Name <email>" of the author, for created-by; caller frees. */
char *ctx_author_string(struct ctx *c);
/* Opens $VISUAL/$EDITOR on a file and waits. */
int ctx_run_editor(struct ctx *c, const char *path);

/* output.c */
/* Renders rows (a sequence of mappings) after --grep, --field, --sort and
 * --columns; defaults: the columns shown when --columns is not given. */
int out_rows(struct ctx *c, struct args *a, struct tl_value *rows,
	const char *const *defaults, const char *const *all);
/* Row i of out_rows_each's n, made when it is written and freed after. */
typedef struct tl_value *(*out_row_fn)(void *ctx, size_t i);
/* As out_rows, for rows too many to hold as values at once (tally log's
 * trail): each is made by fn when its turn comes (twice for a table on a
 * terminal: its widths first), and the text is written as it is made.
 * With --sort every row is made first, as it must be. */
int out_rows_each(struct ctx *c, struct args *a, size_t n, out_row_fn fn,
	void *ctx, const char *const *defaults, const char *const *all);
/* Renders one object: JSON/YAML as data, or text through fn. */
int out_object(struct ctx *c, const struct tl_value *obj,
	void (*text)(
		struct ctx *c, const struct tl_value *obj, struct tl_buf *b));
/* Writes a buffer to stdout. */
void out_write(const struct tl_buf *b);
/* A cell's text: lists joined with ", ", maps as k=v. */
void out_cell(struct tl_buf *b, const struct tl_value *v);
const char *out_bold(struct ctx *c);
const char *out_reset(struct ctx *c);

/* The document of a run as run show --format json gives it, plus what an
 * export needs (automation, type, trace, output, started, retries): its
 * head (all but "cases") and each case's row, made when asked for, so
 * an export of 100,000 results does not hold them all as values. */
struct run_doc;
int run_doc_open(struct ctx *c, const char *ref, struct run_doc **out);
const struct tl_value *run_doc_head(const struct run_doc *doc);
size_t run_doc_count(const struct run_doc *doc);
/* Case i's status name, without making its row. */
const char *run_doc_status(const struct run_doc *doc, size_t i);
/* Case i's row; the caller frees it. */
struct tl_value *run_doc_row(const struct run_doc *doc, size_t i);
void run_doc_free(struct run_doc *doc);
/* Writes JSON of head, in which one value is the string
 * OUT_ROWS_MARK, with that value replaced by the array of n rows made
 * by fn (each freed once written); laid out as jansson would lay out the
 * whole. */
#define OUT_ROWS_MARK "\001tally-rows\001"
int out_json_rows(struct ctx *c, const struct tl_value *head, size_t n,
	out_row_fn fn, void *ctx, struct tl_buf *out);
/* out_object (JSON, YAML or CSV) of head, in which one value is the
 * string OUT_ROWS_MARK, with that value replaced by the sequence of n
 * rows made by fn, each freed once written: the same text as the whole
 * document, written as it is made. */
int out_object_rows(struct ctx *c, const struct tl_value *head, size_t n,
	out_row_fn fn, void *ctx, struct tl_buf *out);
/* Writes out to stdout and empties it once it holds 64 KiB or more. */
void out_spill(struct tl_buf *out);
/* A progress bar from a run's counts object (cmd_run.c). */
void progress_bar(struct tl_buf *b, const struct tl_value *counts, int width);

/* helpers shared by the entity commands (cmd_entity.c) */
struct tl_value *strlist_value(const struct tl_strlist *l);
struct tl_value *opt_strv(const char *s);
int edit_with_editor(struct ctx *c, enum tl_kind kind, const char *path,
	const char *key, void **out);
/* KEY=VALUE from --opt into *map (created when NULL); KEY= removes KEY. */
/* attachments: {max-size, text-cap} of tally.yaml, or their defaults. */
size_t attach_limit(struct tl_store *s, const char *key);
int opt_assign_kv(
	struct ctx *c, struct tl_value **map, const char *kv, const char *opt);
/* The key of a new requirement, defect, release or run: given (--key),
 * else prefix + slug-of-title + "-xxxx"; one safe folder name. */
int new_key(struct ctx *c, struct tl_buf *key, const char *given,
	const char *title, const char *prefix, const char *what);
/* Sets *dst from an option value: NULL leaves it, "" clears it. */
void opt_set_str(char **dst, const char *v);
/* Writes e (or removes the file when e is NULL) at the tracker path and
 * commits it as "tally: VERB KIND KEY" with Tally-Action, Tally-Project and
 * Tally-<Trailer> trailers. */
int commit_entity(struct ctx *c, enum tl_kind kind, const void *e,
	const char *path, const char *key, const char *project,
	const char *verb, const char *action, const char *trailer);

/* command handlers and their option tables, one file per group */
#define TL_DECLARE(fn) int fn(struct ctx *c, struct args *a)
TL_DECLARE(cmd_init);
TL_DECLARE(cmd_project_new);
TL_DECLARE(cmd_project_list);
TL_DECLARE(cmd_project_show);
TL_DECLARE(cmd_case_new);
TL_DECLARE(cmd_case_list);
TL_DECLARE(cmd_case_show);
TL_DECLARE(cmd_case_edit);
TL_DECLARE(cmd_case_rm);
TL_DECLARE(cmd_suite_list);
TL_DECLARE(cmd_suite_show);
TL_DECLARE(cmd_req_new);
TL_DECLARE(cmd_req_list);
TL_DECLARE(cmd_req_show);
TL_DECLARE(cmd_req_edit);
TL_DECLARE(cmd_req_rm);
TL_DECLARE(cmd_check);
TL_DECLARE(cmd_run_new);
TL_DECLARE(cmd_run_list);
TL_DECLARE(cmd_run_show);
TL_DECLARE(cmd_run_edit);
TL_DECLARE(cmd_run_close);
TL_DECLARE(cmd_run_reopen);
TL_DECLARE(cmd_run_rm);
TL_DECLARE(cmd_run_analyze);
TL_DECLARE(cmd_record);
TL_DECLARE(cmd_import);
TL_DECLARE(cmd_export);
TL_DECLARE(cmd_history);
TL_DECLARE(cmd_flaky);
TL_DECLARE(cmd_diff);
TL_DECLARE(cmd_gate);
TL_DECLARE(cmd_log);
TL_DECLARE(cmd_prune);
TL_DECLARE(cmd_case_mv);
TL_DECLARE(cmd_failures);
TL_DECLARE(cmd_release_new);
TL_DECLARE(cmd_release_list);
TL_DECLARE(cmd_release_show);
TL_DECLARE(cmd_release_edit);
TL_DECLARE(cmd_defect_new);
TL_DECLARE(cmd_defect_list);
TL_DECLARE(cmd_defect_show);
TL_DECLARE(cmd_defect_edit);
TL_DECLARE(cmd_defect_close);
TL_DECLARE(cmd_defect_rm);
TL_DECLARE(cmd_defect_link);
TL_DECLARE(cmd_defect_unlink);
TL_DECLARE(cmd_demo);
TL_DECLARE(cmd_complete);
TL_DECLARE(cmd_help);
TL_DECLARE(cmd_version);

extern const struct opt_spec opts_init[], opts_project_new[], opts_case_new[],
	opts_case_list[], opts_case_edit[], opts_rm[], opts_req_new[],
	opts_req_edit[], opts_req_list[], opts_none[], opts_run_new[],
	opts_run_edit[], opts_run_list[], opts_run_analyze[], opts_record[],
	opts_release_new[], opts_release_edit[], opts_defect_new[],
	opts_defect_edit[], opts_defect_close[], opts_defect_list[],
	opts_import[], opts_export[], opts_history[], opts_flaky[], opts_diff[],
	opts_log[], opts_prune[], opts_failures[];

/* A local defect (key, prefix, title) or an external key matching
 * defects.pattern; caller frees *out (cmd_record.c). */
int resolve_defect(struct ctx *c, struct tl_store *s, const char *project,
	const char *ref, char **out);

/* the sample tracker of tally demo (core/demo_data.c) */
struct tl_demo_file {
	const char *path; /* tracker path */
	const char *content; /* YAML */
	const char *subject; /* commit subject after "tally: " */
};
extern const struct tl_demo_file tl_demo_files[];
extern const char tl_demo_junit[], tl_demo_tap[];
#endif

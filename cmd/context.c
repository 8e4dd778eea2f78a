#include "cmd/tally.h"
#include "core/repo.h"
#include "core/snapshot.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/banned.h"

int ctx_store(struct ctx *c, struct tl_store **out)
{
	int rc = 0;
	if (!c->store) {
		rc = tl_store_open_at(&c->store, ".", c->at, &c->err);
		if (!rc) {
			c->store->ahead = c->ahead;
			c->ahead = NULL;
		}
	}
	*out = c->store;
	return rc;
}

int ctx_project(struct ctx *c, char **key)
{
	struct tl_store *s;
	int rc = ctx_store(c, &s);
	if (rc)
		return rc;
	return tl_store_project(s, c->project, key, &c->err);
}

int ctx_projects(struct ctx *c, struct tl_strlist *out)
{
	struct tl_store *s;
	struct tl_list l = { 0 };
	int rc;
	if (!c->all_projects) {
		char *key;
		rc = ctx_project(c, &key);
		if (!rc)
			tl_strlist_push(out, key);
		free(key);
		return rc;
	}
	if ((rc = ctx_store(c, &s)) || (rc = tl_store_projects(s, &l, &c->err)))
		return rc;
	for (size_t i = 0; i < l.n; i++) {
		const char *k = ((struct tl_entity *)l.v[i])->key;
		/* --project filters the workspace view */
		if (!c->project || !strcmp(c->project, k))
			tl_strlist_push(out, k);
	}
	tl_list_release(&l);
	return 0;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static int ident_date(struct tl_ident *id, const char *var, struct tl_err *err)
{
	const char *d = env(var);
	if (!d)
		return 0;
	if (tl_parse_git_date(d, &id->time, &id->tz_minutes))
		return tl_err_set(err, TL_EUSAGE,
			"%s: cannot read the date '%s' (use @SECONDS +ZZZZ or RFC 3339)",
			var, d);
	id->has_time = 1;
	return 0;
}

/* A copy owned by the context, so that an identity outlives the call that
 * made it (a command makes one or a few commits). */
static const char *keep(struct ctx *c, const char *s)
{
	if (!s)
		return NULL;
	tl_strlist_push(&c->keep, s);
	return c->keep.v[c->keep.n - 1];
}

/* git's order: GIT_*_NAME/EMAIL, then user.name/user.email, then EMAIL. */
int ctx_idents(struct ctx *c, struct tl_repo *repo, struct tl_ident *author,
	struct tl_ident *committer, struct tl_buf *scratch)
{
	char *cfg_name = tl_repo_config(repo, "user.name");
	char *cfg_email = tl_repo_config(repo, "user.email");
	char *an = NULL, *ae = NULL;
	const char *name, *email;
	int rc = 0;
	(void)scratch;

	memset(author, 0, sizeof(*author));
	memset(committer, 0, sizeof(*committer));
	if (c->author && tl_parse_ident(c->author, &an, &ae)) {
		rc = tl_err_set(&c->err, TL_EUSAGE,
			"--author takes \"Name <email>\", not '%s'", c->author);
		goto out;
	}
	name = env("GIT_AUTHOR_NAME") ? env("GIT_AUTHOR_NAME") : cfg_name;
	email = env("GIT_AUTHOR_EMAIL") ? env("GIT_AUTHOR_EMAIL")
		: cfg_email		? cfg_email
					: env("EMAIL");
	author->name = keep(c, an ? an : name);
	author->email = keep(c, ae ? ae : email);
	committer->name = keep(c,
		env("GIT_COMMITTER_NAME") ? env("GIT_COMMITTER_NAME")
					  : cfg_name);
	committer->email = keep(c,
		env("GIT_COMMITTER_EMAIL") ? env("GIT_COMMITTER_EMAIL")
			: cfg_email	   ? cfg_email
					   : env("EMAIL"));
	if (!committer->name || !committer->email) {
		committer->name = author->name;
		committer->email = author->email;
	}
	rc = ident_date(author, "GIT_AUTHOR_DATE", &c->err);
	if (!rc)
		rc = ident_date(committer, "GIT_COMMITTER_DATE", &c->err);
out:
	free(an);
	free(ae);
	free(cfg_name);
	free(cfg_email);
	return rc;
}

/* TALLY_TEST_KILL_AT=<stage> kills tally at that stage of the commit
 * protocol, for the tests that show a kill never leaves a half-written
 * file (like git's GIT_TEST_* variables). */
static void kill_at_stage(const char *name)
{
	const char *at = getenv("TALLY_TEST_KILL_AT");
	if (at && !strcmp(at, name))
		raise(SIGKILL);
}

void (*ctx_stage_hook(struct ctx *c))(const char *)
{
	(void)c;
	return getenv("TALLY_TEST_KILL_AT") ? kill_at_stage : NULL;
}

int ctx_commit(struct ctx *c, struct tl_txn *t, const char *subject,
	const char *trailers, const char *key, const char *path)
{
	struct tl_store *s;
	struct tl_ident author, committer;
	struct tl_buf msg = TL_BUF_INIT, out = TL_BUF_INIT;
	struct tl_commit_opts o = { 0 };
	char id[64] = "";
	int rc = ctx_store(c, &s);

	if (!rc)
		rc = ctx_idents(c, s->repo, &author, &committer, NULL);
	if (rc)
		return rc;
	tl_buf_printf(&msg, "tally: %s\n\n%s", subject, trailers);
	o.message = msg.ptr;
	o.author = &author;
	o.committer = &committer;
	o.no_commit = c->no_commit;
	o.stage = ctx_stage_hook(c);
	rc = tl_txn_commit(t, s, &o, id, &c->err);
	if (!rc && c->format == FMT_JSON) {
		struct tl_value *v = tl_value_map();
		tl_value_put(
			v, "key", key ? tl_value_str(key) : tl_value_null());
		tl_value_put(
			v, "path", path ? tl_value_str(path) : tl_value_null());
		tl_value_put(v, "commit",
			c->no_commit ? tl_value_null() : tl_value_str(id));
		rc = out_object(c, v, NULL);
		tl_value_free(v);
	} else if (!rc && !c->quiet) {
		if (c->no_commit)
			tl_buf_printf(
				&out, "%s (staged, not committed)\n", subject);
		else
			tl_buf_printf(&out, "%s [%.7s]\n", subject, id);
		out_write(&out);
	}
	tl_buf_release(&out);
	tl_buf_release(&msg);
	return rc;
}

int ctx_run_editor(struct ctx *c, const char *path)
{
	const char *editor = env("VISUAL") ? env("VISUAL") : env("EDITOR");
	pid_t pid;
	int status;
	char *script;

	if (!editor)
		editor = "vi";
	/* As git does: the editor is a shell snippet, the file its argument. */
	script = tl_format("%s \"$@\"", editor);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		free(script);
		return tl_err_set(&c->err, TL_ERROR,
			"cannot start the editor: %s", strerror(errno));
	}
	if (pid == 0) {
		execlp("sh", "sh", "-c", script, editor, path, (char *)NULL);
		_exit(127);
	}
	free(script);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return tl_err_set(&c->err, TL_ERROR,
				"waiting for the editor: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return tl_err_set(&c->err, TL_ERROR,
			"the editor '%s' failed; nothing was committed",
			editor);
	return 0;
}

int64_t ctx_now(struct ctx *c)
{
	const char *d = env("GIT_AUTHOR_DATE");
	int64_t t;
	int tz;
	/* with --at, "now" is that commit's time: windows of days end there */
	if (c->at && c->store && c->store->snap)
		return tl_snapshot_time(c->store->snap);
	if (d && !tl_parse_git_date(d, &t, &tz))
		return t;
	return (int64_t)time(NULL);
}

char *ctx_author_string(struct ctx *c)
{
	struct tl_ident a, cm;
	struct tl_store *s;
	if (ctx_store(c, &s) || ctx_idents(c, s->repo, &a, &cm, NULL) ||
		!a.name || !a.email) {
		tl_err_clear(&c->err);
		return NULL;
	}
	return tl_format("%s <%s>", a.name, a.email);
}

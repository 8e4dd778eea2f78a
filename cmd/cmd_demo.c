#include "cmd/tally.h"
#include "core/fs.h"
#include "core/runs.h"
#include "formats/entity.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

static enum tl_kind kind_of(const char *path)
{
	const char *base = strrchr(path, '/');
	if (!strcmp(path, "tally.yaml"))
		return TL_KIND_WORKSPACE;
	if (base && !strcmp(base, "/project.yaml"))
		return TL_KIND_PROJECT;
	if (base && !strcmp(base, "/_suite.yaml"))
		return TL_KIND_SUITE;
	if (strstr(path, "/requirements/"))
		return TL_KIND_REQUIREMENT;
	if (strstr(path, "/releases/"))
		return TL_KIND_RELEASE;
	if (strstr(path, "/defects/"))
		return TL_KIND_DEFECT;
	if (strstr(path, "/results/"))
		return TL_KIND_RESULT;
	if (base && !strcmp(base, "/run.yaml"))
		return TL_KIND_RUN;
	return TL_KIND_CASE;
}

static int make_dir(struct ctx *c, struct args *a, char **out)
{
	if (a->pos.n) {
		char **names;
		size_t n;
		int rc = tl_fs_mkdirs(a->pos.v[0], &c->err);
		if (rc)
			return rc;
		if ((rc = tl_fs_list(&names, &n, a->pos.v[0], -1, &c->err)))
			return rc;
		tl_fs_list_free(names, n);
		if (!n) { /* tl_fs_list skips dot entries: look for .git too */
			char *git = tl_path_join(a->pos.v[0], ".git");
			n = tl_fs_is_dir(git);
			free(git);
		}
		if (n)
			return tl_err_set(&c->err, TL_EEXISTS,
				"%s is not empty; give tally demo a new folder",
				a->pos.v[0]);
		*out = realpath(a->pos.v[0], NULL);
		return *out ? 0
			    : tl_err_set(&c->err, TL_EIO, "%s: %s", a->pos.v[0],
				      strerror(errno));
	}
	{
		const char *tmp = getenv("TMPDIR");
		char *templ = tl_format(
			"%s/tally-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(templ)) {
			int rc = tl_err_set(&c->err, TL_EIO,
				"cannot make a folder for the demo: %s",
				strerror(errno));
			free(templ);
			return rc;
		}
		*out = templ;
	}
	return 0;
}

/* Commits the sample files, one commit per subject, as a team would. */
static int build(struct ctx *c, struct tl_repo *repo, size_t *ncommits)
{
	struct tl_ident author, committer;
	int rc = ctx_idents(c, repo, &author, &committer, NULL);
	if (rc)
		return rc;
	/* A fresh machine has no git identity; the demo must work there. */
	if (!author.name || !author.email) {
		author.name = "tally demo";
		author.email = "demo@tally.invalid";
		committer = author;
	}
	for (size_t i = 0; tl_demo_files[i].path;) {
		struct tl_change ch[8];
		memset(ch, 0, sizeof(ch));
		struct tl_commit_opts o = { 0 };
		char *msg = tl_format("tally: %s\n\nTally-Action: demo\n",
			tl_demo_files[i].subject);
		size_t n = 0;
		do {
			const struct tl_demo_file *f = &tl_demo_files[i];
			void *e;
			/* the sample data goes through the same validation as
			 * user data */
			rc = tl_entity_parse(&e, kind_of(f->path), f->path,
				f->content, strlen(f->content), &c->err);
			tl_entity_free(kind_of(f->path), e);
			ch[n].path = tl_format("qa/%s", f->path);
			ch[n].data = f->content;
			ch[n].len = strlen(f->content);
			ch[n].remove = 0;
			n++;
			i++;
		} while (!rc && n < 8 && tl_demo_files[i].path &&
			!tl_demo_files[i].subject);
		o.message = msg;
		o.author = &author;
		o.committer = &committer;
		if (!rc)
			rc = tl_repo_commit(repo, ch, n, &o, NULL, &c->err);
		for (size_t j = 0; j < n; j++)
			free((char *)ch[j].path);
		free(msg);
		if (rc)
			return rc;
		(*ncommits)++;
	}
	return 0;
}

/* Imports the bundled JUnit and TAP reports, as CI would: each becomes a
 * run, matching the automated cases by their ids. */
static int import_one(struct ctx *c, const char *text, const char *format,
	const char *title, const char *revision)
{
	const char *tmp = getenv("TMPDIR");
	char *path = tl_format(
		"%s/tally-demo-report-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	struct args a;
	int fd = mkstemp(path), rc;
	if (fd < 0) {
		rc = tl_err_set(
			&c->err, TL_EIO, "%s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		unlink(path);
		rc = tl_err_set(
			&c->err, TL_EIO, "%s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	close(fd);
	memset(&a, 0, sizeof(a));
	a.vals = tl_value_map();
	tl_value_put(a.vals, "format", tl_value_str(format));
	tl_value_put(a.vals, "title", tl_value_str(title));
	if (revision)
		tl_value_put(a.vals, "revision", tl_value_str(revision));
	tl_strlist_push(&a.pos, path);
	fflush(stdout);
	rc = cmd_import(c, &a);
	args_release(&a);
	unlink(path);
	free(path);
	return rc;
}

static int import_history(
	struct ctx *c, struct tl_repo *repo, char **base, size_t *ncommits);

static int import_samples(struct ctx *c, char **base, size_t *ncommits)
{
	int quiet = c->quiet, format = c->format, rc;
	const char *author = c->author;
	struct tl_ident au, cm;
	/* a fresh machine has no git identity: the same fallback as above */
	if (!c->author &&
		(ctx_idents(c, c->store->repo, &au, &cm, NULL) || !au.name ||
			!au.email)) {
		tl_err_clear(&c->err);
		c->author = "tally demo <demo@tally.invalid>";
	}
	/* the summaries would clutter the demo's own output */
	c->quiet = 1;
	c->format = FMT_TABLE;
	rc = import_one(
		c, tl_demo_junit, "junit", "CI build 311 (JUnit)", NULL);
	if (!rc)
		rc = import_one(
			c, tl_demo_tap, "tap", "CI build 311 (TAP)", NULL);
	if (!rc)
		*ncommits += 2;
	if (!rc)
		rc = import_history(c, c->store->repo, base, ncommits);
	c->quiet = quiet;
	c->format = format;
	c->author = author;
	return rc;
}

/*
 * Nightly builds after 311, then a pull request on its own branch: a
 * history with a test that flakes on one revision (retries, reruns) and
 * a branch that breaks one test, fixes another and makes a third flaky,
 * for tally history, flaky and diff to show.
 */
struct nightly {
	const char *title, *revision;
	const char *wrong, *lockout, *refund,
		*vat; /* "pass", "fail", "flaky" */
};

static const struct nightly nightlies[] = {
	{ "Nightly 312", "9c1e4d2", "pass", "pass", "fail", "pass" },
	{ "Nightly 312 rerun", "9c1e4d2", "pass", "pass", "fail", "flaky" },
	{ "Nightly 313", "b7a03f1", "pass", "pass", "fail", "pass" },
	{ "Nightly 314", "e45d9a8", "pass", "pass", "fail", "flaky" },
	{ "Nightly 314 rerun", "e45d9a8", "pass", "pass", "fail", "pass" },
};
static const struct nightly pull_request = { "PR 42 (fix/refunds)", "5f8b2c0",
	"fail", "flaky", "pass", "pass" };

static void testcase(struct tl_buf *b, const char *cls, const char *name,
	const char *what, const char *time, const char *message)
{
	tl_buf_printf(b,
		"    <testcase classname=\"%s\" name=\"%s\" time=\"%s\"", cls,
		name, time);
	if (!strcmp(what, "fail"))
		tl_buf_printf(b,
			"><failure message=\"%s\" type=\"AssertionError\"/></testcase>\n",
			message);
	else if (!strcmp(what, "flaky"))
		tl_buf_printf(b,
			"><flakyFailure message=\"%s\" type=\"AssertionError\"/></testcase>\n",
			message);
	else
		tl_buf_puts(b, "/>\n");
}

static int import_nightly(struct ctx *c, const struct nightly *n)
{
	struct tl_buf b = TL_BUF_INIT;
	int rc;
	tl_buf_puts(&b, "<testsuites>\n  <testsuite name=\"com.acme\">\n");
	testcase(&b, "com.acme.auth.LoginTest", "testWrongPassword", n->wrong,
		"0.8", "session cookie missing after redirect");
	testcase(&b, "com.acme.auth.LoginTest", "testLockout", n->lockout,
		"1.1", "expected lockout after 5 attempts, got 6");
	testcase(&b, "com.acme.billing.RefundTest", "testPartialRefund",
		n->refund, "2.4", "expected 50.00, got 0.00");
	testcase(&b, "com.acme.billing.InvoiceTest", "testVatRounding", n->vat,
		"0.1", "rounding drifted");
	tl_buf_puts(&b, "  </testsuite>\n</testsuites>\n");
	rc = import_one(c, b.ptr, "junit", n->title, n->revision);
	tl_buf_release(&b);
	return rc;
}

/* The history part: nightlies on the current branch, the pull request
 * on a branch of its own; base receives the current branch's name. */
static int import_history(
	struct ctx *c, struct tl_repo *repo, char **base, size_t *ncommits)
{
	int quiet = c->quiet, format = c->format, rc = 0;
	c->quiet = 1;
	c->format = FMT_TABLE;
	for (size_t i = 0; !rc && i < sizeof(nightlies) / sizeof(*nightlies);
		i++)
		if (!(rc = import_nightly(c, &nightlies[i])))
			(*ncommits)++;
	if (!rc &&
		!(rc = tl_repo_branch_here(
			  repo, "fix/refunds", base, &c->err)) &&
		!(rc = import_nightly(c, &pull_request)))
		(*ncommits)++;
	c->quiet = quiet;
	c->format = format;
	return rc;
}

/* Runs a command as `tally CMD [ARG]` would, its output in order with
 * the demo's own. */
static int show(
	struct ctx *c, int (*run)(struct ctx *, struct args *), const char *arg)
{
	struct args a;
	int rc;
	memset(&a, 0, sizeof(a));
	a.vals = tl_value_map();
	if (arg)
		tl_strlist_push(&a.pos, arg);
	fflush(stdout);
	fflush(stderr);
	rc = run(c, &a);
	fflush(stdout);
	fflush(stderr);
	args_release(&a);
	return rc;
}

int cmd_demo(struct ctx *c, struct args *a)
{
	struct tl_repo *repo = NULL;
	struct tl_store *s;
	struct tl_list cases = { 0 }, suites = { 0 }, reqs = { 0 };
	struct tl_list rels = { 0 }, defects = { 0 };
	struct tl_runs runs = { 0 };
	size_t nresults = 0;
	char *dir = NULL, *self = NULL, *base = NULL, *range = NULL;
	size_t ncommits = 0;
	int rc;

	/* resolved before the chdir below, which would break a relative path */
	self = c->argv0 && strchr(c->argv0, '/') ? realpath(c->argv0, NULL)
						 : NULL;
	if ((rc = make_dir(c, a, &dir)))
		goto out;
	if ((rc = tl_repo_init(&repo, dir, &c->err)) ||
		(rc = build(c, repo, &ncommits)))
		goto out;
	if (chdir(dir)) {
		rc = tl_err_set(
			&c->err, TL_EIO, "%s: %s", dir, strerror(errno));
		goto out;
	}
	/* the imports first, so that the counts below include them */
	if ((rc = ctx_store(c, &s)) ||
		(rc = import_samples(c, &base, &ncommits)))
		goto out;
	if ((rc = ctx_store(c, &s)) ||
		(rc = tl_store_cases(s, "web", &cases, &c->err)) ||
		(rc = tl_store_suites(s, "web", &suites, &c->err)) ||
		(rc = tl_store_requirements(s, "web", &reqs, &c->err)))
		goto out;
	if ((rc = tl_runs_load(&runs, s, "web", 1, &c->err)) ||
		(rc = tl_store_releases(s, "web", &rels, &c->err)) ||
		(rc = tl_store_defects(s, "web", &defects, &c->err)))
		goto out;
	for (size_t i = 0; i < runs.n; i++)
		nresults += runs.v[i]->results.n;
	if (c->format == FMT_JSON || c->format == FMT_YAML) {
		struct tl_value *v = tl_value_map();
		tl_value_put(v, "path", tl_value_str(dir));
		tl_value_put(v, "commits", tl_value_int((long long)ncommits));
		tl_value_put(v, "projects", tl_value_int(1));
		tl_value_put(v, "suites", tl_value_int((long long)suites.n));
		tl_value_put(v, "cases", tl_value_int((long long)cases.n));
		tl_value_put(
			v, "requirements", tl_value_int((long long)reqs.n));
		tl_value_put(v, "releases", tl_value_int((long long)rels.n));
		tl_value_put(v, "runs", tl_value_int((long long)runs.n));
		tl_value_put(v, "results", tl_value_int((long long)nresults));
		tl_value_put(v, "defects", tl_value_int((long long)defects.n));
		rc = out_object(c, v, NULL);
		tl_value_free(v);
		goto out;
	}
	printf("Built a sample tracker in %s\n"
	       "  1 project, %zu suites, %zu cases, %zu requirements, %zu release,\n"
	       "  %zu runs with %zu results, %zu defect, in %zu commits\n\n",
		dir, suites.n, cases.n, reqs.n, rels.n, runs.n, nresults,
		defects.n, ncommits);
	if ((rc = show(c, cmd_case_list, NULL)))
		goto out;
	/* the analysis of the release's execution, as a lead would read it */
	printf("\n");
	if ((rc = show(c, cmd_run_analyze, "release-1.0-regression")))
		goto out;
	/* history from the commits: a flaky case, and what the pull
	 * request's branch changes against the branch it left */
	range = tl_format("%s...HEAD", base ? base : "HEAD~1");
	printf("\nHistory of a flaky case (tally history testVatRounding):\n");
	if ((rc = show(c, cmd_history,
		     "com/acme/billing/InvoiceTest/testVatRounding")))
		goto out;
	printf("Flaky cases (tally flaky):\n");
	if ((rc = show(c, cmd_flaky, NULL)))
		goto out;
	printf("\nWhat the pull request changes (tally diff %s):\n", range);
	if ((rc = show(c, cmd_diff, range)))
		goto out;
	{
		/* right after the quick start tally is not on PATH yet: name
		 * the binary as it was run */
		const char *t = self ? self : "tally";
		printf("\nTry next:\n"
		       "  cd %s\n"
		       "  %s run list\n"
		       "  %s run show release-1.0     # a run, its cases and progress\n"
		       "  %s release show 1.0.0       # progress and readiness\n"
		       "  %s case show auth/login/valid-password\n"
		       "  %s req show REQ-1           # the cases that cover a requirement\n"
		       "  %s run new \"Sprint 13\" --suite billing\n"
		       "  %s record sprint-13 billing/refunds/full passed --duration 12s\n"
		       "  %s check                    # validate every file\n"
		       "  %s gate %s     # the pull request against the gate: policy\n"
		       "  %s failures                 # failures grouped by signature\n"
		       "  %s log                      # the audit trail, from the commits\n"
		       "  git log --stat                 # every change is one commit\n",
			dir, t, t, t, t, t, t, t, t, t, range, t, t);
	}
out:
	tl_list_release(&cases);
	tl_list_release(&suites);
	tl_list_release(&reqs);
	tl_list_release(&rels);
	tl_list_release(&defects);
	tl_runs_release(&runs);
	tl_repo_free(repo);
	free(dir);
	free(self);
	free(base);
	free(range);
	return rc;
}

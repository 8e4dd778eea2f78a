#include "core/repo.h"
#include "core/repo_internal.h"
#include "core/strpool.h"
#include "core/bulk.h"
#include "core/buf.h"
#include "core/fs.h"
#include "core/index.h"
#include "core/time.h"

#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/trace.h"
#include "core/banned.h"

#define MAX_RETRIES 50
/* From this many files a commit takes the bulk path: objects are built in
 * memory and written as one packfile, and the files are flushed with one
 * syncfs instead of one fsync each (an import of 100,000 results). */
#define BULK_MIN 256

int tl_git_fail(struct tl_err *err, int code, const char *what)
{
	const git_error *e = git_error_last();
	return tl_err_set(err, code == GIT_ENOTFOUND ? TL_ENOTFOUND : TL_EGIT,
		"%s: %s", what, e && e->message ? e->message : "libgit2 error");
}

static void strip_slash(char *s)
{
	size_t n = strlen(s);
	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
}

static int wrap(struct tl_repo **out, git_repository *git, struct tl_err *err)
{
	struct tl_repo *r;
	if (git_repository_is_bare(git)) {
		git_repository_free(git);
		return tl_err_set(err, TL_EINVALID,
			"the repository is bare: tally needs a work tree");
	}
	r = tl_calloc(1, sizeof(*r));
	r->git = git;
	r->workdir = tl_strdup(git_repository_workdir(git));
	r->gitdir = tl_strdup(git_repository_path(git));
	strip_slash(r->workdir);
	strip_slash(r->gitdir);
	*out = r;
	return 0;
}

static int initialized;

static void global_init(void)
{
	if (initialized)
		return;
	git_libgit2_init();
	/* tally writes trees only over blobs it has just written, and reads
	 * objects it trusts: skip the existence checks on creation and the
	 * rehash on every read (issue 5's history reads 200,000 blobs) */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	/* nor keep trees: a history walk reads each tree once or twice (and
	 * keeps what it reads again itself, core/walk.c); cached, the
	 * 70,000 of a 5,000-commit walk took 70 MB and their page faults */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, 0);
	initialized = 1;
}

int tl_repo_open(struct tl_repo **out, const char *dir, struct tl_err *err)
{
	git_repository *git;
	int rc;
	global_init();
	*out = NULL;
	rc = git_repository_open_ext(&git, dir, 0, NULL);
	if (rc == GIT_ENOTFOUND)
		return tl_err_set(err, TL_ENOTFOUND,
			"not a git repository (or any parent up to /): %s",
			dir);
	if (rc)
		return tl_git_fail(err, rc, "opening the repository");
	return wrap(out, git, err);
}

int tl_repo_init(struct tl_repo **out, const char *dir, struct tl_err *err)
{
	git_repository *git;
	int rc;
	global_init();
	*out = NULL;
	rc = git_repository_init(&git, dir, 0);
	if (rc)
		return tl_git_fail(err, rc, "creating the repository");
	return wrap(out, git, err);
}

char *tl_repo_libgit2_version(void)
{
	int maj, min, rev;
	git_libgit2_version(&maj, &min, &rev);
	return tl_format("%d.%d.%d", maj, min, rev);
}

void tl_repo_shutdown(void)
{
	if (initialized)
		git_libgit2_shutdown();
}

void tl_repo_free(struct tl_repo *r)
{
	if (!r)
		return;
	git_repository_free(r->git);
	free(r->workdir);
	free(r->gitdir);
	free(r);
}

const char *tl_repo_workdir(const struct tl_repo *r)
{
	return r->workdir;
}

const char *tl_repo_gitdir(const struct tl_repo *r)
{
	return r->gitdir;
}

char *tl_repo_config(const struct tl_repo *r, const char *name)
{
	git_config *cfg = NULL;
	git_buf buf = { 0 };
	char *out = NULL;
	if (git_repository_config_snapshot(&cfg, r->git))
		return NULL;
	if (!git_config_get_string_buf(&buf, cfg, name))
		out = tl_strdup(buf.ptr);
	git_buf_dispose(&buf);
	git_config_free(cfg);
	return out;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* index.lock is git's own lock: holding it keeps git and other tally
 * processes from rewriting the index under us. We wait for it rather than
 * fail at once, because two tally commands started together are normal. */
static int lock_index(
	struct tl_repo *r, int timeout_ms, char **lockpath, struct tl_err *err)
{
	char *path = tl_format("%s/index.lock", r->gitdir);
	int waited = 0, delay = 2;
	for (;;) {
		int fd = open(
			path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0) {
			close(fd);
			*lockpath = path;
			return 0;
		}
		if (errno != EEXIST || waited >= timeout_ms) {
			int rc = tl_err_set(err, TL_ECONFLICT,
				"cannot lock %s: %s (another git process seems to be "
				"running; if it crashed, remove the file)",
				path,
				errno == EEXIST ? "File exists"
						: strerror(errno));
			free(path);
			return rc;
		}
		sleep_ms(delay);
		waited += delay;
		if (delay < 50)
			delay *= 2;
	}
}

static int copy_file(const char *from, const char *to, struct tl_err *err)
{
	struct tl_buf b = TL_BUF_INIT;
	int rc = tl_fs_read(&b, from, 0, err);
	if (rc == TL_ENOTFOUND) {
		tl_err_clear(err);
		rc = 0; /* no index yet: start from an empty one */
		unlink(to);
		tl_buf_release(&b);
		return 1;
	}
	if (!rc)
		rc = tl_fs_write_atomic(to, b.ptr, b.len, err);
	tl_buf_release(&b);
	return rc;
}

static int update_index(
	struct tl_repo *r, struct tl_stage_iter *it, struct tl_err *err)
{
	char *indexpath = tl_format("%s/index", r->gitdir);
	char *tmppath =
		tl_format("%s/tally-index.%ld", r->gitdir, (long)getpid());
	git_index *idx = NULL;
	const struct tl_staged *e = NULL;
	int rc = tl_index_update(indexpath, r->workdir, it, tmppath, err);

	if (rc == TL_INDEX_UNSUPPORTED)
		rc = copy_file(indexpath, tmppath, err);
	else if (!rc)
		goto written;
	if (rc < 0)
		goto out;
	rc = git_index_open(&idx, tmppath);
	if (rc) {
		rc = tl_git_fail(err, rc,
			"reading the index (a split index, made by "
			"core.splitIndex, is not supported)");
		goto out;
	}
	rc = it->rewind(it->ctx, err);
	while (!rc && !(rc = it->next(it->ctx, &e, err)) && e) {
		git_index_entry ie;
		struct tl_wstat ws = e->stat;
		git_index_conflict_remove(idx, e->path);
		git_error_clear();
		if (e->remove) {
			git_index_remove(idx, e->path, 0);
			git_error_clear();
			continue;
		}
		if (!ws.has) {
			struct stat fst;
			char *full = tl_path_join(r->workdir, e->path);
			if (!lstat(full, &fst))
				tl_wstat_from(&ws, &fst);
			free(full);
		}
		memset(&ie, 0, sizeof(ie));
		ie.ctime.seconds = (int32_t)ws.ctime_s;
		ie.ctime.nanoseconds = ws.ctime_ns;
		ie.mtime.seconds = (int32_t)ws.mtime_s;
		ie.mtime.nanoseconds = ws.mtime_ns;
		ie.dev = ws.dev;
		ie.ino = ws.ino;
		ie.uid = ws.uid;
		ie.gid = ws.gid;
		ie.file_size = ws.size;
		ie.mode = GIT_FILEMODE_BLOB;
		ie.id = e->id;
		ie.path = e->path;
		rc = git_index_add(idx, &ie);
		if (rc)
			rc = tl_git_fail(err, rc, "updating the index");
	}
	if (!rc && (rc = git_index_write(idx)))
		rc = tl_git_fail(err, rc, "writing the index");
written:
	if (!rc && rename(tmppath, indexpath))
		rc = tl_err_set(err, TL_EIO, "replacing %s: %s", indexpath,
			strerror(errno));
out:
	git_index_free(idx);
	if (rc)
		unlink(tmppath);
	free(tmppath);
	free(indexpath);
	return rc < 0 ? rc : 0;
}

static int make_sig(
	git_signature **out, const struct tl_ident *id, struct tl_err *err)
{
	int rc;
	if (!id || !id->name || !id->email || !*id->name || !*id->email)
		return tl_err_set(err, TL_EUSAGE,
			"no author: set user.name and user.email in git config, "
			"GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL, or use --author");
	if (id->has_time)
		rc = git_signature_new(out, id->name, id->email,
			(git_time_t)id->time, id->tz_minutes);
	else
		rc = git_signature_now(out, id->name, id->email);
	return rc ? tl_git_fail(err, rc, "making the commit signature") : 0;
}

/* Reads HEAD: the ref to move and its current commit (unborn: none). */
int tl_repo_read_head(git_repository *git, char **refname, git_oid *parent,
	int *has_parent, struct tl_err *err)
{
	git_reference *head = NULL;
	int rc = git_reference_lookup(&head, git, "HEAD");
	if (rc)
		return tl_git_fail(err, rc, "reading HEAD");
	*has_parent = 0;
	if (git_reference_type(head) == GIT_REFERENCE_SYMBOLIC) {
		*refname = tl_strdup(git_reference_symbolic_target(head));
		rc = git_reference_name_to_id(parent, git, *refname);
		if (rc == 0)
			*has_parent = 1;
		else if (rc == GIT_ENOTFOUND)
			rc = 0, git_error_clear(); /* unborn branch */
		else
			rc = tl_git_fail(err, rc, "resolving HEAD");
	} else {
		*refname = tl_strdup("HEAD"); /* detached */
		git_oid_cpy(parent, git_reference_target(head));
		*has_parent = 1;
	}
	git_reference_free(head);
	if (rc) {
		free(*refname);
		*refname = NULL;
	}
	return rc;
}

static int array_next(
	void *ctx, const struct tl_staged **out, struct tl_err *err)
{
	struct tl_stage_array *a = ctx;
	(void)err;
	/* of equal paths, the last */
	while (a->i + 1 < a->n &&
		!strcmp(a->st[a->i].path, a->st[a->i + 1].path))
		a->i++;
	*out = a->i < a->n ? &a->st[a->i++] : NULL;
	return 0;
}

static int array_rewind(void *ctx, struct tl_err *err)
{
	(void)err;
	((struct tl_stage_array *)ctx)->i = 0;
	return 0;
}

struct tl_stage_iter tl_stage_array(
	struct tl_stage_array *a, const struct tl_staged *st, size_t n)
{
	a->st = st;
	a->n = n;
	a->i = 0;
	return (struct tl_stage_iter){ array_next, array_rewind, a };
}

/* Paths a tree is updated with at a time: each batch rewrites the trees
 * from the root down to its folders, a few dozen objects again, and
 * keeps its paths and libgit2's update list, about 100 bytes a path. */
#define TREE_BATCH 8192

int tl_repo_build_tree(git_oid *out, git_repository *git, git_tree *base,
	struct tl_stage_iter *it,
	int (*batch_done)(void *ctx, struct tl_err *err), void *ctx,
	struct tl_err *err)
{
	git_tree_update *ups = tl_calloc(TREE_BATCH, sizeof(*ups));
	struct tl_strpool paths = { 0 };
	git_tree *cur = NULL;
	const struct tl_staged *e = NULL;
	size_t nups = 0;
	int rc = it->rewind(it->ctx, err), end = 0;
	if (base && !rc && (rc = git_tree_dup(&cur, base)))
		rc = tl_git_fail(err, rc, "reading the tree");
	while (!rc && !end) {
		if (!(rc = it->next(it->ctx, &e, err)) && e) {
			git_tree_entry *te = NULL;
			if (e->remove &&
				(!cur ||
					git_tree_entry_bypath(
						&te, cur, e->path))) {
				git_error_clear();
				continue; /* nothing to remove */
			}
			git_tree_entry_free(te);
			memset(&ups[nups], 0, sizeof(ups[nups]));
			ups[nups].action = e->remove ? GIT_TREE_UPDATE_REMOVE
						     : GIT_TREE_UPDATE_UPSERT;
			ups[nups].id = e->id;
			ups[nups].filemode = GIT_FILEMODE_BLOB;
			ups[nups++].path = tl_strpool_add(&paths, e->path);
		}
		end = !rc && !e;
		if (rc || (nups < TREE_BATCH && !end))
			continue;
		/* a batch: the tree so far, and the objects out if asked */
		if ((rc = git_tree_create_updated(out, git, cur, nups, ups)))
			rc = tl_git_fail(err, rc, "building the tree");
		git_tree_free(cur);
		cur = NULL;
		if (!rc && (rc = git_tree_lookup(&cur, git, out)))
			rc = tl_git_fail(err, rc, "building the tree");
		if (!rc && batch_done)
			rc = batch_done(ctx, err);
		nups = 0;
		tl_strpool_release(&paths);
	}
	git_tree_free(cur);
	tl_strpool_release(&paths);
	free(ups);
	return rc;
}

static int try_commit(git_repository *git, struct tl_stage_iter *it,
	const char *message, git_signature *author, git_signature *committer,
	void (*stage)(const char *), const struct tl_persist *persist,
	git_oid *out, int *retry, struct tl_err *err)
{
	char *refname = NULL;
	git_oid parent_id, tree_id;
	git_commit *parent = NULL;
	git_tree *base = NULL, *tree = NULL;
	git_reference *moved = NULL;
	int has_parent = 0, rc;
	struct tl_buf reflog = TL_BUF_INIT;

	*retry = 0;
	rc = tl_repo_read_head(git, &refname, &parent_id, &has_parent, err);
	if (rc)
		goto out;
	if (has_parent) {
		if ((rc = git_commit_lookup(&parent, git, &parent_id)) ||
			(rc = git_commit_tree(&base, parent))) {
			rc = tl_git_fail(err, rc, "reading HEAD's tree");
			goto out;
		}
	}
	if (persist && persist->has_tree &&
		(has_parent ? git_oid_equal(&parent_id, &persist->base)
			    : persist->base_unborn)) {
		/* built while the files were written, on this parent */
		git_oid_cpy(&tree_id, &persist->tree);
		rc = 0;
	} else {
		rc = tl_repo_build_tree(
			&tree_id, git, base, it, NULL, NULL, err);
	}
	tl_trace_perf("commit: tree built");
	if (rc)
		goto out;
	if ((rc = git_tree_lookup(&tree, git, &tree_id))) {
		rc = tl_git_fail(err, rc, "building the tree");
		goto out;
	}
	rc = git_commit_create(out, git, NULL, author, committer, NULL, message,
		tree, has_parent ? 1 : 0, (const git_commit **)&parent);
	if (rc) {
		rc = tl_git_fail(err, rc, "creating the commit");
		goto out;
	}
	{
		const char *nl = strchr(message, '\n');
		tl_buf_printf(&reflog, "commit%s: %.*s",
			has_parent ? "" : " (initial)",
			nl ? (int)(nl - message) : (int)strlen(message),
			message);
	}
	/* the objects must be on disk before a ref points at them */
	if (persist && (rc = persist->fn(persist->ctx, err)))
		goto out;
	if (stage)
		stage("committed");
	/* Compare-and-swap: moves the ref only if it still points where we
	 * read it; an unborn branch must still not exist. */
	rc = git_reference_create_matching(&moved, git, refname, out,
		has_parent, has_parent ? &parent_id : NULL, reflog.ptr);
	if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS || rc == GIT_ELOCKED) {
		git_error_clear();
		*retry = 1;
		rc = 0;
	} else if (rc) {
		rc = tl_git_fail(err, rc, "moving the branch");
	}
out:
	tl_buf_release(&reflog);
	git_reference_free(moved);
	git_tree_free(tree);
	git_tree_free(base);
	git_commit_free(parent);
	free(refname);
	return rc;
}

int tl_repo_check_path(const char *p, struct tl_err *err)
{
	if (!*p || p[0] == '/' || strstr(p, "//") || !strcmp(p, "..") ||
		!strncmp(p, "../", 3) || strstr(p, "/../") ||
		(strlen(p) >= 3 && !strcmp(p + strlen(p) - 3, "/..")) ||
		!strncmp(p, ".git/", 5) || strstr(p, "/.git/"))
		return tl_err_set(err, TL_EINVALID,
			"refusing to write outside "
			"the work tree: '%s'",
			p);
	return 0;
}

int tl_repo_check_idents(const struct tl_commit_opts *opts, struct tl_err *err)
{
	git_signature *a = NULL, *c = NULL;
	int rc = 0;
	if (!opts->no_commit) {
		rc = make_sig(&a, opts->author, err);
		if (!rc)
			rc = make_sig(&c,
				opts->committer ? opts->committer
						: opts->author,
				err);
	}
	git_signature_free(a);
	git_signature_free(c);
	return rc;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct tl_staged *)a)->path,
		((const struct tl_staged *)b)->path);
}

int tl_repo_finish(struct tl_repo *r, git_repository *git, struct tl_staged *st,
	size_t n, const struct tl_commit_opts *opts,
	const struct tl_persist *persist, char *out_id, struct tl_err *err)
{
	struct tl_stage_array a;
	struct tl_stage_iter it;
	/* sorted, the index takes each path at its end instead of moving
	 * every later entry (100,000 paths: 3 s -> 0.1 s); stably, as of
	 * several entries of a path the last wins */
	tl_sort_stable(st, n, sizeof(*st), by_path);
	it = tl_stage_array(&a, st, n);
	return tl_repo_finish_iter(r, git, &it, opts, persist, out_id, err);
}

int tl_repo_finish_iter(struct tl_repo *r, git_repository *git,
	struct tl_stage_iter *it, const struct tl_commit_opts *opts,
	const struct tl_persist *persist, char *out_id, struct tl_err *err)
{
	git_signature *author = NULL, *committer = NULL;
	char *lockpath = NULL;
	git_oid commit;
	int rc = 0;

	if (!opts->no_commit) {
		rc = make_sig(&author, opts->author, err);
		if (!rc)
			rc = make_sig(&committer,
				opts->committer ? opts->committer
						: opts->author,
				err);
	}
	if (!rc && opts->stage)
		opts->stage("written");
	if (!rc)
		rc = lock_index(r,
			opts->lock_timeout_ms ? opts->lock_timeout_ms : 10000,
			&lockpath, err);
	if (!rc && opts->stage)
		opts->stage("locked");
	/* 2. the commit and the branch, retried on a race */
	if (!rc && !opts->no_commit) {
		int retry = 1, tries = 0;
		while (!rc && retry) {
			if (tries++ == MAX_RETRIES) {
				rc = tl_err_set(err, TL_ECONFLICT,
					"the branch kept moving; gave up after %d tries",
					MAX_RETRIES);
				break;
			}
			rc = try_commit(git, it, opts->message, author,
				committer, opts->stage, persist, &commit,
				&retry, err);
			if (retry)
				sleep_ms(1 + tries % 7);
		}
		if (!rc && out_id)
			git_oid_tostr(out_id, GIT_OID_HEXSZ + 1, &commit);
		tl_trace_perf("commit: committed");
	} else if (!rc && persist) {
		/* staged only: the index may not name objects not on disk */
		rc = persist->fn(persist->ctx, err);
	}
	if (!rc && !opts->no_commit && opts->stage)
		opts->stage("moved");
	if (!rc && persist && persist->done) {
		persist->done(persist->ctx);
		git = NULL; /* it may be freed: nothing below may use it */
	}
	/* 3. the index: only our paths, under the lock */
	if (!rc)
		rc = update_index(r, it, err);
	tl_trace_perf("commit: index updated");
	if (!rc && opts->stage)
		opts->stage("indexed");
	if (lockpath) {
		unlink(lockpath);
		free(lockpath);
	}
	git_signature_free(author);
	git_signature_free(committer);
	return rc;
}

int tl_repo_commit(struct tl_repo *r, const struct tl_change *changes, size_t n,
	const struct tl_commit_opts *opts, char *out_id, struct tl_err *err)
{
	struct tl_staged *st;
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++)
		rc = tl_repo_check_path(changes[i].path, err);
	/* nothing is written before the commit is known to be possible */
	if (!rc)
		rc = tl_repo_check_idents(opts, err);
	if (rc)
		return rc;
	if (n >= BULK_MIN) {
		/* one packfile and one syncfs instead of a loose object and
		 * an fsync per file */
		struct tl_bulk *b = NULL;
		rc = tl_bulk_open(&b, r, err);
		for (size_t i = 0; i < n && !rc; i++)
			rc = changes[i].remove
				? tl_bulk_remove(b, changes[i].path, err)
				: tl_bulk_put(b, changes[i].path,
					  changes[i].data, changes[i].len, err);
		if (!rc)
			rc = tl_bulk_commit(b, opts, out_id, err);
		tl_bulk_free(b);
		return rc;
	}
	st = tl_calloc(n ? n : 1, sizeof(*st));
	/* 1. the files, each atomically, and their blobs */
	for (size_t i = 0; i < n && !rc; i++) {
		char *full = tl_path_join(r->workdir, changes[i].path);
		st[i].path = changes[i].path;
		st[i].remove = changes[i].remove;
		if (changes[i].remove) {
			rc = tl_fs_remove(full, r->workdir, err);
		} else {
			rc = tl_fs_write_file(
				full, changes[i].data, changes[i].len, 1, err);
			if (!rc &&
				(rc = git_blob_create_from_buffer(&st[i].id,
					 r->git, changes[i].data,
					 changes[i].len)))
				rc = tl_git_fail(err, rc, "storing a blob");
		}
		free(full);
	}
	if (!rc)
		rc = tl_repo_finish(r, r->git, st, n, opts, NULL, out_id, err);
	free(st);
	return rc;
}

int tl_parse_git_date(const char *s, int64_t *t, int *tz)
{
	char *end;
	long long v;
	const char *p = s;
	if (*p == '@')
		p++;
	if (*p >= '0' && *p <= '9') {
		errno = 0;
		v = strtoll(p, &end, 10);
		if (!errno && (*end == ' ' || !*end) && end - p >= 9) {
			int off = 0;
			while (*end == ' ')
				end++;
			if (*end == '+' || *end == '-') {
				int sign = *end == '-' ? -1 : 1, hh, mm;
				if (strlen(end) != 5)
					return -1;
				hh = (end[1] - '0') * 10 + (end[2] - '0');
				mm = (end[3] - '0') * 10 + (end[4] - '0');
				off = sign * (hh * 60 + mm);
			} else if (*end) {
				return -1;
			}
			*t = v;
			*tz = off;
			return 0;
		}
	}
	if (tl_time_parse(s, t, tz) == 0)
		return 0;
	/* "2026-11-21 10:00:00 +0100" */
	if (strlen(s) == 25 && s[10] == ' ' && s[19] == ' ') {
		char tmp[32];
		snprintf(tmp, sizeof(tmp), "%.10sT%.8s%c%c%c:%c%c", s, s + 11,
			s[20], s[21], s[22], s[23], s[24]);
		return tl_time_parse(tmp, t, tz);
	}
	return -1;
}

int tl_parse_ident(const char *s, char **name, char **email)
{
	const char *lt = strchr(s, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	const char *ne;
	if (!lt || !gt || gt[1])
		return -1;
	ne = lt;
	while (ne > s && ne[-1] == ' ')
		ne--;
	if (ne == s || gt == lt + 1)
		return -1;
	*name = tl_strndup(s, (size_t)(ne - s));
	*email = tl_strndup(lt + 1, (size_t)(gt - lt - 1));
	return 0;
}

int tl_repo_branch_here(
	struct tl_repo *r, const char *name, char **was, struct tl_err *err)
{
	git_reference *ref = NULL, *cur = NULL;
	git_commit *head = NULL;
	git_oid id;
	char *full = tl_format("refs/heads/%s", name);
	const char *short_name;
	int rc;
	if (was)
		*was = NULL;
	if (was && !git_repository_head(&cur, r->git) &&
		git_reference_is_branch(cur) &&
		!git_branch_name(&short_name, cur))
		*was = tl_strdup(short_name);
	git_error_clear();
	git_reference_free(cur);
	if ((rc = git_reference_name_to_id(&id, r->git, "HEAD")) ||
		(rc = git_commit_lookup(&head, r->git, &id)) ||
		(rc = git_branch_create(&ref, r->git, name, head, 0)) ||
		(rc = git_repository_set_head(r->git, full)))
		rc = tl_git_fail(err, rc, "starting a branch");
	git_reference_free(ref);
	git_commit_free(head);
	free(full);
	return rc;
}

#include "core/repo.h"
#include "core/repo_internal.h"
#include "core/buf.h"
#include "core/fs.h"
#include "core/time.h"

#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <git2/sys/mempack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

static int update_index(struct tl_repo *r, const struct tl_change *changes,
	size_t n, const git_oid *ids, struct tl_err *err)
{
	char *indexpath = tl_format("%s/index", r->gitdir);
	char *tmppath =
		tl_format("%s/tally-index.%ld", r->gitdir, (long)getpid());
	git_index *idx = NULL;
	int rc = copy_file(indexpath, tmppath, err);

	if (rc < 0)
		goto out;
	rc = git_index_open(&idx, tmppath);
	if (rc) {
		rc = tl_git_fail(err, rc,
			"reading the index (a split index, made by "
			"core.splitIndex, is not supported)");
		goto out;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		git_index_entry e;
		struct stat st;
		char *full;
		git_index_conflict_remove(idx, changes[i].path);
		git_error_clear();
		if (changes[i].remove) {
			git_index_remove(idx, changes[i].path, 0);
			git_error_clear();
			continue;
		}
		memset(&e, 0, sizeof(e));
		full = tl_path_join(r->workdir, changes[i].path);
		if (!lstat(full, &st)) {
			e.ctime.seconds = (int32_t)st.st_ctim.tv_sec;
			e.ctime.nanoseconds = (uint32_t)st.st_ctim.tv_nsec;
			e.mtime.seconds = (int32_t)st.st_mtim.tv_sec;
			e.mtime.nanoseconds = (uint32_t)st.st_mtim.tv_nsec;
			e.dev = (uint32_t)st.st_dev;
			e.ino = (uint32_t)st.st_ino;
			e.uid = st.st_uid;
			e.gid = st.st_gid;
			e.file_size = (uint32_t)st.st_size;
		}
		free(full);
		e.mode = GIT_FILEMODE_BLOB;
		e.id = ids[i];
		e.path = changes[i].path;
		rc = git_index_add(idx, &e);
		if (rc)
			rc = tl_git_fail(err, rc, "updating the index");
	}
	if (!rc && (rc = git_index_write(idx)))
		rc = tl_git_fail(err, rc, "writing the index");
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
static int read_head(git_repository *git, char **refname, git_oid *parent,
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

struct persist {
	int (*fn)(void *ctx, struct tl_err *err);
	void *ctx;
};

static int try_commit(git_repository *git, const struct tl_change *changes,
	size_t n, const git_oid *ids, const char *message,
	git_signature *author, git_signature *committer,
	void (*stage)(const char *), const struct persist *persist,
	git_oid *out, int *retry, struct tl_err *err)
{
	char *refname = NULL;
	git_oid parent_id, tree_id;
	git_commit *parent = NULL;
	git_tree *base = NULL, *tree = NULL;
	git_tree_update *ups = tl_calloc(n, sizeof(*ups));
	git_reference *moved = NULL;
	size_t nups = 0;
	int has_parent, rc;
	struct tl_buf reflog = TL_BUF_INIT;

	*retry = 0;
	rc = read_head(git, &refname, &parent_id, &has_parent, err);
	if (rc)
		goto out;
	if (has_parent) {
		if ((rc = git_commit_lookup(&parent, git, &parent_id)) ||
			(rc = git_commit_tree(&base, parent))) {
			rc = tl_git_fail(err, rc, "reading HEAD's tree");
			goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (changes[i].remove) {
			git_tree_entry *te = NULL;
			if (!base ||
				git_tree_entry_bypath(
					&te, base, changes[i].path)) {
				git_error_clear();
				continue; /* nothing to remove */
			}
			git_tree_entry_free(te);
			ups[nups].action = GIT_TREE_UPDATE_REMOVE;
		} else {
			ups[nups].action = GIT_TREE_UPDATE_UPSERT;
			ups[nups].id = ids[i];
			ups[nups].filemode = GIT_FILEMODE_BLOB;
		}
		ups[nups++].path = changes[i].path;
	}
	rc = git_tree_create_updated(&tree_id, git, base, nups, ups);
	if (!rc)
		rc = git_tree_lookup(&tree, git, &tree_id);
	if (rc) {
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
	free(ups);
	free(refname);
	return rc;
}

static int check_path(const char *p, struct tl_err *err)
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

struct bulk {
	git_repository
		*git; /* a private handle: the mempack stays off r->git */
	git_odb *odb;
	git_odb_backend *mempack;
	const char *workdir;
};

static int bulk_open(struct bulk *b, struct tl_repo *r, struct tl_err *err)
{
	int rc;
	memset(b, 0, sizeof(*b));
	b->workdir = r->workdir;
	if ((rc = git_repository_open(&b->git, r->gitdir)) ||
		(rc = git_repository_odb(&b->odb, b->git)) ||
		(rc = git_mempack_new(&b->mempack)) ||
		(rc = git_odb_add_backend(b->odb, b->mempack, 1000)))
		return tl_git_fail(err, rc, "preparing a bulk commit");
	return 0;
}

/* Writes what the mempack holds as one packfile, then flushes the work
 * tree's file system: after this a ref may point at the commit. */
static int bulk_persist(void *ctx, struct tl_err *err)
{
	struct bulk *b = ctx;
	git_buf pack = { 0 };
	git_odb_writepack *wp = NULL;
	git_indexer_progress st;
	int rc;
	memset(&st, 0, sizeof(st));
	if ((rc = git_mempack_dump(&pack, b->git, b->mempack)) ||
		(rc = git_odb_write_pack(&wp, b->odb, NULL, NULL)) ||
		(rc = wp->append(wp, pack.ptr, pack.size, &st)) ||
		(rc = wp->commit(wp, &st)))
		rc = tl_git_fail(err, rc, "writing the packfile");
	if (wp)
		wp->free(wp);
	git_buf_dispose(&pack);
	if (!rc)
		rc = tl_fs_sync(b->workdir, err);
	return rc;
}

static void bulk_close(struct bulk *b)
{
	/* the odb owns the mempack backend */
	git_odb_free(b->odb);
	git_repository_free(b->git);
}

int tl_repo_commit(struct tl_repo *r, const struct tl_change *changes, size_t n,
	const struct tl_commit_opts *opts, char *out_id, struct tl_err *err)
{
	git_oid *ids = tl_calloc(n ? n : 1, sizeof(*ids));
	git_signature *author = NULL, *committer = NULL;
	char *lockpath = NULL;
	git_oid commit;
	struct bulk bulk = { 0 };
	struct persist persist = { bulk_persist, &bulk };
	int is_bulk = n >= BULK_MIN && !opts->no_commit, rc = 0;
	git_repository *git = r->git;

	for (size_t i = 0; i < n && !rc; i++)
		rc = check_path(changes[i].path, err);
	if (!rc && !opts->no_commit) {
		rc = make_sig(&author, opts->author, err);
		if (!rc)
			rc = make_sig(&committer,
				opts->committer ? opts->committer
						: opts->author,
				err);
	}
	if (!rc && is_bulk) {
		rc = bulk_open(&bulk, r, err);
		if (!rc)
			git = bulk.git;
	}
	/* 1. the files, each atomically, and their blobs */
	for (size_t i = 0; i < n && !rc; i++) {
		char *full = tl_path_join(r->workdir, changes[i].path);
		if (changes[i].remove) {
			rc = tl_fs_remove(full, r->workdir, err);
		} else {
			rc = tl_fs_write_file(full, changes[i].data,
				changes[i].len, !is_bulk, err);
			if (!rc &&
				(rc = git_blob_create_from_buffer(&ids[i], git,
					 changes[i].data, changes[i].len)))
				rc = tl_git_fail(err, rc, "storing a blob");
		}
		free(full);
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
			rc = try_commit(git, changes, n, ids, opts->message,
				author, committer, opts->stage,
				is_bulk ? &persist : NULL, &commit, &retry,
				err);
			if (retry)
				sleep_ms(1 + tries % 7);
		}
		if (!rc && out_id)
			git_oid_tostr(out_id, GIT_OID_HEXSZ + 1, &commit);
	}
	if (!rc && !opts->no_commit && opts->stage)
		opts->stage("moved");
	/* 3. the index: only our paths, under the lock */
	if (!rc)
		rc = update_index(r, changes, n, ids, err);
	if (!rc && opts->stage)
		opts->stage("indexed");
	if (lockpath) {
		unlink(lockpath);
		free(lockpath);
	}
	if (is_bulk && bulk.git)
		bulk_close(&bulk);
	git_signature_free(author);
	git_signature_free(committer);
	free(ids);
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

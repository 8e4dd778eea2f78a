#include "core/walk.h"
#include "core/revs.h"
#include "core/buf.h"
#include "core/hcache.h"
#include "core/repo_internal.h"
#include "core/walk_internal.h"
#include "core/walkpipe.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static void kept_release(struct kept *v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		git_tree_free(v[i].t);
	*n = 0;
}

/* After a commit: what its new side loaded is what the next one may
 * find on its old side. */
static void kept_rotate(struct walk *w)
{
	struct kept *t = w->prev;
	kept_release(w->prev, &w->nprev);
	w->prev = w->cur;
	w->nprev = w->ncur;
	w->cur = t;
	w->ncur = 0;
}

static int tree_lookup(
	struct walk *w, git_tree **out, const git_oid *id, int new_side)
{
	int rc;
	if (!new_side)
		for (size_t i = 0; i < w->nprev; i++)
			if (git_oid_equal(&w->prev[i].id, id))
				return git_object_dup((git_object **)out,
					(git_object *)w->prev[i].t);
	rc = git_tree_lookup(out, w->git, id);
	if (!rc && new_side && w->cur && w->ncur < TREES_KEPT &&
		!git_object_dup(
			(git_object **)&w->cur[w->ncur].t, (git_object *)*out))
		w->cur[w->ncur++].id = *id;
	return rc;
}

/* Changes held back until their blobs are read and parsed: this thread
 * walks the trees and fills batches, which go down the pipe (see
 * walkpipe.h); fn still sees every change one by one, in walk order. */
#define BATCH 4096

/* Holds a change back; its commit's fields are copied once. */
static int hold(
	struct walk *w, const char *path, const git_oid *blob, const char *hex)
{
	struct tl_pipe_batch *b = tl_pipe_filling(w->pipe);
	struct tl_pipe_item *it;
	if (!b->ncommits ||
		strcmp(b->commits[b->ncommits - 1].hex, w->ch.commit)) {
		struct tl_pipe_commit *c;
		if (b->ncommits == b->ccap) {
			b->ccap = b->ccap ? b->ccap * 2 : 64;
			b->commits = tl_realloc(b->commits,
				tl_mul(b->ccap, sizeof(*b->commits)));
		}
		c = &b->commits[b->ncommits++];
		memcpy(c->hex, w->ch.commit, sizeof(c->hex));
		c->time = w->ch.time;
		c->author = w->ch.author ? tl_strdup(w->ch.author) : NULL;
		c->subject = w->ch.subject ? tl_strdup(w->ch.subject) : NULL;
	}
	it = &b->items[b->n++];
	it->path_at = b->paths.len;
	tl_buf_put(&b->paths, path, strlen(path) + 1);
	memcpy(it->blob, hex ? hex : "", hex ? sizeof(it->blob) : 1);
	it->commit = b->ncommits - 1;
	it->read = blob && (!w->need || w->need(hex, w->ctx));
	if (it->read)
		it->id = *blob;
	return tl_pipe_full(w->pipe) ? tl_pipe_push(w->pipe, w->err) : 0;
}

static int emit(struct walk *w, const char *path, const git_oid *old,
	const git_oid *blob)
{
	git_odb *odb = NULL;
	git_odb_object *obj = NULL;
	int rc;
	char hex[GIT_OID_HEXSZ + 1];
	if (w->back)
		return tl_walk_emit_back(w, path, old, blob);
	w->ch.path = path;
	w->ch.data = NULL;
	w->ch.len = 0;
	w->ch.blob = NULL;
	if (blob)
		git_oid_tostr(hex, sizeof(hex), blob);
	if (w->collect) {
		struct tl_hc_commit *x = w->collect;
		if (!(x->n & (x->n - 1))) /* 0, 1, 2, 4...: double */
			x->v = tl_realloc(x->v,
				tl_mul(x->n ? x->n * 2 : 1, sizeof(*x->v)));
		x->v[x->n].path = tl_strdup(path);
		memcpy(x->v[x->n].blob, blob ? hex : "", blob ? 41 : 1);
		x->n++;
	}
	if (w->pipe)
		return hold(w, path, blob, blob ? hex : NULL);
	if (blob)
		w->ch.blob = hex;
	if (blob && (!w->need || w->need(hex, w->ctx))) {
		/* git_odb_read skips the blob object wrapper (DESIGN.md) */
		if ((rc = git_repository_odb(&odb, w->git)) ||
			(rc = git_odb_read(&obj, odb, blob))) {
			git_odb_free(odb);
			return tl_git_fail(w->err, rc, "reading a blob");
		}
		w->ch.data = git_odb_object_data(obj);
		w->ch.len = git_odb_object_size(obj);
	}
	rc = w->fn(&w->ch, w->ctx, w->err);
	git_odb_object_free(obj);
	git_odb_free(odb);
	return rc;
}

/* path cut to base, then "/name" (or "name" at the top): once per
 * changed entry, so no printf. */
static void join(struct tl_buf *path, size_t base, const char *name)
{
	tl_buf_truncate(path, base);
	if (base)
		tl_buf_putc(path, '/');
	tl_buf_puts(path, name);
}

/* Compares two trees (either may be NULL) and reports differing blobs. */
int tl_walk_diff_trees(
	struct walk *w, git_tree *a, git_tree *b, struct tl_buf *path)
{
	size_t na = a ? git_tree_entrycount(a) : 0;
	size_t nb = b ? git_tree_entrycount(b) : 0;
	size_t base = path->len;
	int rc = 0;

	/* entries of both are sorted by name: a merge walk */
	for (size_t i = 0, j = 0; !rc && (i < na || j < nb);) {
		const git_tree_entry *ea =
			i < na ? git_tree_entry_byindex(a, i) : NULL;
		const git_tree_entry *eb =
			j < nb ? git_tree_entry_byindex(b, j) : NULL;
		int c = !ea   ? 1
			: !eb ? -1
			      : strcmp(git_tree_entry_name(ea),
					git_tree_entry_name(eb));
		const git_tree_entry *e = c <= 0 ? ea : eb;
		const git_tree_entry *old = c <= 0 ? ea : NULL;
		const git_tree_entry *new = c >= 0 ? eb : NULL;
		if (c < 0)
			i++;
		else if (c > 0)
			j++;
		else
			i++, j++;
		if (old &&
			new &&git_oid_equal(
				git_tree_entry_id(old), git_tree_entry_id(new)))
			continue; /* the same object: nothing below it changed
				   */
		join(path, base, git_tree_entry_name(e));
		if (w->want &&
			!w->want(path->ptr,
				(old &&
					git_tree_entry_type(old) ==
						GIT_OBJECT_TREE) ||
					(new &&git_tree_entry_type(new) ==
						GIT_OBJECT_TREE),
				w->ctx))
			continue;
		{
			int old_tree = old &&
				git_tree_entry_type(old) == GIT_OBJECT_TREE;
			int new_tree = new &&git_tree_entry_type(new) ==
				GIT_OBJECT_TREE;
			git_tree *ta = NULL, *tb = NULL;
			if (old_tree &&
				(rc = tree_lookup(
					 w, &ta, git_tree_entry_id(old), 0)))
				return tl_git_fail(
					w->err, rc, "reading a tree");
			if (new_tree &&
				(rc = tree_lookup(
					 w, &tb, git_tree_entry_id(new), 1))) {
				git_tree_free(ta);
				return tl_git_fail(
					w->err, rc, "reading a tree");
			}
			if (old_tree || new_tree)
				rc = tl_walk_diff_trees(w, ta, tb, path);
			git_tree_free(ta);
			git_tree_free(tb);
			if (rc)
				break;
			join(path, base, git_tree_entry_name(e));
			if (new && !new_tree)
				rc = emit(w, path->ptr,
					old && !old_tree
						? git_tree_entry_id(old)
						: NULL,
					git_tree_entry_id(new));
			else if (old && !old_tree && !new)
				rc = emit(w, path->ptr, git_tree_entry_id(old),
					NULL);
		}
	}
	tl_buf_truncate(path, base);
	return rc;
}

int tl_walk_subtree(
	git_tree **out, git_repository *git, git_commit *c, const char *prefix)
{
	git_tree *root = NULL;
	git_tree_entry *e = NULL;
	int rc;
	*out = NULL;
	if ((rc = git_commit_tree(&root, c)))
		return rc;
	rc = git_tree_entry_bypath(&e, root, prefix);
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		rc = 0;
	} else if (!rc && git_tree_entry_type(e) == GIT_OBJECT_TREE) {
		rc = git_tree_lookup(out, git, git_tree_entry_id(e));
	}
	git_tree_entry_free(e);
	git_tree_free(root);
	return rc;
}

static int list_tree(git_repository *git, git_tree *t, struct tl_buf *path,
	struct tl_strlist *out)
{
	size_t base = path->len;
	int rc = 0;
	for (size_t i = 0; !rc && i < git_tree_entrycount(t); i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);
		tl_buf_truncate(path, base);
		tl_buf_printf(
			path, "%s%s", base ? "/" : "", git_tree_entry_name(e));
		if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
			git_tree *sub = NULL;
			if (!(rc = git_tree_lookup(
				      &sub, git, git_tree_entry_id(e))))
				rc = list_tree(git, sub, path, out);
			git_tree_free(sub);
		} else if (git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
			tl_strlist_push(out, path->ptr);
		}
	}
	tl_buf_truncate(path, base);
	return rc;
}

int tl_repo_list_files(struct tl_repo *r, const char *rev, const char *prefix,
	struct tl_strlist *out, struct tl_err *err)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid id;
	git_commit *c = NULL;
	git_tree *t = NULL;
	struct tl_buf path = TL_BUF_INIT;
	int rc = tl_repo_resolve(r, rev, hex, err);
	if (rc)
		return rc;
	git_oid_fromstr(&id, hex);
	if ((rc = git_commit_lookup(&c, r->git, &id)) ||
		(rc = tl_walk_subtree(&t, r->git, c, prefix)))
		rc = tl_git_fail(err, rc, "reading a tree");
	else if (t && (rc = list_tree(r->git, t, &path, out)))
		rc = tl_git_fail(err, rc, "reading a tree");
	git_tree_free(t);
	git_commit_free(c);
	tl_buf_release(&path);
	return rc;
}

int tl_walk_changes(struct tl_repo *r, const char *rev, const char *prefix,
	tl_want_fn want, tl_change_fn fn, void *ctx, struct tl_err *err)
{
	return tl_walk_changes_opts(r, rev, prefix, want, fn, ctx, NULL, err);
}

/* A commit the cache knows: its changes again, without reading a tree. */
static int replay(struct walk *w, const struct tl_hc_commit *x)
{
	int rc = 0;
	w->ch.time = x->time;
	w->ch.author = x->author;
	w->ch.subject = NULL;
	for (size_t i = 0; i < x->n && !rc; i++) {
		git_oid id;
		if (x->v[i].blob[0] && git_oid_fromstr(&id, x->v[i].blob))
			return tl_err_set(w->err, TL_EINVALID,
				"a damaged history cache entry");
		rc = emit(w, x->v[i].path, NULL, x->v[i].blob[0] ? &id : NULL);
	}
	return rc;
}

/* A commit's changes, when its tree at the prefix differs from its
 * parent's: the commit's fields set for fn (*who is the caller's). */
int tl_walk_diff_commit(struct walk *w, git_commit *c, git_tree *before,
	git_tree *now, struct tl_buf *path, char **who)
{
	const git_signature *a;
	if ((now && before &&
		    git_oid_equal(git_tree_id(now), git_tree_id(before))) ||
		(!now && !before))
		return 0;
	a = git_commit_author(c);
	*who = tl_format("%s <%s>", a->name, a->email);
	w->ch.time = a->when.time;
	w->ch.author = *who;
	w->ch.subject = git_commit_summary(c);
	return tl_walk_diff_trees(w, before, now, path);
}

/* One commit: its changes from the cache, else from its tree against its
 * first parent's (then cached). */
static int visit(struct walk *w, struct tl_repo *r, const git_oid *id,
	const char *prefix, struct tl_hcache *cache, struct tl_buf *path)
{
	git_commit *c = NULL, *parent = NULL;
	git_tree *now = NULL, *before = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	char *who = NULL;
	struct tl_hc_commit fresh = { 0, NULL, NULL, 0 };
	const struct tl_hc_commit *known;
	int rc;
	git_oid_tostr(hex, sizeof(hex), id);
	w->ch.commit = hex;
	if (cache && (known = tl_hcache_commit(cache, hex)))
		return replay(w, known);
	if ((rc = git_commit_lookup(&c, r->git, id)) ||
		(rc = tl_walk_subtree(&now, r->git, c, prefix))) {
		rc = tl_git_fail(w->err, rc, "reading a commit");
		git_commit_free(c);
		return rc;
	}
	/* walked oldest first: the parent is mostly the commit just seen */
	if (git_commit_parentcount(c) && w->has_last &&
		git_oid_equal(git_commit_parent_id(c, 0), &w->last))
		rc = w->last_tree ? git_object_dup((git_object **)&before,
					    (git_object *)w->last_tree)
				  : 0;
	else if (git_commit_parentcount(c) &&
		!(rc = git_commit_parent(&parent, c, 0)))
		rc = tl_walk_subtree(&before, r->git, parent, prefix);
	if (rc) {
		rc = tl_git_fail(w->err, rc, "reading a parent commit");
	} else {
		w->collect = cache ? &fresh : NULL;
		rc = tl_walk_diff_commit(w, c, before, now, path, &who);
		w->collect = NULL;
	}
	if (!rc && cache) {
		/* a commit that changed nothing here is cached too */
		fresh.time = w->ch.time;
		fresh.author = who;
		tl_hcache_put_commit(cache, hex, &fresh);
	}
	kept_rotate(w);
	git_tree_free(w->last_tree);
	w->last_tree = NULL;
	w->has_last = !rc &&
		(!now ||
			!git_object_dup((git_object **)&w->last_tree,
				(git_object *)now));
	w->last = *id;
	for (size_t i = 0; i < fresh.n; i++)
		free((char *)fresh.v[i].path); /* ours, from collect */
	free(fresh.v);
	free(who);
	git_tree_free(now);
	git_tree_free(before);
	git_commit_free(parent);
	git_commit_free(c);
	return rc;
}

/* The commits on start's first-parent chain after since (NULL: all of
 * them, to the root), oldest first: 1 when since is on the chain or NULL
 * (*out, *n filled), 0 when it is not, or libgit2's error when a commit
 * of a whole chain cannot be read. */
static int chain(git_repository *git, const git_oid *start,
	const git_oid *since, git_oid **out, size_t *n)
{
	git_oid *v = NULL, at = *start;
	size_t cnt = 0, cap = 0;
	int rc;
	*out = NULL;
	*n = 0;
	/* since may be a descendant of start (a snapshot of the tip, and a
	 * query at an older commit, as diff's base side): without this the
	 * search below went back to the root first */
	if (since && !git_oid_equal(start, since) &&
		git_graph_descendant_of(git, start, since) == 0)
		return 0;
	git_error_clear();
	for (;;) {
		git_commit *c = NULL;
		if (since && git_oid_equal(&at, since))
			break;
		if ((rc = git_commit_lookup(&c, git, &at))) {
			free(v);
			if (!since)
				return rc;
			git_error_clear();
			return 0;
		}
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			v = tl_realloc(v, tl_mul(cap, sizeof(*v)));
		}
		v[cnt++] = at;
		if (!git_commit_parentcount(c)) {
			git_commit_free(c);
			if (!since)
				break; /* the root: the whole chain */
			free(v);
			return 0; /* the root, and since was not met */
		}
		at = *git_commit_parent_id(c, 0);
		git_commit_free(c);
	}
	for (size_t i = 0; i < cnt / 2; i++) {
		git_oid t = v[i];
		v[i] = v[cnt - 1 - i];
		v[cnt - 1 - i] = t;
	}
	*out = v;
	*n = cnt;
	return 1;
}

static int walk_from(struct walk *w, struct tl_repo *r, const git_oid *startp,
	const char *prefix, const struct tl_walk_opts *opts)
{
	struct tl_hcache *cache = opts ? opts->cache : NULL;
	struct tl_buf path = TL_BUF_INIT;
	git_oid since, *v, start = *startp;
	size_t n;
	int rc, since_set = opts && opts->since;
	if (since_set)
		git_oid_fromstr(&since, opts->since);
	/* the chain itself, not a git_revwalk: its topological sort read
	 * every commit once more before the first came out */
	rc = chain(r->git, &start, since_set ? &since : NULL, &v, &n);
	if (rc < 0)
		return tl_git_fail(w->err, rc, "walking history");
	if (!rc)
		return 0;
	rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = visit(w, r, &v[i], prefix, cache, &path);
	free(v);
	tl_buf_release(&path);
	if (!rc && since_set && opts->since_found)
		*opts->since_found = 1;
	return rc;
}

/* The commit a walk starts at: 1 when there is none (an unborn branch,
 * a HEAD that names no commit: no history), an error for a rev that
 * names none. */
int tl_walk_start(
	struct tl_repo *r, const char *rev, git_oid *start, struct tl_err *err)
{
	char hex[GIT_OID_HEXSZ + 1];
	int rc;
	if (!rev && git_repository_head_unborn(r->git) == 1)
		return 1;
	if ((rc = tl_repo_resolve(r, rev ? rev : "HEAD", hex, err))) {
		if (rev)
			return rc;
		tl_err_clear(err);
		return 1;
	}
	git_oid_fromstr(start, hex);
	return 0;
}

void tl_walk_init(struct walk *w, struct tl_repo *r, tl_want_fn want,
	tl_change_fn fn, void *ctx, struct tl_err *err)
{
	memset(w, 0, sizeof(*w));
	w->git = r->git;
	w->want = want;
	w->fn = fn;
	w->ctx = ctx;
	w->err = err;
}

int tl_walk_changes_opts(struct tl_repo *r, const char *rev, const char *prefix,
	tl_want_fn want, tl_change_fn fn, void *ctx,
	const struct tl_walk_opts *opts, struct tl_err *err)
{
	git_oid start;
	struct walk w;
	int rc;

	tl_walk_init(&w, r, want, fn, ctx, err);
	w.need = opts ? opts->need : NULL;
	if (opts && opts->since_found)
		*opts->since_found = 0;
	if ((rc = tl_walk_start(r, rev, &start, err)))
		return rc > 0 ? 0 : rc;
	if (opts && opts->parse) {
		/* tests take every hand-over between the threads on small
		 * repositories with tiny batches */
		const char *t = getenv("TALLY_TEST_BATCH");
		long n = t ? strtol(t, NULL, 10) : 0;
		if ((rc = tl_pipe_new(&w.pipe, r->git,
			     n > 0 && n < BATCH ? (size_t)n : BATCH,
			     opts->parse, fn, ctx, opts->apart, err)))
			return rc;
	}
	w.prev = tl_calloc(TREES_KEPT, sizeof(*w.prev));
	w.cur = tl_calloc(TREES_KEPT, sizeof(*w.cur));
	rc = walk_from(&w, r, &start, prefix, opts);
	if (!rc && w.pipe)
		rc = tl_pipe_finish(w.pipe, err);
	tl_pipe_free(w.pipe);
	kept_release(w.prev, &w.nprev);
	kept_release(w.cur, &w.ncur);
	git_tree_free(w.last_tree);
	free(w.prev);
	free(w.cur);
	return rc;
}

/* tally log -n's walk: newest first, both sides of each change (see
 * tl_walk_back in walk.h). */
#include "core/walk_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

int tl_walk_emit_back(struct walk *w, const char *path, const git_oid *old,
	const git_oid *blob)
{
	git_odb *odb = NULL;
	git_odb_object *a = NULL, *b = NULL;
	char hex[GIT_OID_HEXSZ + 1], oldhex[GIT_OID_HEXSZ + 1];
	int rc = git_repository_odb(&odb, w->git);
	w->ch.path = path;
	w->ch.blob = w->ch.old_blob = w->ch.data = w->ch.old_data = NULL;
	w->ch.len = w->ch.old_len = 0;
	if (!rc && blob && !(rc = git_odb_read(&b, odb, blob))) {
		git_oid_tostr(hex, sizeof(hex), blob);
		w->ch.blob = hex;
		w->ch.data = git_odb_object_data(b);
		w->ch.len = git_odb_object_size(b);
	}
	if (!rc && old && !(rc = git_odb_read(&a, odb, old))) {
		git_oid_tostr(oldhex, sizeof(oldhex), old);
		w->ch.old_blob = oldhex;
		w->ch.old_data = git_odb_object_data(a);
		w->ch.old_len = git_odb_object_size(a);
	}
	if (rc)
		rc = tl_git_fail(w->err, rc, "reading a blob");
	else
		rc = w->fn(&w->ch, w->ctx, w->err);
	git_odb_object_free(a);
	git_odb_object_free(b);
	git_odb_free(odb);
	return rc;
}

/* One commit of tl_walk_back: its tree against its first parent's. */
static int visit_back(struct walk *w, struct tl_repo *r, const git_oid *id,
	const char *prefix, struct tl_buf *path)
{
	git_commit *c = NULL, *parent = NULL;
	git_tree *now = NULL, *before = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	char *who = NULL;
	int rc;
	git_oid_tostr(hex, sizeof(hex), id);
	w->ch.commit = hex;
	if ((rc = git_commit_lookup(&c, r->git, id)) ||
		(rc = tl_walk_subtree(&now, r->git, c, prefix)) ||
		(git_commit_parentcount(c) &&
			((rc = git_commit_parent(&parent, c, 0)) ||
				(rc = tl_walk_subtree(
					 &before, r->git, parent, prefix))))) {
		rc = tl_git_fail(w->err, rc, "reading a commit");
	} else {
		rc = tl_walk_diff_commit(w, c, before, now, path, &who);
	}
	free(who);
	git_tree_free(now);
	git_tree_free(before);
	git_commit_free(parent);
	git_commit_free(c);
	return rc;
}

int tl_walk_back(struct tl_repo *r, const char *rev, const char *prefix,
	tl_want_fn want, tl_change_fn fn, void *ctx, struct tl_err *err)
{
	struct walk w;
	struct tl_buf path = TL_BUF_INIT;
	git_revwalk *rw = NULL;
	git_oid start, id;
	int rc;
	tl_walk_init(&w, r, want, fn, ctx, err);
	w.back = 1;
	if ((rc = tl_walk_start(r, rev, &start, err)))
		return rc > 0 ? 0 : rc;
	if ((rc = git_revwalk_new(&rw, r->git)))
		return tl_git_fail(err, rc, "walking history");
	/* no sorting: a sorted walk reads every commit before the first */
	git_revwalk_sorting(rw, GIT_SORT_NONE);
	git_revwalk_simplify_first_parent(rw);
	if ((rc = git_revwalk_push(rw, &start)))
		rc = tl_git_fail(err, rc, "walking history");
	while (!rc && !(rc = git_revwalk_next(&id, rw)))
		rc = visit_back(&w, r, &id, prefix, &path);
	if (rc == GIT_ITEROVER) {
		git_error_clear();
		rc = 0;
	} else if (rc == TL_WALK_STOP) {
		rc = 0;
	}
	git_revwalk_free(rw);
	tl_buf_release(&path);
	return rc;
}

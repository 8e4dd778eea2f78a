/* Revisions by name and by ancestry (libgit2): what the history
 * commands ask of commits besides walking them (core/walk.c). */
#include "core/revs.h"
#include "core/buf.h"
#include "core/repo_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

int tl_repo_resolve(
	struct tl_repo *r, const char *rev, char *out_hex, struct tl_err *err)
{
	git_object *o = NULL;
	int rc = git_revparse_single(&o, r->git, rev);
	if (!rc) {
		git_object *c = NULL;
		rc = git_object_peel(&c, o, GIT_OBJECT_COMMIT);
		if (!rc)
			git_oid_tostr(
				out_hex, GIT_OID_HEXSZ + 1, git_object_id(c));
		git_object_free(c);
	}
	git_object_free(o);
	if (rc == GIT_ENOTFOUND || rc == GIT_EAMBIGUOUS ||
		rc == GIT_EINVALIDSPEC || rc == GIT_EPEEL) {
		git_error_clear();
		return tl_err_set(
			err, TL_ENOTFOUND, "unknown revision '%s'", rev);
	}
	return rc ? tl_git_fail(err, rc, "resolving a revision") : 0;
}

int tl_repo_merge_base(struct tl_repo *r, const char *a, const char *b,
	char *out_hex, struct tl_err *err)
{
	char ha[GIT_OID_HEXSZ + 1], hb[GIT_OID_HEXSZ + 1];
	git_oid ia, ib, base;
	int rc;
	if ((rc = tl_repo_resolve(r, a, ha, err)) ||
		(rc = tl_repo_resolve(r, b, hb, err)))
		return rc;
	git_oid_fromstr(&ia, ha);
	git_oid_fromstr(&ib, hb);
	rc = git_merge_base(&base, r->git, &ia, &ib);
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		return tl_err_set(err, TL_ENOTFOUND,
			"%s and %s have no common ancestor", a, b);
	}
	if (rc)
		return tl_git_fail(err, rc, "finding the merge base");
	git_oid_tostr(out_hex, GIT_OID_HEXSZ + 1, &base);
	return 0;
}

int tl_repo_descends(
	struct tl_repo *r, const char *hex, const char *ancestor_hex)
{
	git_oid a, b;
	int rc;
	if (git_oid_fromstr(&a, hex) || git_oid_fromstr(&b, ancestor_hex))
		return 0;
	if (git_oid_equal(&a, &b))
		return 1;
	rc = git_graph_descendant_of(r->git, &a, &b);
	if (rc < 0)
		git_error_clear();
	return rc == 1;
}

int tl_repo_code_id(struct tl_repo *r, const char *rev,
	const char *const *paths, size_t npaths, char *out_hex, int64_t *when,
	struct tl_err *err)
{
	size_t len = strlen(rev);
	git_object *o = NULL;
	git_tree *root = NULL;
	struct tl_buf ids = TL_BUF_INIT;
	git_oid id;
	int rc;

	if (len < 7 || len > GIT_OID_HEXSZ ||
		strspn(rev, "0123456789abcdef") != len)
		return TL_ENOTFOUND; /* not a commit id: a build name, a tag */
	if (len == GIT_OID_HEXSZ) {
		/* most revisions are full ids, and many name commits of
		 * another repository: a miss must not make libgit2 rescan
		 * the packs each time */
		git_odb *odb = NULL;
		git_oid full;
		int there = !git_oid_fromstr(&full, rev) &&
			!git_repository_odb(&odb, r->git) &&
			git_odb_exists_ext(
				odb, &full, GIT_ODB_LOOKUP_NO_REFRESH);
		git_odb_free(odb);
		if (!there)
			return TL_ENOTFOUND;
	}
	{
		git_oid prefix;
		if (git_oid_fromstrn(&prefix, rev, len) ||
			git_object_lookup_prefix(
				&o, r->git, &prefix, len, GIT_OBJECT_COMMIT)) {
			git_error_clear();
			return TL_ENOTFOUND;
		}
	}
	*when = (int64_t)git_commit_time((git_commit *)o);
	if (!npaths) {
		git_object_free(o);
		return 0;
	}
	if ((rc = git_commit_tree(&root, (git_commit *)o))) {
		git_object_free(o);
		return tl_git_fail(err, rc, "reading a commit");
	}
	for (size_t i = 0; i < npaths; i++) {
		git_tree_entry *e = NULL;
		char hex[GIT_OID_HEXSZ + 1];
		struct tl_buf p = TL_BUF_INIT;
		tl_buf_puts(&p, paths[i]);
		while (p.len > 1 && p.ptr[p.len - 1] == '/')
			tl_buf_truncate(&p, p.len - 1);
		if (!git_tree_entry_bypath(&e, root, p.ptr)) {
			git_oid_tostr(hex, sizeof(hex), git_tree_entry_id(e));
			tl_buf_printf(&ids, "%s %s\n", hex, p.ptr);
		} else {
			git_error_clear();
			tl_buf_printf(&ids, "- %s\n", p.ptr); /* absent there */
		}
		git_tree_entry_free(e);
		tl_buf_release(&p);
	}
	rc = git_odb_hash(
		&id, ids.ptr ? ids.ptr : "", ids.len, GIT_OBJECT_BLOB);
	if (!rc)
		git_oid_tostr(out_hex, GIT_OID_HEXSZ + 1, &id);
	tl_buf_release(&ids);
	git_tree_free(root);
	git_object_free(o);
	return rc ? tl_git_fail(err, rc, "hashing a code identity") : 0;
}

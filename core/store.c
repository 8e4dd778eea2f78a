#include "core/store.h"
#include "core/buf.h"
#include "core/fs.h"
#include "core/key.h"
#include "core/resolve.h"
#include "core/hsnap.h"
#include "core/snapshot.h"
#include "formats/entity.h"
#include "formats/yaml.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/banned.h"

static char *real(const char *p)
{
	char *r = realpath(p, NULL);
	return r ? r : tl_strdup(p);
}

static int under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

static int open_root(struct tl_store **out, struct tl_repo *repo,
	const char *root, const char *rev, struct tl_err *err)
{
	struct tl_store *s = tl_calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	s->repo = repo;
	s->workdir = real(tl_repo_workdir(repo));
	s->root = real(root);
	if (!under(s->root, s->workdir)) {
		rc = tl_err_set(err, TL_EINVALID,
			"%s is outside the work tree %s", s->root, s->workdir);
		goto fail;
	}
	s->prefix = strlen(s->root) == strlen(s->workdir)
		? tl_strdup("")
		: tl_format("%s/", s->root + strlen(s->workdir) + 1);
	if (rev && (rc = tl_snapshot_open(&s->snap, repo, rev, s->prefix, err)))
		goto fail;
	rc = tl_store_load(
		(void **)&s->ws, s, TL_KIND_WORKSPACE, "tally.yaml", "", err);
	if (rc)
		goto fail;
	if ((int)s->ws->version.v != TL_FORMAT_VERSION) {
		rc = tl_err_set(err, TL_EINVALID,
			"%stally.yaml: format version %g is not supported (this tally reads %d)",
			s->prefix, s->ws->version.v, TL_FORMAT_VERSION);
		goto fail;
	}
	{
		char *name = tl_store_wpath(s, "tally.yaml");
		rc = tl_fields_load(&s->fields, s->ws->fields, name, err);
		free(name);
		if (rc)
			goto fail;
	}
	*out = s;
	return 0;
fail:
	s->repo = NULL; /* the caller still owns it */
	tl_store_free(s);
	return rc;
}

int tl_store_open_root(struct tl_store **out, struct tl_repo *repo,
	const char *root, struct tl_err *err)
{
	return open_root(out, repo, root, NULL, err);
}

int tl_store_open(struct tl_store **out, const char *dir, struct tl_err *err)
{
	return tl_store_open_at(out, dir, NULL, err);
}

int tl_store_open_at(struct tl_store **out, const char *dir, const char *rev,
	struct tl_err *err)
{
	struct tl_repo *repo;
	char *cur, *wd, *root = NULL;
	int rc;

	*out = NULL;
	rc = tl_repo_open(&repo, dir, err);
	if (rc)
		return rc;
	cur = real(dir);
	wd = real(tl_repo_workdir(repo));
	while (under(cur, wd)) {
		char *f = tl_path_join(cur, "tally.yaml");
		int found = tl_fs_is_file(f);
		free(f);
		if (found) {
			root = tl_strdup(cur);
			break;
		}
		if (!strcmp(cur, wd))
			break;
		*strrchr(cur, '/') = '\0';
	}
	if (!root) {
		char *f = tl_path_join(wd, "qa/tally.yaml");
		if (tl_fs_is_file(f))
			root = tl_path_join(wd, "qa");
		free(f);
	}
	if (!root) {
		rc = tl_err_set(err, TL_ENOTFOUND,
			"no tracker here: no tally.yaml from %s up to %s, nor in %s/qa "
			"(run 'tally init' to create one)",
			dir, wd, wd);
	} else {
		rc = open_root(out, repo, root, rev, err);
	}
	free(cur);
	free(wd);
	free(root);
	if (rc)
		tl_repo_free(repo);
	return rc;
}

void tl_store_free(struct tl_store *s)
{
	if (!s)
		return;
	tl_hsnap_ahead_free(s->ahead);
	tl_snapshot_free(s->snap); /* before the repository it reads */
	tl_repo_free(s->repo);
	tl_workspace_free(s->ws);
	tl_fields_release(&s->fields);
	free(s->workdir);
	free(s->root);
	free(s->prefix);
	free(s);
}

char *tl_store_wpath(const struct tl_store *s, const char *path)
{
	return tl_format("%s%s", s->prefix, path);
}

int tl_store_load(void **out, struct tl_store *s, enum tl_kind kind,
	const char *path, const char *key, struct tl_err *err)
{
	char *wpath = tl_store_wpath(s, path);
	struct tl_buf b = TL_BUF_INIT;
	int rc;

	*out = NULL;
	rc = tl_store_read(s, path, TL_YAML_MAX_BYTES, &b, err);
	if (rc)
		goto out;
	rc = tl_entity_parse(out, kind, wpath, b.ptr, b.len, err);
	if (rc)
		goto out;
	((struct tl_entity *)*out)->key = tl_strdup(key);
	((struct tl_entity *)*out)->path = tl_strdup(wpath);
	if (!s->keep_docs) {
		tl_value_free(((struct tl_entity *)*out)->doc);
		((struct tl_entity *)*out)->doc = NULL;
	}
out:
	tl_buf_release(&b);
	free(wpath);
	return rc;
}

int tl_store_projects(
	struct tl_store *s, struct tl_list *out, struct tl_err *err)
{
	char **names;
	size_t n;
	int rc = tl_store_list(s, "", 1, &names, &n, err);
	out->kind = TL_KIND_PROJECT;
	if (rc)
		return rc;
	for (size_t i = 0; i < n && !rc; i++) {
		char *path = tl_format("%s/project.yaml", names[i]);
		if (tl_store_is_file(s, path)) {
			void *p;
			rc = tl_store_load(
				&p, s, TL_KIND_PROJECT, path, names[i], err);
			if (!rc)
				tl_list_push(out, p);
		}
		free(path);
	}
	tl_fs_list_free(names, n);
	if (rc)
		tl_list_release(out);
	return rc;
}

int tl_store_project(
	struct tl_store *s, const char *ref, char **key, struct tl_err *err)
{
	struct tl_list l = { 0 };
	void *p = NULL;
	int rc = tl_store_projects(s, &l, err);

	*key = NULL;
	if (rc)
		return rc;
	if (!ref && s->ws->default_project)
		ref = s->ws->default_project;
	if (ref) {
		rc = tl_resolve_list(&l, ref, "project", &p, err);
	} else if (l.n == 1) {
		p = l.v[0];
	} else if (l.n == 0) {
		rc = tl_err_set(err, TL_ENOTFOUND,
			"the tracker has no project yet (tally project new KEY)");
	} else {
		struct tl_buf b = TL_BUF_INIT;
		for (size_t i = 0; i < l.n; i++)
			tl_buf_printf(&b, "%s%s", i ? ", " : "",
				((struct tl_entity *)l.v[i])->key);
		rc = tl_err_set(err, TL_EUSAGE,
			"the tracker has several projects (%s): choose one with --project",
			b.ptr);
		tl_buf_release(&b);
	}
	if (!rc)
		*key = tl_strdup(((struct tl_entity *)p)->key);
	tl_list_release(&l);
	return rc;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

static int base_is(const char *rel, const char *name)
{
	const char *slash = strrchr(rel, '/');
	return !strcmp(slash ? slash + 1 : rel, name);
}

int tl_store_is_entity_file(const char *rel)
{
	return ends_with(rel, ".yaml") && !base_is(rel, "_suite.yaml");
}

static int load_dir(struct tl_store *s, const char *project, const char *sub,
	enum tl_kind kind, struct tl_list *out, struct tl_err *err)
{
	char *dir = tl_format("%s/%s", project, sub);
	int rc = tl_store_load_many(
		s, dir, kind, tl_store_is_entity_file, 2, out, err);
	free(dir);
	return rc;
}

int tl_store_cases(struct tl_store *s, const char *project, struct tl_list *out,
	struct tl_err *err)
{
	return load_dir(s, project, "cases", TL_KIND_CASE, out, err);
}

int tl_store_requirements(struct tl_store *s, const char *project,
	struct tl_list *out, struct tl_err *err)
{
	return load_dir(
		s, project, "requirements", TL_KIND_REQUIREMENT, out, err);
}

int tl_store_releases(struct tl_store *s, const char *project,
	struct tl_list *out, struct tl_err *err)
{
	return load_dir(s, project, "releases", TL_KIND_RELEASE, out, err);
}

int tl_store_defects(struct tl_store *s, const char *project,
	struct tl_list *out, struct tl_err *err)
{
	return load_dir(s, project, "defects", TL_KIND_DEFECT, out, err);
}

static int collect_dirs(struct tl_store *s, const char *cases, const char *rel,
	struct tl_list *out, int depth, struct tl_err *err)
{
	char *dir = rel[0] ? tl_format("%s/%s", cases, rel) : tl_strdup(cases);
	char **names;
	size_t n;
	int rc = tl_store_list(s, dir, 1, &names, &n, err);
	if (rc == TL_ENOTFOUND && !rel[0]) {
		tl_err_clear(err);
		rc = 0;
		n = 0;
		names = NULL;
	}
	if (depth > 32)
		rc = tl_err_set(
			err, TL_EINVALID, "%s: folders nested too deep", dir);
	for (size_t i = 0; i < n && !rc; i++) {
		char *key = rel[0] ? tl_format("%s/%s", rel, names[i])
				   : tl_strdup(names[i]);
		char *meta = tl_format("%s/%s/_suite.yaml", cases, key);
		struct tl_suite *su;
		if (tl_store_is_file(s, meta)) {
			rc = tl_store_load(
				(void **)&su, s, TL_KIND_SUITE, meta, key, err);
		} else {
			su = tl_entity_new(TL_KIND_SUITE);
			su->ent.key = tl_strdup(key);
			su->ent.path = tl_store_wpath(s, meta);
		}
		if (!rc) {
			tl_list_push(out, su);
			rc = collect_dirs(s, cases, key, out, depth + 1, err);
		}
		free(meta);
		free(key);
	}
	tl_fs_list_free(names, n);
	free(dir);
	return rc;
}

int tl_store_suites(struct tl_store *s, const char *project,
	struct tl_list *out, struct tl_err *err)
{
	char *cases = tl_format("%s/cases", project);
	int rc;
	out->kind = TL_KIND_SUITE;
	rc = collect_dirs(s, cases, "", out, 0, err);
	free(cases);
	if (rc)
		tl_list_release(out);
	return rc;
}

char *tl_store_case_path(const char *project, const char *key)
{
	return tl_format("%s/cases/%s.yaml", project, key);
}

int tl_store_case_by_key(struct tl_store *s, const char *project,
	const char *key, struct tl_case **out, struct tl_err *err)
{
	struct tl_err quiet = TL_ERR_INIT;
	char *path;
	int rc = TL_ENOTFOUND;
	*out = NULL;
	if (tl_key_check(key, "case", &quiet)) {
		tl_err_clear(&quiet);
		return TL_ENOTFOUND;
	}
	path = tl_store_case_path(project, key);
	/* read, not only found: a damaged case is refused as a full load
	 * would have refused it */
	if (tl_store_is_file(s, path))
		rc = tl_store_load(
			(void **)out, s, TL_KIND_CASE, path, key, err);
	free(path);
	return rc;
}

int tl_store_case_find(struct tl_store *s, const char *project, const char *ref,
	struct tl_list *l, struct tl_case **out, struct tl_err *err)
{
	int rc = tl_store_case_by_key(s, project, ref, out, err);
	l->kind = TL_KIND_CASE;
	if (!rc)
		tl_list_push(l, *out);
	if (rc != TL_ENOTFOUND)
		return rc;
	if ((rc = tl_store_cases(s, project, l, err)))
		return rc;
	return tl_resolve_list(l, ref, "case", (void **)out, err);
}

char *tl_store_req_path(const char *project, const char *key)
{
	return tl_format("%s/requirements/%s.yaml", project, key);
}

/* Grows by doubling: an import puts 200,000 files in one transaction. */
static size_t grown(size_t n)
{
	return (n & (n - 1)) == 0 ? (n < 4 ? 4 : n * 2) : 0;
}

static void txn_own(struct tl_txn *t, char *p)
{
	if (grown(t->nowned))
		t->owned = tl_realloc(
			t->owned, tl_mul(grown(t->nowned), sizeof(*t->owned)));
	t->owned[t->nowned++] = p;
}

static struct tl_change *txn_slot(
	struct tl_txn *t, struct tl_store *s, const char *path)
{
	char *w = tl_store_wpath(s, path);
	txn_own(t, w);
	if (grown(t->n))
		t->changes = tl_realloc(
			t->changes, tl_mul(grown(t->n), sizeof(*t->changes)));
	memset(&t->changes[t->n], 0, sizeof(t->changes[t->n]));
	t->changes[t->n].path = w;
	return &t->changes[t->n++];
}

int tl_store_check_fields(struct tl_store *s, enum tl_kind kind, const void *e,
	struct tl_err *err)
{
	const struct tl_schema *sc = tl_schema_of(kind);
	const struct tl_fieldspec *f = tl_schema_field(sc, "fields");
	const struct tl_entity *ent = e;
	if (!f || f->type != TL_F_MAP)
		return 0;
	return tl_fields_validate(&s->fields, sc->name,
		*(struct tl_value *const *)((const char *)e + f->off),
		ent->path ? ent->path : sc->name, err);
}

int tl_store_encode(struct tl_buf *out, struct tl_store *s, enum tl_kind kind,
	const void *e, struct tl_err *err)
{
	int rc = tl_store_check_fields(s, kind, e, err);
	return rc ? rc : tl_entity_write(out, kind, e, err);
}

int tl_txn_put(struct tl_txn *t, struct tl_store *s, enum tl_kind kind,
	const void *e, const char *path, struct tl_err *err)
{
	struct tl_buf b = TL_BUF_INIT;
	struct tl_change *c;
	int rc = tl_store_encode(&b, s, kind, e, err);
	if (rc) {
		tl_buf_release(&b);
		return rc;
	}
	c = txn_slot(t, s, path);
	c->len = b.len;
	c->data = tl_buf_detach(&b);
	txn_own(t, (char *)c->data);
	return 0;
}

void tl_txn_put_raw(struct tl_txn *t, struct tl_store *s, const char *path,
	const char *data, size_t len)
{
	struct tl_change *c = txn_slot(t, s, path);
	char *copy = tl_strndup(data, len);
	txn_own(t, copy);
	c->data = copy;
	c->len = len;
}

void tl_txn_remove(struct tl_txn *t, struct tl_store *s, const char *path)
{
	txn_slot(t, s, path)->remove = 1;
}

int tl_txn_commit(struct tl_txn *t, struct tl_store *s,
	const struct tl_commit_opts *opts, char *out_id, struct tl_err *err)
{
	if (s->snap)
		return tl_store_refuse_write(s, err);
	return tl_repo_commit(s->repo, t->changes, t->n, opts, out_id, err);
}

int tl_store_refuse_write(const struct tl_store *s, struct tl_err *err)
{
	return tl_err_set(err, TL_EUSAGE,
		"--at shows the tracker as of %.12s; it cannot change it",
		tl_snapshot_commit(s->snap));
}

void tl_txn_release(struct tl_txn *t)
{
	for (size_t i = 0; i < t->nowned; i++)
		free(t->owned[i]);
	free(t->owned);
	free(t->changes);
	memset(t, 0, sizeof(*t));
}

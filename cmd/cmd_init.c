#include "cmd/tally.h"
#include "core/fs.h"
#include "core/key.h"
#include "formats/entity.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

const struct opt_spec opts_init[] = {
	{ "project", 0, OPT_STR, "KEY",
		"the first project's key (default: the repository's folder name)",
		NULL },
	{ "name", 0, OPT_STR, "NAME", "the workspace's name", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static char *default_project(const char *workdir)
{
	const char *base = strrchr(workdir, '/');
	struct tl_buf b = TL_BUF_INIT;
	tl_slugify(&b, base ? base + 1 : workdir);
	if (!strcmp(b.ptr, "untitled")) {
		tl_buf_reset(&b);
		tl_buf_puts(&b, "main");
	}
	return tl_buf_detach(&b);
}

static int add_entity(struct tl_buf *store, struct tl_change *ch, char *path,
	enum tl_kind kind, const void *e, struct tl_err *err)
{
	int rc = tl_entity_write(store, kind, e, err);
	ch->path = path;
	ch->data = store->ptr;
	ch->len = store->len;
	return rc;
}

int cmd_init(struct ctx *c, struct args *a)
{
	const char *dir = a->pos.n ? a->pos.v[0] : "qa";
	struct tl_repo *repo = NULL;
	struct tl_workspace *ws = tl_entity_new(TL_KIND_WORKSPACE);
	struct tl_project *p = tl_entity_new(TL_KIND_PROJECT);
	struct tl_buf b1 = TL_BUF_INIT, b2 = TL_BUF_INIT, out = TL_BUF_INIT;
	struct tl_change ch[2];
	struct tl_ident author, committer;
	struct tl_commit_opts o = { 0 };
	char *root = NULL, *wd = NULL, *rel = NULL, *key = NULL, *msg = NULL;
	char id[64] = "";
	int created = 0, rc;

	memset(ch, 0, sizeof(ch));
	/* --project is a global option too; here it names the new project */
	key = arg_str(a, "project") ? tl_strdup(arg_str(a, "project"))
		: c->project	    ? tl_strdup(c->project)
				    : NULL;
	rc = tl_repo_open(&repo, ".", &c->err);
	if (rc == TL_ENOTFOUND) {
		tl_err_clear(&c->err);
		rc = tl_repo_init(&repo, ".", &c->err);
		created = !rc;
	}
	if (rc)
		goto out;
	if ((rc = tl_fs_mkdirs(dir, &c->err)))
		goto out;
	root = realpath(dir, NULL);
	wd = realpath(tl_repo_workdir(repo), NULL);
	if (!root || !wd || strncmp(root, wd, strlen(wd)) ||
		(root[strlen(wd)] && root[strlen(wd)] != '/')) {
		rc = tl_err_set(&c->err, TL_EINVALID,
			"%s is outside the work tree %s", dir,
			tl_repo_workdir(repo));
		goto out;
	}
	rel = tl_format("%s%s", root + strlen(wd) + (root[strlen(wd)] ? 1 : 0),
		root[strlen(wd)] ? "/" : "");
	{
		char *f = tl_path_join(root, "tally.yaml");
		int exists = tl_fs_is_file(f);
		free(f);
		if (exists) {
			rc = tl_err_set(&c->err, TL_EEXISTS,
				"%stally.yaml exists: this folder is a tracker already",
				rel);
			goto out;
		}
	}
	if (!key)
		key = default_project(wd);
	if ((rc = tl_key_check(key, "project", &c->err)))
		goto out;
	if (strchr(key, '/')) {
		rc = tl_err_set(&c->err, TL_EINVALID,
			"a project key is one folder name, not '%s'", key);
		goto out;
	}
	ws->version.set = 1;
	ws->version.v = TL_FORMAT_VERSION;
	ws->name = tl_strdup(arg_str(a, "name") ? arg_str(a, "name") : key);
	ws->default_project = tl_strdup(key);
	p->title = tl_strdup(key);
	if ((rc = add_entity(&b1, &ch[0], tl_format("%stally.yaml", rel),
		     TL_KIND_WORKSPACE, ws, &c->err)) ||
		(rc = add_entity(&b2, &ch[1],
			 tl_format("%s%s/project.yaml", rel, key),
			 TL_KIND_PROJECT, p, &c->err)))
		goto out;
	if ((rc = ctx_idents(c, repo, &author, &committer, NULL)))
		goto out;
	msg = tl_format(
		"tally: init tracker in %s\n\nTally-Action: init\nTally-Project: %s\n",
		rel[0] ? rel : "./", key);
	o.message = msg;
	o.author = &author;
	o.committer = &committer;
	o.no_commit = c->no_commit;
	rc = tl_repo_commit(repo, ch, 2, &o, id, &c->err);
	if (rc)
		goto out;
	if (c->format == FMT_JSON) {
		struct tl_value *v = tl_value_map();
		tl_value_put(v, "root", tl_value_str(rel[0] ? rel : "./"));
		tl_value_put(v, "project", tl_value_str(key));
		tl_value_put(v, "commit",
			c->no_commit ? tl_value_null() : tl_value_str(id));
		rc = out_object(c, v, NULL);
		tl_value_free(v);
	} else if (!c->quiet) {
		if (created)
			tl_buf_printf(&out,
				"Initialized an empty git repository in %s\n",
				wd);
		tl_buf_printf(&out,
			"Initialized a tally tracker in %s with project '%s'%s%.7s%s\n",
			rel[0] ? rel : "./", key,
			c->no_commit ? " (staged)" : " [", id,
			c->no_commit ? "" : "]");
		tl_buf_printf(&out,
			"Next: tally case new \"My first case\" --suite smoke\n");
		out_write(&out);
	}
out:
	for (int i = 0; i < 2; i++)
		free((char *)ch[i].path);
	tl_buf_release(&b1);
	tl_buf_release(&b2);
	tl_buf_release(&out);
	tl_workspace_free(ws);
	tl_project_free(p);
	tl_repo_free(repo);
	free(root);
	free(wd);
	free(rel);
	free(key);
	free(msg);
	return rc;
}

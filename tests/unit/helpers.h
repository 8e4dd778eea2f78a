/* Shared by the unit tests that need real repositories: each test gets a
 * throwaway folder and drives git itself to set up and check the result. */
#ifndef TL_TEST_HELPERS_H
#define TL_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/repo.h"

static inline char *th_tmpdir(void)
{
	char *d = strdup("/tmp/tally-unit-XXXXXX");
	cr_assert_not_null(mkdtemp(d));
	return d;
}

/* Runs a shell command in dir; returns its stdout (caller frees). */
static inline char *th_sh(const char *dir, const char *fmt, ...)
{
	struct tl_buf cmd = TL_BUF_INIT, out = TL_BUF_INIT;
	va_list ap;
	char chunk[4096];
	size_t n;
	FILE *p;
	tl_buf_printf(&cmd,
		"cd '%s' && export GIT_CONFIG_NOSYSTEM=1 HOME=/nonexistent; "
		"git() { command git -c user.name=T -c user.email=t@t "
		"-c init.defaultBranch=main \"$@\"; }; ",
		dir);
	va_start(ap, fmt);
	tl_buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	p = popen(cmd.ptr, "r");
	cr_assert_not_null(p);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		tl_buf_put(&out, chunk, n);
	cr_assert_eq(pclose(p), 0, "command failed: %s", cmd.ptr);
	tl_buf_release(&cmd);
	return tl_buf_detach(&out);
}

/* A throwaway folder with an empty git repository, opened. */
static inline char *th_repo(struct tl_repo **repo)
{
	struct tl_err err = TL_ERR_INIT;
	char *dir = th_tmpdir();
	free(th_sh(dir, "git init -q ."));
	cr_assert_eq(tl_repo_open(repo, dir, &err), 0, "%s", err.msg);
	return dir;
}

static inline void th_rmrf(char *dir)
{
	char *cmd = tl_format("rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	free(dir);
}

static inline void th_write(const char *dir, const char *path, const char *data)
{
	char *full = tl_format("%s/%s", dir, path);
	char *mk = tl_format("mkdir -p \"$(dirname '%s')\"", full);
	FILE *f;
	cr_assert_eq(system(mk), 0);
	f = fopen(full, "wb");
	cr_assert_not_null(f);
	fputs(data, f);
	fclose(f);
	free(mk);
	free(full);
}

#endif

/* Reading files (core/fs.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/fs.h"

/* tl_fs_read appends a file whole: of its known size in one go, of no
 * size stat can give (a pipe's, /proc's) chunk by chunk. */
Test(fs, reads_append_whole_files_of_known_and_unknown_size)
{
	char dir[] = "/tmp/tally-fs-XXXXXX";
	struct tl_buf b = TL_BUF_INIT;
	struct tl_err err = TL_ERR_INIT;
	char *path, *big;
	FILE *f;
	cr_assert_not_null(mkdtemp(dir));
	path = tl_format("%s/f", dir);
	big = malloc(200000);
	for (size_t i = 0; i < 200000; i++)
		big[i] = (char)('a' + i % 26);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fwrite(big, 1, 200000, f);
	fclose(f);
	tl_buf_puts(&b, "ab");
	cr_assert_eq(tl_fs_read(&b, path, 0, &err), 0);
	cr_assert_eq(b.len, 200002);
	cr_assert_eq(memcmp(b.ptr, "ab", 2), 0);
	cr_assert_eq(memcmp(b.ptr + 2, big, 200000), 0);
	cr_assert_eq(b.ptr[b.len], '\0');
	/* an empty file adds nothing */
	f = fopen(path, "w");
	fclose(f);
	cr_assert_eq(tl_fs_read(&b, path, 0, &err), 0);
	cr_assert_eq(b.len, 200002);
	tl_buf_reset(&b);
	cr_assert_eq(tl_fs_read(&b, "/proc/self/status", 0, &err), 0);
	cr_assert_not_null(strstr(b.ptr, "Name:"));
	unlink(path);
	rmdir(dir);
	free(path);
	free(big);
	tl_buf_release(&b);
}

Test(fs, a_file_over_the_cap_is_refused_by_name)
{
	char dir[] = "/tmp/tally-fs-XXXXXX";
	struct tl_buf b = TL_BUF_INIT;
	struct tl_err err = TL_ERR_INIT;
	char *path;
	FILE *f;
	cr_assert_not_null(mkdtemp(dir));
	path = tl_format("%s/big.yaml", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	for (int i = 0; i < 3000; i++)
		fputs("0123456789", f);
	fclose(f);
	cr_assert_neq(tl_fs_read(&b, path, 16384, &err), 0);
	cr_assert_not_null(strstr(err.msg, "big.yaml"));
	cr_assert_not_null(strstr(err.msg, "limit"));
	tl_err_clear(&err);
	unlink(path);
	rmdir(dir);
	free(path);
	tl_buf_release(&b);
}

static int is_dir(const char *dir, const char *rel)
{
	char *p = tl_format("%s/%s", dir, rel);
	struct stat st;
	int yes = !stat(p, &st) && S_ISDIR(st.st_mode);
	free(p);
	return yes;
}

/* mkdir -p tries the deepest level first and goes up only for what is
 * missing: every level made, an existing folder fine, a trailing slash
 * fine, a file in the way an error that names the folder. */
Test(fs, mkdirs_makes_every_missing_level_and_names_what_is_in_the_way)
{
	char dir[] = "/tmp/tally-fs-XXXXXX";
	struct tl_err err = TL_ERR_INIT;
	char *p;
	FILE *f;
	cr_assert_not_null(mkdtemp(dir));
	p = tl_format("%s/a/b/c/d", dir);
	cr_assert_eq(tl_fs_mkdirs(p, &err), 0);
	cr_assert(is_dir(dir, "a/b/c/d"));
	cr_assert_eq(tl_fs_mkdirs(p, &err), 0, "an existing folder is fine");
	free(p);
	p = tl_format("%s/a/x/y/", dir);
	cr_assert_eq(tl_fs_mkdirs(p, &err), 0);
	cr_assert(is_dir(dir, "a/x/y"));
	free(p);
	p = tl_format("%s/a/file", dir);
	f = fopen(p, "w");
	cr_assert_not_null(f);
	fclose(f);
	free(p);
	p = tl_format("%s/a/file/sub/deeper", dir);
	cr_assert_neq(tl_fs_mkdirs(p, &err), 0);
	cr_assert_not_null(strstr(err.msg, "a/file/sub"), "%s", err.msg);
	tl_err_clear(&err);
	free(p);
	p = tl_format("rm -r %s", dir);
	cr_assert_eq(system(p), 0);
	free(p);
}

/* Reading files (core/fs.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

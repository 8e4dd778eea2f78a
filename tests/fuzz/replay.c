/* Without libFuzzer: runs every file of the corpus folders given as
 * arguments through the target, so the corpus is an ordinary test. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/fs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	int files = 0;
	for (int i = 1; i < argc; i++) {
		char **names;
		size_t n;
		struct tl_err err = TL_ERR_INIT;
		if (tl_fs_list(&names, &n, argv[i], 0, &err)) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		for (size_t j = 0; j < n; j++) {
			char *path = tl_path_join(argv[i], names[j]);
			struct tl_buf b = TL_BUF_INIT;
			if (tl_fs_read(&b, path, 0, &err)) {
				fprintf(stderr, "%s\n", err.msg);
				return 1;
			}
			LLVMFuzzerTestOneInput((const uint8_t *)b.ptr, b.len);
			tl_buf_release(&b);
			free(path);
			files++;
		}
		tl_fs_list_free(names, n);
	}
	printf("replayed %d inputs\n", files);
	return files ? 0 : 1;
}

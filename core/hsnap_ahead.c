/* The history snapshot read ahead, on a thread of its own, while the
 * command starts: a warm query spent its first 13 ms starting libgit2
 * (which parses the system's TLS certificates) and reading the case files
 * before it even opened the snapshot. The file is found by a guess from
 * the working folder, without libgit2; tl_hsnap_load takes what was read
 * only when it is the very file it wants, unchanged (core/hsnap.c), so a
 * wrong guess costs the thread's time and nothing else. */
#include "core/hsnap.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/fs.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/banned.h"

struct tl_hsnap_ahead {
	int fd;
	pthread_t th;
	int started;
	struct tl_hsnap_file *f;
};

static void *read_ahead(void *arg)
{
	struct tl_hsnap_ahead *a = arg;
	a->f = tl_hsnap_read_fd(a->fd);
	return NULL;
}

static int is_dir(const char *p)
{
	struct stat st;
	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

/* .git/tally of the nearest folder up from here with a .git folder, as
 * tally opens its repository (GIT_DIR is not read there either); NULL:
 * none (a .git file, a worktree's, is left to libgit2) */
static char *guess_dir(void)
{
	char *out = NULL, *cwd = getcwd(NULL, 0);
	if (!cwd)
		return NULL;
	for (;;) {
		char *git = tl_format("%s/.git", strcmp(cwd, "/") ? cwd : "");
		int found = is_dir(git);
		free(git);
		if (found) {
			out = tl_format(
				"%s/.git/tally", strcmp(cwd, "/") ? cwd : "");
			break;
		}
		char *slash = strrchr(cwd, '/');
		if (!slash || slash == cwd)
			break;
		*slash = '\0';
	}
	free(cwd);
	return out;
}

/* The newest history snapshot in dir (several: one per project) */
static char *newest(const char *dir)
{
	struct tl_err ignore = TL_ERR_INIT;
	char **names = NULL, *best = NULL;
	size_t n = 0;
	struct timespec at = { 0, 0 };
	if (!is_dir(dir) || tl_fs_list(&names, &n, dir, 0, &ignore)) {
		tl_err_clear(&ignore);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		struct stat st;
		char *p;
		if (strncmp(names[i], "history-", 8) || len < 13 ||
			strcmp(names[i] + len - 5, ".snap"))
			continue;
		p = tl_format("%s/%s", dir, names[i]);
		if (!lstat(p, &st) && S_ISREG(st.st_mode) &&
			(!best || st.st_mtim.tv_sec > at.tv_sec ||
				(st.st_mtim.tv_sec == at.tv_sec &&
					st.st_mtim.tv_nsec > at.tv_nsec))) {
			free(best);
			best = p;
			at = st.st_mtim;
		} else {
			free(p);
		}
	}
	tl_fs_list_free(names, n);
	return best;
}

struct tl_hsnap_ahead *tl_hsnap_ahead_start(void)
{
	struct tl_hsnap_ahead *a;
	char *dir = guess_dir(), *path = dir ? newest(dir) : NULL;
	free(dir);
	if (!path)
		return NULL;
	a = tl_calloc(1, sizeof(*a));
	a->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	free(path);
	if (a->fd >= 0)
		a->started = !pthread_create(&a->th, NULL, read_ahead, a);
	if (!a->started) {
		if (a->fd >= 0)
			close(a->fd);
		free(a);
		return NULL;
	}
	return a;
}

struct tl_hsnap_file *tl_hsnap_ahead_take(struct tl_hsnap_ahead *a)
{
	struct tl_hsnap_file *f;
	if (!a)
		return NULL;
	if (a->started)
		pthread_join(a->th, NULL);
	a->started = 0;
	f = a->f;
	a->f = NULL;
	return f;
}

void tl_hsnap_ahead_free(struct tl_hsnap_ahead *a)
{
	if (!a)
		return;
	if (a->started)
		pthread_join(a->th, NULL);
	tl_hsnap_file_free(a->f);
	free(a);
}

/* The bulk commit's packing thread: its packs are sound, and a commit
 * given up takes away the packs it wrote, never one that was there. */
#include "helpers.h"

#include "core/packer.h"

#include <fcntl.h>

static char *dir;
static struct tl_repo *repo;

static void setup(void)
{
	dir = th_repo(&repo);
}

static void teardown(void)
{
	tl_repo_free(repo);
	th_rmrf(dir);
}

TestSuite(packer, .init = setup, .fini = teardown);

#define NBLOBS 3000

/* NBLOBS distinct blobs of 2 KiB (6 MB: more than one pack's worth) in
 * a spill file; returns its descriptor. */
static int spill(off_t *offs, size_t *lens)
{
	struct tl_buf all = TL_BUF_INIT;
	char *path = tl_format("%s/.git/spill", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0);
	for (int i = 0; i < NBLOBS; i++) {
		offs[i] = (off_t)all.len;
		for (int k = 0; all.len - (size_t)offs[i] < 2048; k++)
			tl_buf_printf(&all, "k%d: %u\n", k,
				(unsigned)(i * 2654435761u + k * 40503u));
		lens[i] = all.len - (size_t)offs[i];
	}
	cr_assert_eq(write(fd, all.ptr, all.len), (ssize_t)all.len);
	tl_buf_release(&all);
	free(path);
	return fd;
}

/* An unlinked temporary file in the repository's .git. */
static int temp_fd(const char *name)
{
	char *path = tl_format("%s/.git/%s", dir, name);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0);
	unlink(path);
	free(path);
	return fd;
}

/* Packs every blob, its record put in the records file in two halves
 * published one after the other, and waits; st gets their ids, read
 * back from the ids file. */
static struct tl_packer *pack_all(
	int fd, const off_t *offs, const size_t *lens, struct tl_staged *st)
{
	static char names[NBLOBS][32];
	struct tl_err err = TL_ERR_INIT;
	struct tl_packer *p = NULL;
	struct tl_buf recs = TL_BUF_INIT;
	int rfd = temp_fd("recs"), idfd = temp_fd("ids");
	off_t half = 0;
	cr_assert_eq(tl_packer_start(&p, repo, fd, rfd, idfd, &err), 0, "%s",
		err.msg);
	for (int i = 0; i < NBLOBS; i++) {
		struct tl_bulk_rec h;
		snprintf(names[i], sizeof(names[i]), "qa/f%05d.yaml", i);
		st[i].path = names[i];
		memset(&h, 0, sizeof(h));
		h.self = recs.len;
		h.seq = (uint64_t)i;
		h.off = (uint64_t)offs[i];
		h.len = (uint32_t)lens[i];
		h.job = (uint32_t)i;
		h.pathlen = (uint32_t)strlen(names[i]);
		tl_buf_put(&recs, &h, sizeof(h));
		tl_buf_put(&recs, names[i], h.pathlen + 1);
		if (i == NBLOBS / 2)
			half = (off_t)recs.len;
	}
	cr_assert_eq(write(rfd, recs.ptr, recs.len), (ssize_t)recs.len);
	tl_packer_publish(p, half, offs[NBLOBS - 1] + (off_t)lens[NBLOBS - 1]);
	tl_packer_publish(
		p, (off_t)recs.len, offs[NBLOBS - 1] + (off_t)lens[NBLOBS - 1]);
	tl_packer_close(p, NULL, NULL);
	cr_assert_eq(tl_packer_wait(p, &err), 0, "%s", err.msg);
	for (int i = 0; i < NBLOBS; i++)
		cr_assert_eq(pread(idfd, st[i].id.id, GIT_OID_RAWSZ,
				     (off_t)i * GIT_OID_RAWSZ),
			GIT_OID_RAWSZ, "blob %d's id", i);
	tl_buf_release(&recs);
	close(rfd);
	close(idfd);
	return p;
}

static int lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static off_t offs[NBLOBS];
static size_t lens[NBLOBS];
static struct tl_staged st[NBLOBS];

Test(packer, every_blob_is_in_a_pack_once_flushed)
{
	int fd = spill(offs, lens);
	struct tl_err err = TL_ERR_INIT;
	struct tl_packer *p = pack_all(fd, offs, lens, st);
	char *out, hex[GIT_OID_HEXSZ + 1];
	cr_assert_eq(tl_packer_flush(p, &err), 0, "%s", err.msg);
	tl_packer_free(p);
	git_oid_tostr(hex, sizeof(hex), &st[NBLOBS - 1].id);
	out = th_sh(dir,
		"n=$(ls .git/objects/pack/*.pack | wc -l); "
		"test $n -ge 2 && echo packs; "
		"git count-objects -v | sed -n 's/in-pack: //p'; "
		"test $(git cat-file -s %s) = %zu && echo size",
		hex, lens[NBLOBS - 1]);
	cr_assert_str_eq(out, "packs\n3000\nsize\n");
	free(out);
	close(fd);
}

Test(packer, a_packer_given_up_deletes_only_the_packs_it_wrote)
{
	int fd = spill(offs, lens);
	struct tl_err err = TL_ERR_INIT;
	struct tl_packer *p;
	char *before, *after, *mid;

	/* first, the same blobs packed and kept: a commit that landed */
	p = pack_all(fd, offs, lens, st);
	cr_assert_eq(tl_packer_flush(p, &err), 0, "%s", err.msg);
	tl_packer_free(p);
	before = th_sh(dir, "ls .git/objects/pack | sort");
	/* again, given up: the packs it writes have the names of the
	 * packs there already (same objects, same order), and stay */
	p = pack_all(fd, offs, lens, st);
	tl_packer_free(p);
	after = th_sh(dir, "ls .git/objects/pack | sort");
	cr_assert_str_eq(after, before, "a pack that was there went");
	free(after);
	after = th_sh(
		dir, "git fsck --no-dangling 2>&1 | grep -v '^notice'; true");
	cr_assert_str_eq(after, "", "%s", after);
	free(after);
	/* other blobs, given up: their packs go */
	for (int i = 0; i < NBLOBS; i++)
		lens[i] -= 1; /* other bytes, other blobs */
	p = pack_all(fd, offs, lens, st);
	mid = th_sh(dir, "ls .git/objects/pack | wc -l");
	tl_packer_free(p);
	after = th_sh(dir, "ls .git/objects/pack | sort");
	cr_assert_str_eq(after, before, "a pack of the given-up commit stayed");
	cr_assert_gt(
		atoi(mid), lines(before), "nothing was written to take away");
	free(mid);
	free(after);
	free(before);
	close(fd);
}

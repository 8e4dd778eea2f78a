/* The packer's object database: what is written to it reads back, from
 * its buffer or its file; blobs read from the spill file; a pack written
 * forgets its blobs but keeps its trees; older objects read through the
 * reader, and a write never consults it. */
#include "helpers.h"

#include "core/recorder.h"
#include "core/repo_internal.h"

#include <fcntl.h>

static char *dir;
static struct tl_repo *repo;
static git_odb *odb, *disk;
static struct tl_recorder *rec;
static int spill_fd = -1;

static void setup(void)
{
	struct tl_err err = TL_ERR_INIT;
	git_odb_backend *rd = NULL;
	char *path;
	dir = th_repo(&repo);
	path = tl_format("%s/.git/spill", dir);
	spill_fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	cr_assert(spill_fd >= 0);
	unlink(path);
	free(path);
	cr_assert_eq(git_repository_odb(&disk, repo->git), 0);
	cr_assert_eq(git_odb_new(&odb), 0);
	cr_assert_eq(tl_recorder_new(&rec, repo->gitdir, spill_fd, &err), 0,
		"%s", err.msg);
	cr_assert_eq(git_odb_add_backend(odb, &rec->parent, 1000), 0);
	cr_assert_eq(tl_reader_new(&rd, disk), 0);
	cr_assert_eq(git_odb_add_backend(odb, rd, 1), 0);
}

static void teardown(void)
{
	git_odb_free(odb);
	git_odb_free(disk);
	close(spill_fd);
	tl_repo_free(repo);
	th_rmrf(dir);
}

TestSuite(recorder, .init = setup, .fini = teardown);

static void expect_object(
	const git_oid *id, const char *data, size_t len, git_object_t type)
{
	git_odb_object *o = NULL;
	cr_assert_eq(git_odb_read(&o, odb, id), 0, "%s",
		git_error_last() ? git_error_last()->message : "");
	cr_assert_eq(git_odb_object_type(o), type);
	cr_assert_eq(git_odb_object_size(o), len);
	cr_assert_eq(memcmp(git_odb_object_data(o), data, len), 0);
	git_odb_object_free(o);
}

#define NTREES 400

Test(recorder, reads_back_what_was_written_from_its_buffer_and_its_file)
{
	/* 400 objects of about 1 KiB: several buffers' worth, so most are
	 * read from the file and the last ones from the buffer */
	git_oid ids[NTREES];
	char *data[NTREES];
	for (int i = 0; i < NTREES; i++) {
		struct tl_buf b = TL_BUF_INIT;
		while (b.len < 1000)
			tl_buf_printf(&b, "object %d line %zu\n", i, b.len);
		data[i] = tl_buf_detach(&b);
		/* as libgit2 writes a tree: through the odb */
		cr_assert_eq(git_odb_write(&ids[i], odb, data[i],
				     strlen(data[i]), GIT_OBJECT_TREE),
			0);
	}
	cr_assert_eq(rec->n, NTREES);
	cr_assert(rec->end > 0, "some went to the file");
	/* a second write of the same object is not a second entry */
	cr_assert_eq(git_odb_write(&ids[0], odb, data[0], strlen(data[0]),
			     GIT_OBJECT_TREE),
		0);
	cr_assert_eq(rec->n, NTREES);
	for (int i = 0; i < NTREES; i++) {
		expect_object(
			&ids[i], data[i], strlen(data[i]), GIT_OBJECT_TREE);
		free(data[i]);
	}
}

Test(recorder, blobs_come_from_the_spill_and_are_forgotten_once_packed)
{
	const char *spill = "first blob\nsecond blob\n";
	git_oid blob, tree, again;
	size_t len;
	git_object_t type;
	cr_assert_eq(
		write(spill_fd, spill, strlen(spill)), (ssize_t)strlen(spill));
	cr_assert_eq(git_odb_hash(&blob, spill + 11, 12, GIT_OBJECT_BLOB), 0);
	tl_recorder_note_blob(rec, &blob, 11, 12);
	tl_recorder_note_blob(rec, &blob, 11, 12); /* noted once */
	cr_assert_eq(
		git_odb_write(&tree, odb, "a tree", 6, GIT_OBJECT_TREE), 0);
	cr_assert_eq(rec->n, 2);
	cr_assert_eq(rec->bytes, 18);
	expect_object(&blob, "second blob\n", 12, GIT_OBJECT_BLOB);
	/* packed: the blob is gone (nowhere else to read it from here),
	 * the tree stays, and the next pack starts empty */
	tl_recorder_packed(rec);
	cr_assert_eq(rec->kept, 1);
	cr_assert_eq(rec->n, 1);
	cr_assert_eq(rec->bytes, 0);
	cr_assert_eq(
		git_odb_read_header(&len, &type, odb, &blob), GIT_ENOTFOUND);
	git_error_clear();
	expect_object(&tree, "a tree", 6, GIT_OBJECT_TREE);
	/* what the tree's write said exists, it still does */
	cr_assert_eq(
		git_odb_write(&again, odb, "a tree", 6, GIT_OBJECT_TREE), 0);
	cr_assert_eq(rec->n, 1, "not noted again");
}

Test(recorder, older_objects_read_through_the_reader_but_a_write_lands_here)
{
	git_oid id, id2;
	/* an object already in the repository */
	cr_assert_eq(git_odb_write(&id, disk, "old\n", 4, GIT_OBJECT_BLOB), 0);
	expect_object(&id, "old\n", 4, GIT_OBJECT_BLOB);
	cr_assert_eq(rec->n, 0, "a read notes nothing");
	/* written again through the recorder's odb: the reader was not
	 * asked whether it exists, so the object is the next pack's too */
	cr_assert_eq(git_odb_write(&id2, odb, "old\n", 4, GIT_OBJECT_BLOB), 0);
	cr_assert(git_oid_equal(&id, &id2));
	cr_assert_eq(rec->n, 1);
}

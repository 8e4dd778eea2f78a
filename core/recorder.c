/* The packer's object database, on disk: see recorder.h. */
#include "core/recorder.h"
#include "core/fs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

/* What libgit2 writes is gathered this many bytes before one write(2). */
#define WBUF ((size_t)64 << 10)

static struct tl_recorder *of(git_odb_backend *be)
{
	return (struct tl_recorder *)be;
}

static uint64_t fp_of(const git_oid *id)
{
	return tl_fp(id->id, GIT_OID_RAWSZ);
}

static const struct tl_rec_obj *find(struct tl_recorder *r, const git_oid *id)
{
	size_t it = 0;
	uint32_t i;
	while (tl_fpmap_next(&r->at, fp_of(id), &it, &i))
		if (git_oid_equal(&r->v[i].id, id))
			return &r->v[i];
	return NULL;
}

static void push(struct tl_recorder *r, const git_oid *id, git_object_t type,
	uint64_t off, uint32_t len, int in_spill)
{
	struct tl_rec_obj *o;
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 1024;
		r->v = tl_realloc(r->v, tl_mul(r->cap, sizeof(*r->v)));
	}
	o = &r->v[r->n];
	memset(o, 0, sizeof(*o));
	git_oid_cpy(&o->id, id);
	o->type = (uint8_t)type;
	o->off = off;
	o->len = len;
	o->in_spill = (uint8_t)in_spill;
	tl_fpmap_put(&r->at, fp_of(id), (uint32_t)r->n);
	r->n++;
	r->bytes += len;
}

static int flush(struct tl_recorder *r)
{
	if (r->wbuf.len && tl_fd_write_all(r->fd, r->wbuf.ptr, r->wbuf.len)) {
		git_error_set_str(GIT_ERROR_OS, strerror(errno));
		return -1;
	}
	r->end += (off_t)r->wbuf.len;
	tl_buf_reset(&r->wbuf);
	return 0;
}

/* An object's bytes: never split between the file and the buffer, as
 * the buffer is written whole. */
static int fetch(struct tl_recorder *r, const struct tl_rec_obj *o, char *to)
{
	int rc;
	if (!o->in_spill && o->off >= (uint64_t)r->end) {
		memcpy(to, r->wbuf.ptr + (o->off - (uint64_t)r->end), o->len);
		return 0;
	}
	rc = tl_fd_pread_all(o->in_spill ? r->spill_fd : r->fd, to, o->len,
		(long long)o->off);
	if (rc)
		git_error_set_str(GIT_ERROR_OS, strerror(errno));
	return rc;
}

static int rec_read(void **data, size_t *len, git_object_t *type,
	git_odb_backend *be, const git_oid *id)
{
	const struct tl_rec_obj *o = find(of(be), id);
	char *buf;
	if (!o)
		return GIT_ENOTFOUND;
	buf = git_odb_backend_data_alloc(be, (size_t)o->len + 1);
	if (!buf)
		return -1;
	if (fetch(of(be), o, buf)) {
		git_odb_backend_data_free(be, buf);
		return -1;
	}
	*data = buf;
	*len = o->len;
	*type = (git_object_t)o->type;
	return 0;
}

static int rec_read_header(
	size_t *len, git_object_t *type, git_odb_backend *be, const git_oid *id)
{
	const struct tl_rec_obj *o = find(of(be), id);
	if (!o)
		return GIT_ENOTFOUND;
	*len = o->len;
	*type = (git_object_t)o->type;
	return 0;
}

static int rec_exists(git_odb_backend *be, const git_oid *id)
{
	return find(of(be), id) != NULL;
}

static int rec_write(git_odb_backend *be, const git_oid *id, const void *data,
	size_t len, git_object_t type)
{
	struct tl_recorder *r = of(be);
	uint64_t off;
	if (find(r, id))
		return 0;
	if (len > UINT32_MAX) {
		git_error_set_str(GIT_ERROR_INVALID, "an object over 4 GiB");
		return -1;
	}
	/* written out before the buffer would pass WBUF (tl_buf_fits) */
	if (!tl_buf_fits(&r->wbuf, len, WBUF) && flush(r))
		return -1;
	off = (uint64_t)r->end + r->wbuf.len;
	tl_buf_put(&r->wbuf, data, len);
	push(r, id, type, off, (uint32_t)len, 0);
	return 0;
}

static void rec_free(git_odb_backend *be)
{
	struct tl_recorder *r = of(be);
	if (r->fd >= 0)
		close(r->fd);
	tl_buf_release(&r->wbuf);
	tl_fpmap_release(&r->at);
	free(r->v);
	free(r);
}

int tl_recorder_new(struct tl_recorder **out, const char *dir, int spill_fd,
	struct tl_err *err)
{
	struct tl_recorder *r = tl_calloc(1, sizeof(*r));
	char *tmp = tl_format("%s/tally-objects-XXXXXX", dir);
	int rc = git_odb_init_backend(&r->parent, GIT_ODB_BACKEND_VERSION);
	*out = NULL;
	r->spill_fd = spill_fd;
	r->wbuf = (struct tl_buf)TL_BUF_INIT;
	r->fd = rc ? -1 : mkstemp(tmp);
	if (rc || r->fd < 0) {
		rc = rc ? tl_err_set(err, TL_EGIT, "preparing a bulk commit")
			: tl_err_set(err, TL_EIO, "creating %s: %s", tmp,
				  strerror(errno));
		free(tmp);
		rec_free(&r->parent);
		return rc;
	}
	/* gone from the file system at once: a kill leaves nothing behind */
	unlink(tmp);
	free(tmp);
	r->parent.read = rec_read;
	r->parent.read_header = rec_read_header;
	r->parent.exists = rec_exists;
	r->parent.write = rec_write;
	r->parent.free = rec_free;
	*out = r;
	return 0;
}

void tl_recorder_note_blob(
	struct tl_recorder *r, const git_oid *id, uint64_t off, uint32_t len)
{
	if (!find(r, id))
		push(r, id, GIT_OBJECT_BLOB, off, len, 1);
}

void tl_recorder_packed(struct tl_recorder *r)
{
	size_t k = 0;
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].type != GIT_OBJECT_BLOB)
			r->v[k++] = r->v[i];
	r->n = r->kept = r->inserted = k;
	r->bytes = 0;
	/* the table again, for what is left */
	tl_fpmap_release(&r->at);
	for (size_t i = 0; i < k; i++)
		tl_fpmap_put(&r->at, fp_of(&r->v[i].id), (uint32_t)i);
}

/* The reader: reads and nothing else (see recorder.h). */
struct reader {
	git_odb_backend parent;
	git_odb *odb;
};

static int reader_read(void **data, size_t *len, git_object_t *type,
	git_odb_backend *be, const git_oid *id)
{
	git_odb_object *o = NULL;
	char *buf;
	int rc = git_odb_read(&o, ((struct reader *)be)->odb, id);
	if (rc)
		return rc;
	*len = git_odb_object_size(o);
	*type = git_odb_object_type(o);
	if ((buf = git_odb_backend_data_alloc(be, *len + 1)))
		memcpy(buf, git_odb_object_data(o), *len);
	git_odb_object_free(o);
	if (!buf)
		return -1;
	*data = buf;
	return 0;
}

static int reader_read_header(
	size_t *len, git_object_t *type, git_odb_backend *be, const git_oid *id)
{
	return git_odb_read_header(len, type, ((struct reader *)be)->odb, id);
}

static void reader_free(git_odb_backend *be)
{
	free(be);
}

int tl_reader_new(git_odb_backend **out, git_odb *odb)
{
	struct reader *r = tl_calloc(1, sizeof(*r));
	int rc = git_odb_init_backend(&r->parent, GIT_ODB_BACKEND_VERSION);
	if (rc) {
		free(r);
		return rc;
	}
	r->odb = odb;
	r->parent.read = reader_read;
	r->parent.read_header = reader_read_header;
	r->parent.free = reader_free;
	*out = &r->parent;
	return 0;
}

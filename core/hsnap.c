/* .git/tally/<name>.snap: one commit's history events, whole. */
#include "core/hsnap.h"
#include "core/sum.h"
#include "core/buf.h"
#include "core/fs.h"
#include "core/repo_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/banned.h"

#define MAGIC "TALLYHS\0"
#define VERSION 5u
#define SNAP_MAX ((size_t)1 << 31)
#define NONE UINT32_MAX

/* The string fields of an event, in the order records keep them. */
static const size_t str_fields[] = {
	offsetof(struct tl_event, casekey),
	offsetof(struct tl_event, run),
	offsetof(struct tl_event, status),
	offsetof(struct tl_event, outcomes),
	offsetof(struct tl_event, revision),
	offsetof(struct tl_event, message),
	offsetof(struct tl_event, type),
	offsetof(struct tl_event, trace),
	offsetof(struct tl_event, commit),
	offsetof(struct tl_event, author),
	offsetof(struct tl_event, environment),
	offsetof(struct tl_event, blob),
};
#define NSTR (sizeof(str_fields) / sizeof(*str_fields))
/* which of them many events share (interned): blob is each event's own */
static const int str_shared[NSTR] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0 };

static const char **str_at(struct tl_event *e, size_t k)
{
	return (const char **)(void *)((char *)e + str_fields[k]);
}

static const char *str_get(const struct tl_event *e, size_t k)
{
	const char *v;
	memcpy(&v, (const char *)e + str_fields[k], sizeof(v));
	return v;
}

struct header {
	char magic[8];
	uint32_t version, nstrings_bytes;
	uint64_t n, key;
	char commit[40];
	uint64_t nruns;
};

struct runrec {
	uint32_t s[3];
	uint32_t pad;
};

/* parts of 8-byte multiples, so the checksum chains across them */
_Static_assert(sizeof(struct header) % 8 == 0, "header size");
_Static_assert(sizeof(struct runrec) % 8 == 0, "run record size");

struct record {
	uint32_t s[NSTR];
	uint32_t has_duration;
	double duration, retry_cost;
	int64_t time;
	uint64_t seq;
};
/* events made in place over the records they come from (tl_hsnap_read_fd):
 * an event must outweigh a record, and the room kept for nruns / 8 more
 * events must hold the runs' records */
_Static_assert(sizeof(struct tl_event) >= sizeof(struct record),
	"an event outweighs a record");
_Static_assert(sizeof(struct tl_event) >= 8 * sizeof(struct runrec),
	"the room holds the runs");

static char *path_of(struct tl_repo *r, const char *name)
{
	return tl_format("%s/tally/%s.snap", r->gitdir, name);
}

/* A string offset of the area, or NULL; *bad when it points outside. */
static const char *str_of(
	const char *strings, uint32_t nbytes, uint32_t off, int *bad)
{
	if (off == NONE)
		return NULL;
	if (off >= nbytes) {
		*bad = 1;
		return NULL;
	}
	return strings + off;
}

/* The sum of a snapshot's body, then its header (written last). */
struct check {
	const char *p;
	size_t n;
	const struct header *hd;
	uint64_t sum;
};

static void *check_sum(void *arg)
{
	struct check *c = arg;
	struct tl_sum whole;
	tl_sum_init(&whole);
	tl_sum_add(&whole, c->p, c->n);
	tl_sum_add(&whole, c->hd, sizeof(*c->hd));
	c->sum = tl_sum_value(&whole);
	tl_sum_release(&whole);
	return NULL;
}

/* A snapshot file read whole into one block, its records made events in
 * place (tl_hsnap_read_fd), its sum checked. */
struct tl_hsnap_file {
	char *data; /* the block: the events, then the file's strings */
	size_t len; /* the file's */
	struct header hd;
	struct tl_event *v; /* at data */
	size_t cap; /* events v has room for */
	const char *strings; /* in data, hd.nstrings_bytes of them */
	struct tl_hsnap_run *rv;
	struct stat st; /* of the file read, to know it again */
};

void tl_hsnap_file_free(struct tl_hsnap_file *f)
{
	if (!f)
		return;
	free(f->rv);
	free(f->data); /* and the events in it */
	free(f);
}

/* len bytes of fd into p: -1 when it has fewer (changed under us) or is
 * unreadable. */
static int read_into(int fd, char *p, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t k = read(fd, p + got, len - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 0;
}

struct tl_hsnap_file *tl_hsnap_read(const char *path)
{
	return tl_hsnap_read_fd(open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
}

/* Whether a header fits a file of len bytes; *strings_at is then where its
 * strings start. */
static int header_fits(const struct header *hd, size_t len, size_t *strings_at)
{
	if (memcmp(hd->magic, MAGIC, 8) || hd->version != VERSION ||
		hd->n > len / sizeof(struct record) ||
		hd->nruns > len / sizeof(struct runrec))
		return 0;
	*strings_at = sizeof(*hd) + (size_t)hd->n * sizeof(struct record) +
		(size_t)hd->nruns * sizeof(struct runrec);
	return *strings_at + (size_t)hd->nstrings_bytes + 8 == len;
}

/* The file goes into the block that becomes the events and their strings:
 *
 *   block: [ events, with room for later commits' ][ strings | sum ]
 *   file:            [ header | records | runs     ][ strings | sum ]
 *
 * placed so that its strings land where they stay. Each record is copied
 * out before its event is written, and event i ends at or before record
 * i + 1 starts (an event is 152 bytes, a record 88; the room, over n / 8
 * + nruns / 8 events, keeps the records and runs far enough along), so the
 * events overwrite only records already made events. Memory first
 * touched is what costs on the virtual machines tally is measured on
 * (the kernel zeroes every page, 0.3 ms a megabyte): the events made
 * apart from a file read apart touched 54 MB for the bench's 25 MB
 * snapshot, this 42. The block is on huge pages (tl_realloc_large):
 * read(2) copies into it from the page cache, where a mapping of the
 * file was touched 4 KiB page by page, at 2 to 3 us a page there. */
struct tl_hsnap_file *tl_hsnap_read_fd(int fd)
{
	struct tl_hsnap_file *f;
	struct header hd;
	const char *rec, *rrec; /* records, not necessarily aligned */
	const char *strings;
	struct tl_event *v;
	uint64_t sum;
	size_t strings_at, events, at, before;
	struct check chk;
	pthread_t th;
	int bad = 0, checking;

	if (fd < 0)
		return NULL;
	f = tl_calloc(1, sizeof(*f));
	if (fstat(fd, &f->st) || !S_ISREG(f->st.st_mode) ||
		(size_t)f->st.st_size < sizeof(hd) + 8 ||
		(size_t)f->st.st_size > SNAP_MAX ||
		pread(fd, &hd, sizeof(hd), 0) != (ssize_t)sizeof(hd) ||
		!header_fits(&hd, (size_t)f->st.st_size, &strings_at)) {
		close(fd);
		goto miss;
	}
	f->len = (size_t)f->st.st_size;
	/* room for the events of commits after it too: on huge pages, an
	 * array that grows is copied whole (a query after one new import
	 * took 30 MB more and 60 ms longer); the room is never touched
	 * unless used (but by the records, which lie in it) */
	f->cap = (size_t)hd.n + (size_t)hd.n / 8 + (size_t)hd.nruns / 8 + 4096;
	events = tl_mul(f->cap, sizeof(*v));
	at = events - strings_at; /* > 0: an event outweighs a record */
	f->data = tl_realloc_large(NULL, 0, events + (f->len - strings_at));
	if (read_into(fd, f->data + at, f->len) ||
		memcmp(f->data + at, &hd, sizeof(hd))) {
		close(fd);
		goto miss;
	}
	close(fd);
	rec = f->data + at + sizeof(hd);
	rrec = rec + (size_t)hd.n * sizeof(struct record);
	strings = f->strings = f->data + events;
	if (hd.nstrings_bytes && strings[hd.nstrings_bytes - 1])
		goto miss; /* every string ends inside the area */
	memcpy(&sum, strings + hd.nstrings_bytes, 8);
	/* summed on a second thread while this one turns the records into
	 * events (which are dropped if it does not match); events past
	 * `before` overwrite the file, so they wait for the sum */
	chk.p = rec;
	chk.n = f->len - 8 - sizeof(hd);
	chk.hd = &hd;
	checking = !pthread_create(&th, NULL, check_sum, &chk);
	if (!checking)
		check_sum(&chk);
	before = at / sizeof(*v);
	v = f->v = (struct tl_event *)(void *)f->data;
	for (size_t i = 0; i < hd.n && !bad; i++) {
		struct record x;
		if (i == before && checking) {
			pthread_join(th, NULL);
			checking = 0;
		}
		memcpy(&x, rec + i * sizeof(x), sizeof(x));
		memset(&v[i], 0, sizeof(v[i]));
		for (size_t j = 0; j < NSTR; j++)
			*str_at(&v[i], j) = str_of(
				strings, hd.nstrings_bytes, x.s[j], &bad);
		v[i].has_duration = (int)x.has_duration;
		v[i].duration = x.duration;
		v[i].retry_cost = x.retry_cost;
		v[i].time = x.time;
		v[i].seq = (size_t)x.seq;
		/* checked here, not in a pass of its own over 30 MB */
		bad |= !v[i].casekey || !v[i].run || !v[i].outcomes ||
			!*v[i].outcomes;
	}
	f->rv = tl_calloc(hd.nruns ? (size_t)hd.nruns : 1, sizeof(*f->rv));
	for (size_t i = 0; i < hd.nruns && !bad; i++) {
		struct runrec x;
		struct tl_hsnap_run *r = &f->rv[i];
		memcpy(&x, rrec + i * sizeof(x), sizeof(x));
		r->run = str_of(strings, hd.nstrings_bytes, x.s[0], &bad);
		r->revision = str_of(strings, hd.nstrings_bytes, x.s[1], &bad);
		r->environment =
			str_of(strings, hd.nstrings_bytes, x.s[2], &bad);
		bad |= !r->run;
	}
	if (checking)
		pthread_join(th, NULL);
	if (bad || chk.sum != sum)
		goto miss;
	f->hd = hd;
	return f;
miss:
	tl_hsnap_file_free(f);
	return NULL;
}

/* The file read ahead, when it is this path's, unchanged since: the same
 * file (device and inode: a snapshot is replaced by a rename), size and
 * time. */
static struct tl_hsnap_file *take_ahead(
	struct tl_hsnap_ahead **ahead, const char *path)
{
	struct tl_hsnap_file *f = ahead ? tl_hsnap_ahead_take(*ahead) : NULL;
	struct stat st;
	if (ahead) {
		tl_hsnap_ahead_free(*ahead);
		*ahead = NULL;
	}
	if (f &&
		(lstat(path, &st) || st.st_dev != f->st.st_dev ||
			st.st_ino != f->st.st_ino ||
			st.st_size != f->st.st_size ||
			st.st_mtim.tv_sec != f->st.st_mtim.tv_sec ||
			st.st_mtim.tv_nsec != f->st.st_mtim.tv_nsec)) {
		tl_hsnap_file_free(f);
		f = NULL;
	}
	return f;
}

int tl_hsnap_load(struct tl_history *h, struct tl_repo *r, const char *name,
	uint64_t key, char commit[41], struct tl_hsnap_run **runs,
	size_t *nruns, struct tl_hsnap_ahead **ahead)
{
	char *path = path_of(r, name);
	struct tl_hsnap_file *f = take_ahead(ahead, path);
	if (!f)
		f = tl_hsnap_read(path);
	free(path);
	if (!f)
		return -1;
	if (f->hd.key != key) {
		tl_hsnap_file_free(f);
		return -1;
	}
	tl_hsnap_drop(h);
	h->snap = f->data;
	h->v = f->v;
	h->n = (size_t)f->hd.n;
	h->cap = f->cap;
	h->snap_strings = f->strings;
	h->snap_strings_len = f->hd.nstrings_bytes;
	memcpy(commit, f->hd.commit, 40);
	commit[40] = '\0';
	*runs = f->rv;
	*nruns = (size_t)f->hd.nruns;
	f->rv = NULL;
	f->data = NULL;
	tl_hsnap_file_free(f);
	return 0;
}

const struct tl_event *tl_hsnap_file_events(
	const struct tl_hsnap_file *f, size_t *n)
{
	*n = (size_t)f->hd.n;
	return f->v;
}

void tl_hsnap_seal(void *file, size_t len)
{
	struct check chk;
	uint64_t sum;
	if (len < sizeof(struct header) + 8)
		return;
	chk.p = (const char *)file + sizeof(struct header);
	chk.n = len - 8 - sizeof(struct header);
	chk.hd = file; /* the checksum reads it as bytes */
	check_sum(&chk);
	sum = chk.sum;
	memcpy((char *)file + len - 8, &sum, 8);
}

void tl_hsnap_drop(struct tl_history *h)
{
	if (!tl_history_events_in_snap(h))
		free(h->v); /* else freed with the block */
	h->v = NULL;
	h->n = h->cap = 0;
	free(h->snap);
	h->snap = NULL;
	h->snap_strings = NULL;
	h->snap_strings_len = 0;
}

/* Pointer -> offset, open addressing: the events' strings are interned,
 * so one pointer stands for one string and is written once. */
struct ptrmap {
	const char **k;
	uint32_t *v;
	size_t cap, n;
};

static size_t slot(const struct ptrmap *m, const char *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;
	size_t i = (size_t)(x >> 20) & (m->cap - 1);
	while (m->k[i] && m->k[i] != p)
		i = (i + 1) & (m->cap - 1);
	return i;
}

/* A chunk of the history's string pool, written whole into the strings
 * area at base: an event's string there is at base plus its place in the
 * chunk, found without reading it. Looking each up by pointer, and
 * copying the blob ids (one an event, in the order of the walk, so read
 * all over memory once the events are sorted), had taken a cold query's
 * save 60 to 100 ms, which the query then waited for. */
struct part {
	const char *p;
	size_t len, base;
};

static int by_address(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct part *)a)->p;
	uintptr_t y = (uintptr_t)((const struct part *)b)->p;
	return x < y ? -1 : x > y;
}

/* The pool's chunks as they are now (strings added later are not in
 * them), in address order. */
static struct part *pool_parts(const struct tl_strpool *pool, size_t *n)
{
	struct part *v =
		tl_calloc(pool->nchunks ? pool->nchunks : 1, sizeof(*v));
	*n = 0;
	for (size_t i = 0; i < pool->nchunks; i++) {
		size_t len = tl_strpool_chunk_len(pool, i);
		if (!len)
			continue;
		v[*n].p = pool->chunks[i];
		v[(*n)++].len = len;
	}
	tl_sort(v, *n, sizeof(*v), by_address);
	return v;
}

/* Where the strings of a snapshot being written go: the area is the old
 * snapshot's strings, the pool's chunks, then strings from elsewhere. */
struct saver {
	struct ptrmap m;
	/* the area of the snapshot the events were read from, first: its
	 * strings keep their offsets */
	const char *old;
	size_t oldlen;
	const struct part *parts;
	size_t nparts, last;
	size_t extra; /* where strings starts in the area */
	struct tl_buf strings; /* from elsewhere (none from a walk) */
	int too_big;
};

/* Whether p lies in [at, at + len), without comparing pointers into
 * different objects. */
static int inside(const char *p, const char *at, size_t len)
{
	return (uintptr_t)p - (uintptr_t)at < len;
}

/* The part p lies in, or -1. */
static ptrdiff_t part_of(struct saver *sv, const char *p)
{
	size_t lo = 0, hi = sv->nparts;
	if (sv->nparts &&
		inside(p, sv->parts[sv->last].p, sv->parts[sv->last].len))
		return (ptrdiff_t)sv->last;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((uintptr_t)p < (uintptr_t)sv->parts[mid].p)
			hi = mid;
		else if (inside(p, sv->parts[mid].p, sv->parts[mid].len))
			return (ptrdiff_t)(sv->last = mid);
		else
			lo = mid + 1;
	}
	return -1;
}

/* A string at the end of the strings area. */
static uint32_t put_string(struct saver *sv, const char *p)
{
	size_t len = strlen(p) + 1;
	size_t at = sv->extra + sv->strings.len;
	if (at + len >= NONE) {
		sv->too_big = 1;
		return NONE;
	}
	tl_buf_put(&sv->strings, p, len);
	return (uint32_t)at;
}

/* shared: a string many events point to (interned), worth a lookup
 * (and measured only when first met: messages and traces are long);
 * the others are written once each. */
static uint32_t offset_of(struct saver *sv, const char *p, int shared)
{
	struct ptrmap *m = &sv->m;
	ptrdiff_t k;
	size_t i;
	if (!p)
		return NONE;
	if (sv->old && inside(p, sv->old, sv->oldlen))
		return (uint32_t)((uintptr_t)p - (uintptr_t)sv->old);
	if ((k = part_of(sv, p)) >= 0)
		return (uint32_t)(sv->parts[k].base +
			((uintptr_t)p - (uintptr_t)sv->parts[k].p));
	if (!shared)
		return put_string(sv, p);
	if ((m->n + 1) * 2 > m->cap) {
		struct ptrmap g = { 0 };
		g.cap = m->cap ? m->cap * 2 : 1024;
		g.k = tl_calloc(g.cap, sizeof(*g.k));
		g.v = tl_calloc(g.cap, sizeof(*g.v));
		for (size_t j = 0; j < m->cap; j++)
			if (m->k[j]) {
				size_t s = slot(&g, m->k[j]);
				g.k[s] = m->k[j];
				g.v[s] = m->v[j];
			}
		g.n = m->n;
		free(m->k);
		free(m->v);
		*m = g;
	}
	i = slot(m, p);
	if (!m->k[i]) {
		uint32_t at = put_string(sv, p);
		if (at == NONE)
			return NONE;
		m->k[i] = p;
		m->v[i] = at;
		m->n++;
	}
	return m->v[i];
}

/* Records go out as they are made, 64 KiB at a time, and the strings from
 * where they already are (the pool's chunks), so the file is never whole
 * in memory. */
static int put_bytes(struct tl_fs_out *o, const void *p, size_t n,
	struct tl_sum *sum, struct tl_err *err)
{
	tl_sum_add(sum, p, n);
	return tl_fs_out_write(o, p, n, err);
}

static int put_chunk(struct tl_fs_out *o, struct tl_buf *b, struct tl_sum *sum,
	size_t keep, struct tl_err *err)
{
	int rc = 0;
	if (b->len < keep)
		return 0;
	rc = put_bytes(o, b->ptr, b->len, sum, err);
	tl_buf_reset(b);
	return rc;
}

/* A field of event i as saved: NULL when it was lent after the walk. */
static const char *saved_str(
	const struct tl_event *e, size_t j, const unsigned char *lent, size_t i)
{
	size_t at = str_fields[j];
	if (lent && lent[i] &&
		((at == offsetof(struct tl_event, revision) &&
			 (lent[i] & TL_HSNAP_LENT_REVISION)) ||
			(at == offsetof(struct tl_event, environment) &&
				(lent[i] & TL_HSNAP_LENT_ENVIRONMENT))))
		return NULL;
	return str_get(e, j);
}

static void save(const struct tl_history *h, const unsigned char *lent,
	const struct tl_hsnap_run *runs, size_t nruns, struct part *parts,
	size_t nparts, const char *path, const char *commit, uint64_t key)
{
	struct tl_buf chunk = TL_BUF_INIT;
	struct tl_err ignore = TL_ERR_INIT;
	struct tl_fs_out o;
	struct saver sv;
	struct header hd;
	char *dir;
	struct tl_sum sum;
	uint64_t total;
	size_t slen;
	int rc;

	memset(&sv, 0, sizeof(sv));
	sv.strings = (struct tl_buf)TL_BUF_INIT;
	/* the old strings stay where they were: events loaded from the old
	 * snapshot point into them */
	sv.old = h->snap_strings;
	sv.oldlen = h->snap_strings_len;
	sv.extra = sv.oldlen;
	for (size_t i = 0; i < nparts; i++) {
		parts[i].base = sv.extra;
		sv.extra += parts[i].len;
	}
	sv.parts = parts;
	sv.nparts = nparts;
	sv.too_big = sv.extra >= NONE;
	dir = tl_strndup(path, (size_t)(strrchr(path, '/') - path));
	rc = tl_fs_mkdirs(dir, &ignore);
	free(dir);
	if (!rc)
		rc = tl_fs_out_open(&o, path, &ignore);
	if (rc) {
		tl_buf_release(&sv.strings);
		tl_err_clear(&ignore);
		return;
	}
	tl_sum_init(&sum);
	/* a header's room, filled in at the end */
	memset(&hd, 0, sizeof(hd));
	rc = tl_fs_out_write(&o, &hd, sizeof(hd), &ignore);
	for (size_t i = 0; i < h->n && !sv.too_big && !rc; i++) {
		const struct tl_event *e = &h->v[i];
		struct record x;
		memset(&x, 0, sizeof(x));
		for (size_t j = 0; j < NSTR; j++)
			x.s[j] = offset_of(
				&sv, saved_str(e, j, lent, i), str_shared[j]);
		x.has_duration = (uint32_t)e->has_duration;
		x.duration = e->duration;
		x.retry_cost = e->retry_cost;
		x.time = e->time;
		x.seq = (uint64_t)e->seq;
		tl_buf_put(&chunk, &x, sizeof(x));
		rc = put_chunk(&o, &chunk, &sum, 65536, &ignore);
	}
	if (!rc)
		rc = put_chunk(&o, &chunk, &sum, 0, &ignore);
	for (size_t i = 0; i < nruns && !sv.too_big && !rc; i++) {
		struct runrec x;
		memset(&x, 0, sizeof(x));
		x.s[0] = offset_of(&sv, runs[i].run, 1);
		x.s[1] = offset_of(&sv, runs[i].revision, 1);
		x.s[2] = offset_of(&sv, runs[i].environment, 1);
		tl_buf_put(&chunk, &x, sizeof(x));
	}
	if (!rc)
		rc = put_chunk(&o, &chunk, &sum, 0, &ignore);
	free(sv.m.k);
	free(sv.m.v);
	/* the checksum after them stays aligned */
	while ((sv.extra + sv.strings.len) % 8)
		tl_buf_putc(&sv.strings, '\0');
	slen = sv.extra + sv.strings.len;
	sv.too_big |= slen >= NONE;
	if (!rc && !sv.too_big && sv.oldlen)
		rc = put_bytes(&o, sv.old, sv.oldlen, &sum, &ignore);
	for (size_t i = 0; i < nparts && !rc && !sv.too_big; i++)
		rc = put_bytes(&o, parts[i].p, parts[i].len, &sum, &ignore);
	if (!rc && !sv.too_big)
		rc = put_chunk(&o, &sv.strings, &sum, 0, &ignore);
	memset(&hd, 0, sizeof(hd));
	memcpy(hd.magic, MAGIC, 8);
	hd.version = VERSION;
	hd.nstrings_bytes = (uint32_t)slen;
	hd.n = (uint64_t)h->n;
	hd.key = key;
	hd.nruns = (uint64_t)nruns;
	memcpy(hd.commit, commit, 40);
	tl_sum_add(&sum, &hd, sizeof(hd));
	total = tl_sum_value(&sum);
	if (!rc && !sv.too_big &&
		pwrite(o.fd, &hd, sizeof(hd), 0) == (ssize_t)sizeof(hd) &&
		!tl_fs_out_write(&o, &total, sizeof(total), &ignore))
		tl_fs_out_commit(&o, 0, &ignore);
	else
		tl_fs_out_abort(&o);
	tl_err_clear(&ignore);
	tl_sum_release(&sum);
	tl_buf_release(&sv.strings);
	tl_buf_release(&chunk);
}

void tl_hsnap_save(const struct tl_history *h, const struct tl_hsnap_run *runs,
	size_t nruns, struct tl_repo *r, const char *name, const char *commit,
	uint64_t key)
{
	char *path = path_of(r, name);
	size_t nparts;
	struct part *parts = pool_parts(&h->pool, &nparts);
	save(h, NULL, runs, nruns, parts, nparts, path, commit, key);
	free(parts);
	free(path);
}

struct tl_hsnap_saving {
	struct tl_history h; /* the caller's, shallow: its v and snap */
	unsigned char *lent;
	struct tl_hsnap_run *runs;
	size_t nruns;
	/* the pool's chunks when the save started: h's copy of the pool
	 * is shallow, and its arrays may move as the caller adds strings */
	struct part *parts;
	size_t nparts;
	char *path;
	char commit[41];
	uint64_t key;
	pthread_t th;
	int running;
};

static void *save_main(void *arg)
{
	struct tl_hsnap_saving *sv = arg;
	save(&sv->h, sv->lent, sv->runs, sv->nruns, sv->parts, sv->nparts,
		sv->path, sv->commit, sv->key);
	return NULL;
}

struct tl_hsnap_saving *tl_hsnap_save_start(const struct tl_history *h,
	unsigned char *lent, struct tl_hsnap_run *runs, size_t nruns,
	struct tl_repo *r, const char *name, const char *commit, uint64_t key)
{
	struct tl_hsnap_saving *sv = tl_calloc(1, sizeof(*sv));
	sv->h = *h;
	sv->lent = lent;
	sv->runs = runs;
	sv->nruns = nruns;
	sv->parts = pool_parts(&h->pool, &sv->nparts);
	sv->path = path_of(r, name);
	memcpy(sv->commit, commit, 40);
	sv->key = key;
	sv->running = !pthread_create(&sv->th, NULL, save_main, sv);
	if (!sv->running)
		save_main(sv); /* no thread: saved now */
	return sv;
}

void tl_hsnap_save_wait(struct tl_hsnap_saving *sv)
{
	if (!sv)
		return;
	if (sv->running)
		pthread_join(sv->th, NULL);
	free(sv->lent);
	free(sv->runs);
	free(sv->parts);
	free(sv->path);
	free(sv);
}

int tl_hsnap_commit(struct tl_repo *r, const char *name, char commit[41])
{
	char *path = path_of(r, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct header hd;
	int rc = -1;
	free(path);
	if (fd < 0)
		return -1;
	if (pread(fd, &hd, sizeof(hd), 0) == (ssize_t)sizeof(hd) &&
		!memcmp(hd.magic, MAGIC, 8) && hd.version == VERSION) {
		memcpy(commit, hd.commit, 40);
		commit[40] = '\0';
		rc = 0;
	}
	close(fd);
	return rc;
}

int tl_hsnap_exists(struct tl_repo *r, const char *name)
{
	char *path = path_of(r, name);
	int yes = tl_fs_is_file(path);
	free(path);
	return yes;
}

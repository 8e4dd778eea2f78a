#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hrecord.h"

#define PATH "run-1/results/c1.yaml"

/* The flat reader takes doc, and writes what the YAML parser's way
 * writes, byte for byte. */
static void same_as_full(const char *doc)
{
	struct tl_buf fast = TL_BUF_INIT, full = TL_BUF_INIT;
	cr_assert_eq(tl_hrecord_encode_flat(&fast, doc, strlen(doc)), 0,
		"the flat reader refused:\n%s", doc);
	tl_hrecord_encode_full(&full, PATH, doc, strlen(doc));
	cr_assert_eq(fast.len, full.len, "records differ for:\n%s", doc);
	cr_assert(!memcmp(fast.ptr, full.ptr, fast.len),
		"records differ for:\n%s", doc);
	tl_buf_release(&fast);
	tl_buf_release(&full);
}

static void refused(const char *doc)
{
	struct tl_buf b = TL_BUF_INIT;
	cr_assert_eq(tl_hrecord_encode_flat(&b, doc, strlen(doc)), -1,
		"the flat reader took:\n%s", doc);
	tl_buf_release(&b);
}

Test(hrecord, flat_results_read_as_the_parser_reads_them)
{
	same_as_full("status: passed\n");
	same_as_full("status: passed"); /* no final line break */
	same_as_full("status: failed\nduration: 0.169\n"
		     "started: 2026-09-21T00:00:00Z\n");
	same_as_full("status: failed\nmessage: expected 2, got 3\n"
		     "type: AssertionError\nrevision: 8a3c\n");
	/* a trace with no message: its start stands for the signature */
	same_as_full("status: failed\ntrace: at foo.c line 3\n");
	same_as_full("status: blocked\nduration: 12\nassignee: ann\n");
	same_as_full("status: skipped\nowner_note: kept aside\n");
	/* nulls are absent keys; other scalars stay as written */
	same_as_full("status: passed\nmessage: ~\nrevision: null\n");
	same_as_full("status: passed\nrevision: 1e3\nduration: 0x1F\n");
	same_as_full("status: passed\nmessage: a{b}, [c] 100%\n");
	same_as_full("status: passed\nmessage: ratio 3:2 at http://x/y#z\n");
}

Test(hrecord, the_rest_goes_to_the_parser)
{
	refused("");
	refused("duration: 1\n"); /* status is required */
	refused("status: passed\nstatus: failed\n"); /* duplicate */
	refused("status: maybe\n"); /* not a status */
	refused("status: passed\nstarted: yesterday\n");
	refused("status: passed\nduration: fast\n");
	refused("status: 'passed'\n");
	refused("status: \"passed\"\n");
	refused("status: passed # done\n");
	refused("status: passed\nmessage: x # y\n");
	refused("status: passed\nmessage: a:\n");
	refused("# a comment\nstatus: passed\n");
	refused("---\nstatus: passed\n");
	refused("status: passed\r\n");
	refused("status:\tpassed\n");
	refused("status: passed \n");
	refused("status:  passed\n");
	refused("status:passed\n");
	refused("status: passed\n\nduration: 1\n");
	refused("status: passed\nmessage: a: b\n");
	refused("status: passed\nmessage: café\n");
	refused("status: passed\nmessage: |\n  two\n  lines\n");
	refused("status: passed\nmessage: one\n  more\n");
	refused("status: passed\nenvironment: {os: linux}\n");
	refused("status: passed\nretries: []\n");
	refused("status: passed\ndefects: BUG-1\n");
	refused("status: &a passed\n");
	refused("status: !!str passed\n");
	refused("Status: passed\n");
}

Test(hrecord, numbers_are_exact)
{
	struct tl_buf b = TL_BUF_INIT;
	const char *f[TL_HR__COUNT];
	char kind;
	const char *doc = "status: passed\nduration: 0.1\n"
			  "started: 2026-09-21T00:00:01Z\n";
	cr_assert_eq(tl_hrecord_encode_flat(&b, doc, strlen(doc)), 0);
	cr_assert_eq(
		tl_hrecord_decode(b.ptr, b.len, &kind, f, TL_HR__COUNT), 0);
	cr_assert_eq(kind, 'E');
	cr_assert_str_eq(f[TL_HR_STATUS], "passed");
	cr_assert_str_eq(f[TL_HR_OUTCOMES], "P");
	cr_assert(tl_hrecord_num(f[TL_HR_DURATION]) == 0.1);
	cr_assert(tl_hrecord_num(f[TL_HR_RETRY]) == 0.0);
	cr_assert_eq(tl_hrecord_int(f[TL_HR_TIME]), 1789948801);
	cr_assert_null(f[TL_HR_MESSAGE]);
	cr_assert_eq(tl_hrecord_num(NULL), 0.0);
	/* a record cut short does not decode */
	cr_assert_neq(
		tl_hrecord_decode(b.ptr, b.len - 3, &kind, f, TL_HR__COUNT), 0);
	tl_buf_release(&b);
}

Test(hrecord, retries_and_environment_through_the_parser)
{
	struct tl_buf b = TL_BUF_INIT;
	const char *f[TL_HR__COUNT];
	char kind;
	const char *doc = "status: passed\nenvironment:\n  os: linux\n"
			  "retries:\n  - status: failed\n    duration: 2\n"
			  "    message: boom\n";
	tl_hrecord_encode(&b, PATH, doc, strlen(doc));
	cr_assert_eq(
		tl_hrecord_decode(b.ptr, b.len, &kind, f, TL_HR__COUNT), 0);
	cr_assert_str_eq(f[TL_HR_OUTCOMES], "FP");
	cr_assert_str_eq(f[TL_HR_MESSAGE], "boom");
	cr_assert_str_eq(f[TL_HR_ENV], "os=linux");
	cr_assert(tl_hrecord_num(f[TL_HR_RETRY]) == 2.0);
	doc = "title: nightly\nrevision: abc\n";
	tl_hrecord_encode(&b, "run-1/run.yaml", doc, strlen(doc));
	cr_assert_eq(
		tl_hrecord_decode(b.ptr, b.len, &kind, f, TL_HR_RUN__COUNT), 0);
	cr_assert_eq(kind, 'R');
	cr_assert_str_eq(f[TL_HR_RUN_REVISION], "abc");
	tl_hrecord_encode(&b, PATH, "status: [\n", 10);
	cr_assert_eq(b.len, 1);
	cr_assert_eq(b.ptr[0], 'X');
	tl_buf_release(&b);
}

/* Documents put together from near-miss lines: whatever the flat reader
 * takes, it must read as the parser does. */
Test(hrecord, random_documents_agree)
{
	static const char *const lines[] = { "status: passed", "status: failed",
		"status: pass", "status: ~", "status: ", "duration: 1.5",
		"duration: -0", "duration: .inf", "duration: 1_000",
		"duration: 12s", "duration: null",
		"started: 2026-01-02T03:04:05Z", "started: 2026-01-02",
		"started: 2026-01-02T03:04:05+02:00", "message: x y",
		"message: a:b", "message: a :b", "message: yes", "message: -",
		"message: x#y", "message: x #y", "message: a:", "type: E",
		"trace: at a.c:3", "revision: 0123abc", "revision: 010",
		"assignee: bob", "output: o", "extra_key: v", "x1: true",
		"status:passed", "  indented: v", "message: 'q'", "- item", "",
		"environment: x", "retries: 3", "fields: f" };
	size_t nl = sizeof(lines) / sizeof(*lines), took = 0;
	struct tl_buf doc = TL_BUF_INIT;
	srand(20261205);
	for (int round = 0; round < 20000; round++) {
		struct tl_buf fast = TL_BUF_INIT, full = TL_BUF_INIT;
		int n = 1 + rand() % 5;
		tl_buf_reset(&doc);
		for (int i = 0; i < n; i++) {
			tl_buf_puts(&doc, lines[(size_t)rand() % nl]);
			if (i + 1 < n || rand() % 2)
				tl_buf_putc(&doc, '\n');
		}
		if (!tl_hrecord_encode_flat(&fast, doc.ptr, doc.len)) {
			took++;
			tl_hrecord_encode_full(&full, PATH, doc.ptr, doc.len);
			cr_assert(fast.len == full.len &&
					!memcmp(fast.ptr, full.ptr, fast.len),
				"records differ for:\n%s", doc.ptr);
		}
		tl_buf_release(&fast);
		tl_buf_release(&full);
	}
	/* not a test of nothing: a good share took the flat way */
	cr_assert_gt(took, 500, "only %zu documents were flat", took);
	tl_buf_release(&doc);
}

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fpmap.h"
#include "core/pairmap.h"
#include "core/strmap.h"
#include "core/buf.h"
#include "core/strpool.h"

#define MANY 20000 /* past several doublings from 64 slots */

Test(strmap, puts_gets_and_replaces)
{
	struct tl_strmap m = { 0 };
	cr_assert_eq(tl_strmap_get(&m, "a"), (size_t)-1);
	tl_strmap_put(&m, "a", 1);
	tl_strmap_put(&m, "b", 2);
	tl_strmap_put(&m, "a", 3); /* the same key: its value replaced */
	cr_assert_eq(m.n, 2);
	cr_assert_eq(tl_strmap_get(&m, "a"), 3);
	cr_assert_eq(tl_strmap_get(&m, "b"), 2);
	cr_assert_eq(tl_strmap_get(&m, "c"), (size_t)-1);
	tl_strmap_release(&m);
}

Test(strmap, keeps_every_key_across_growth)
{
	struct tl_strmap m = { 0 };
	char(*keys)[16] = calloc(MANY, sizeof(*keys));
	for (size_t i = 0; i < MANY; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
		tl_strmap_put(&m, keys[i], i);
	}
	cr_assert_eq(m.n, MANY);
	for (size_t i = 0; i < MANY; i++) {
		char probe[16];
		size_t at;
		/* another pointer to the same bytes finds it */
		snprintf(probe, sizeof(probe), "k%zu", i);
		at = tl_strmap_index(&m, probe);
		cr_assert_neq(at, (size_t)-1, "%s lost", probe);
		cr_assert_eq(m.slots[at].key, keys[i]);
		cr_assert_eq(m.slots[at].val, i);
	}
	cr_assert_eq(tl_strmap_get(&m, "k20000"), (size_t)-1);
	tl_strmap_release(&m);
	free(keys);
}

Test(strmap, reserve_keeps_what_is_there)
{
	struct tl_strmap m = { 0 };
	tl_strmap_put(&m, "x", 7);
	tl_strmap_reserve(&m, 1000);
	cr_assert_geq(m.cap, 2000);
	cr_assert_eq(tl_strmap_get(&m, "x"), 7);
	tl_strmap_release(&m);
}

Test(strpool, interns_one_copy)
{
	struct tl_strpool p = { 0 };
	char a[] = "case-1", b[] = "case-1";
	const char *x = tl_strpool_intern(&p, a);
	const char *y = tl_strpool_intern(&p, b);
	cr_assert_eq(x, y);
	cr_assert_neq(x, a);
	cr_assert_str_eq(x, "case-1");
	cr_assert_neq(tl_strpool_intern(&p, "case-2"), x);
	cr_assert_null(tl_strpool_intern(&p, NULL));
	tl_strpool_release(&p);
}

Test(pairmap, get_or_put_stores_once_and_answers_after)
{
	struct tl_pairmap m = { 0 };
	static const char a[] = "a", b[] = "b";
	static char keys[1000];
	cr_assert_eq(tl_pairmap_get_or_put(&m, a, b, 7), (size_t)-1);
	cr_assert_eq(tl_pairmap_get_or_put(&m, a, b, 9), 7, "not replaced");
	cr_assert_eq(tl_pairmap_get(&m, a, b), 7);
	cr_assert_eq(tl_pairmap_get_or_put(&m, b, a, 8), (size_t)-1);
	for (size_t i = 0; i < 1000; i++) /* through several resizes */
		cr_assert_eq(
			tl_pairmap_get_or_put(&m, &keys[i], a, i), (size_t)-1);
	for (size_t i = 0; i < 1000; i++)
		cr_assert_eq(tl_pairmap_get_or_put(&m, &keys[i], a, 0), i);
	cr_assert_eq(m.n, 1002);
	cr_assert_eq(tl_pairmap_get(&m, b, a), 8);
	tl_pairmap_release(&m);
}

/* Chunks grow to sizes past TL_LARGE, allocated apart: every string
 * added stays where it was and reads back as it was, and one larger than
 * any chunk gets a chunk of its own. */
Test(strpool, strings_stay_put_as_chunks_grow)
{
	struct tl_strpool p = { 0 };
	/* 16 MB: past the doubling chunks (64 KiB to 4 MiB, 8 MB in
	 * all) into 8 MiB ones */
	enum { N = 1100000 };
	const char **at = malloc(N * sizeof(*at));
	size_t big = TL_LARGE * 3;
	char *huge = malloc(big + 1), name[32];
	const char *h;
	for (size_t i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "result-%zu", i);
		at[i] = tl_strpool_add(&p, name);
	}
	memset(huge, 'x', big);
	huge[big] = '\0';
	h = tl_strpool_add(&p, huge);
	cr_assert_geq(p.nchunks, 9, "past the doubling chunks");
	for (size_t i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "result-%zu", i);
		cr_assert_str_eq(at[i], name);
	}
	cr_assert_eq(strlen(h), big);
	cr_assert_str_eq(tl_strpool_add(&p, "after"), "after");
	{
		/* the chunks' bytes in use are every string added, with its
		 * NUL, and start with the first one each holds (what a
		 * history snapshot writes whole) */
		size_t used = 0, want = big + 1 + sizeof("after");
		for (size_t i = 0; i < N; i++)
			want += strlen(at[i]) + 1;
		for (size_t i = 0; i < p.nchunks; i++) {
			size_t len = tl_strpool_chunk_len(&p, i);
			cr_assert_gt(len, 0, "chunk %zu", i);
			cr_assert_eq(
				p.chunks[i][len - 1], '\0', "chunk %zu", i);
			used += len;
		}
		cr_assert_eq(used, want);
		cr_assert_eq(p.chunks[0], at[0]);
	}
	tl_strpool_release(&p);
	free(huge);
	free(at);
}

Test(pairmap, keys_by_both_pointers_in_order)
{
	struct tl_pairmap m = { 0 };
	static const char a[] = "a", b[] = "b";
	cr_assert_eq(tl_pairmap_get(&m, a, b), (size_t)-1);
	tl_pairmap_put(&m, a, b, 1);
	tl_pairmap_put(&m, b, a, 2); /* the swapped pair is another key */
	tl_pairmap_put(&m, a, NULL, 3); /* b may be NULL */
	cr_assert_eq(tl_pairmap_get(&m, a, b), 1);
	cr_assert_eq(tl_pairmap_get(&m, b, a), 2);
	cr_assert_eq(tl_pairmap_get(&m, a, NULL), 3);
	cr_assert_eq(tl_pairmap_get(&m, a, a), (size_t)-1);
	tl_pairmap_put(&m, a, b, 4);
	cr_assert_eq(m.n, 3);
	cr_assert_eq(tl_pairmap_get(&m, a, b), 4);
	tl_pairmap_release(&m);
}

Test(pairmap, keeps_every_pair_across_growth)
{
	struct tl_pairmap m = { 0 };
	/* runs x cases, as history keys results */
	char *runs = calloc(100, 1), *cases = calloc(MANY / 100, 1);
	for (size_t r = 0; r < 100; r++)
		for (size_t c = 0; c < MANY / 100; c++)
			tl_pairmap_put(&m, runs + r, cases + c, r * 1000 + c);
	cr_assert_eq(m.n, MANY);
	for (size_t r = 0; r < 100; r++)
		for (size_t c = 0; c < MANY / 100; c++)
			cr_assert_eq(tl_pairmap_get(&m, runs + r, cases + c),
				r * 1000 + c);
	tl_pairmap_reserve(&m, 4 * MANY);
	cr_assert_eq(tl_pairmap_get(&m, runs + 99, cases + 7), 99007);
	tl_pairmap_release(&m);
	free(runs);
	free(cases);
}

/* Every value put under a fingerprint, each once, across growth; none
 * under one never put. */
Test(fpmap, gives_every_value_of_a_fingerprint_across_growth)
{
	struct tl_fpmap m = { 0 };
	size_t it = 0, seen[3] = { 0 };
	uint32_t v;
	cr_assert_eq(tl_fpmap_next(&m, 42, &it, &v), 0, "an empty map");
	for (uint64_t i = 0; i < MANY; i++)
		tl_fpmap_put(&m, tl_fp(&i, sizeof(i)), (uint32_t)i);
	/* three values under one fingerprint (a collision, or one string
	 * put three times), put between the others */
	tl_fpmap_put(&m, 7, 100);
	tl_fpmap_put(&m, 7, 101);
	tl_fpmap_put(&m, 7, 102);
	cr_assert_eq(m.n, MANY + 3);
	cr_assert_leq(m.n * 4, m.cap * 3, "at most three quarters full");
	for (uint64_t i = 0; i < MANY; i++) {
		int found = 0;
		it = 0;
		while (tl_fpmap_next(&m, tl_fp(&i, sizeof(i)), &it, &v))
			found += v == i;
		cr_assert_eq(found, 1, "value %llu", (unsigned long long)i);
	}
	it = 0;
	while (tl_fpmap_next(&m, 7, &it, &v)) {
		cr_assert(v >= 100 && v <= 102, "a value not put under 7");
		seen[v - 100]++;
	}
	cr_assert(seen[0] == 1 && seen[1] == 1 && seen[2] == 1);
	it = 0;
	cr_assert_eq(tl_fpmap_next(&m, 8, &it, &v), 0);
	/* 0 stands for a free slot: a fingerprint of 0 is stored as 1 */
	tl_fpmap_put(&m, 0, 5);
	it = 0;
	cr_assert_eq(tl_fpmap_next(&m, 0, &it, &v), 1);
	cr_assert_neq(tl_fp("", 0), 0);
	tl_fpmap_release(&m);
}

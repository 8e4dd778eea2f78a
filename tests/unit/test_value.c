#include <criterion/criterion.h>
#include <string.h>

#include "core/value.h"

static enum tl_vtype r(const char *s)
{
	return tl_value_resolve(s, strlen(s));
}

Test(value, yaml11_implicit_types_resolve)
{
	cr_assert_eq(r("yes"), TL_T_BOOL);
	cr_assert_eq(r("On"), TL_T_BOOL);
	cr_assert_eq(r("n"), TL_T_BOOL);
	cr_assert_eq(r("FALSE"), TL_T_BOOL);
	cr_assert_eq(r("~"), TL_T_NULL);
	cr_assert_eq(r(""), TL_T_NULL);
	cr_assert_eq(r("null"), TL_T_NULL);
	cr_assert_eq(r("123"), TL_T_INT);
	cr_assert_eq(r("-7"), TL_T_INT);
	cr_assert_eq(r("0x1F"), TL_T_INT);
	cr_assert_eq(r("1_000"), TL_T_INT);
	cr_assert_eq(r("1:20"), TL_T_INT);
	cr_assert_eq(r("1.5"), TL_T_FLOAT);
	cr_assert_eq(r("1.5e3"), TL_T_FLOAT);
	cr_assert_eq(r(".inf"), TL_T_FLOAT);
	/* the longest words, and one of each first character */
	cr_assert_eq(r("False"), TL_T_BOOL);
	cr_assert_eq(r("OFF"), TL_T_BOOL);
	cr_assert_eq(r("Y"), TL_T_BOOL);
	cr_assert_eq(r("True"), TL_T_BOOL);
	cr_assert_eq(r("o"), TL_T_STR);
	cr_assert_eq(r("NULL"), TL_T_NULL);
	cr_assert_eq(r("-.Inf"), TL_T_FLOAT);
	cr_assert_eq(r("+.INF"), TL_T_FLOAT);
	cr_assert_eq(r(".NaN"), TL_T_FLOAT);
	cr_assert_eq(r("Falsey"), TL_T_STR);
}

Test(value, ordinary_text_stays_a_string)
{
	cr_assert_eq(r("1.2.3"), TL_T_STR);
	cr_assert_eq(r("abc"), TL_T_STR);
	cr_assert_eq(r("4f2a9c1"), TL_T_STR);
	cr_assert_eq(r("-"), TL_T_STR);
	cr_assert_eq(r("yesterday"), TL_T_STR);
	cr_assert_eq(r("firefox 131"), TL_T_STR);
}

Test(value, map_set_get_del_keep_order)
{
	struct tl_value *m = tl_value_map();
	tl_value_put(m, "b", tl_value_str("1"));
	tl_value_put(m, "a", tl_value_str("2"));
	tl_value_set(m, "b", tl_value_str("3"));
	cr_assert_eq(m->n, 2);
	cr_assert_str_eq(m->keys[0], "b");
	cr_assert_str_eq(tl_value_gets(m, "b"), "3");
	cr_assert_eq(tl_value_del(m, "b"), 1);
	cr_assert_eq(tl_value_del(m, "b"), 0);
	cr_assert_null(tl_value_get(m, "b"));
	cr_assert_str_eq(m->keys[0], "a");
	tl_value_free(m);
}

Test(value, numbers_print_in_their_shortest_exact_form)
{
	struct tl_value *a = tl_value_num(1.532), *b = tl_value_num(30.0),
			*c = tl_value_num(0.1 + 0.2);
	cr_assert_str_eq(a->str, "1.532");
	cr_assert_eq(a->type, TL_T_FLOAT);
	cr_assert_str_eq(b->str, "30");
	cr_assert_str_eq(c->str, "0.30000000000000004");
	tl_value_free(a);
	tl_value_free(b);
	tl_value_free(c);
}

Test(value, dup_is_deep)
{
	struct tl_value *m = tl_value_map(), *s = tl_value_seq(), *d;
	tl_value_push(s, tl_value_str("x"));
	tl_value_put(m, "list", s);
	d = tl_value_dup(m);
	tl_value_free(m);
	cr_assert_str_eq(tl_value_get(d, "list")->items[0]->str, "x");
	tl_value_free(d);
}

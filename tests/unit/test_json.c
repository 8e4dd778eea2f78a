#include "helpers.h"

#include "formats/json.h"

static char *emit(const struct tl_value *v)
{
	struct tl_buf b = TL_BUF_INIT;
	struct tl_err err = TL_ERR_INIT;
	cr_assert_eq(tl_json_emit(&b, v, &err), 0, "%s", err.msg);
	return tl_buf_detach(&b);
}

Test(json, bytes_that_are_not_utf8_become_replacement_characters)
{
	struct tl_value *m = tl_value_map();
	char *out;
	tl_value_put(m, "author", tl_value_str("Jos\xe9 <j@example.com>"));
	tl_value_put(m, "k\xff", tl_value_str("ok \xc3\xa9"));
	out = emit(m);
	/* the value and the key are kept, each bad byte as U+FFFD; valid
	 * text is left as it is */
	cr_assert_str_eq(out,
		"{\n  \"author\": \"Jos\xef\xbf\xbd <j@example.com>\",\n"
		"  \"k\xef\xbf\xbd\": \"ok \xc3\xa9\"\n}\n");
	free(out);
	tl_value_free(m);
}

Test(json, infinity_and_nan_stay_text)
{
	struct tl_value *s = tl_value_seq();
	char *out;
	tl_value_push(s, tl_value_typed(".inf", TL_T_FLOAT));
	tl_value_push(s, tl_value_typed("inf", TL_T_FLOAT));
	tl_value_push(s, tl_value_typed("nan", TL_T_FLOAT));
	tl_value_push(s, tl_value_typed("0.95", TL_T_FLOAT));
	out = emit(s);
	cr_assert_str_eq(
		out, "[\n  \".inf\",\n  \"inf\",\n  \"nan\",\n  0.95\n]\n");
	free(out);
	tl_value_free(s);
}

/* tally.yaml's flaky:, durations: and gate: sections. */
#include <criterion/criterion.h>

#include "core/params.h"
#include "formats/yaml.h"

static struct tl_value *doc;

static int load(const char *yaml, struct tl_params *p, struct tl_err *err)
{
	struct tl_err perr = TL_ERR_INIT;
	tl_value_free(doc);
	doc = NULL;
	cr_assert_eq(
		tl_yaml_parse(&doc, "tally.yaml", yaml, strlen(yaml), &perr), 0,
		"%s", perr.msg);
	return tl_params_load(p, tl_value_get(doc, "flaky"),
		tl_value_get(doc, "durations"), tl_value_get(doc, "gate"),
		"qa/tally.yaml", err);
}

static void fini(void)
{
	tl_value_free(doc);
	doc = NULL;
}

TestSuite(params, .fini = fini);

Test(params, defaults_are_metrics_md_s)
{
	struct tl_params p;
	struct tl_err err = TL_ERR_INIT;
	cr_assert_eq(load("tally: 1\n", &p, &err), 0);
	cr_assert_eq(p.window, 30);
	cr_assert_eq(p.evidence_days, 14);
	cr_assert_eq(p.evidence_results, 20);
	cr_assert_eq(p.hold, 3);
	cr_assert_float_eq(p.lambda, 0.1, 1e-12);
	cr_assert_eq(p.leave_days, 14);
	cr_assert_eq(p.leave_results, 30);
	cr_assert_eq(p.infra_results, 20);
	cr_assert_float_eq(p.infra_bad_rate, 0.8, 1e-12);
	cr_assert_eq(p.samples, 30);
	cr_assert_eq(p.recent, 5);
	cr_assert_float_eq(p.min_delta, 0.05, 1e-12);
	cr_assert_float_eq(p.max_new_failures, 0, 1e-12);
	cr_assert_lt(p.min_pass_rate, 0, "off unless set");
	cr_assert_null(p.code_paths, "the revision itself by default");
}

Test(params, settings_override_defaults)
{
	struct tl_params p;
	struct tl_err err = TL_ERR_INIT;
	cr_assert_eq(
		load("flaky:\n  window: 50\n  evidence-days: 7\n"
		     "durations:\n  min-delta: 200ms\n  ratio: 1.5\n"
		     "gate:\n  max-new-failures: none\n  min-pass-rate: 0.9\n",
			&p, &err),
		0, "%s", err.msg);
	cr_assert_eq(p.window, 50);
	cr_assert_eq(p.evidence_days, 7);
	cr_assert_float_eq(p.min_delta, 0.2, 1e-12);
	cr_assert_float_eq(p.ratio, 1.5, 1e-12);
	cr_assert_lt(p.max_new_failures, 0, "none turns the rule off");
	cr_assert_float_eq(p.min_pass_rate, 0.9, 1e-12);
	cr_assert_eq(load("flaky:\n  code-paths: [src/, lib/core]\n", &p, &err),
		0, "%s", err.msg);
	cr_assert_eq(p.code_paths->n, 2);
	cr_assert_str_eq(p.code_paths->items[1]->str, "lib/core");
}

static void refused(const char *yaml, const char *want)
{
	struct tl_params p;
	struct tl_err err = TL_ERR_INIT;
	cr_assert_eq(load(yaml, &p, &err), TL_EINVALID, "%s", yaml);
	cr_assert(strstr(err.msg, want), "%s: [%s] lacks [%s]", yaml, err.msg,
		want);
	tl_err_clear(&err);
}

Test(params, bad_settings_name_their_place)
{
	refused("flaky:\n  windw: 5\n",
		"qa/tally.yaml:2:10: flaky: has no setting 'windw' (it has window,");
	refused("flaky:\n  window: 0\n",
		"qa/tally.yaml:2:11: flaky.window takes a whole number of at least 1, not '0'");
	refused("flaky:\n  window: 2.5\n", "whole number");
	refused("flaky:\n  lambda: 2\n",
		"flaky.lambda takes a number from 0 to 1");
	refused("flaky:\n  evidence-days: [1]\n", "not 'a collection'");
	refused("flaky: 3\n", "qa/tally.yaml:1:8: flaky: takes a mapping");
	refused("durations:\n  min-delta: fast\n", "a duration");
	refused("durations:\n  ratio: -1\n", "a number above 0");
	refused("gate:\n  min-pass-rate: 95\n", "from 0 to 1, or none");
	refused("gate:\n  max-failures: lots\n", "at least 0, or none");
	refused("flaky:\n  code-paths: src/\n", "a list of folders");
	refused("flaky:\n  code-paths: [../x]\n", "not '../x'");
	refused("flaky:\n  code-paths: [/etc]\n", "a list of folders");
}

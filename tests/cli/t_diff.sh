#!/usr/bin/env bash
# tally diff and tally gate: a branch that breaks one test, fixes another
# and makes a third flaky; quarantine.yaml turns the failure into a known one.
. "$(dirname "$0")/lib.sh"

new_tracker diff
report() { # report TITLE A B C ("pass", "fail" or "flaky")
	local title=$1
	shift
	{
		echo '<testsuite name="s">'
		for n in a b c d; do
			case "${1:-pass}" in
			fail) echo "<testcase classname=\"app.T\" name=\"$n\"><failure message=\"$n broke at 0x1234abcd\" type=\"AssertionError\"/></testcase>" ;;
			flaky) echo "<testcase classname=\"app.T\" name=\"$n\"><flakyFailure message=\"timeout\"/></testcase>" ;;
			*) echo "<testcase classname=\"app.T\" name=\"$n\" time=\"0.1\"/>" ;;
			esac
			shift || true
		done
		echo '</testsuite>'
	} > "$TMP/r.xml"
	tally -q import "$TMP/r.xml" --title "$title"
}
report base1 pass fail pass
report base2 pass fail pass
git checkout -q -b feature
report head1 fail pass flaky

expect_code 0 tally diff main...HEAD
expect_eq "$(cut -f1,2 "$TMP/out" | tr '\t\n' ' |')" "new-failure app/T/a|fixed app/T/b|newly-flaky app/T/c|" "exactly the three"
expect_grep "4 tests, 50.0% passing: 1 new failure, 1 fixed, 1 newly flaky" "$TMP/err"
expect_code 0 tally --format json diff main...HEAD
python3 - "$TMP/out" <<'PY' || fail "diff JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["counts"]["new-failure"] == 1 and d["counts"]["fixed"] == 1
assert d["counts"]["newly-flaky"] == 1 and d["tests"] == 4
new = [c for c in d["changes"] if c["class"] == "new-failure"][0]
assert new["case"] == "app/T/a" and new["base"] == "passed" and new["head"] == "failed"
assert new["detail"] == "a broke at <hex>" and len(new["signature"]) == 32
PY
ok
expect_code 0 tally --format md diff main...HEAD
expect_eq "$(head -1 "$TMP/out" | cut -c1-60)" "**tally**: 4 tests, 50.0% passing: 1 new failure, 1 fixed, 1" "md summary line first"
expect_grep "<details open><summary>New failures (1)</summary>" "$TMP/out"
expect_grep '| `app/T/a` | passed | failed | a broke at <hex> |' "$TMP/out"
expect_grep "<details><summary>Fixed (1)</summary>" "$TMP/out"
# BASE.. and a single revision
expect_code 0 tally diff HEAD..HEAD
expect_eq "$(cut -f1,2 "$TMP/out")" "still-failing	app/T/a" "against itself, only what fails on both"
expect_code 3 tally diff nosuch...HEAD
expect_grep "unknown revision 'nosuch'" "$TMP/err"
# no upstream: say how to give the base
expect_code 2 tally diff
expect_grep "no upstream" "$TMP/err"

# the gate: the default policy refuses a new failure
expect_code 1 tally gate main...HEAD
expect_grep "violated: max-new-failures (limit 0, got 1)" "$TMP/out"
expect_grep "gate: FAILED" "$TMP/out"
expect_code 1 tally --format json gate main...HEAD
expect_eq "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["passed"], [v["rule"] for v in d["violations"]])' < "$TMP/out")" "False ['max-new-failures']" "gate JSON"

# quarantined: a known failure, the gate passes
sig=$(tally --format json diff main...HEAD | python3 -c 'import json,sys; print([c for c in json.load(sys.stdin)["changes"] if c["class"]=="new-failure"][0]["signature"])')
cat > qa/quarantine.yaml <<YAML
- case: app/T/a
  signature: $sig
  defect: BUG-7
  reason: the sandbox is down
  expires: 2026-12-31
YAML
expect_code 0 tally check
expect_code 0 tally gate main...HEAD
expect_grep "gate: passed" "$TMP/out"
expect_code 0 tally diff main...HEAD
expect_grep "known-failure	app/T/a	passed	failed	BUG-7" "$TMP/out"
# expired: it counts again
sed -i 's/2026-12-31/2026-11-01/' qa/quarantine.yaml
expect_code 1 tally gate main...HEAD
# a policy in tally.yaml: several rules, each named
sed -i 's/2026-11-01/2026-12-31/' qa/quarantine.yaml
printf 'gate:\n  max-new-failures: 0\n  min-pass-rate: 0.9\n  min-tests: 10\n' >> qa/tally.yaml
expect_code 1 tally gate main...HEAD
expect_grep "violated: min-pass-rate (limit 0.9, got 0.5)" "$TMP/out"
expect_grep "violated: min-tests (limit 10, got 4)" "$TMP/out"
expect_no_grep "max-new-failures" "$TMP/out"

# tally check validates quarantine.yaml with file:line:col
printf -- '- case: app/T/a\n  signature: nothex\n' > qa/quarantine.yaml
expect_code 1 tally check
expect_grep "quarantine.yaml:2:14: a signature is 32 lowercase hex digits" "$TMP/out"
printf -- '- reason: nothing to match\n' > qa/quarantine.yaml
expect_code 1 tally check
expect_grep "quarantine.yaml:1:3: an entry needs a case, a signature or both" "$TMP/out"
# per environment (METRICS.md): the latest result of each side in each
# environment; a new failure on windows is not hidden by a later pass on
# linux
new_tracker envs
envimport() { # envimport OS STATUS
	if [ "$2" = pass ]; then
		echo '<testsuite name="s"><testcase classname="p.T" name="x"/></testsuite>' > "$TMP/e.xml"
	else
		echo '<testsuite name="s"><testcase classname="p.T" name="x"><failure message="backslash in path"/></testcase></testsuite>' > "$TMP/e.xml"
	fi
	tally -q import "$TMP/e.xml" --title "$1" --env "os=$1"
}
envimport windows pass
envimport linux pass
git checkout -q -b pr
envimport windows fail
envimport linux pass
expect_code 0 tally --format json diff main...HEAD
expect_eq "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["tests"], [(c["class"], c["case"], c["environment"]) for c in d["changes"]])' < "$TMP/out")" "2 [('new-failure', 'p/T/x', 'os=windows')]" "a new failure in one environment"
expect_code 0 tally diff main...HEAD
expect_grep "^new-failure	p/T/x	os=windows	passed	failed" "$TMP/out"
expect_code 0 tally --format md diff main...HEAD
expect_grep '| `p/T/x` (os=windows) | passed | failed |' "$TMP/out"
expect_code 1 tally gate main...HEAD
done_testing

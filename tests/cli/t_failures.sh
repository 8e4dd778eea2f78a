#!/usr/bin/env bash
# tally failures: clusters by signature and category, cases failing
# together, infrastructure-suspect runs.
. "$(dirname "$0")/lib.sh"

new_tracker fails
cat >> qa/tally.yaml <<'YAML'
failures:
  categories:
    - name: Timeouts
      message: 'timed? ?out'
YAML
report() { # report TITLE N_BROKEN
	{
		echo '<testsuite name="s">'
		echo '<testcase classname="db.Q" name="one"><failure message="connection 10.0.0.1:5432 timed out after 3000 ms"/></testcase>'
		echo '<testcase classname="db.Q" name="two"><failure message="connection 10.0.0.2:5432 timed out after 3100 ms"/></testcase>'
		echo '<testcase classname="ui.P" name="ok"/>'
		for i in $(seq 1 "$2"); do
			echo "<testcase classname=\"env.E\" name=\"t$i\"><failure message=\"no route to host\"/></testcase>"
		done
		echo '</testsuite>'
	} > "$TMP/r.xml"
	tally -q import "$TMP/r.xml" --title "$1"
}
report first 0
report second 0
report outage 25

expect_code 0 tally --format json failures
python3 - "$TMP/out" <<'PY' || fail "failures JSON"
import json, sys
d = json.load(open(sys.argv[1]))
sig = {s["text"]: s for s in d["signatures"]}
t = sig["connection <ip> timed out after <n> ms"]
assert t["count"] == 6 and t["cases"] == ["db/Q/one", "db/Q/two"], t
assert t["category"] == "Timeouts" and len(t["signature"]) == 32
assert sig["no route to host"]["count"] == 25 and sig["no route to host"]["category"] is None
assert d["signatures"][0]["count"] == 25, "biggest first"
assert [r["run"].split("-")[3] for r in d["infra_suspect"]] == ["outage"], d["infra_suspect"]
assert d["infra_suspect"][0]["bad"] == 27 and d["infra_suspect"][0]["decisive"] == 28
co = d["co_failing"]
assert len(co) == 1 and co[0]["cases"] == ["db/Q/one", "db/Q/two"] and len(co[0]["runs"]) == 2, co
PY
ok
expect_code 0 tally failures
expect_grep "x6 in 2 cases  \[Timeouts\]" "$TMP/out"
expect_grep "failing together:" "$TMP/out"
expect_grep "infra-suspect run .*outage.*: 27 of 28 results bad" "$TMP/out"
# the infrastructure guard: the outage is left out of the state
expect_code 0 tally --format json history db/Q/one
expect_eq "$(python3 -c 'import json,sys; h=json.load(sys.stdin); print(h["state"], h["result_count"], h["fail_rate"])' < "$TMP/out")" "failing 3 1" "two FAIL verdicts, not three (broken)"
expect_code 0 tally failures --since 2030-01-01
expect_grep "no failures" "$TMP/out"
expect_code 2 tally failures --since soon
# a bad category pattern is a clear error
printf '    - name: Broken\n      message: "(unclosed"\n' >> qa/tally.yaml
expect_code 4 tally failures
expect_grep "unclosed" "$TMP/err"
done_testing

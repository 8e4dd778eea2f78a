#!/usr/bin/env bash
# tally export: Markdown for a pull request, JSON, CSV, JUnit that tally
# reads back to the same statuses, CTRF.
. "$(dirname "$0")/lib.sh"

cd "$TMP" && tally -q demo "$TMP/demo" >/dev/null && cd "$TMP/demo"
run=release-1.0-regression

expect_code 0 tally export $run
expect_eq "$(head -1 "$TMP/out")" "$(printf '**\xe2\x9d\x8c Release 1.0 regression**: 6 tests, 2 passed, 2 failed, 1 blocked, 1 not executed (33%% passed)')" "summary line first"
expect_grep '^### Failures (2)$' "$TMP/out"
expect_grep '^| `billing/refunds/full` | refund request timed out after 30s |$' "$TMP/out"
expect_grep '^<details><summary>All 6 results</summary>$' "$TMP/out"
expect_grep '^| `auth/password-reset` | blocked |  | MAIL-12 |$' "$TMP/out"

expect_code 0 tally export $run --format json
python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); assert o["key"]=="release-1.0-regression" and len(o["cases"])==6 and "trace" in o["cases"][0]' "$TMP/out"; ok

expect_code 0 tally export $run --format csv
expect_eq "$(head -1 "$TMP/out" | tr -d '\r')" "case,title,status,assignee,duration,attempts,defects,message" "csv header"
expect_eq "$(tr -d '\r' < "$TMP/out" | wc -l | tr -d ' ')" 7 "a row per case"

# JUnit: valid XML, and read back by tally import to the same cases
expect_code 0 tally export $run --format junit
cp "$TMP/out" "$TMP/export.xml"
python3 -c 'import xml.etree.ElementTree as ET,sys; r=ET.parse(sys.argv[1]).getroot(); assert r.tag=="testsuites" and len(r.findall(".//testcase"))==6' "$TMP/export.xml"; ok
expect_code 0 tally import "$TMP/export.xml" --title "Round trip"
expect_grep "(6 results, 0 new cases)" "$TMP/out"
python3 - <<'PY'
import json, subprocess, os
def statuses(ref):
    out = subprocess.run([os.environ["TALLY"], "run", "show", ref, "--format", "json"], capture_output=True, text=True, check=True).stdout
    return {c["case"]: c["status"] for c in json.loads(out)["cases"]}
a, b = statuses("release-1.0-regression"), statuses("round-trip")
# JUnit knows passed, failed and skipped: blocked and not executed come back skipped
expect = {k: (v if v in ("passed", "failed") else "skipped") for k, v in a.items()}
assert b == expect, (a, b)
PY
ok

# CTRF: the schema's required shape
expect_code 0 tally export $run --format ctrf
python3 - "$TMP/out" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
r = o["results"]
assert set(r["tool"]) >= {"name"} and r["tool"]["name"] == "tally"
s = r["summary"]
for k in ("tests", "passed", "failed", "skipped", "pending", "other", "start", "stop"):
    assert isinstance(s[k], int), k
assert s["tests"] == len(r["tests"]) == 6 and s["passed"] == 2 and s["failed"] == 2
assert s["pending"] == 1 and s["other"] == 1
for t in r["tests"]:
    assert t["status"] in ("passed", "failed", "skipped", "pending", "other")
    assert isinstance(t["name"], str) and isinstance(t["duration"], int)
flaky = [t for t in r["tests"] if t.get("flaky")]
assert [t["name"] for t in flaky] == ["Login with a wrong password is refused"], flaky
PY
ok
cp "$TMP/out" "$TMP/export.json"
expect_code 0 tally --format json import --dry-run "$TMP/export.json"
expect_grep '"tests": 6' "$TMP/out"

expect_code 2 tally export $run --format pdf
expect_code 3 tally export nosuch

# rows are made as they are written: the JSON is laid out as the whole
# document would be, for a run of no case, a few, and more than one
# chunk of output (64 KiB)
layout() { # file: the JSON parses and is laid out as jansson would
	python3 - "$1" <<'PY'
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
o = json.loads(text)
assert text == json.dumps(o, indent=2, sort_keys=True, ensure_ascii=False) + "\n", "layout"
PY
}
for f in json ctrf; do
	expect_code 0 tally export $run --format $f
	layout "$TMP/out" || fail "$f layout"
	ok
done
tally -q run new "Empty" --key empty
expect_code 0 tally export empty --format json
layout "$TMP/out" || fail "empty run layout"
expect_grep '^  "cases": \[\],$' "$TMP/out"
expect_code 0 tally export empty --format ctrf
expect_grep '^    "tests": \[\],$' "$TMP/out"
python3 - > "$TMP/big.xml" <<'PY'
print('<testsuite name="big">')
for i in range(600):
    body = '<failure message="boom %d">trace line %d\n  at x</failure>' % (i, i) if i % 4 == 0 else ''
    print('<testcase classname="pkg.S%d" name="t%04d" time="0.25">%s</testcase>' % (i % 5, i, body))
print('</testsuite>')
PY
tally -q import "$TMP/big.xml" --title Big
big=$(tally --format csv run list --columns key | grep -- '-big-' | tr -d '\r')
for f in json ctrf md csv junit; do
	expect_code 0 tally export "$big" --format $f
	cp "$TMP/out" "$TMP/big.$f"
done
[ "$(wc -c < "$TMP/big.json")" -gt 65536 ] || fail "more than a chunk of JSON"
ok
layout "$TMP/big.json" || fail "big json layout"
ok
layout "$TMP/big.ctrf" || fail "big ctrf layout"
ok
python3 - "$TMP" <<'PY' || fail "the formats agree on the big run"
import csv, json, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
o = json.load(open(d + "/big.json"))
keys = [c["case"] for c in o["cases"]]
assert len(keys) == 600 and keys == sorted(keys)
assert sum(1 for c in o["cases"] if c["status"] == "failed") == 150
assert all(c["trace"].startswith("trace line") for c in o["cases"] if c["status"] == "failed")
t = json.load(open(d + "/big.ctrf"))["results"]["tests"]
assert [x["status"] for x in t] == [c["status"] for c in o["cases"]]
rows = list(csv.reader(open(d + "/big.csv", newline="")))
assert [r[0] for r in rows[1:]] == keys
x = ET.parse(d + "/big.junit").getroot().findall(".//testcase")
assert len(x) == 600 and sum(1 for c in x if c.find("failure") is not None) == 150
md = open(d + "/big.md").read()
assert "### Failures (150)" in md and md.count("<summary><code>") == 150
assert "All 600 results" in md and md.count("\n| `pkg/") == 750
PY
ok
# run show writes its cases the same way
expect_code 0 tally --format json run show "$big"
layout "$TMP/out" || fail "run show JSON layout"
ok
expect_eq "$(python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); print(len(o["cases"]), "trace" in o["cases"][0])' "$TMP/out")" "600 False" "run show rows, without the export's fields"
expect_code 0 tally run show "$big"
expect_eq "$(grep -c '^  failed  ' "$TMP/out")" 150 "a line per failed case"
expect_eq "$(grep -c '^  passed  ' "$TMP/out")" 450 "a line per passed case"
expect_grep '^  failed        pkg/S0/t0000 .* 0.25s$' "$TMP/out"
expect_grep '^                boom 0$' "$TMP/out"
# JSON, YAML and CSV are written a row at a time: the same bytes as the
# whole document (TALLY_TEST_WHOLE_DOC), for a big run, an empty one and
# one with quotes, commas, lines and a byte that is not UTF-8 in its text
tally -q run new "Odd" --key odd
tally -q case new "Quoted" --key odd/quoted
tally -q record odd odd/quoted failed --add -m "$(printf 'say "hi", then\nbye \377 "')"
for r in "$big" empty odd; do
	for f in json yaml csv; do
		tally --format $f run show "$r" > "$TMP/rows.$f" || fail "run show $r $f"
		TALLY_TEST_WHOLE_DOC=1 tally --format $f run show "$r" > "$TMP/whole.$f" || fail "whole $r $f"
		cmp -s "$TMP/rows.$f" "$TMP/whole.$f" || fail "run show $r --format $f: rows differ from the whole"
		ok
	done
done
expect_grep '^cases,"case=odd/quoted, ' "$TMP/rows.csv"
expect_grep 'say ""hi"", then' "$TMP/rows.csv"
done_testing

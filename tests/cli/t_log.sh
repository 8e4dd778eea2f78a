#!/usr/bin/env bash
# tally log: the audit trail from the commits, deleted runs included.
. "$(dirname "$0")/lib.sh"

new_tracker audit
tally -q case new "Login" --suite auth
tally -q run new "R" --key r1 --suite auth
tally -q record r1 auth/login failed -m "expected 200, got 500"
GIT_AUTHOR_NAME="Bob Fixer" GIT_AUTHOR_EMAIL=bob@example.com tally -q record r1 auth/login passed
id=$(git rev-parse HEAD)

expect_code 0 tally log r1 auth/login
expect_eq "$(cut -f4-8 "$TMP/out" | tr '\t\n' ' |')" "changed result r1:auth/login failed passed|added result r1:auth/login  failed|" "from what to what, newest first"
expect_eq "$(head -1 "$TMP/out" | cut -f2,3)" "${id:0:7}	Bob Fixer <bob@example.com>" "who, with the commit"
expect_code 0 tally --format json log r1 auth/login
python3 - "$TMP/out" "$id" <<'PY' || fail "log JSON"
import json, sys
rows = json.load(open(sys.argv[1]))
assert rows[0]["commit"] == sys.argv[2] and rows[0]["from"] == "failed" and rows[0]["to"] == "passed"
assert rows[0]["subject"].startswith("tally: record"), rows[0]["subject"]
assert rows[1]["from"] is None and rows[1]["action"] == "added"
PY
ok
# the whole project: entities too
expect_code 0 tally log --columns action,kind,key
expect_grep "added	case	auth/login" "$TMP/out"
expect_grep "added	run	r1" "$TMP/out"
# -n: the newest changes only, the same as the head of the whole trail
expect_code 0 tally log
cp "$TMP/out" "$TMP/whole"
[ "$(wc -l < "$TMP/whole")" -ge 5 ] || fail "a trail of five changes at least"
ok
for n in 1 2 4; do
	expect_code 0 tally log -n "$n"
	expect_eq "$(cat "$TMP/out")" "$(head -"$n" "$TMP/whole")" "log -n $n"
done
expect_code 0 tally --format json log --max-count 2 r1
expect_eq "$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' < "$TMP/out")" 2 "--max-count with a run"
expect_code 2 tally log -n 0
expect_grep "wants a positive whole number" "$TMP/err"
# a deleted run keeps its trail
expect_code 0 tally run rm r1
expect_code 0 tally log r1
expect_eq "$(cut -f4,5,6 "$TMP/out" | head -2 | tr '\t\n' ' |')" "deleted run r1|deleted result r1:auth/login|" "the deletion is in the trail"
expect_grep "changed	result	r1:auth/login	failed	passed" "$TMP/out"
expect_code 3 tally log nosuch
expect_grep "no change to run 'nosuch'" "$TMP/err"
# a trail longer than one chunk of output (64 KiB), each row made as it is
# written: every format holds the same rows in the same order
new_tracker bulk
python3 - > "$TMP/big.xml" <<'PY'
print('<testsuite name="big">')
for i in range(700):
    print('<testcase classname="pkg.Suite%d" name="test_%04d" time="0.1">%s</testcase>'
          % (i % 7, i, '<failure message="boom"/>' if i % 5 == 0 else ''))
print('</testsuite>')
PY
tally -q import "$TMP/big.xml" --title big
expect_code 0 tally log
cp "$TMP/out" "$TMP/text"
rows=$(wc -l < "$TMP/text")
[ "$rows" -ge 1400 ] && [ "$(wc -c < "$TMP/text")" -gt 65536 ] || fail "a trail of 1,400 rows and more than 64 KiB: $rows"
ok
for f in json yaml csv md; do
	expect_code 0 tally --format "$f" log
	cp "$TMP/out" "$TMP/log.$f"
done
python3 - "$TMP" <<'PY' || fail "the formats disagree"
import csv, json, sys
d = sys.argv[1]
text = [l.rstrip("\n").split("\t") for l in open(d + "/text")]
rows = json.load(open(d + "/log.json"))
assert len(rows) == len(text), (len(rows), len(text))
# laid out as the whole array would be, rows made one by one or not
assert open(d + "/log.json").read() == json.dumps(rows, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
for t, r in zip(text, rows):
    assert r["commit"].startswith(t[1]) and len(t[1]) == 7, (t, r)
    assert [r["action"], r["kind"], r["key"], r["to"] or ""] == [t[3], t[4], t[5], t[7]], (t, r)
assert sum(1 for r in rows if r["to"] == "failed") == 140
lines = open(d + "/log.yaml").read().split("\n")
keys = [l[len("  key: "):].strip("'") for l in lines if l.startswith("  key: ")]
assert keys == [r["key"] for r in rows], "yaml"
assert sum(1 for l in lines if l.startswith("- time: ")) == len(rows)
c = list(csv.reader(open(d + "/log.csv", newline="")))
assert c[0] == ["time", "commit", "author", "action", "kind", "key", "from", "to"]
assert [x[5] for x in c[1:]] == [r["key"] for r in rows], "csv"
md = open(d + "/log.md").read().splitlines()
assert len(md) == len(rows) + 2 and md[1] == "|---" * 8 + "|", md[:2]
PY
ok
# on a terminal: a header, and every row's columns aligned under it (the
# widths are found in a first pass over the rows)
if script -qc true /dev/null >/dev/null 2>&1; then
	NO_COLOR=1 script -qc "$TALLY log" /dev/null < /dev/null | tr -d '\r' > "$TMP/tty"
	python3 - "$TMP/tty" "$rows" <<'PY' || fail "the table on a terminal"
import sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == int(sys.argv[2]) + 1, len(lines)
head = lines[0]
assert head.startswith("TIME") and "KEY" in head, head
at = head.index("KEY")
for l in lines[1:]:
    assert l[at - 2:at] == "  " and l[at] != " ", l
PY
	ok
fi
# --sort makes every row first, then sorts; a filter that keeps none
expect_code 0 tally log --sort key --columns key
expect_eq "$(cat "$TMP/out")" "$(cut -f6 "$TMP/text" | LC_ALL=C sort -s)" "--sort key"
expect_code 0 tally --format json log --field nosuch=1
expect_eq "$(cat "$TMP/out")" "[]" "no row kept: an empty array"
# an author that is not UTF-8 (a Latin-1 name): in JSON its bad byte
# becomes U+FFFD; the key is not dropped
GIT_AUTHOR_NAME=$'Jos\xe9 Latin' tally -q case new "Accent" --suite s
expect_code 0 tally --format json log -n 1
python3 - "$TMP/out" <<'PY' || fail "a Latin-1 author in JSON"
import json, sys
rows = json.load(open(sys.argv[1], encoding="utf-8"))
assert rows[0]["author"].startswith("Jos\ufffd Latin <"), rows[0]
PY
ok
expect_code 0 tally --format yaml log -n 1
expect_grep "^  author: Jos$(printf '\xef\xbf\xbd') Latin <" "$TMP/out"
# -n walks from the newest commit back, as far as its rows go: the same
# rows as the head of the whole trail, a commit cut anywhere, in every
# format, for a run, a case, with --sort and with --at
tally -q record "$(tally --format csv run list --columns key | sed -n 2p | tr -d '\r')" pkg/Suite0/test_0000 passed
tally -q case new "Later" --suite s
for n in 1 2 3 300 1401 5000; do
	expect_code 0 tally log -n "$n"
	cp "$TMP/out" "$TMP/back"
	expect_code 0 tally log
	expect_eq "$(cat "$TMP/back")" "$(head -"$n" "$TMP/out")" "log -n $n against the whole"
done
expect_code 0 tally --format json log
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))[:250], indent=2, sort_keys=True, ensure_ascii=False))' "$TMP/out" > "$TMP/head.json"
expect_code 0 tally --format json log -n 250
expect_eq "$(cat "$TMP/out")" "$(cat "$TMP/head.json")" "JSON -n 250"
big=$(tally --format csv run list --columns key | sed -n 2p | tr -d '\r')
expect_code 0 tally log "$big" pkg/Suite0/test_0000
cp "$TMP/out" "$TMP/one"
expect_code 0 tally log "$big" pkg/Suite0/test_0000 -n 1
expect_eq "$(cat "$TMP/out")" "$(head -1 "$TMP/one")" "one result, -n 1"
expect_grep "changed	result	$big:pkg/Suite0/test_0000	failed	passed" "$TMP/out"
expect_code 0 tally log "$big" -n 7 --sort key --columns key
expect_code 0 tally log "$big" --columns key
expect_eq "$(tally log "$big" -n 7 --sort key --columns key)" "$(head -7 "$TMP/out" | LC_ALL=C sort -s)" "-n, then --sort"
expect_code 0 tally --at HEAD~2 log -n 4
cp "$TMP/out" "$TMP/at"
expect_code 0 tally --at HEAD~2 log
expect_eq "$(cat "$TMP/at")" "$(head -4 "$TMP/out")" "--at with -n"
done_testing

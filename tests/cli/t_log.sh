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
done_testing

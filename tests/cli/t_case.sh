#!/usr/bin/env bash
# Cases: new, list, show, edit, rm; files, commits and the JSON contract.
. "$(dirname "$0")/lib.sh"

new_tracker cases
expect_code 0 tally req new "Users sign in" --key REQ-1
expect_code 0 tally case new "Login with a valid password" --suite auth/login \
	--priority high --tag smoke --tag auth --req REQ-1 --owner alice@example.com \
	--preconditions "A user alice exists." \
	--step "Open /login and submit alice's password => The dashboard is shown"
expect_grep "new case auth/login/login-with-a-valid-password \[" "$TMP/out"
f=qa/web/cases/auth/login/login-with-a-valid-password.yaml
expect_eq "$(cat $f)" "$(cat <<'YAML'
title: Login with a valid password
type: manual
priority: high
owner: alice@example.com
tags: [smoke, auth]
requirements: [REQ-1]
preconditions: A user alice exists.
steps:
- action: Open /login and submit alice's password
  expected: The dashboard is shown
YAML
)" "case file"
expect_eq "$(git log -1 --format=%s)" "tally: new case auth/login/login-with-a-valid-password" "subject"
expect_eq "$(git log -1 --format='%(trailers:key=Tally-Case,valueonly)' | head -1)" "auth/login/login-with-a-valid-password" "Tally-Case trailer"
expect_eq "$(git show --name-only --format= HEAD)" "$f" "only the case file in the commit"

expect_code 0 tally case new "Refund in full" --suite billing/refunds --automation com.acme.RefundTest.full --key billing/refunds/full
expect_code 0 tally case new "Search by name" --suite search --priority low --tag smoke

# the same key again, or one that differs only by case, is refused
expect_code 4 tally case new "Search by name" --suite search
expect_grep "exists already" "$TMP/err"
expect_code 4 tally case new "x" --key Search/Search-By-Name
expect_grep "other letter case" "$TMP/err"
# an unknown requirement is refused
expect_code 3 tally case new "Orphan" --req REQ-404
expect_grep "no requirement matches 'REQ-404'" "$TMP/err"

# list: a pipe gets tab-separated rows, sorted by key
expect_code 0 tally case list
expect_eq "$(cut -f1 "$TMP/out" | tr '\n' ' ')" "auth/login/login-with-a-valid-password billing/refunds/full search/search-by-name " "keys"
expect_eq "$(grep full "$TMP/out")" "$(printf 'billing/refunds/full\tRefund in full\tautomated\tmedium\t')" "an automated case"
expect_code 0 tally case list --tag smoke --priority low
expect_eq "$(cut -f1 "$TMP/out")" "search/search-by-name" "filters combine"
expect_code 0 tally case list --suite auth
expect_eq "$(cut -f1 "$TMP/out")" "auth/login/login-with-a-valid-password" "suite filter"

# the JSON contract
expect_code 0 tally case list --format json
python3 - "$TMP/out" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == 3, rows
need = {"key", "title", "suite", "type", "priority", "tags", "requirements", "fields", "path"}
for r in rows:
    assert need <= set(r), (need - set(r))
r = rows[0]
assert r["key"] == "auth/login/login-with-a-valid-password"
assert r["suite"] == "auth/login" and r["tags"] == ["smoke", "auth"]
assert r["requirements"] == ["REQ-1"] and r["fields"] == {}
assert r["path"] == "qa/web/cases/auth/login/login-with-a-valid-password.yaml"
PY
ok

# show, by key prefix, by segment prefix and by title
expect_code 0 tally case show auth/login/login
expect_grep "Open /login and submit" "$TMP/out"
expect_code 0 tally case show full
expect_grep "com.acme.RefundTest.full" "$TMP/out"
expect_code 0 tally case show "Search by name" --format json
expect_grep '"steps": \[\]' "$TMP/out"
expect_code 3 tally case show nothing-like-this
expect_grep "no case matches" "$TMP/err"
expect_code 0 tally -q case new "Refund in part" --key billing/refunds/partial
expect_code 2 tally case show billing/refunds
expect_grep "case 'billing/refunds' is ambiguous; it matches:" "$TMP/err"
expect_grep "billing/refunds/partial  (Refund in part)" "$TMP/err"

# edit with flags: one commit, only that file
before=$(commits)
expect_code 0 tally case edit full --priority critical --add-tag billing --title "Full refund"
expect_eq "$(commits)" $((before + 1)) "one commit"
expect_grep "priority: critical" qa/web/cases/billing/refunds/full.yaml
expect_grep "title: Full refund" qa/web/cases/billing/refunds/full.yaml
expect_code 0 tally case edit full --remove-tag billing --step "Refund => Money back" --step "Check the card"
expect_no_grep "billing" qa/web/cases/billing/refunds/full.yaml
expect_grep "expected: Money back" qa/web/cases/billing/refunds/full.yaml
expect_code 2 tally case edit full --priority urgent
expect_grep "takes one of low, medium, high, critical" "$TMP/err"
expect_code 2 tally case edit full --no-such-flag

# a key reads its case alone: a damaged case elsewhere stops only what
# must read every case (a prefix, a title, mv's clash check)
cp qa/web/cases/billing/refunds/partial.yaml "$TMP/partial.yaml"
echo "title: [unclosed" > qa/web/cases/billing/refunds/partial.yaml
expect_code 0 tally case show billing/refunds/full
expect_grep "Full refund" "$TMP/out"
expect_code 0 tally case edit billing/refunds/full --priority high
expect_grep "priority: high" qa/web/cases/billing/refunds/full.yaml
expect_code 4 tally case show full
expect_grep "partial.yaml" "$TMP/err"
expect_code 4 tally case mv billing/refunds/full billing/refunds/whole
expect_grep "partial.yaml" "$TMP/err"
cp "$TMP/partial.yaml" qa/web/cases/billing/refunds/partial.yaml
expect_code 4 tally case mv billing/refunds/full billing/refunds/Partial
expect_grep "keys may not differ only in letter case" "$TMP/err"
expect_eq "$(git status --porcelain)" "" "clean work tree"

# rm: the file goes, its history stays
expect_code 0 tally case rm search/search-by-name
expect_eq "$(test -e qa/web/cases/search && echo kept || echo gone)" gone "empty suite folder removed"
expect_eq "$(git log -1 --format=%s)" "tally: remove case search/search-by-name" "rm subject"
expect_eq "$(git log --format=%s -- qa/web/cases/search | wc -l | tr -d ' ')" 2 "history kept"
expect_eq "$(git status --porcelain)" "" "clean work tree"

# a folder of many cases is read on two threads: the list keeps the
# walk's order, and of two damaged files the error names the one a
# reading in order meets first
new_tracker many
mkdir -p qa/web/cases/bulk
for i in $(seq -w 1 150); do
	printf 'title: Bulk %s\npriority: high\n' "$i" > "qa/web/cases/bulk/c$i.yaml"
done
git add qa && git commit -qm bulk
expect_code 0 tally case list --columns key,title
expect_eq "$(cut -f1 "$TMP/out" | tr '\n' ' ')" "$(for i in $(seq -w 1 150); do printf 'bulk/c%s ' "$i"; done)" "150 cases in the walk's order"
expect_eq "$(sed -n 77p "$TMP/out")" "$(printf 'bulk/c077\tBulk 077')" "each row its own file's"
for i in 120 030; do
	printf 'title: [oops\n' > "qa/web/cases/bulk/c$i.yaml"
done
expect_code 4 tally case list
expect_grep "qa/web/cases/bulk/c030.yaml:2:1: " "$TMP/err"
expect_no_grep "c120" "$TMP/err"
# tally check reads the folder on two threads too, and names both, in order
expect_code 1 tally check
expect_eq "$(grep -o 'bulk/c[0-9]*\.yaml:2:1' "$TMP/out" | tr '\n' ' ')" "bulk/c030.yaml:2:1 bulk/c120.yaml:2:1 " "both problems, in the folder's order"
git checkout -q -- qa/web/cases
expect_code 0 tally check
done_testing

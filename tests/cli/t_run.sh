#!/usr/bin/env bash
# Runs: sources resolved into cases, keys, list/show contracts, edit, close.
. "$(dirname "$0")/lib.sh"

new_tracker runs
tally -q req new "Refunds" --key REQ-2
tally -q case new "Login" --suite auth/login
tally -q case new "Logout" --suite auth/login
tally -q case new "Reset" --suite auth
tally -q case new "Full refund" --suite billing --req REQ-2
tally -q case new "Search" --suite search

# a generated key: DATE-slug-xxxx, the date of the commit
expect_code 0 tally run new "Sprint 42 regression" --suite auth --req REQ-2 --case search/search \
	--assign login=bob@example.com --env os=linux --revision 4f2a9c1 --description "After the session fix"
key=$(ls qa/web/runs)
[[ "$key" =~ ^2026-11-21-sprint-42-regression-[0-9a-hjkmnp-tv-z]{4}$ ]] || fail "run key $key"
ok
expect_eq "$(cat qa/web/runs/$key/run.yaml)" "$(cat <<'YAML'
title: Sprint 42 regression
description: After the session fix
created: 2026-11-21T10:00:00Z
created-by: Alice Tester <alice@example.com>
sources:
  cases: [search/search]
  suites: [auth]
  requirements: [REQ-2]
cases: [auth/login/login, auth/login/logout, auth/reset, billing/full-refund, search/search]
assignees: {auth/login/login: bob@example.com}
environment: {os: linux}
revision: 4f2a9c1
closed: false
YAML
)" "run.yaml"
expect_eq "$(git log -1 --format='%s|%(trailers:key=Tally-Run,valueonly)' | head -1)" "tally: new run $key|$key" "commit"

expect_code 0 tally run new "Smoke" --key smoke-1 --case search
expect_code 4 tally run new "Again" --key smoke-1
expect_code 3 tally run new "Bad" --suite nosuch
expect_code 3 tally run new "Bad" --release 9.9
expect_grep "create it with tally release new" "$TMP/err"
expect_code 4 tally run new "Bad" --key smoke-2 --assign reset=carol --case search
expect_grep "not selected in this run" "$TMP/err"

# list: counts and statuses; the JSON contract
tally -q record smoke-1 search passed
expect_code 0 tally run list --format json
python3 - "$TMP/out" "$key" <<'PY'
import json, sys
rows = {r["key"]: r for r in json.load(open(sys.argv[1]))}
need = {"key", "title", "description", "project", "kind", "release", "status",
        "created", "created_by", "fields", "counts"}
for r in rows.values():
    assert need <= set(r), need - set(r)
    assert set(r["counts"]) == {"total", "passed", "failed", "blocked", "skipped",
                                "running", "not_executed"}, r["counts"]
big = rows[sys.argv[2]]
assert big["kind"] == "run" and big["release"] is None and big["status"] == "not-started"
assert big["counts"]["total"] == 5 and big["counts"]["not_executed"] == 5
assert big["created_by"] == "Alice Tester <alice@example.com>"
assert rows["smoke-1"]["status"] == "passed"
PY
ok
expect_code 0 tally run list --status passed --columns key
expect_eq "$(cat "$TMP/out")" "smoke-1" "status filter"
expect_code 0 tally run list --kind execution
expect_eq "$(cat "$TMP/out")" "" "no executions"
expect_code 0 tally run list --since 2026-11-21 --until 2026-11-21 --sort -key --columns key
expect_eq "$(tr '\n' ' ' < "$TMP/out")" "smoke-1 $key " "date filters, sort"
expect_code 0 tally run list --since 2026-11-22
expect_eq "$(cat "$TMP/out")" "" "since excludes"
expect_code 2 tally run list --since yesterday

# show: the JSON contract of cases
expect_code 0 tally run show sprint --format json
python3 - "$TMP/out" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
assert o["sources"] == {"cases": ["search/search"], "suites": ["auth"], "requirements": ["REQ-2"]}
c = {x["case"]: x for x in o["cases"]}
for x in c.values():
    assert {"case", "title", "status", "assignee", "duration", "defects", "attempts"} <= set(x)
assert c["auth/login/login"]["assignee"] == "bob@example.com"
assert c["auth/reset"]["status"] == "not-executed" and c["auth/reset"]["attempts"] == 0
PY
ok
expect_code 0 tally run show "Sprint 42 regression"
expect_grep "0/5 executed (0%)" "$TMP/out"

# edit: sources re-resolve; a case with a result is not dropped silently
tally -q record sprint auth/reset passed
expect_code 4 tally run edit sprint --remove-suite auth
expect_grep "case auth/reset has a result" "$TMP/err"
expect_code 0 tally run edit sprint --remove-suite auth --add-case auth/login/login --force --title "Sprint 42"
expect_eq "$(grep '^cases' qa/web/runs/$key/run.yaml)" "cases: [auth/login/login, billing/full-refund, search/search]" "re-resolved"
expect_eq "$(test -e qa/web/runs/$key/results/auth/reset.yaml && echo kept || echo gone)" gone "its result went with --force"
expect_code 3 tally run edit sprint --remove-suite nosuch
expect_code 2 tally run edit sprint

# close and reopen
expect_code 0 tally run close sprint
expect_code 4 tally record sprint search passed
expect_grep "is closed (tally run reopen" "$TMP/err"
expect_code 4 tally run close sprint
expect_code 0 tally run reopen sprint
expect_code 0 tally record sprint search passed

# rm takes the whole folder; history keeps it
expect_code 0 tally run rm smoke-1
expect_eq "$(test -e qa/web/runs/smoke-1 && echo kept || echo gone)" gone "removed"
expect_eq "$(git log --oneline -- qa/web/runs/smoke-1 | wc -l | tr -d ' ')" 3 "history kept"
expect_eq "$(git status --porcelain)" "" "clean"

# the workspace view across projects: filters, sort and columns together
tally -q project new mobile
tally -q --project mobile case new "App starts" --suite app
tally -q --project mobile run new "Mobile smoke" --key m-smoke --case app/app-starts
tally -q --project mobile run new "Mobile nightly" --key m-nightly --case app/app-starts
tally -q --project mobile record m-nightly app-starts failed
expect_code 0 tally run list --all-projects --sort -key --columns project,key,status
expect_eq "$(tr '\t\n' ' |' < "$TMP/out")" "mobile m-smoke not-started|mobile m-nightly failed|web $key in-progress|" "workspace view, descending by key"
expect_code 0 tally run list --all-projects --grep nightly --columns project,key
expect_eq "$(tr '\t\n' ' |' < "$TMP/out")" "mobile m-nightly|" "grep across projects"
expect_code 0 tally run list --all-projects --project mobile --status not-started --format csv --columns project,key
expect_eq "$(tr -d '\r' < "$TMP/out" | tr '\n' '|')" "project,key|mobile,m-smoke|" "project filter in the workspace view"
expect_code 0 tally run list --columns key
expect_eq "$(cat "$TMP/out")" "$key" "without --project: the default project only"

# many runs, read two at a time: each row's counts are its own run's, in
# the list's order
want=""
for i in 01 02 03 04 05 06 07 08 09 10 11 12; do
	tally -q run new "Bulk $i" --key "bulk-$i" --case search --case auth/reset
	if [ $((10#$i % 3)) = 0 ]; then
		tally -q record "bulk-$i" search failed
		want="${want}bulk-$i 0 1|"
	else
		tally -q record "bulk-$i" search passed
		tally -q record "bulk-$i" reset passed
		want="${want}bulk-$i 2 0|"
	fi
done
expect_code 0 tally run list --grep bulk --columns key,passed,failed
expect_eq "$(tr '\t\n' ' |' < "$TMP/out")" "$want" "counts of runs read on two threads"
# two damaged results: the error names the earlier run's, as reading the
# runs one by one in order would
for r in bulk-10 bulk-04; do
	printf 'status: [oops\n' > "qa/web/runs/$r/results/search/search.yaml"
done
expect_code 4 tally run list
expect_grep "bulk-04/results/search/search.yaml:2:1: " "$TMP/err"
expect_no_grep "bulk-10" "$TMP/err"
git checkout -q -- qa/web/runs
expect_code 0 tally run list --grep bulk --columns key
done_testing

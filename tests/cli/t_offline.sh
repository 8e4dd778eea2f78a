#!/usr/bin/env bash
# Two testers record different cases of one run offline; a plain git pull
# merges both results with no conflict and nothing lost.
. "$(dirname "$0")/lib.sh"

new_tracker origin-src
for t in A B C; do tally -q case new "Case $t" --suite s; done
tally -q run new "Shared run" --key shared --suite s
git init -q --bare "$TMP/origin.git"
git push -q "$TMP/origin.git" main

git clone -q "$TMP/origin.git" "$TMP/alice"
git clone -q "$TMP/origin.git" "$TMP/bob"
cd "$TMP/alice"
GIT_AUTHOR_NAME=Alice tally -q record shared case-a passed
GIT_AUTHOR_NAME=Alice tally -q record shared case-b failed -m "broken"
cd "$TMP/bob"
GIT_AUTHOR_NAME=Bob tally -q record shared case-c blocked
GIT_AUTHOR_NAME=Bob tally -q record shared --status skipped case-c --retry 2>/dev/null || true

cd "$TMP/alice" && git push -q origin main
cd "$TMP/bob"
git pull -q --no-rebase --no-edit origin main || fail "git pull failed"
ok
expect_eq "$(git status --porcelain)" "" "no conflict"
expect_code 0 tally run show shared --format json
python3 - "$TMP/out" <<'PY'
import json, sys
c = {x["case"]: x["status"] for x in json.load(open(sys.argv[1]))["cases"]}
assert c == {"s/case-a": "passed", "s/case-b": "failed", "s/case-c": "skipped"}, c
PY
ok
expect_eq "$(git log --no-merges --format=%an -- qa/web/runs/shared/results | sort -u | tr '\n' ' ')" "Alice Bob " "both testers in the history"
expect_code 0 tally check
done_testing

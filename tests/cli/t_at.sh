#!/usr/bin/env bash
# --at REV: every read-only command reads the tracker and its history as
# of that revision, straight from git's objects; commands that change the
# tracker refuse it, and nothing is checked out or written.
. "$(dirname "$0")/lib.sh"

new_tracker at
tally -q case new "Login" --suite auth
tally -q release new 1.0 --title "First"
tally -q run new "Smoke" --key smoke --case auth/login --release 1.0
tally -q record smoke auth/login passed
v1=$(git rev-parse HEAD)
tally -q case edit auth/login --title "Sign in"
tally -q record smoke auth/login failed -m "button gone"
tally -q release edit 1.0 --title "First release"
tally -q case mv auth/login auth/sign-in
tally -q run new "Later" --key later --case auth/sign-in
v2=$(git rev-parse HEAD)

# the tree as of v1: old titles, old results, no later run
expect_code 0 tally case list --at "$v1" --columns key,title
expect_eq "$(cat "$TMP/out")" "auth/login	Login" "case list --at"
expect_code 0 tally case list --columns key,title
expect_eq "$(cat "$TMP/out")" "auth/sign-in	Sign in" "case list now"
expect_code 0 tally --at "$v1" case show auth/login --format json
expect_eq "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["title"])' < "$TMP/out")" "Login" "case show --at"
expect_code 3 tally case show auth/login
expect_code 0 tally run list --at "$v1" --columns key
expect_eq "$(cat "$TMP/out")" "smoke" "run list --at"
expect_code 0 tally run show smoke --at "$v1" --format json
expect_eq "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print([(r["case"], r["status"]) for r in d["cases"]])' < "$TMP/out")" "[('auth/login', 'passed')]" "run show --at"
expect_code 0 tally run show smoke --format json
expect_eq "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print([(r["case"], r["status"]) for r in d["cases"]])' < "$TMP/out")" "[('auth/sign-in', 'failed')]" "run show now"
expect_code 0 tally release show 1.0 --at "$v1" --format json
expect_eq "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["title"])' < "$TMP/out")" "First" "release show --at"
expect_code 0 tally suite list --at "$v1" --columns key
expect_eq "$(cat "$TMP/out")" "auth" "suite list --at"
expect_code 0 tally export smoke --format csv --at "$v1"
expect_grep "auth/login" "$TMP/out"
expect_no_grep "sign-in" "$TMP/out"

# history --at: REV's case keys and aliases. Before the move only the old
# key exists, and its one result in smoke was still a pass; after it the
# new key carries the result recorded under the old one.
hist() { python3 -c 'import json,sys; h=json.load(sys.stdin); print(h["result_count"], [r["status"] for r in h["results"]])' < "$TMP/out"; }
expect_code 0 tally history auth/login --at "$v1" --format json
expect_eq "$(hist)" "1 ['passed']" "history --at v1"
expect_code 3 tally history auth/sign-in --at "$v1"
expect_code 0 tally history auth/sign-in --at "$v2" --format json
expect_eq "$(hist)" "1 ['failed']" "history follows the alias at v2"

# check --at reads that revision's files: a broken commit is reported with
# its path and position, the fixed one after it is clean
printf 'title: [unclosed\n' > qa/web/cases/auth/broken.yaml
git add qa && git commit -qm "a broken case"
bad=$(git rev-parse HEAD)
git rm -q qa/web/cases/auth/broken.yaml && git commit -qm "fix"
expect_code 0 tally check
expect_code 1 tally check --at "$bad"
expect_grep "qa/web/cases/auth/broken.yaml:2" "$TMP/out"
expect_code 0 tally check --at "$v2"
# a work-tree edit does not leak into --at
echo "junk: [" >> qa/tally.yaml
expect_code 0 tally case list --at HEAD --columns key
expect_eq "$(cat "$TMP/out")" "auth/sign-in" "--at ignores the work tree"
git checkout -q qa/tally.yaml

# results of two runs whose folders' paths have the same length, read in
# one process: --at agrees with the work tree on each run's counts
tally -q run new "Left" --key left1 --case auth/sign-in
tally -q run new "Right" --key rite2 --case auth/sign-in
tally -q record left1 auth/sign-in passed
tally -q record rite2 auth/sign-in failed -m "x"
counts() { python3 -c 'import json,sys; print(sorted((r["key"], r["passed"], r["failed"]) for r in json.load(sys.stdin)))' < "$TMP/out"; }
expect_code 0 tally run list --format json
now=$(counts)
expect_grep "('left1', 1, 0), ('rite2', 0, 1)" <(echo "$now")
expect_code 0 tally run list --at HEAD --format json
expect_eq "$(counts)" "$now" "run list --at HEAD, folder by folder"

# writes are refused before anything happens
n=$(commits)
for cmd in "case new X" "record smoke auth/sign-in passed" "run close smoke" "prune --keep 1" "import $TMP/none.xml"; do
	# shellcheck disable=SC2086
	expect_code 2 tally --at "$v1" $cmd
	expect_grep "changes it" "$TMP/err"
done
expect_eq "$(commits)" "$n" "no commit under --at"
expect_eq "$(git status --porcelain)" "" "nothing written under --at"

# bad revisions, and a revision before the tracker existed
expect_code 3 tally case list --at nosuch
expect_grep "unknown revision 'nosuch'" "$TMP/err"
git commit -q --allow-empty -m "empty root" && git checkout -q --orphan bare && git rm -rqf . && git commit -q --allow-empty -m "no tracker" && orphan=$(git rev-parse HEAD) && git checkout -q main
expect_code 3 tally case list --at "$orphan"
expect_grep "no tracker there at that revision" "$TMP/err"

# "now" is REV's time: a flaky verdict followed by 30 clean results leaves
# flaky once 14 days have passed (METRICS.md's hysteresis): long ago by the
# clock, but not by the time of the last import
new_tracker window
junit() { printf '<testsuite name="s"><testcase classname="w" name="c">%s</testcase></testsuite>\n' "$1" > "$TMP/w.xml"; }
day=1
imp() {
	GIT_AUTHOR_DATE="2026-01-0${day}T10:00:00Z" GIT_COMMITTER_DATE="2026-01-0${day}T10:00:00Z" \
		tally -q import "$TMP/w.xml" --revision "$1"
}
junit '<failure message="x"/>'; imp f1
junit ''; imp f1
day=2
for i in $(seq 1 30); do imp "p$i"; done
expect_code 0 tally flaky --all --columns case,state
expect_eq "$(cat "$TMP/out")" "w/c	stable" "30 clean results and 14 days: no longer flaky"
expect_code 0 tally flaky --at HEAD --all --columns case,state
expect_eq "$(cat "$TMP/out")" "w/c	flaky" "with --at, one day after the flaky verdict"

done_testing

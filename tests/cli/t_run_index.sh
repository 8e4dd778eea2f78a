#!/usr/bin/env bash
# The results index under .git/tally/ (core/rcache.h) is invisible: run
# list and the defect commands print what they print without it
# (TALLY_NO_CACHE=1) after every kind of change to the work tree, by tally
# or by hand, and when the index is damaged; runs whose files did not
# change are summed up from it.
. "$(dirname "$0")/lib.sh"

new_tracker rindex
tally -q case new "Login" --suite auth/login
tally -q case new "Logout" --suite auth/login
tally -q case new "Reset" --suite auth
tally -q case new "Search" --suite search
tally -q run new "One" --key one --suite auth --case search/search
tally -q run new "Two" --key two --suite auth
tally -q run new "Three" --key three --case search/search
tally -q record one login passed
tally -q record one logout failed -m "timeout"
tally -q record two login passed
tally -q record three search blocked
tally -q defect new "Login times out" --key BUG-1
tally -q defect link one:logout BUG-1
tally -q defect new "Logout hangs" --key BUG-2
tally -q defect link one:logout BUG-2
tally -q defect link three:search BUG-1

# from: how many runs the last run list counted from the index
from() { sed -n 's/.*run summaries: \([0-9]*\) of \([0-9]*\) runs from.*/\1\/\2/p' "$TMP/trace"; }
# check WHAT: run list and the defects' views with the index equal them
# without it
check() {
	TALLY_NO_CACHE=1 tally --format json run list > "$TMP/plain"
	TALLY_TRACE_PERF=1 tally --format json run list > "$TMP/indexed" 2> "$TMP/trace"
	diff "$TMP/plain" "$TMP/indexed" > "$TMP/diff" || fail "$1: $(head -20 "$TMP/diff")"
	for v in "defect list" "defect show BUG-1"; do
		# shellcheck disable=SC2086
		TALLY_NO_CACHE=1 tally --format json $v > "$TMP/plain"
		# shellcheck disable=SC2086
		tally --format json $v > "$TMP/indexed"
		diff "$TMP/plain" "$TMP/indexed" > "$TMP/diff" || fail "$1, $v: $(head -20 "$TMP/diff")"
	done
	ok
}
index() { ls .git/tally/results-*.index 2>/dev/null || true; }
# settle: a stat is trusted only when the file last changed more than two
# seconds before it was taken (a change in the same clock tick would not
# show); so wait, take the stats again, and every run comes from the
# index. Counts are checked only after one, as how many runs a slow
# machine re-reads before depends on its speed.
settle() {
	sleep 2.2
	check "settled: $1"
	check "settled, from the index: $1"
	expect_eq "$(from)" "$2" "every run from the index: $1"
}
# count RUN FIELD: a run's count, from run list's JSON
count() {
	tally --format json run list |
		python3 -c 'import json, sys; print([r for r in json.load(sys.stdin) if r["key"] == sys.argv[1]][0][sys.argv[2]])' "$1" "$2"
}

TALLY_NO_CACHE=1 tally --format json run list > "$TMP/plain"
expect_eq "$(index)" "" "TALLY_NO_CACHE writes no index"
check "the first run list"
expect_eq "$(from)" "0/3" "nothing from an index not yet written"
[ -s "$(index)" ] || fail "the index is written"
ok
settle "the first stats" 3/3

# by hand, in place, the same size, the mtime put back
f=qa/web/runs/one/results/auth/login/login.yaml
grep -q "status: passed" "$f" || fail "fixture: $f"
sed 's/status: passed/status: failed/' "$f" > "$TMP/edited"
cat "$TMP/edited" > "$f"
touch -r qa/web/runs/one/run.yaml "$f"
check "an edit in place of the same size and mtime"
expect_eq "$(from)" "2/3" "the edited run is read again"
expect_eq "$(count one failed)" 2 "the edit counts"
# a link added by hand, in place (defects are summed up with the counts)
sed 's/^status: failed$/status: failed\ndefects: [BUG-1]/' "$f" > "$TMP/edited"
cat "$TMP/edited" > "$f"
check "a defect linked by hand"
tally --format json defect show BUG-1 > "$TMP/show"
expect_grep '"case": "auth/login/login"' "$TMP/show"

# a result added by hand in a new folder, one removed, a file that is no
# result, a dot file
settle "the edits" 3/3
mkdir -p qa/web/runs/two/results/extra
printf 'status: failed\n' > qa/web/runs/two/results/extra/new-case.yaml
check "a result added by hand in a new folder"
expect_eq "$(from)" "2/3" "the run changed is read again"
rm qa/web/runs/two/results/extra/new-case.yaml
check "a result removed by hand"
echo notes > qa/web/runs/three/results/notes.txt
echo x > qa/web/runs/three/results/.hidden.yaml
check "files that are not results"

# tally's own changes: a record, a selection edited, a run removed
tally -q record three search passed
check "a record"
# the selection alone changed (run.yaml), its results settled
settle "before the selection" 3/3
tally -q run edit two --add-case search/search
check "a selection edited"
expect_eq "$(from)" "2/3" "the run whose selection changed is read again"
expect_eq "$(count two total)" 4 "the selection counts (auth's three and search)"
git rm -q -r qa/web/runs/three && rm -rf qa/web/runs/three
check "a run removed"

# a result damaged in place: the error names it, as without the index
settle "the run removed" 2/2
f=qa/web/runs/one/results/auth/reset.yaml
tally -q record one reset skipped
settle "before the damage" 2/2
printf 'status: [passed\n' > "$f"
expect_code 4 env TALLY_NO_CACHE=1 "$TALLY" run list
cp "$TMP/err" "$TMP/err-plain"
expect_code 4 tally run list
expect_eq "$(cat "$TMP/err")" "$(cat "$TMP/err-plain")" "the same error"
expect_grep "runs/one/results/auth/reset.yaml:2:1:" "$TMP/err"
tally -q record one reset skipped --force 2>/dev/null || git checkout -q -- "$f"
check "repaired"

# a damaged index, and one from elsewhere, are an empty one
printf 'TALLYRC\0garbage' > "$(index)"
check "a damaged index"
expect_eq "$(from)" "0/2" "a damaged index serves nothing"
head -c 100 /dev/urandom > "$(index)"
check "random bytes"
sz=$(stat -c %s "$(index)")
[ "$sz" -gt 100 ] || fail "the index is rewritten ($sz bytes)"
ok
# truncated by one byte
settle "the rewritten index" 2/2
truncate -s -1 "$(index)"
check "a truncated index"
expect_eq "$(from)" "0/2" "a truncated index serves nothing"

# --at reads a snapshot of git's objects: no index
tally --format json run list --at HEAD~1 > "$TMP/at"
TALLY_NO_CACHE=1 tally --format json run list --at HEAD~1 > "$TMP/at-plain"
expect_eq "$(cat "$TMP/at")" "$(cat "$TMP/at-plain")" "--at"

done_testing

#!/usr/bin/env bash
# A kill at any point of a write leaves the old state or the new files
# visible as uncommitted changes, never a half-written file.
. "$(dirname "$0")/lib.sh"

new_tracker kill
# a long text makes the write take a measurable moment
long=$(python3 -c "print('step text ' * 20000)")
for i in $(seq 1 40); do
	tally -q case new "Kill $i" --suite k --description "$long" >/dev/null 2>&1 &
	pid=$!
	# spread the kill over the command's life: 0 to ~20 ms
	sleep "0.00$((i % 10))$((i % 7))"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	# a process killed while holding git's lock leaves it, as git does
	rm -f .git/index.lock
done
ok
# every file present parses completely; leftovers are only hidden temp files
rm -f qa/web/cases/k/.*.tally-* 2>/dev/null || true
expect_code 0 tally check
for f in qa/web/cases/k/*.yaml; do
	[ -e "$f" ] || continue
	tail -c 1 "$f" | od -c | grep -q '\\n' || fail "$f is cut short"
done
ok
# committed files are whole too, and git is sound
for f in $(git ls-tree -r --name-only HEAD qa/web/cases/k); do
	git show "HEAD:$f" | grep -q '^title: Kill' || fail "$f in HEAD is not whole"
done
ok
git fsck --no-progress >/dev/null 2>"$TMP/fsck" || fail "git fsck: $(cat "$TMP/fsck")"
ok
# and work goes on: the next command commits normally
expect_code 0 tally case new "After the storm" --suite k

# Deterministic: stop the protocol at each stage and look at what is left.
stage_state() { echo "$(git rev-parse HEAD)|$(git status --porcelain | tr '\n' '|')|$(test -e .git/index.lock && echo locked)"; }
n=$(commits)
head=$(git rev-parse HEAD)
f=qa/web/cases/s/staged.yaml

TALLY_TEST_KILL_AT=written expect_code 137 tally case new "Staged" --suite s
expect_eq "$(stage_state)" "$head|?? qa/web/cases/s/||" "written: the new file only, uncommitted"
expect_eq "$(cat $f)" "title: Staged
type: manual
priority: medium" "whole file"
rm -rf qa/web/cases/s

TALLY_TEST_KILL_AT=locked expect_code 137 tally case new "Staged" --suite s
expect_eq "$(stage_state)" "$head|?? qa/web/cases/s/||locked" "locked: git's lock is left, as git leaves it"
expect_code 4 tally case new "Blocked" --suite s
expect_grep "index.lock" "$TMP/err"
expect_grep "if it crashed, remove the file" "$TMP/err"
rm -f .git/index.lock; rm -rf qa/web/cases/s

TALLY_TEST_KILL_AT=committed expect_code 137 tally case new "Staged" --suite s
expect_eq "$(stage_state)" "$head|?? qa/web/cases/s/||locked" "committed: the branch has not moved"
rm -f .git/index.lock; rm -rf qa/web/cases/s

TALLY_TEST_KILL_AT=moved expect_code 137 tally case new "Staged" --suite s
expect_eq "$(commits)" $((n + 1)) "moved: the commit is on the branch"
expect_eq "$(git show HEAD:$f | head -1)" "title: Staged" "whole in the commit"
expect_eq "$(git status --porcelain | tr '\n' '|')" "D  $f|?? qa/web/cases/s/|" "the index lags: git add or git reset repairs it"
rm -f .git/index.lock; git reset -q
expect_eq "$(git status --porcelain)" "" "repaired"

TALLY_TEST_KILL_AT=indexed expect_code 137 tally case new "Indexed" --suite s
expect_eq "$(git status --porcelain)" "" "indexed: everything done but the unlock"
rm -f .git/index.lock
expect_code 0 tally check
git fsck --no-progress >/dev/null 2>"$TMP/fsck" || fail "git fsck: $(cat "$TMP/fsck")"
ok
done_testing

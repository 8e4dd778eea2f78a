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
done_testing

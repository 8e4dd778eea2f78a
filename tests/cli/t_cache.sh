#!/usr/bin/env bash
# The history cache and snapshot under .git/tally/ are invisible: every
# history command prints the same with them, without them (TALLY_NO_CACHE=1
# or the folder deleted), when they are damaged, when the aliases change,
# after a rebase and after tally prune.
. "$(dirname "$0")/lib.sh"

new_tracker cache
report() { # report REV FAIL_A FAIL_B
	{
		echo '<testsuite name="s">'
		if [ "$2" = 1 ]; then
			echo '<testcase classname="c.K" name="a"><failure message="timeout after 30s"/></testcase>'
		else
			echo '<testcase classname="c.K" name="a" time="0.2"/>'
		fi
		if [ "$3" = 1 ]; then
			echo '<testcase classname="c.K" name="b"><flakyFailure message="reset"/></testcase>'
		else
			echo '<testcase classname="c.K" name="b" time="1.5"/>'
		fi
		echo '</testsuite>'
	} > "$TMP/r.xml"
	tally -q import "$TMP/r.xml" --title "ci $1" --revision "$1"
}
report r1 0 0
report r2 1 1
report r2 0 0
report r3 0 1
report r4 1 0
report r5 1 1

# snap LABEL: every history command's JSON into $TMP/LABEL/
snap() {
	mkdir -p "$TMP/$1"
	tally --format json flaky --all > "$TMP/$1/flaky"
	tally --format json history a > "$TMP/$1/history-a"
	tally --format json history b > "$TMP/$1/history-b"
	tally --format json failures > "$TMP/$1/failures"
	tally --format json log > "$TMP/$1/log"
}
same() { # same A B WHAT
	diff -r "$TMP/$1" "$TMP/$2" > "$TMP/diff" || fail "$3: $(head -20 "$TMP/diff")"
	ok
}

TALLY_NO_CACHE=1 snap plain
expect_eq "$(ls .git/tally 2>/dev/null | wc -l | tr -d ' ')" 0 "TALLY_NO_CACHE writes no cache"
snap cold
# the first queries of a clone write only the snapshot, which serves them
expect_eq "$(ls .git/tally/*.cache 2>/dev/null | wc -l | tr -d ' ')" 0 "no cache before a walk the snapshot cannot serve"
expect_eq "$(ls .git/tally/*.snap | wc -l | tr -d ' ')" 1 "one snapshot"
same plain cold "cold equals no cache"
# a walk from elsewhere (--at) cannot use the snapshot: it builds the cache
expect_code 0 tally flaky --at HEAD~1
expect_eq "$(ls .git/tally/*.cache | wc -l | tr -d ' ')" 1 "one cache file"
[ -s "$(ls .git/tally/*.cache)" ] || fail "the cache is written"
ok
tally --format json flaky --all --at HEAD~1 > "$TMP/at-cached"
TALLY_NO_CACHE=1 tally --format json flaky --all --at HEAD~1 > "$TMP/at-plain"
cmp -s "$TMP/at-cached" "$TMP/at-plain" || fail "--at from the cache equals a fresh walk"
ok
cat .git/tally/* | cksum > "$TMP/sum1"
snap warm
same plain warm "warm equals no cache"
expect_eq "$(cat .git/tally/* | cksum)" "$(cat "$TMP/sum1")" "nothing new: neither file is rewritten"

# a snapshot damaged past its header (in the events) is caught by its
# checksum; one whose events were swapped for another commit's is not used
snapf=$(ls .git/tally/*.snap)
printf 'XXXX' | dd of="$snapf" bs=1 seek=$(($(stat -c %s "$snapf") - 30)) conv=notrunc status=none
damaged=$(cksum < "$snapf")
snap snap-flipped
same plain snap-flipped "a damaged snapshot is ignored"
[ "$(cksum < "$snapf")" != "$damaged" ] || fail "a damaged snapshot is written again"
ok

# the aliases shape the events, as committed (history is from commits):
# an uncommitted aliases: edit changes no history, as an uncommitted
# result adds none; committed, it must not be answered from a snapshot or
# an aliases cache made without it, and undoing it must be seen too
cp qa/web/cases/c/K/a.yaml "$TMP/a.yaml"
printf 'aliases: [c/K/b]\n' >> qa/web/cases/c/K/a.yaml
tally --format json history a > "$TMP/uncommitted-a"
cmp -s "$TMP/plain/history-a" "$TMP/uncommitted-a" || fail "an uncommitted alias changes no history"
ok
git commit -qam "alias b to a"
aliases=$(ls .git/tally/aliases-*)
was=$(cksum < "$aliases")
tally --format json history a > "$TMP/aliased-a"
[ "$(cksum < "$aliases")" != "$was" ] || fail "the aliases cache follows the new cases tree"
TALLY_NO_CACHE=1 tally --format json history a > "$TMP/aliased-a-plain"
cmp -s "$TMP/aliased-a" "$TMP/aliased-a-plain" || fail "a snapshot is only good for the same aliases"
ok
! cmp -s "$TMP/plain/history-a" "$TMP/aliased-a" || fail "the alias must change history a"
ok
rm "$aliases"
tally --format json history a > "$TMP/aliased-a-rebuilt"
cmp -s "$TMP/aliased-a" "$TMP/aliased-a-rebuilt" || fail "a deleted aliases cache is rebuilt to the same"
ok
# --at the commit before the alias: its cases had none
tally --format json history a --at HEAD~1 > "$TMP/before-alias"
cmp -s "$TMP/plain/history-a" "$TMP/before-alias" || fail "--at takes REV's aliases"
ok
cp "$TMP/a.yaml" qa/web/cases/c/K/a.yaml
git commit -qam "unalias b"
tally --format json history a > "$TMP/unaliased-a"
cmp -s "$TMP/plain/history-a" "$TMP/unaliased-a" || fail "an alias taken back is seen (the changed file read again)"
ok
# back to the commit the other snapshots were taken at
git reset -q --hard HEAD~2
snap unaliased
same plain unaliased "back to the old aliases"

# damaged files: flipped bytes, truncated, another version, garbage
for f in .git/tally/*; do
	printf 'XXXXXXXX' | dd of="$f" bs=1 seek=40 conv=notrunc status=none
done
snap flipped
same plain flipped "a damaged cache is ignored"
for f in .git/tally/*; do truncate -s 13 "$f"; done
snap truncated
same plain truncated "a truncated cache is ignored"
for f in .git/tally/*; do
	printf '\x63' | dd of="$f" bs=1 seek=8 conv=notrunc status=none
done
snap version
same plain version "a cache of another version is ignored"
for f in .git/tally/*; do head -c 5000 /dev/urandom > "$f"; done
snap garbage
same plain garbage "a garbage cache is ignored"
rm -rf .git/tally
snap deleted
same plain deleted "deleting the cache changes nothing"

# a rebase rewrites every commit id and drops one import: the warm cache
# sees new commits and answers as a fresh walk does
snap before-rebase
export GIT_COMMITTER_DATE="2026-11-21T11:00:00Z"
git rebase -q --onto HEAD~4 HEAD~3 2> "$TMP/err" || fail "rebase: $(cat "$TMP/err")"
snap rebased
TALLY_NO_CACHE=1 snap rebased-plain
same rebased-plain rebased "after a rebase"
! diff -q "$TMP/before-rebase/flaky" "$TMP/rebased/flaky" > /dev/null || fail "the dropped import must change the answer"
ok
expect_eq "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["result_count"])' < "$TMP/rebased/history-a")" 5 "one run fewer"

# tally prune: the warm cache and a fresh walk agree, and nothing changed
snap before-prune
expect_code 0 tally -q prune --keep 1
snap pruned
TALLY_NO_CACHE=1 snap pruned-plain
same pruned-plain pruned "after prune, cached and fresh agree"
for f in flaky history-a history-b failures; do
	cmp -s "$TMP/before-prune/$f" "$TMP/pruned/$f" || fail "$f changed by prune"
	ok
done

# new commits on top of a snapshot: only they are walked, on top of the
# snapshot's events, and the answer is a fresh walk's (a later result
# replacing an earlier one of the same run included)
snap before-new
report r6 1 0
TALLY_TRACE_PERF=1 tally flaky > /dev/null 2> "$TMP/trace"
expect_grep "history: commits since the snapshot" "$TMP/trace"
expect_no_grep "history: commits walked" "$TMP/trace" # no walk from the start
run=$(ls -t qa/web/runs | head -1)
tally -q record "$run" c/K/a passed --retry
report r7 0 1
snap incremental
TALLY_NO_CACHE=1 snap incremental-plain
same incremental-plain incremental "new commits after a snapshot"
! diff -q "$TMP/before-new/flaky" "$TMP/incremental/flaky" > /dev/null || fail "the new imports must change the answer"
ok
expect_eq "$(python3 -c 'import json,sys; h=json.load(sys.stdin); print(h["result_count"], h["results"][-2]["attempts"])' < "$TMP/incremental/history-a")" "7 2" "the retry replaced its result"

# the snapshot stays the branch tip's: a walk from elsewhere (--at, the
# base side of a diff) answers without replacing it
tally flaky > /dev/null
tally diff HEAD~2...HEAD > /dev/null
# a walk from an ancestor of the snapshot's commit does not load it: its
# header says it cannot serve (the whole file was converted for nothing)
TALLY_TRACE_PERF=1 tally flaky --at HEAD~2 > /dev/null 2> "$TMP/trace"
expect_grep "history: commits walked" "$TMP/trace"
expect_no_grep "history: commits since the snapshot" "$TMP/trace"
TALLY_TRACE_PERF=1 tally flaky > /dev/null 2> "$TMP/trace"
expect_grep "history: snapshot read" "$TMP/trace"

# more new results than the room a snapshot's events are read with (an
# eighth more, and 4,096): they move out of the block the file was read
# into, and keep pointing at its strings
python3 - "$TMP/many.xml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('<testsuite name="m">\n')
    for i in range(4200):
        f.write('<testcase classname="m.Many" name="t%d" time="0.01"/>\n' % i)
    f.write('</testsuite>\n')
PY
tally flaky > /dev/null
tally -q import "$TMP/many.xml" --title "ci many" --revision r8
TALLY_TRACE_PERF=1 tally --format json flaky --all > "$TMP/many-cached" 2> "$TMP/trace"
expect_grep "history: commits since the snapshot" "$TMP/trace"
TALLY_NO_CACHE=1 tally --format json flaky --all > "$TMP/many-plain"
cmp -s "$TMP/many-plain" "$TMP/many-cached" || fail "past the snapshot's room: $(diff "$TMP/many-plain" "$TMP/many-cached" | head -5)"
ok
tally --format json history a > "$TMP/many-a"
TALLY_NO_CACHE=1 tally --format json history a | cmp -s - "$TMP/many-a" || fail "history past the snapshot's room"
ok
done_testing

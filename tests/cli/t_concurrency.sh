#!/usr/bin/env bash
# Commands started at once all land as separate commits: no lost update,
# a consistent index, a sound repository.
. "$(dirname "$0")/lib.sh"

new_tracker conc
base=$(commits)

# two at once, as the issue asks, then eight to make a race likely
tally -q case new "Alpha" --suite race & p1=$!
tally -q case new "Beta" --suite race & p2=$!
wait $p1 && wait $p2 || fail "a concurrent command failed"
ok
expect_eq "$(commits)" $((base + 2)) "both commits landed"

pids=()
for i in 1 2 3 4 5 6 7 8; do
	tally -q case new "Case $i" --suite many & pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a concurrent command failed"; done
ok
expect_eq "$(commits)" $((base + 10)) "every commit landed"
expect_eq "$(git ls-tree -r --name-only HEAD qa/web/cases | wc -l | tr -d ' ')" 10 "every file is in HEAD's tree"
expect_eq "$(git log --format=%s | grep -c '^tally: new case')" 10 "ten case commits"
expect_eq "$(git status --porcelain)" "" "the index matches HEAD and the work tree"
git fsck --no-progress --strict >/dev/null 2>"$TMP/fsck" || fail "git fsck: $(cat "$TMP/fsck")"
ok
expect_eq "$(git log --format=%P | awk '{print NF}' | sort -u | tr '\n' ' ')" "0 1 " "a linear history"

# a bulk import (its packing thread, its objects noted apart from the
# repository's) while another command commits: landing before the
# import's tree is built, or between that and the import's
# compare-and-swap (the tree is then built again on the new HEAD), every
# commit is kept, every result is in HEAD, and the repository is sound
: "${TALLY_TESTS:?set TALLY_TESTS to the tests folder}"
python3 "$TALLY_TESTS/bench/gen_junit.py" 2000 > "$TMP/bulk.xml"
n=$(commits)
for d in 0.05 0.2 0.4; do
	tally -q import "$TMP/bulk.xml" --title "Bulk $d" & pi=$!
	sleep "$d"
	tally -q case new "During $d" --suite during || fail "the commit during the import"
	wait $pi || fail "the bulk import"
done
ok
expect_eq "$(commits)" $((n + 6)) "every commit landed"
expect_eq "$(git ls-tree -r --name-only HEAD qa/web/runs | grep -c /results/)" 6000 "every result in HEAD"
expect_eq "$(git ls-tree -r --name-only HEAD qa/web/cases/during | wc -l | tr -d ' ')" 3 "every case in HEAD"
expect_eq "$(git status --porcelain)" "" "the index matches HEAD and the work tree"
git fsck --no-progress --strict >/dev/null 2>"$TMP/fsck" || fail "git fsck: $(cat "$TMP/fsck")"
ok
done_testing

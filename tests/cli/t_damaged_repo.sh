#!/usr/bin/env bash
# A result's blob missing from the object database: every history command
# fails with the blob's id and exit 3, and nothing crashes or hangs, with
# the walk's three threads in flight (tiny batches) or not.
. "$(dirname "$0")/lib.sh"
: "${TALLY_TESTS:?set TALLY_TESTS to the tests folder}"

repo=$TMP/damaged
python3 "$TALLY_TESTS/bench/gen_history.py" "$repo" --cases 20 --runs 30 \
	--manual 2 --manual-results 5 --seed 3 --end 2026-11-20T00:00:00Z > "$TMP/gen"
cd "$repo"
export GIT_AUTHOR_DATE=2026-11-20T00:00:00Z
# loose objects, so that one can go
mkdir "$TMP/packs"
mv .git/objects/pack/* "$TMP/packs/"
for p in "$TMP"/packs/*.pack; do git unpack-objects -q < "$p"; done
blob=$(git ls-tree -r HEAD | grep /results/ | sed -n 100p | awk '{print $3}')
[ -n "$blob" ] || fail "no result blob to remove"
rm ".git/objects/${blob:0:2}/${blob:2}"
ok

for size in "" 1 3 7; do
	rm -rf .git/tally
	expect_code 3 env TALLY_TEST_BATCH=$size "$TALLY" flaky --all
	expect_grep "reading a blob" "$TMP/err"
	expect_grep "$blob" "$TMP/err"
	expect_eq "$(wc -c < "$TMP/out" | tr -d ' ')" 0 "nothing printed with batches of ${size:-4096}"
done
# the per-commit cache's path (one thread fewer), and the other commands
expect_code 3 "$TALLY" failures
expect_grep "$blob" "$TMP/err"
expect_code 3 "$TALLY" history "$(git ls-tree -r --name-only HEAD | grep /cases/ | head -1 | sed 's|.*/cases/||; s|\.yaml$||')"
expect_grep "$blob" "$TMP/err"
expect_eq "$(ls .git/tally 2>/dev/null | grep -c snap || true)" 0 "no snapshot of a failed walk"
done_testing

#!/usr/bin/env bash
# History on a generated repository with planted behaviour (the benchmark's
# generator, small): tally flaky finds the flaky and pass-on-retry cases
# with precision and recall of at least 0.9 and calls no regressed case
# flaky; tally history names each regression's culprit range and each
# slowdown's first revision, as the generator recorded them.
. "$(dirname "$0")/lib.sh"
: "${TALLY_TESTS:?set TALLY_TESTS to the tests folder}"

repo=$TMP/planted
python3 "$TALLY_TESTS/bench/gen_history.py" "$repo" --cases 150 --runs 80 \
	--manual 6 --manual-results 20 --seed 11 --end 2026-11-20T00:00:00Z > "$TMP/gen"
cd "$repo"
export GIT_AUTHOR_DATE=2026-11-20T00:00:00Z # "now" for the evidence window
expect_code 0 tally check
expect_eq "$(git status --porcelain)" "" "a clean generated tree"

expect_code 0 tally --format json flaky
python3 - "$TMP/out" .git/truth.json <<'PY' || fail "flaky precision and recall"
import json, sys
rows = json.load(open(sys.argv[1]))
truth = json.load(open(sys.argv[2]))
planted = set(truth["flaky"]) | set(truth["retry"])
found = {r["case"] for r in rows if r["state"] == "flaky"}
hit = len(found & planted)
precision = hit / len(found) if found else 0
recall = hit / len(planted)
print("precision %.2f recall %.2f (%d found, %d planted)" % (precision, recall, len(found), len(planted)))
assert precision >= 0.9 and recall >= 0.9, (found - planted, planted - found)
assert not found & set(truth["regressed"]), "a regression called flaky"
assert not found & set(truth["broken"]), "a broken case called flaky"
assert not found & set(truth["slower"]), "a slow case called flaky"
retry = {r["case"]: r for r in rows}
for c in truth["retry"]:
    if c in retry:
        assert retry[c]["pass_on_retry"] > 0, retry[c]
PY
ok

for c in $(python3 -c 'import json; print(" ".join(json.load(open(".git/truth.json"))["regressed"]))'); do
	expect_code 0 tally --format json history "$c"
	python3 - "$TMP/out" .git/truth.json "$c" <<'PY' || fail "history of regressed $c"
import json, sys
h = json.load(open(sys.argv[1]))
want = json.load(open(sys.argv[2]))["culprit"][sys.argv[3]]
assert h["state"] == "regressed", h["state"]
assert h["culprit"] == want, (h["culprit"], want)
PY
	ok
	# the range is one git can list: both ends are the runs' revisions
	expect_code 0 tally history "$c"
	expect_grep "regressed, culprit range" "$TMP/out"
done

for c in $(python3 -c 'import json; print(" ".join(json.load(open(".git/truth.json"))["slower"]))'); do
	expect_code 0 tally --format json history "$c"
	python3 - "$TMP/out" .git/truth.json "$c" <<'PY' || fail "history of slower $c"
import json, sys
h = json.load(open(sys.argv[1]))
want = json.load(open(sys.argv[2]))["slow_from"][sys.argv[3]]
d = h["durations"]
assert d["regression"] and d["regression_revision"] == want, (d, want)
assert h["state"] == "stable", h["state"]
PY
	ok
done

# broken cases are broken, stable ones stable
expect_code 0 tally --format json flaky --all
python3 - "$TMP/out" .git/truth.json <<'PY' || fail "states of broken and stable cases"
import json, sys
rows = {r["case"]: r for r in json.load(open(sys.argv[1]))}
truth = json.load(open(sys.argv[2]))
for c in truth["broken"]:
    assert rows[c]["state"] == "broken", rows[c]
bad = [c for c in truth["stable"] if rows[c]["state"] != "stable"]
assert not bad, [rows[c] for c in bad[:3]]
PY
ok

# the cold walk runs in three stages on three threads (walk and read,
# parse, hand to history): tiny batches take every hand-over between them
# many times, and must change nothing
cp "$TMP/out" "$TMP/flaky-all"
tally --format json failures > "$TMP/failures"
for size in 1 7; do
	rm -rf .git/tally
	TALLY_TEST_BATCH=$size tally --format json flaky --all > "$TMP/flaky-$size"
	cmp -s "$TMP/flaky-all" "$TMP/flaky-$size" || fail "flaky with batches of $size differs"
	ok
done
rm -rf .git/tally
TALLY_TEST_BATCH=7 tally --format json failures > "$TMP/failures-7"
cmp -s "$TMP/failures" "$TMP/failures-7" || fail "failures with batches of 7 differs"
ok
# and on the path that fills the per-commit cache (one thread fewer)
TALLY_TEST_BATCH=3 tally --format json flaky --all --at HEAD~1 > "$TMP/at-3"
tally --format json flaky --all --at HEAD~1 > "$TMP/at"
cmp -s "$TMP/at" "$TMP/at-3" || fail "--at with batches of 3 differs"
ok
done_testing

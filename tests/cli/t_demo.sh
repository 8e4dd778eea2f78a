#!/usr/bin/env bash
# tally demo builds a sample tracker that passes its own check.
. "$(dirname "$0")/lib.sh"

cd "$TMP"
expect_code 0 tally demo "$TMP/demo"
expect_grep "Built a sample tracker in $TMP/demo" "$TMP/out"
expect_grep "1 project, 12 suites, 12 cases, 3 requirements, 1 release," "$TMP/out"
expect_grep "10 runs with 39 results, 1 defect, in 31 commits" "$TMP/out"
expect_grep "^Analysis of release-1.0-regression" "$TMP/out"
expect_grep "failed in the previous run too (smoke-2026-11-19): search/by-name" "$TMP/out"
expect_grep "blocked by an open defect      auth/password-reset by MAIL-12" "$TMP/out"
expect_grep "auth/login/valid-password" "$TMP/out"
expect_grep "Try next:" "$TMP/out"
# history from the commits: a flaky case and what the pull request changes
expect_grep "^com/acme/billing/InvoiceTest/testVatRounding  flaky (high confidence)" "$TMP/out"
expect_grep "failure x3: rounding drifted" "$TMP/out"
expect_grep "^What the pull request changes (tally diff main...HEAD):" "$TMP/out"
expect_grep ": 1 new failure, 1 fixed, .* still failing, 1 newly flaky$" "$TMP/err"
expect_grep "^new-failure	auth/login/wrong-password		passed	failed" "$TMP/out"
expect_grep "^fixed	billing/refunds/partial		failed	passed" "$TMP/out"
expect_grep "^newly-flaky	com/acme/auth/LoginTest/testLockout" "$TMP/out"
cd "$TMP/demo"
expect_eq "$(git rev-list --count HEAD)" 31 "one commit per change"
expect_eq "$(git rev-parse --abbrev-ref HEAD)" "fix/refunds" "the pull request's branch"
expect_eq "$(git rev-list --count main..HEAD)" 1 "one commit on it"
expect_code 1 tally gate main...HEAD
expect_grep "violated: max-new-failures (limit 0, got 1)" "$TMP/out"
expect_code 0 tally run show "CI build 311 (JUnit)" --format json
python3 -c 'import json,sys; c={x["case"]: x for x in json.load(open(sys.argv[1]))["cases"]}; assert c["auth/login/wrong-password"]["status"]=="passed" and c["billing/refunds/partial"]["status"]=="failed" and c["com/acme/billing/InvoiceTest/testVatRounding"]["attempts"]==2' "$TMP/out"; ok
expect_code 0 tally run show "CI build 311 (TAP)" --format json
python3 -c 'import json,sys; c={x["case"]: x["status"] for x in json.load(open(sys.argv[1]))["cases"]}; assert c["search/by-name"]=="passed" and sorted(c.values())==["failed","passed","passed"], c' "$TMP/out"; ok
expect_code 1 tally release show 1.0.0
expect_grep "^NOT READY" "$TMP/out"
expect_code 0 tally run show release-1.0 --format json
expect_grep '"kind": "execution"' "$TMP/out"
expect_eq "$(git status --porcelain)" "" "clean"
expect_code 0 tally check
expect_code 0 tally req show REQ-1 --format json
expect_eq "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["covered_by"]))' "$TMP/out")" 3 "REQ-1 coverage"

# a folder that is not empty is refused
expect_code 4 tally demo "$TMP/demo"
expect_grep "not empty" "$TMP/err"

# without a folder it makes a temporary one, and works with no git identity
git config --global --unset user.name
git config --global --unset user.email
export TMPDIR="$TMP/tmpdir" && mkdir -p "$TMPDIR"
expect_code 0 tally demo --format json
dir=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["path"])' "$TMP/out")
case "$dir" in "$TMPDIR"/tally-demo-*) ok ;; *) fail "demo path $dir" ;; esac
expect_eq "$(git -C "$dir" log -1 --format=%an)" "tally demo" "fallback identity"
done_testing

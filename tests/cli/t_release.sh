#!/usr/bin/env bash
# Releases: progress from executions only, each case by its latest result,
# readiness against the policy.
. "$(dirname "$0")/lib.sh"

new_tracker rel
for t in A B C D; do tally -q case new "Case $t" --suite s; done
expect_code 0 tally release new 1.4.0 --due 2026-12-01 --title "Release 1.4"
expect_code 4 tally release new 1.4.0
expect_code 0 tally run new "Exec one" --key e1 --release 1.4.0 --case s/case-a --case s/case-b --case s/case-c
expect_code 0 tally run new "Exec two" --key e2 --release 1.4 --case s/case-a --case s/case-d
expect_code 0 tally run new "Standalone" --key solo --case s/case-a --case s/case-b --case s/case-c --case s/case-d
expect_eq "$(grep release qa/web/runs/e2/run.yaml)" "release: 1.4.0" "the release by prefix, stored by key"

GIT_AUTHOR_DATE=2026-11-21T10:00:00Z tally -q record e1 --status failed case-a case-b
GIT_AUTHOR_DATE=2026-11-21T11:00:00Z tally -q record e2 case-a passed
GIT_AUTHOR_DATE=2026-11-21T12:00:00Z tally -q record e1 case-c blocked
# a standalone run must not move the release
GIT_AUTHOR_DATE=2026-11-21T13:00:00Z tally -q record solo --status passed case-a case-b case-c case-d

expect_code 1 tally release show 1.4.0 --format json
python3 - "$TMP/out" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
p = o["progress"]
# A: failed in e1, then passed in e2 (later) -> passed; B failed; C blocked; D not executed
assert p == {"total": 4, "passed": 1, "failed": 1, "blocked": 1, "skipped": 0,
             "running": 0, "not_executed": 1}, p
assert o["key"] == "1.4.0" and o["ready"] is False
assert o["executions"] == ["e1", "e2"], o["executions"]
rules = {r["rule"]: r for r in o["rules"]}
assert set(rules) == {"max-failed", "all-executed"}, rules
assert rules["max-failed"]["ok"] is False and rules["all-executed"]["detail"] == "3 of 4 executed"
for r in o["rules"]:
    assert set(r) == {"rule", "ok", "detail"}
PY
ok
expect_code 1 tally release show 1.4.0
expect_grep "^NOT READY" "$TMP/out"
expect_grep "FAIL max-failed  *1 failed, at most 0 allowed" "$TMP/out"

# a policy in tally.yaml
cat >> qa/tally.yaml <<'YAML'
readiness:
  min-pass-rate: 0.5
  max-blocked: 1
  max-open-defects: {critical: 0}
  all-executed: false
YAML
git commit -qam policy
tally -q defect new "Crash" --key crash --severity critical
tally -q defect link e1:case-b crash
expect_code 1 tally release show 1.4.0
expect_grep "FAIL min-pass-rate  *pass rate 25.0% (1 of 4), at least 50.0% required" "$TMP/out"
expect_grep "ok   max-blocked  *1 blocked, at most 1 allowed" "$TMP/out"
expect_grep "FAIL max-open-defects.critical  *1 open critical defect linked, at most 0 allowed" "$TMP/out"
tally -q defect close crash --status fixed
GIT_AUTHOR_DATE=2026-11-21T14:00:00Z tally -q record e1 --status passed case-b case-c
GIT_AUTHOR_DATE=2026-11-21T14:00:00Z tally -q record e2 case-d passed
expect_code 0 tally release show 1.4.0
expect_grep "^READY" "$TMP/out"

expect_code 0 tally release list --format json
expect_grep '"ready": true' "$TMP/out"
expect_grep '"executed": "4/4"' "$TMP/out"
expect_code 0 tally release edit 1.4.0 --status released --released 2026-12-02
expect_grep "status: released" qa/web/releases/1.4.0.yaml
expect_code 4 tally release edit 1.4.0 --due tomorrow
expect_grep "invalid date 'tomorrow'" "$TMP/err"
expect_code 0 tally run list --release 1.4.0 --columns key
expect_eq "$(tr '\n' ' ' < "$TMP/out")" "e1 e2 " "executions of a release"
expect_code 0 tally run list --kind run --columns key
expect_eq "$(cat "$TMP/out")" "solo" "standalone runs"

# check follows the references of runs and results
expect_code 0 tally check
sed -i 's/^release: 1.4.0/release: 9.9/' qa/web/runs/e2/run.yaml
printf 'status: passed\ndefects: [nosuch]\n' > qa/web/runs/e2/results/s/case-b.yaml
printf 'status: passd\n' > qa/web/runs/e2/results/s/case-c.yaml
expect_code 1 tally check
expect_grep "^qa/web/runs/e2/run.yaml:2:10: release '9.9' does not exist" "$TMP/out"
expect_grep "^qa/web/runs/e2/results/s/case-b.yaml:2:10: defect 'nosuch' is neither a local defect" "$TMP/out"
expect_grep "^qa/web/runs/e2/results/s/case-c.yaml:1:9: status: invalid value 'passd'" "$TMP/out"
done_testing

#!/usr/bin/env bash
# tally history and tally flaky: METRICS.md from the commits, on a history
# with planted behaviour: a case that passes on retry, a case whose result
# differs on one revision, a regression, a steady case.
. "$(dirname "$0")/lib.sh"

new_tracker hist
report() { # report REV RETRY_FAILS REG_FAILS SAME_FAILS
	{
		echo '<testsuite name="s">'
		if [ "$2" = 1 ]; then
			echo '<testcase classname="app.Api" name="retry"><flakyFailure message="conn reset"/></testcase>'
		else
			echo '<testcase classname="app.Api" name="retry"/>'
		fi
		echo '<testcase classname="app.Api" name="steady" time="0.5"/>'
		if [ "$3" = 1 ]; then
			echo '<testcase classname="app.Api" name="reg"><failure message="expected 3, got 4"/></testcase>'
		else
			echo '<testcase classname="app.Api" name="reg" time="1"/>'
		fi
		if [ "$4" = 1 ]; then
			echo '<testcase classname="app.Api" name="same"><failure message="order 1234 lost"/></testcase>'
		else
			echo '<testcase classname="app.Api" name="same"/>'
		fi
		echo '</testsuite>'
	} > "$TMP/r.xml"
	tally -q import "$TMP/r.xml" --title "ci $1" --revision "$1"
}
report r1 0 0 0
report r2 1 0 0
report r3 0 0 1
report r3 0 0 0   # a rerun on r3: same code, another outcome
report r4 1 0 0
report r5 0 1 0
report r6 1 1 0

# flaky: the planted cases, not the regression
expect_code 0 tally --format json flaky
expect_eq "$(python3 -c 'import json,sys; print(" ".join(sorted(r["case"] for r in json.load(sys.stdin))))' < "$TMP/out")" "app/Api/retry app/Api/same" "the flaky cases, only"
python3 - "$TMP/out" <<'PY' || fail "flaky JSON keys"
import json, sys
rows = json.load(open(sys.argv[1]))
need = {"case", "state", "confidence", "results", "flip_rate", "revision_flip_rate",
        "weighted_flip_rate", "pass_on_retry", "fail_rate", "last_seen"}
for r in rows:
    assert need <= set(r), set(r) ^ need
retry = next(r for r in rows if r["case"] == "app/Api/retry")
assert retry["state"] == "flaky" and retry["confidence"] == "high", retry
assert retry["pass_on_retry"] == 3 and retry["results"] == 7, retry
same = next(r for r in rows if r["case"] == "app/Api/same")
assert same["state"] == "flaky" and same["pass_on_retry"] == 0, same
assert rows[0]["case"] == "app/Api/retry", "high confidence first"
PY
ok
expect_code 0 tally flaky
expect_eq "$(cut -f1,2 "$TMP/out" | tr '\t\n' ' |')" "app/Api/retry flaky|app/Api/same flaky|" "table"
expect_code 0 tally flaky --all --columns case,state
expect_grep "app/Api/reg	regressed" "$TMP/out"
expect_grep "app/Api/steady	stable" "$TMP/out"
expect_code 0 tally flaky --min-results 8
expect_eq "$(cat "$TMP/out")" "" "--min-results leaves them out"
expect_code 0 tally flaky --suite app/Api --all --columns case
expect_eq "$(wc -l < "$TMP/out" | tr -d ' ')" 4 "--suite"
expect_code 0 tally flaky --suite other
expect_eq "$(cat "$TMP/out")" "" "--suite other"
expect_code 2 tally flaky --min-results none
expect_grep "positive whole number" "$TMP/err"
expect_code 2 tally flaky --since yesterday
expect_code 0 tally flaky --since 2030-01-01 --all
expect_eq "$(cat "$TMP/out")" "" "--since after every result"

# --at REV: history as of an earlier commit (before r5 and r6 were recorded)
expect_code 0 tally history reg --at HEAD~2 --format json
expect_eq "$(python3 -c 'import json,sys; h=json.load(sys.stdin); print(h["result_count"], h["state"])' < "$TMP/out")" "5 stable" "history --at"
expect_code 0 tally flaky --at HEAD~2 --all --columns case,state,results
expect_grep "app/Api/reg	stable	5" "$TMP/out"
# (the run's whole key: a random key suffix may itself hold "r6")
r6=$(ls qa/web/runs | grep -- '-ci-r6-')
expect_code 0 tally --format json log --at HEAD~1
expect_eq "$(python3 -c 'import json,sys; print(sum(1 for r in json.load(sys.stdin) if sys.argv[1] in (r.get("subject") or "") + (r.get("key") or "")))' "$r6" < "$TMP/out")" 0 "log --at leaves out later commits"
expect_code 0 tally --format json log
expect_eq "$(python3 -c 'import json,sys; print(sum(1 for r in json.load(sys.stdin) if sys.argv[1] in (r.get("subject") or "") + (r.get("key") or "")) > 0)' "$r6" < "$TMP/out")" True "log without --at has them"
expect_code 0 tally failures --at HEAD~2 --format json
expect_eq "$(python3 -c 'import json,sys; print(sorted(s["text"] for s in json.load(sys.stdin)["signatures"]))' < "$TMP/out")" "['order <n> lost']" "failures --at"
expect_code 3 tally history reg --at nosuch
expect_grep "unknown revision 'nosuch'" "$TMP/err"

# history of the regression: state and culprit range
expect_code 0 tally history reg
expect_grep "app/Api/reg  regressed, culprit range r4..r5" "$TMP/out"
expect_grep "statuses   ✓✓✓✓✓✗✗" "$TMP/out"
expect_grep "failure x2: expected 3, got 4" "$TMP/out"
expect_code 0 tally history app/Api/reg --format json
python3 - "$TMP/out" <<'PY' || fail "history JSON"
import json, sys
h = json.load(open(sys.argv[1]))
assert h["state"] == "regressed" and h["culprit"] == "r4..r5", h["state"]
assert h["result_count"] == 7 and len(h["results"]) == 7
r = h["results"][-1]
assert r["status"] == "failed" and r["revision"] == "r6" and r["author"].startswith("Alice Tester")
assert len(r["commit"]) == 40 and r["run"].startswith("2026-11-21-ci-r6")
assert h["failures"][0]["count"] == 2
assert h["durations"]["samples"] == 5 and h["durations"]["median"] == 1
assert h["fail_rate"] == round(2 / 7, 4)
PY
ok
# the environment: the result's, else its run's
expect_code 0 tally -q import "$TMP/r.xml" --title "ci env" --revision r7 --env os=linux --env db=pg15
expect_code 0 tally history steady --format json
expect_eq "$(python3 -c 'import json,sys; r=json.load(sys.stdin)["results"]; print(r[-1]["environment"], r[0]["environment"])' < "$TMP/out")" "{'db': 'pg15', 'os': 'linux'} None" "environment"
expect_code 0 tally history steady
expect_grep "ci-env-.*  os=linux,db=pg15$" "$TMP/out"
git reset -q --hard HEAD~1
expect_code 0 tally history retry --format json
expect_eq "$(python3 -c 'import json,sys; h=json.load(sys.stdin); print(h["sparkline"], h["pass_on_retry"], h["pass_on_retry_rate"])' < "$TMP/out")" "✓~✓✓~✓~ 3 1" "retries"

# tally prune: old runs leave the tree in one commit, history is unchanged
tally --format json flaky --all > "$TMP/flaky.before"
tally --format json history reg > "$TMP/reg.before"
n=$(commits)
expect_code 0 tally prune --keep 2 --dry-run
expect_eq "$(grep -c 'would prune' "$TMP/out")" 5 "a dry run lists five"
expect_eq "$(commits)" "$n" "and commits nothing"
expect_code 0 tally --format json prune --keep 2
expect_eq "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["pruned"]), len(d["commit"]))' < "$TMP/out")" "5 40" "pruned five in a commit"
expect_eq "$(commits)" "$((n + 1))" "one commit"
expect_eq "$(ls qa/web/runs | wc -l | tr -d ' ')" 2 "two runs left"
expect_eq "$(git status --porcelain)" "" "a clean tree"
tally --format json flaky --all > "$TMP/flaky.after"
tally --format json history reg > "$TMP/reg.after"
expect_eq "$(cmp "$TMP/flaky.before" "$TMP/flaky.after" && echo same)" "same" "flaky unchanged by prune"
expect_eq "$(cmp "$TMP/reg.before" "$TMP/reg.after" && echo same)" "same" "history unchanged by prune"
expect_code 0 tally prune --older-than 30d
expect_grep "nothing to prune" "$TMP/out"
expect_code 2 tally prune
expect_code 2 tally prune --older-than soon

# tally case mv: the old key becomes an alias and history follows it
n=$(commits)
expect_code 0 tally case mv reg app/Api/regression
expect_eq "$(commits)" "$((n + 1))" "one commit"
expect_grep "^aliases: \[app/Api/reg\]" qa/web/cases/app/Api/regression.yaml
expect_eq "$(find qa/web -name 'reg.yaml' | wc -l | tr -d ' ')" 0 "no file under the old key"
expect_eq "$(find qa/web/runs -name 'regression.yaml' | wc -l | tr -d ' ')" 2 "the runs' results moved"
expect_code 0 tally check
expect_code 0 tally history regression --format json
expect_eq "$(python3 -c 'import json,sys; h=json.load(sys.stdin); print(h["result_count"], h["state"], h["culprit"])' < "$TMP/out")" "7 regressed r4..r5" "history follows the rename"
expect_code 0 tally flaky --all --columns case
expect_no_grep "app/Api/reg$" "$TMP/out"
expect_grep "app/Api/regression" "$TMP/out"
expect_code 4 tally case mv regression app/Api/steady
expect_grep "case app/Api/steady exists" "$TMP/err"
expect_code 4 tally case mv regression ../outside
# each run's one result of the case is read: a damaged one stops the move,
# named, with nothing committed; a damaged result of another case does not
n=$(commits)
f=$(find qa/web/runs -name 'regression.yaml' | head -1)
cp "$f" "$TMP/keep.yaml"
printf 'status: [oops\n' > "$f"
expect_code 4 tally case mv regression app/Api/regress
expect_grep "$f:2:1: " "$TMP/err"
expect_eq "$(commits)" "$n" "nothing committed"
cp "$TMP/keep.yaml" "$f"
g=$(find qa/web/runs -name 'steady.yaml' | head -1)
printf 'status: [oops\n' > "$g"
expect_code 0 tally case mv regression app/Api/regress
expect_eq "$(find qa/web/runs -name 'regress.yaml' | wc -l | tr -d ' ')" 2 "moved past another case's damaged result"
git checkout -q -- "$g"
expect_code 0 tally case mv regress app/Api/regression

# history lives in the commits: a deleted run and a deleted case still count
run1=$(ls qa/web/runs | head -1)
expect_code 0 tally run rm "$run1"
expect_code 0 tally history steady --format json
expect_eq "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["result_count"])' < "$TMP/out")" 7 "a deleted run still counts"
git rm -q qa/web/cases/app/Api/steady.yaml && git commit -qm "drop a case"
expect_code 0 tally history app/Api/steady
expect_grep "stable" "$TMP/out"
expect_code 3 tally history nosuch
expect_grep "no result of case 'nosuch'" "$TMP/err"
# a case's key reads that case alone: a damaged case elsewhere stops only
# a reference that must be resolved among every case
cp qa/web/cases/app/Api/retry.yaml "$TMP/retry.yaml"
echo "title: [unclosed" > qa/web/cases/app/Api/retry.yaml
expect_code 0 tally history app/Api/regression
expect_code 4 tally history regression
expect_grep "retry.yaml" "$TMP/err"
cp "$TMP/retry.yaml" qa/web/cases/app/Api/retry.yaml
expect_code 0 tally history regression

# --quarantine-suggest: entries for the flaky cases, valid once pasted in,
# and not proposed again
expect_code 0 tally flaky --quarantine-suggest
expect_eq "$(grep -c '^- case: ' "$TMP/out")" 2 "two entries"
expect_grep "^- case: app/Api/retry" "$TMP/out"
expect_grep "^  reason: 'flaky: .* passed on retry" "$TMP/out"
expect_grep "^  expires: 2026-12-21$" "$TMP/out"
expect_grep "2 suggested" "$TMP/err"
expect_code 0 tally --format json flaky --quarantine-suggest
expect_eq "$(python3 -c 'import json,sys; print(sorted(e["case"] for e in json.load(sys.stdin)))' < "$TMP/out")" "['app/Api/retry', 'app/Api/same']" "JSON"
tally flaky --quarantine-suggest > qa/quarantine.yaml 2>/dev/null
expect_code 0 tally check
expect_code 0 tally flaky --quarantine-suggest
expect_eq "$(cat "$TMP/out")" "" "nothing left to suggest"
expect_grep "0 suggested" "$TMP/err"

# METRICS.md's knobs are tally.yaml settings: a bad one is a check problem
# and a refusal with its place, a good one changes the numbers
cp qa/tally.yaml "$TMP/tally.yaml"
printf 'flaky:\n  window: 3\ndurations:\n  ratio: 1.1\n' >> qa/tally.yaml
expect_code 0 tally check
expect_code 0 tally history reg --format json
expect_eq "$(python3 -c 'import json,sys; h=json.load(sys.stdin); print(h["rated_results"], h["result_count"])' < "$TMP/out")" "3 7" "flaky.window"
expect_code 0 tally history reg --format json --window 4
expect_eq "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["rated_results"])' < "$TMP/out")" 4 "--window wins over flaky.window"
cp "$TMP/tally.yaml" qa/tally.yaml
printf 'flaky:\n  evidence-dayz: 3\n' >> qa/tally.yaml
expect_code 1 tally check
expect_grep "qa/tally.yaml:.*flaky: has no setting 'evidence-dayz'" "$TMP/out"
expect_code 4 tally flaky
expect_grep "qa/tally.yaml:[0-9]*:[0-9]*: flaky: has no setting 'evidence-dayz'" "$TMP/err"
cp "$TMP/tally.yaml" qa/tally.yaml
printf 'gate:\n  min-pass-rate: 95\n' >> qa/tally.yaml
expect_code 4 tally gate HEAD~1..HEAD
expect_grep "gate.min-pass-rate takes a number from 0 to 1, or none, not '95'" "$TMP/err"
cp "$TMP/tally.yaml" qa/tally.yaml
# environment divergence (METRICS.md): on one revision the case always
# passes on linux and always fails on windows: a failure, not a flake
envrun() { # envrun OS STATUS
	if [ "$2" = passed ]; then
		echo '<testsuite name="e"><testcase classname="e.E" name="os"/></testsuite>' > "$TMP/e.xml"
	else
		echo '<testsuite name="e"><testcase classname="e.E" name="os"><failure message="path separator"/></testcase></testsuite>' > "$TMP/e.xml"
	fi
	tally -q import "$TMP/e.xml" --title "env $1 $3" --revision "$3" --env "os=$1"
}
envrun linux passed e1
envrun windows passed e1
envrun linux passed e2
envrun windows failed e2
envrun windows failed e2
expect_code 0 tally --format json history e/E/os
expect_eq "$(python3 -c 'import json,sys; h=json.load(sys.stdin); print(h["env_divergent"], h["state"], h["flaky_verdicts"])' < "$TMP/out")" "1 failing 0" "env-divergent, not flaky"
expect_code 0 tally history e/E/os
expect_grep "env-divergent on 1 revisions" "$TMP/out"
expect_code 0 tally flaky --suite e
expect_eq "$(cat "$TMP/out")" "" "not in tally flaky"
envrun linux failed e3
envrun linux passed e3
expect_code 0 tally flaky --suite e --columns case,state
expect_eq "$(cat "$TMP/out")" "e/E/os	flaky" "a flake within linux is a flake"
# flaky.code-paths: a revision that is a commit here stands for the trees
# of those paths, so a docs-only commit is the same code: a failure on one
# and a pass on the other are a flake, not a fix
new_tracker code
mkdir -p src docs
echo v0 > src/app.c && echo d1 > docs/a.md && git add src docs && git commit -qm c0
c0=$(git rev-parse HEAD)
echo v1 > src/app.c && git commit -qam c1
c1=$(git rev-parse --short=12 HEAD)
echo d2 > docs/a.md && git commit -qam "docs only"
c2=$(git rev-parse HEAD)
codeimport() { # codeimport REV pass|fail [NAME...]: a run (titled $TITLE
	# when set) of k.C's tests (t)
	local rev=$1 status=$2 n
	shift 2
	[ $# -gt 0 ] || set -- t
	{
		echo '<testsuite name="s">'
		for n in "$@"; do
			if [ "$status" = pass ]; then
				echo "<testcase classname=\"k.C\" name=\"$n\"/>"
			else
				echo "<testcase classname=\"k.C\" name=\"$n\"><failure message=\"x\"/></testcase>"
			fi
		done
		echo '</testsuite>'
	} > "$TMP/k.xml"
	tally -q import "$TMP/k.xml" --title "${TITLE:-code $rev}" --revision "$rev"
}
codeimport "$c0" pass
codeimport "$c1" fail
codeimport "$c2" pass
codeimport "$c2" pass
expect_code 0 tally flaky --all --columns case,state
expect_eq "$(cat "$TMP/out")" "k/C/t	fixed" "two revisions without code-paths"
printf 'flaky:\n  code-paths: [src/]\n' >> qa/tally.yaml
expect_code 0 tally check
expect_code 0 tally flaky --all --columns case,state
expect_eq "$(cat "$TMP/out")" "k/C/t	flaky" "one code identity with code-paths: [src/]"
expect_code 0 tally --format json history k/C/t
expect_eq "$(python3 -c 'import json,sys; h=json.load(sys.stdin); print(h["flaky_verdicts"], [r["revision"] for r in h["results"]][-1] == sys.argv[1])' "$c2" < "$TMP/out")" "1 True" "revisions still shown as recorded"
# the cases of one run share its revision and its code identity, looked
# up once for the run: the second case of each run gets the same as the
# first
codeimport "$c0" pass t u
codeimport "$c1" fail t u
codeimport "$c2" pass t u
codeimport "$c0" pass t u
codeimport "$c1" fail t u
codeimport "$c2" pass t u
expect_code 0 tally flaky --all --columns case,state
expect_eq "$(grep -c '	flaky$' "$TMP/out")" "2" "t and u share each run's code identity"
# a result's own revision is its code, even in a run whose other results
# take the run's: k/C/a (first in the run) takes c0's, k/C/b recorded on
# c1 fails there and passes in a run on c2 (the same code): a flake. Were
# it c0's code, its verdicts would be P F P: no flake.
codeimport build-1 pass b
codeimport "$c2" pass b
TITLE="own revisions" codeimport "$c0" pass a
own=$(tally run list --columns key | grep own-revisions)
expect_code 0 tally -q record "$own" k/C/b failed --revision "$c1" --add
expect_code 0 tally flaky --all --columns case,state
expect_grep "k/C/b	flaky" "$TMP/out"
# each commit that changes src/ is other code again: three failing ones
# are three FAIL verdicts
for v in 2 3 4; do
	echo "v$v" > src/app.c && git commit -qam "code change $v"
	codeimport "$(git rev-parse HEAD)" fail
done
expect_code 0 tally --format json history k/C/t
expect_eq "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])' < "$TMP/out")" "broken" "three FAIL verdicts on new code"
sed -i 's|code-paths: \[src/\]|code-paths: [../etc]|' qa/tally.yaml
expect_code 1 tally check
expect_grep "flaky.code-paths takes a list of folders" "$TMP/out"
# source groups follow their code: a result on an older commit recorded
# after a newer commit's results takes its code's place in the timeline
new_tracker order
for v in 1 2 3; do
	echo "v$v" > app.c && git add app.c && GIT_COMMITTER_DATE="2026-11-0${v}T10:00:00Z" git commit -qm "c$v"
	eval "o$v=\$(git rev-parse HEAD)"
done
codeimport "$o1" pass
codeimport "$o3" pass
codeimport "$o2" fail   # the old code, tested last
expect_code 0 tally --format json history k/C/t
expect_eq "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])' < "$TMP/out")" "fixed" "code order: c1 pass, c2 fail, c3 pass"
codeimport not-a-commit pass
codeimport later-build fail
expect_code 0 tally --format json history k/C/t
expect_eq "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])' < "$TMP/out")" "failing" "names that are not commits go by when they were recorded"
done_testing

#!/usr/bin/env bash
# tally import (JUnit): runs, cases by automation id, safe keys, retries,
# one commit; bad input refused with file:line:col and nothing written.
. "$(dirname "$0")/lib.sh"
FX="$TALLY_TESTS/fixtures/junit"

new_tracker imp
n=$(commits)
expect_code 0 tally import "$FX/basic.xml" --title "Nightly" --env ci=github --revision abc123
expect_grep "5 tests: 2 passed, 1 failed, 1 errored, 1 skipped" "$TMP/out"
expect_eq "$(commits)" $((n + 1)) "one commit"
run=$(ls qa/web/runs)
[[ "$run" =~ ^2026-11-21-nightly-[0-9a-hjkmnp-tv-z]{4}$ ]] || fail "run key $run"
ok
expect_eq "$(git log -1 --format=%s)" "tally: import 5 results into $run" "subject"
expect_grep "Tally-Source: .*basic.xml" <(git log -1 --format=%B)
expect_eq "$(cat qa/web/cases/com/acme/auth/LoginTest/wrongPassword.yaml)" "$(printf 'title: wrongPassword\ntype: automated\npriority: medium\nautomation: com.acme.auth.LoginTest.wrongPassword')" "new case"
r=qa/web/runs/$run/results/com/acme/auth/LoginTest
expect_eq "$(cat $r/wrongPassword.yaml)" "$(cat <<'YAML'
status: failed
duration: 0.25
started: 2026-11-21T10:00:00Z
message: expected 401, got 200
type: AssertionError
trace: |-
  AssertionError: expected 401, got 200
      at LoginTest.java:42
output: request sent
YAML
)" "result"
expect_grep "^status: failed" $r/lockout.yaml
expect_no_grep "duration" $r/lockout.yaml
expect_grep "^type: IOException" $r/lockout.yaml
expect_eq "$(head -1 $r/sso.yaml)" "status: skipped" "skipped"
expect_grep "message: needs the SSO server" $r/sso.yaml
expect_eq "$(sed -n '/environment/p;/revision/p' qa/web/runs/$run/run.yaml | tr '\n' '|')" "environment: {ci: github, browser: firefox 131}|revision: abc123|" "run environment (--env, then suite properties) and revision"
expect_code 0 tally check
expect_code 0 tally run show "$run" --format json
expect_grep '"status": "failed"' "$TMP/out"

# again into the same run: cases are matched by automation id, and what
# was recorded there becomes an earlier attempt
expect_code 0 tally import "$FX/basic.xml" --run nightly
expect_grep "(5 results, 0 new cases)" "$TMP/out"
expect_eq "$(find qa/web/cases -name '*.yaml' | wc -l | tr -d ' ')" 5 "no duplicate cases"
expect_grep "^retries:" $r/wrongPassword.yaml
expect_grep "expected 401, got 200" <(sed -n '/retries/,$p' $r/wrongPassword.yaml)

# a test repeated in one report: the last run is the result, the earlier
# ones are attempts
expect_code 0 tally --format json import "$FX/rerun.xml" --title "Rerun"
expect_grep '"passed": 1' "$TMP/out"
expect_grep '"tests": 1' "$TMP/out"
rr=$(ls qa/web/runs | grep rerun)
expect_eq "$(cat qa/web/runs/$rr/results/c/flaky.yaml)" "$(printf 'status: passed\nduration: 2\nstarted: 2026-11-21T10:00:00Z\nretries:\n- {status: failed, duration: 1, message: first try failed}')" "retries from repeats"

# hostile names make safe keys, all distinct
expect_code 0 tally import "$FX/hostile-names.xml" --title "Hostile"
expect_code 0 tally check
keys=$(tally case list --columns key | grep -v com/acme | grep -v '^c/')
expect_eq "$(echo "$keys" | wc -l | tr -d ' ')" 7 "seven distinct cases"
echo "$keys" | grep -qE '(^|/)\.' && fail "a key segment starting with a dot"
echo "$keys" | grep -qi '^con/' && fail "a reserved name"
ok
expect_eq "$(find "$TMP" -path '*etc/passwd*' -not -path "$TMP/r/imp/qa/*" | wc -l | tr -d ' ')" 0 "nothing outside the tracker"
expect_eq "$(tally case show etc/passwd --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["automation"])')" "../../etc.passwd" "the id is kept as written"
expect_eq "$(echo "$keys" | tr 'A-Z' 'a-z' | sort | uniq -d)" "" "no keys differing only in case"
# a clash's suffixed key is taken too: a later test of the same import
# whose own key is that one gets another (it would overwrite the first)
suffixed=$(tally case list --columns key | grep '^mixed/case/test-')
[ -n "$suffixed" ] || fail "no suffixed key"
mkdir -p "$TMP/clash" && (cd "$TMP/clash" && git init -q && tally init -q)
cat > "$TMP/clash/report.xml" <<XML
<testsuite name="s">
  <testcase classname="Mixed.Case" name="Test"/>
  <testcase classname="mixed.case" name="test"/>
  <testcase classname="mixed.case" name="${suffixed##*/}"/>
</testsuite>
XML
(cd "$TMP/clash" && tally -q import report.xml --title clash) || fail "import of the clash"
ck=$(cd "$TMP/clash" && tally case list --columns key)
expect_eq "$(echo "$ck" | wc -l | tr -d ' ')" 3 "three cases"
expect_eq "$(echo "$ck" | tr 'A-Z' 'a-z' | sort | uniq -d)" "" "a suffixed key taken"

# --env wins over a suite property of the same name
expect_code 0 tally import "$FX/basic.xml" --title "Env" --env browser=chrome
er=$(ls qa/web/runs | grep -- -env-)
expect_eq "$(grep environment qa/web/runs/$er/run.yaml)" "environment: {browser: chrome}" "--env wins"

# [[ATTACHMENT|path]] markers: attached only from inside the report's folder
mkdir -p "$TMP/rep/shots" "$TMP/outside"
printf 'PNG' > "$TMP/rep/shots/login.png"
printf 'secret' > "$TMP/outside/secret.txt"
ln -sf "$TMP/outside/secret.txt" "$TMP/rep/shots/link.txt"
cat > "$TMP/rep/junit.xml" <<'XML'
<testsuite name="ui">
  <testcase classname="ui.Login" name="shows">
    <system-out>[[ATTACHMENT|shots/login.png]]
[[ATTACHMENT|../outside/secret.txt]]
[[ATTACHMENT|/etc/passwd]]
[[ATTACHMENT|shots/link.txt]]
[[ATTACHMENT|shots/missing.png]]</system-out>
  </testcase>
</testsuite>
XML
expect_code 0 tally import "$TMP/rep/junit.xml" --title "Shots"
sr=$(ls qa/web/runs | grep shots)
expect_eq "$(find qa/web/runs/$sr/attachments -type f | sed "s|qa/web/runs/$sr/||")" "attachments/ui/Login/shows/login.png" "only the file inside the folder"
expect_eq "$(cat qa/web/runs/$sr/attachments/ui/Login/shows/login.png)" "PNG" "its bytes"
expect_grep "^attachments: \[login.png\]" qa/web/runs/$sr/results/ui/Login/shows.yaml
expect_eq "$(grep -c 'not attached' "$TMP/err")" 4 "a warning for each refused marker"
expect_grep "../outside/secret.txt not attached: not a file inside the report's folder" "$TMP/err"
expect_grep "shots/link.txt not attached" "$TMP/err"
expect_eq "$(git show --stat HEAD | grep -c secret)" 0 "nothing from outside committed"

# standard input needs the format
expect_code 0 tally import - --format junit --title "From a pipe" < "$FX/rerun.xml"
expect_code 0 tally import - --title "Redirected" < "$FX/rerun.xml"
set +e
cat "$FX/rerun.xml" | tally import - --title "Piped, no format" 2>"$TMP/err" >/dev/null
code=$?
set -e
expect_eq "$code" 2 "a pipe cannot be sniffed"
expect_grep "give --format" "$TMP/err"

# TAP: statuses, YAML diagnostics, SKIP and TODO, subtests
expect_code 0 tally import "$TALLY_TESTS/fixtures/tap/basic.tap" --title "TAP run" --suite-prefix js
expect_grep "6 tests: 2 passed, 2 failed, 0 errored, 2 skipped" "$TMP/out"
tr=qa/web/runs/$(ls qa/web/runs | grep tap-run)/results/js
expect_eq "$(cat $tr/refund-is-credited.yaml)" "$(printf 'status: failed\nduration: 1.532\nstarted: 2026-11-21T10:00:00Z\nmessage: expected 100, got 0\ntrace: at refund.test.js:12')" "TAP diagnostics"
expect_eq "$(sed -n 's/^message: //p' $tr/export-to-PDF.yaml)" "'TODO: not written yet'" "a failing TODO is skipped"
expect_eq "$(sed -n 's/^message: //p' $tr/search.yaml)" "no index on CI" "SKIP reason"
expect_grep "not ok 2 - remove" $tr/cart.yaml
expect_grep "^status: passed" "$tr/title-skip-is-no-directive-$(printf '%s' x | head -c0)"*.yaml

# CTRF: validated against the schema, retries from retryAttempts
expect_code 0 tally import "$TALLY_TESTS/fixtures/ctrf/basic.json" --title "CTRF run"
expect_grep "4 tests: 2 passed, 1 failed, 0 errored, 1 skipped" "$TMP/out"
cr=qa/web/runs/$(ls qa/web/runs | grep ctrf-run)/results
expect_eq "$(cat "$cr/shop/checkout/checkout-works.yaml")" "$(printf 'status: passed\nduration: 1.532\nstarted: 2026-11-21T10:00:00Z\nretries:\n- {status: failed, duration: 0.9, message: timeout}')" "CTRF retries"
expect_grep "output: |-" "$cr/login.yaml"
printf '{"reportFormat":"CTRF","specVersion":"1.0.0","results":{"tool":{"name":"x"},"summary":{"tests":0,"passed":0,"failed":0,"skipped":0,"pending":0,"other":0,"start":0,"stop":0},"tests":[{"name":"a","status":"done","duration":1}]}}' > "$TMP/bad.json"
expect_code 4 tally import "$TMP/bad.json"
expect_grep "results.tests\[0\].status: expected passed, failed, skipped, pending or other" "$TMP/err"
printf '{"results": {' > "$TMP/cut.json"
expect_code 4 tally import "$TMP/cut.json"
expect_grep "cut.json:1:1[0-9]*: " "$TMP/err"

# Cucumber: scenarios under their feature, backgrounds are no tests
expect_code 0 tally import "$TALLY_TESTS/fixtures/cucumber/basic.json" --title "BDD"
expect_grep "3 tests: 1 passed, 1 failed, 0 errored, 1 skipped" "$TMP/out"
cu=qa/web/runs/$(ls qa/web/runs | grep bdd)/results/Checkout
expect_eq "$(sed -n '1,3p' "$cu/Pay-with-a-card.yaml")" "$(printf 'status: failed\nduration: 0.75\nstarted: 2026-11-21T10:00:00Z')" "scenario result"
expect_grep "message: expected confirmed, got pending" "$cu/Pay-with-a-card.yaml"
expect_grep "failed    Then the order is confirmed" "$cu/Pay-with-a-card.yaml"
expect_eq "$(ls "$cu" | wc -l | tr -d ' ')" 3 "two scenarios of one name are two tests"

# TRX, NUnit and xUnit.net, told apart by their root element
expect_code 0 tally --format json import --dry-run "$TALLY_TESTS/fixtures/dotnet/run.trx"
expect_eq "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["tests"], d["passed"], d["failed"], d["skipped"])' "$TMP/out")" "4 2 1 1" "TRX: inner results are not tests"
expect_code 0 tally --format json import --dry-run "$TALLY_TESTS/fixtures/dotnet/nunit3.xml"
expect_eq "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["tests"], d["passed"], d["errored"], d["skipped"])' "$TMP/out")" "3 1 1 1" "NUnit 3"
expect_code 0 tally import "$TALLY_TESTS/fixtures/dotnet/xunit2.xml" --title "xUnit"
expect_grep "2 tests: 1 passed, 0 failed, 0 errored, 1 skipped" "$TMP/out"
expect_code 0 tally import "$TALLY_TESTS/fixtures/dotnet/run.trx" --title "TRX"
xr=qa/web/runs/$(ls qa/web/runs | grep -- '-trx-')/results/Shop/Tests
expect_grep "message: expected 200, got 500" "$xr/Refunds.yaml"
expect_grep "trace: at Refunds() in Tests.cs:line 41" "$xr/Refunds.yaml"

# bad input: a clear place, no commit, no file
state() { echo "$(git rev-parse HEAD)|$(git status --porcelain | tr '\n' '|')"; }
s0=$(state)
expect_code 4 tally import "$FX/truncated.xml"
expect_grep "truncated.xml:4:[0-9]*: " "$TMP/err"
expect_code 4 tally import "$FX/not-a-report.xml"
expect_grep "not-a-report.xml:2:1: not a JUnit report: the root element is <project>" "$TMP/err"
expect_code 4 tally import "$FX/xxe.xml"
expect_grep "declares the entity 'xxe'; entities are not expanded" "$TMP/err"
expect_code 4 tally import "$FX/laughs.xml"
expect_grep "declares the entity" "$TMP/err"
expect_code 4 tally import "$FX/latin1.xml"
expect_grep "latin1.xml:1:" "$TMP/err"
: > "$TMP/empty.xml"
expect_code 4 tally import "$TMP/empty.xml"
expect_grep "empty file" "$TMP/err"
expect_code 3 tally import "$TMP/nosuch.xml"
expect_code 4 tally import "$FX/basic.xml" "$FX/truncated.xml"
expect_eq "$(state)" "$s0" "nothing written or committed"
expect_code 4 tally import "$FX/basic.xml" --format trx
expect_grep "not a TRX, NUnit or xUnit.net report: the root element is <testsuites>" "$TMP/err"
expect_code 0 tally import --dry-run "$FX/basic.xml"
expect_eq "$(state)" "$s0" "a dry run writes nothing"

# invalid UTF-8 in an XML body (declared UTF-8): the byte's place
printf '<?xml version="1.0" encoding="UTF-8"?>\n<testsuite>\n  <testcase name="caf\xe9 ok"/>\n</testsuite>\n' > "$TMP/badutf8.xml"
expect_code 4 tally import "$TMP/badutf8.xml"
expect_grep "badutf8.xml:3:[0-9]*: " "$TMP/err"
# 2 GB files (sparse: no disk, no time): refused at once, in bounded memory
truncate -s 2G "$TMP/nul.tap"
expect_code 4 tally import "$TMP/nul.tap"
expect_grep "nul.tap:1:1: a line longer than 1 MiB" "$TMP/err"
printf '<testsuite>' > "$TMP/big.xml" && truncate -s 2G "$TMP/big.xml"
expect_code 4 tally import "$TMP/big.xml"
expect_grep "big.xml:1:12: not well-formed" "$TMP/err"
# JSON is parsed whole, so past 256 MiB it is refused, not loaded
{ printf '['; head -c 300000000 /dev/zero | tr '\0' ' '; printf ']'; } > "$TMP/big.json"
expect_code 4 tally import "$TMP/big.json"
expect_grep "big.json: larger than 256 MiB" "$TMP/err"
rm -f "$TMP/nul.tap" "$TMP/big.xml" "$TMP/big.json"
expect_eq "$(state)" "$s0" "nothing written or committed after refused input"
# A bulk import (256 files or more): new folders appear whole, files in
# existing folders are replaced, and the index holds each file's own stat
# data, so git sees a clean tree without re-reading a file.
new_tracker bulk
bulk_xml() { # $1 tests, $2 status word for odd tests
	echo '<testsuite name="b">'
	for i in $(seq 1 "$1"); do
		if [ $((i % 2)) = 1 ] && [ "$2" = fail ]; then
			echo "<testcase classname=\"s$((i % 7))\" name=\"t$i\"><failure message=\"m\"/></testcase>"
		else
			echo "<testcase classname=\"s$((i % 7))\" name=\"t$i\"/>"
		fi
	done
	echo '</testsuite>'
}
bulk_xml 300 pass > "$TMP/bulk1.xml"
bulk_xml 300 fail > "$TMP/bulk2.xml"
expect_code 0 tally import "$TMP/bulk1.xml" --title bulk
brun=$(ls qa/web/runs)
expect_eq "$(find qa/web/runs/$brun/results -name '*.yaml' | wc -l)" 300 "every result file"
# diff-files first: git status would refresh the index's stat data
expect_eq "$(git diff-files --name-only | wc -l)" 0 "the index's stat data is the files' own"
expect_eq "$(git status --porcelain)" "" "a clean tree"
expect_eq "$(find qa -name '.*tally*' | wc -l)" 0 "no temporary name left"
# the same tests again into the same run: every folder exists now
expect_code 0 tally import "$TMP/bulk2.xml" --run "$brun"
expect_grep "^status: failed" qa/web/runs/$brun/results/s1/t1.yaml
expect_grep "^retries:" qa/web/runs/$brun/results/s1/t1.yaml
expect_eq "$(git diff-files --name-only | wc -l)" 0 "stat data after replacing"
expect_eq "$(git status --porcelain)" "" "a clean tree after replacing"
expect_eq "$(find qa -name '.*tally*' | wc -l)" 0 "no temporary name left after replacing"
expect_code 0 tally check
# refused after 5 MB of results were read: the packs already written
# for them are taken away again, so nothing is left in .git either
packs0=$(ls .git/objects/pack | sort | tr '\n' ' ')
python3 -c '
print("<testsuite name=\"big\">")
for i in range(5000):
    print("<testcase classname=\"big\" name=\"t%d\"><failure message=\"%s\"/></testcase>" % (i, ("m%d " % i) * 250))
' > "$TMP/bulkbad.xml"
s1=$(git rev-parse HEAD)
expect_code 4 tally import "$TMP/bulkbad.xml" --title refused
expect_grep "bulkbad.xml:5002:" "$TMP/err"
expect_eq "$(ls .git/objects/pack | sort | tr '\n' ' ')" "$packs0" "no pack left by a refused import"
expect_eq "$(git rev-parse HEAD)|$(git status --porcelain)" "$s1|" "nothing committed or written"
# a linked work tree (git worktree add): its objects live in the main
# repository's folder, and a bulk import's packs must go there
git -c user.name=T -c user.email=t@t commit -q --allow-empty -m base
git worktree add -q "$TMP/wt" 2> "$TMP/err" || fail "worktree: $(cat "$TMP/err")"
(
	cd "$TMP/wt"
	expect_code 0 tally import "$TMP/bulk1.xml" --title in-worktree
	expect_eq "$(git status --porcelain)" "" "a clean linked work tree"
	expect_eq "$(git fsck --no-dangling 2>&1 | grep -v '^notice' | wc -l)" 0 "a sound repository"
	git show HEAD:qa/web/runs/$(ls qa/web/runs | grep in-worktree)/results/s1/t1.yaml > /dev/null || fail "the result in the commit"
	ok
	# history walks there too (blobs parsed through a second handle)
	tally --format json history s1/t1 > "$TMP/wt-history" || fail "history in a linked work tree"
	TALLY_NO_CACHE=1 tally --format json history s1/t1 > "$TMP/wt-history-plain"
	cmp -s "$TMP/wt-history" "$TMP/wt-history-plain" || fail "the same history with and without the cache"
	ok
	expect_grep '"result_count": 2' "$TMP/wt-history"
	echo "$PASSED" > "$TMP/passed"
) || exit 1
PASSED=$(cat "$TMP/passed")
done_testing

#!/usr/bin/env bash
# tally record: files, commits, retries, batches, attachments, caps.
. "$(dirname "$0")/lib.sh"

new_tracker rec
tally -q case new "Login" --suite auth
tally -q case new "Logout" --suite auth
tally -q case new "Refund" --suite billing
tally -q run new "R" --key r1 --suite auth

expect_code 0 tally record r1 auth/login failed -m "expected 200, got 500" --duration 1.532s \
	--type AssertionError --env browser="chromium 131" --assignee bob@example.com
f=qa/web/runs/r1/results/auth/login.yaml
expect_eq "$(cat $f)" "$(cat <<'YAML'
status: failed
duration: 1.532
assignee: bob@example.com
started: 2026-11-21T10:00:00Z
message: expected 200, got 500
type: AssertionError
environment: {browser: chromium 131}
YAML
)" "result file"
expect_eq "$(git log -1 --format=%s)" "tally: record auth/login failed in r1" "subject"
expect_eq "$(git log -1 --format='%(trailers:key=Tally-Status,valueonly)%(trailers:key=Tally-Case,valueonly)' | tr -s '\n' ' ')" "failed auth/login " "trailers"
expect_eq "$(git show --name-only --format= HEAD)" "$f" "one file"

# a retry keeps the earlier attempt; a plain record replaces it
expect_code 0 tally record r1 login passed --duration 250ms --retry
expect_eq "$(sed -n '/^retries:/,$p' $f)" "$(printf 'retries:\n- status: failed\n  duration: 1.532\n  started: 2026-11-21T10:00:00Z\n  message: expected 200, got 500\n  type: AssertionError')" "retries"
expect_code 0 tally record r1 login blocked
expect_no_grep "retries" $f
expect_grep "assignee: bob@example.com" $f
expect_eq "$(git log --format=%s -- $f | wc -l | tr -d ' ')" 3 "every version in history"
expect_code 4 tally record r1 logout passed --retry
expect_grep "no earlier result" "$TMP/err"

# several cases, one commit
n=$(commits)
expect_code 0 tally record r1 --status skipped login logout
expect_eq "$(commits)" $((n + 1)) "one commit"
expect_eq "$(git log -1 --format=%s)" "tally: record 2 cases skipped in r1" "batch subject"
expect_eq "$(git log -1 --format='%(trailers:key=Tally-Case,valueonly)' | grep -c auth/)" 2 "a trailer per case"

# selection, status and usage errors
expect_code 4 tally record r1 billing/refund passed
expect_grep "not selected in run r1 (use --add" "$TMP/err"
expect_code 0 tally record r1 billing/refund passed --add
expect_grep "billing/refund" qa/web/runs/r1/run.yaml
expect_code 2 tally record r1 login done
expect_grep "'done' is not a status" "$TMP/err"
expect_code 2 tally record r1 login
expect_code 2 tally record r1 login passed --duration soon
expect_code 3 tally record nosuch login passed
expect_code 2 tally record r1 login passed --status failed

# trace and output: cleaned, capped, the whole kept as an attachment
printf 'Error: boom\r\n  at x.ts:1\n\x01binary\xff\n' > "$TMP/trace"
python3 -c "print('line of output ' * 6000)" > "$TMP/out.txt"
echo "PNGDATA" > "$TMP/screen.png"
expect_code 0 tally record r1 logout failed --trace-file "$TMP/trace" --output-file "$TMP/out.txt" \
	--attach "$TMP/screen.png" --attach "$TMP/screen.png"
g=qa/web/runs/r1/results/auth/logout.yaml
expect_grep "^trace: |" $g
expect_grep "  at x.ts:1" $g
expect_grep "truncated at 65536 bytes; the whole is in output.log" $g
expect_eq "$(grep '^attachments' $g)" "attachments: [output.log, screen.png, screen-2.png]" "attachments"
expect_eq "$(ls qa/web/runs/r1/attachments/auth/logout | tr '\n' ' ')" "output.log screen-2.png screen.png " "attachment files"
cmp -s "$TMP/out.txt" qa/web/runs/r1/attachments/auth/logout/output.log || fail "output.log differs"
ok
expect_code 0 tally check

# the attachment cap is configurable and refused clearly
printf 'attachments:\n  max-size: 1KB\n' >> qa/tally.yaml && git commit -qam cap
head -c 5000 /dev/zero > "$TMP/big.bin"
n=$(commits)
expect_code 4 tally record r1 login failed --attach "$TMP/big.bin"
expect_grep "larger than the attachment limit of 1024 bytes" "$TMP/err"
expect_eq "$(commits)" "$n" "nothing committed"
expect_eq "$(git status --porcelain)" "" "nothing written"

# from standard input
echo "piped trace" | tally -q record r1 login failed --trace-file -
expect_grep "piped trace" $f

# a case named by its key is read alone, and so is its result: a damaged
# case elsewhere stops only what must read every case (a prefix, a title)
cp qa/web/cases/billing/refund.yaml qa/web/cases/auth/login.yaml "$TMP/"
echo "title: [unclosed" > qa/web/cases/billing/refund.yaml && git commit -qam "refund damaged"
expect_code 0 tally record r1 auth/login passed
expect_eq "$(git status --porcelain)" "" "index and work tree agree"
expect_code 4 tally record r1 Login failed
expect_grep "refund.yaml" "$TMP/err"
cp "$TMP/refund.yaml" qa/web/cases/billing/ && git commit -qam "refund mended"
expect_code 0 tally record r1 Login failed
expect_grep "status: failed" $f
# a damaged case named by its key is refused as before
echo "title: [unclosed" > qa/web/cases/auth/login.yaml && git commit -qam "login damaged"
expect_code 4 tally record r1 auth/login passed
expect_grep "login.yaml" "$TMP/err"
cp "$TMP/login.yaml" qa/web/cases/auth/ && git commit -qam "login mended"
# a case with a result is in the run even when its list does not name it
# (an import's run lists no cases)
sed -i '/billing\/refund/d' qa/web/runs/r1/run.yaml && git commit -qam "unlisted"
expect_code 0 tally record r1 billing/refund failed
expect_grep "status: failed" qa/web/runs/r1/results/billing/refund.yaml
expect_no_grep "billing/refund" qa/web/runs/r1/run.yaml
done_testing

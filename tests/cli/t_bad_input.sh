#!/usr/bin/env bash
# Bad input: a clear path:line:col error, a non-zero exit, nothing changed.
. "$(dirname "$0")/lib.sh"

new_tracker bad
tally -q case new "Good" --suite s
state() { echo "$(git rev-parse HEAD) $(git status --porcelain | tr '\n' '|')"; }
s0=$(state)

# keys that could escape or break a file system
for key in ../evil s/../../evil .hidden 'a\b' 'x:y' con s//x '/abs'; do
	expect_code 4 tally case new "x" --key "$key"
	expect_grep "invalid case key" "$TMP/err"
done
expect_code 4 tally case new "x" --key "$(printf 'tab\there')"
expect_grep "control character 0x09" "$TMP/err"
expect_code 4 tally case new "x" --suite "$(printf 'a\001b')"
expect_eq "$(state)" "$s0" "nothing changed"
expect_eq "$(find "$TMP" -name 'evil*' | wc -l | tr -d ' ')" 0 "nothing written outside"

# bad values from the command line
expect_code 2 tally case new "x" --type robot
expect_code 4 tally case new "$(printf 'two\nlines')"
expect_grep "title: expected a single line" "$TMP/err"
expect_code 4 tally case new "x" --field undeclared=1
expect_eq "$(state)" "$s0" "nothing changed"

# broken files in the tree: commands name the place, check lists them all
printf 'title: x\n  bad: indent\n' > qa/web/cases/s/syntax.yaml
printf 'title: E\npriority: urgent\n' > qa/web/cases/s/enum.yaml
printf 'title: &a [x]\ntags: [*a, *a, *a]\n' > qa/web/cases/s/bomb.yaml
python3 -c "import sys; sys.stdout.write('title: ' + 'x' * (10 << 20) + '\n')" > qa/web/cases/s/huge.yaml
printf 'title: \xff\xfe\n' > qa/web/cases/s/utf8.yaml
: > qa/web/cases/s/empty.yaml
s1=$(state)
expect_code 4 tally case list
expect_grep "^tally: qa/web/cases/s/bomb.yaml:2:8: aliases are not supported" "$TMP/err"
expect_code 1 tally check
expect_grep "^qa/web/cases/s/syntax.yaml:2:6: mapping values are not allowed" "$TMP/out"
expect_grep "^qa/web/cases/s/enum.yaml:2:11: priority: invalid value 'urgent'" "$TMP/out"
expect_grep "^qa/web/cases/s/bomb.yaml:2:8: aliases are not supported" "$TMP/out"
expect_grep "^qa/web/cases/s/huge.yaml: file is larger than the 8 MiB limit" "$TMP/out"
expect_grep "^qa/web/cases/s/utf8.yaml:1:8: " "$TMP/out"
expect_grep "^qa/web/cases/s/empty.yaml:1:1: missing required key 'title'" "$TMP/out"
expect_eq "$(wc -l < "$TMP/out" | tr -d ' ')" 6 "six problems"
expect_grep "6 problems found" "$TMP/err"
expect_code 1 tally check --format json
python3 -c "import json,sys; p=json.load(open(sys.argv[1])); assert len(p)==6 and {'path','line','col','message'}<=set(p[0])" "$TMP/out"; ok
expect_eq "$(state)" "$s1" "check changes nothing"

# a broken tally.yaml is itself reported
git checkout -q -- . && git clean -qfd
printf 'tally: 1\nfields: [oops\n' > qa/tally.yaml
expect_code 1 tally check
expect_grep "^qa/tally.yaml:3:1: " "$TMP/out"
expect_code 4 tally case list
expect_grep "qa/tally.yaml:3:1" "$TMP/err"
git checkout -q -- qa/tally.yaml
expect_code 0 tally check
expect_grep "no problems found" "$TMP/err"
done_testing

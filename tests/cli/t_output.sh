#!/usr/bin/env bash
# Lists: --grep, --field, --sort, --columns, every format, and the
# workspace view across projects.
. "$(dirname "$0")/lib.sh"

new_tracker out
cat >> qa/tally.yaml <<'YAML'
fields:
- name: component
  type: enum
  values: [auth, billing, search]
  'on': [case]
YAML
git commit -qam "fields"
tally -q case new "Login works" --suite auth --priority high --field component=auth --description "The happy path"
tally -q case new "Logout works" --suite auth --priority low --field component=auth
tally -q case new "Refund, in full" --suite billing --priority critical --field component=billing
tally -q project new mobile --title "Mobile app"
tally -q --project mobile case new "App starts" --priority medium

expect_code 0 tally case list --grep 'LOG(IN|OUT)'
expect_eq "$(cut -f1 "$TMP/out" | tr '\n' ' ')" "auth/login-works auth/logout-works " "grep is a case-insensitive regex"
expect_code 0 tally case list --grep 'happy'
expect_eq "$(cut -f1 "$TMP/out")" "auth/login-works" "grep searches descriptions"
expect_code 0 tally case list --field component=billing
expect_eq "$(cut -f1 "$TMP/out")" "billing/refund-in-full" "field filter"
expect_code 0 tally case list --sort -priority --columns key,priority
expect_eq "$(tr '\t\n' ' |' < "$TMP/out")" "auth/logout-works low|auth/login-works high|billing/refund-in-full critical|" "descending text sort"
expect_code 0 tally case list --grep works --sort title --columns title,suite --field component=auth
expect_eq "$(tr '\t\n' ' |' < "$TMP/out")" "Login works auth|Logout works auth|" "filters, sort and columns together"
expect_code 2 tally case list --sort nosuch
expect_grep "cannot sort by 'nosuch'; columns: key, project" "$TMP/err"
expect_code 2 tally case list --columns key,bogus
expect_grep "unknown column 'bogus'" "$TMP/err"
expect_code 4 tally case list --grep '('
expect_grep "invalid regular expression" "$TMP/err"

# formats
expect_code 0 tally case list --format csv --columns key,title
expect_eq "$(tr -d '\r' < "$TMP/out")" "$(printf 'key,title\nauth/login-works,Login works\nauth/logout-works,Logout works\nbilling/refund-in-full,"Refund, in full"')" "csv quoting"
expect_code 0 tally case list --format yaml --columns key,priority --sort key
expect_eq "$(head -2 "$TMP/out")" "$(printf -- '- key: auth/login-works\n  priority: high')" "yaml"
expect_code 0 tally case list --format md --columns key,title
expect_eq "$(head -3 "$TMP/out")" "$(printf '| key | title |\n|---|---|\n| auth/login-works | Login works |')" "markdown"
expect_code 0 tally case list --format json --columns key
expect_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])))' "$TMP/out")" "[{'key': 'auth/login-works'}, {'key': 'auth/logout-works'}, {'key': 'billing/refund-in-full'}]" "json with --columns"
expect_code 2 tally case list --format xml

# several projects: a choice is needed, or the workspace view
expect_code 0 tally --project mobile case list
expect_eq "$(cut -f1 "$TMP/out")" "app-starts" "--project picks"
expect_code 0 tally case list --all-projects --columns project,key
expect_eq "$(tr '\t\n' ' |' < "$TMP/out")" "mobile app-starts|web auth/login-works|web auth/logout-works|web billing/refund-in-full|" "workspace view"
expect_code 0 tally case list --all-projects --project web --columns project --format json
expect_eq "$(grep -c '"web"' "$TMP/out")" 3 "--project filters the workspace view"
expect_code 0 tally project list --format json
expect_grep '"key": "mobile"' "$TMP/out"
expect_grep '"cases": 3' "$TMP/out"
done_testing

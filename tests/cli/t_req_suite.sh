#!/usr/bin/env bash
# Requirements and suites: coverage, generated keys, guarded removal.
. "$(dirname "$0")/lib.sh"

new_tracker reqs
expect_code 0 tally req new "Users sign in" --key REQ-12 --status approved --priority high --url https://spec.example/12
expect_code 0 tally req new "Generated key"
key=$(ls qa/web/requirements | grep generated-key)
[[ "$key" =~ ^generated-key-[0-9a-hjkmnp-tv-z]{4}\.yaml$ ]] || fail "generated key $key"
ok
expect_code 4 tally req new "Again" --key REQ-12
expect_code 4 tally req new "Slash" --key a/b
tally -q case new "Login" --suite auth --req REQ-12
tally -q case new "Logout" --suite auth --req "Users sign in"
mkdir -p qa/web/cases/auth && printf 'title: Authentication\nowner: alice@example.com\n' > qa/web/cases/auth/_suite.yaml
git add qa && git commit -qm suite

expect_code 0 tally req list
expect_eq "$(grep REQ-12 "$TMP/out")" "$(printf 'REQ-12\tUsers sign in\tapproved\t2')" "coverage count"
expect_code 0 tally req list --status draft
expect_eq "$(cut -f1 "$TMP/out")" "${key%.yaml}" "status filter"
expect_code 0 tally req show REQ-12
expect_grep "Covered by 2 cases" "$TMP/out"
expect_grep "auth/logout  Logout" "$TMP/out"
expect_code 0 tally req show REQ --format json
expect_grep '"url": "https://spec.example/12"' "$TMP/out"

# removal is refused while cases cover it
expect_code 4 tally req rm REQ-12
expect_grep "covered by 2 cases" "$TMP/err"
expect_code 0 tally case edit auth/login --remove-req REQ-12
expect_code 0 tally req edit REQ-12 --status verified
expect_grep "status: verified" qa/web/requirements/REQ-12.yaml
expect_code 0 tally req rm REQ-12 --force
expect_eq "$(test -e qa/web/requirements/REQ-12.yaml && echo kept || echo gone)" gone "removed"
expect_code 1 tally check
expect_grep "requirement 'REQ-12' does not exist" "$TMP/out"

# suites
expect_code 0 tally suite list
expect_eq "$(head -1 "$TMP/out")" "$(printf 'auth\tAuthentication\t2\talice@example.com')" "suite row"
expect_code 0 tally suite show auth
expect_grep "auth/login  Login" "$TMP/out"
expect_code 0 tally suite show Authentication --format json
expect_grep '"cases": 2' "$TMP/out"
expect_code 3 tally suite show nosuch
# a suite counts the cases of the suites nested in it; a folder named
# like a suite's start is not in it
tally -q case new "Okta" --suite auth/sso
tally -q case new "Google" --suite auth/sso
tally -q case new "Other" --suite authz
expect_code 0 tally suite list --columns key,cases
expect_grep "^auth	4$" "$TMP/out"
expect_grep "^auth/sso	2$" "$TMP/out"
expect_grep "^authz	1$" "$TMP/out"
expect_code 0 tally suite show auth/sso --format json
expect_grep '"cases": 2' "$TMP/out"
# coverage counted in one pass over the cases: a case naming a
# requirement twice covers it once
gk=${key%.yaml}
printf 'title: Twice\nrequirements: [%s, %s]\n' "$gk" "$gk" > qa/web/cases/auth/twice.yaml
printf 'title: Once\nrequirements: [%s]\n' "$gk" > qa/web/cases/authz/once.yaml
expect_code 0 tally req list --columns key,cases
expect_eq "$(cat "$TMP/out")" "$gk	2" "coverage of the remaining requirement"
expect_code 0 tally req show "$gk" --format json
expect_grep '"cases": 2' "$TMP/out"
done_testing

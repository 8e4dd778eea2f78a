#!/usr/bin/env bash
# --help on every command, usage errors, --version, and completion.
. "$(dirname "$0")/lib.sh"

cmds=$(tally --help | awk '/^commands:/{f=1;next} /^$/{f=0} f{print $1 " " $2}')
[ -n "$cmds" ] || fail "no commands in --help"
while read -r name verbs; do
	case "$verbs" in
	*"|"*)
		for v in ${verbs//|/ }; do
			expect_code 0 tally "$name" "$v" --help
			expect_grep "^usage: tally $name $v" "$TMP/out"
			expect_grep "global options:" "$TMP/out"
		done ;;
	*)
		expect_code 0 tally "$name" --help
		expect_grep "^usage: tally $name" "$TMP/out" ;;
	esac
done <<< "$cmds"
expect_code 0 tally help case new
expect_grep "^usage: tally case new" "$TMP/out"
expect_code 0 tally case --help
expect_grep "show  *show a test case" "$TMP/out"

expect_code 2 tally
expect_code 2 tally nosuch
expect_grep "'nosuch' is not a tally command" "$TMP/err"
expect_code 2 tally case
expect_code 2 tally case frobnicate
expect_grep "'frobnicate' is not a case command" "$TMP/err"
expect_code 2 tally case show
expect_grep "usage: tally case show CASE" "$TMP/err"
expect_code 2 tally case list --bogus
expect_grep "unknown option '--bogus' for 'tally case list'" "$TMP/err"
expect_code 2 tally case new
expect_code 2 tally --format
expect_code 0 tally --version
expect_grep "^tally [0-9]*\.[0-9]*\.[0-9]* (libgit2 " "$TMP/out"

# completion: candidates, then a directive line
new_tracker comp
tally -q case new "Login" --suite auth
tally -q req new "R" --key REQ-1
expect_code 0 tally __complete ""
expect_grep "^case$" "$TMP/out"
expect_no_grep "__complete" "$TMP/out"
expect_eq "$(tail -1 "$TMP/out")" ":4" "directive"
expect_code 0 tally __complete case ""
expect_eq "$(head -n -1 "$TMP/out" | tr '\n' ' ')" "new list show edit rm mv " "verbs"
expect_code 0 tally __complete case show ""
expect_eq "$(head -n -1 "$TMP/out")" "auth/login" "case keys"
expect_code 0 tally __complete req edit R
expect_eq "$(head -n -1 "$TMP/out")" "REQ-1" "requirement keys"
expect_code 0 tally __complete case list --format ""
expect_eq "$(head -n -1 "$TMP/out" | tr '\n' ' ')" "table json yaml csv md " "option values"
expect_code 0 tally __complete case new --pri
expect_eq "$(head -n -1 "$TMP/out")" "--priority" "options"
expect_code 0 tally __complete case new --priority ""
expect_eq "$(head -n -1 "$TMP/out" | tr '\n' ' ')" "low medium high critical " "enum values"

# the shell scripts are valid and use the binary
bash -n "$TALLY_TESTS/../completions/tally.bash"; ok
( . "$TALLY_TESTS/../completions/tally.bash"
  tally() { "$TALLY" "$@"; }
  COMP_WORDS=(tally case sh); COMP_CWORD=2; _tally
  [ "${COMPREPLY[*]}" = "show" ] || fail "bash completion gave: ${COMPREPLY[*]}" ); ok
if command -v zsh >/dev/null; then zsh -n "$TALLY_TESTS/../completions/_tally"; ok; fi
if command -v fish >/dev/null; then fish -n "$TALLY_TESTS/../completions/tally.fish"; ok; fi
done_testing

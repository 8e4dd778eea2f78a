# Shared by the end-to-end tests: a throwaway HOME and repo per script,
# fixed dates and authors, and small assertion helpers. Sourced, not run.
set -euo pipefail
: "${TALLY:?set TALLY to the tally binary}"
export LC_ALL=C TZ=UTC NO_COLOR=1 GIT_CONFIG_NOSYSTEM=1
unset VISUAL EDITOR GIT_DIR GIT_WORK_TREE || true
TMP=$(mktemp -d /tmp/tally-cli-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
export HOME=$TMP/home
mkdir -p "$HOME"
git config --global init.defaultBranch main
git config --global user.name "Alice Tester"
git config --global user.email alice@example.com
export GIT_AUTHOR_DATE="2026-11-21T10:00:00Z" GIT_COMMITTER_DATE="2026-11-21T10:00:00Z"
PASSED=0

tally() { "$TALLY" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { PASSED=$((PASSED + 1)); }
# expect_eq ACTUAL EXPECTED WHAT
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected [$2], got [$1]"; ok; }
# expect_code CODE CMD... : runs CMD, output in $TMP/out and $TMP/err
expect_code() {
	local want=$1 got
	shift
	set +e
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	set -e
	[ "$got" = "$want" ] || fail "exit $got (want $want) from: $* :: $(cat "$TMP/err")"
	ok
}
expect_grep() { grep -q -- "$1" "$2" || fail "'$1' not in $2: $(cat "$2")"; ok; }
expect_no_grep() { ! grep -q -- "$1" "$2" || fail "'$1' unexpectedly in $2"; ok; }
new_repo() {
	mkdir -p "$TMP/r/$1"
	cd "$TMP/r/$1"
	git init -q
}
# new_tracker DIR: a repo with a tracker in qa/ and project web
new_tracker() {
	new_repo "$1"
	tally -q init --project web >/dev/null
}
commits() { git rev-list --count HEAD 2>/dev/null || echo 0; }
done_testing() { echo "$PASSED passed, 0 failed"; }

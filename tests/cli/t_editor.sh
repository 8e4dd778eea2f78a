#!/usr/bin/env bash
# case edit and req edit with no flags open $EDITOR, validate, then commit;
# an invalid edit is refused and left in the file, uncommitted.
. "$(dirname "$0")/lib.sh"

new_tracker editor
tally -q case new "Edit me" --suite e --priority low
tally -q req new "A requirement" --key REQ-1
f=qa/web/cases/e/edit-me.yaml
mk_editor() { printf '#!/bin/sh\n%s\n' "$1" > "$TMP/ed" && chmod +x "$TMP/ed"; }

# a valid edit: one commit, and the file is written in canonical form
mk_editor 'printf "x-note: kept\npriority: high\ntitle: Edited\n" > "$1"'
n=$(commits)
EDITOR="$TMP/ed" expect_code 0 tally case edit e/edit-me
expect_eq "$(commits)" $((n + 1)) "one commit"
expect_eq "$(cat $f)" "$(printf 'title: Edited\npriority: high\nx-note: kept')" "canonical order, unknown key kept"
expect_eq "$(git status --porcelain)" "" "clean"

# an invalid edit: refused, the text stays, nothing committed
mk_editor 'printf "title: Edited\npriority: urgent\n" > "$1"'
n=$(commits)
EDITOR="$TMP/ed" expect_code 4 tally case edit e/edit-me
expect_grep "qa/web/cases/e/edit-me.yaml:2:11: priority: invalid value 'urgent'" "$TMP/err"
expect_grep "the edit was not committed" "$TMP/err"
expect_eq "$(commits)" "$n" "nothing committed"
expect_eq "$(cat $f)" "$(printf 'title: Edited\npriority: urgent')" "the user's text is kept"
git checkout -q -- "$f"

# broken YAML from the editor is refused the same way
mk_editor 'printf "title: [oops\n" > "$1"'
VISUAL="$TMP/ed" EDITOR=false expect_code 4 tally case edit e/edit-me
expect_grep "qa/web/cases/e/edit-me.yaml:2:1:" "$TMP/err"
git checkout -q -- "$f"

# no change: no commit
n=$(commits)
EDITOR=true expect_code 0 tally case edit e/edit-me
expect_grep "no change" "$TMP/err"
expect_eq "$(commits)" "$n" "no commit"

# an editor that fails: nothing committed
EDITOR=false expect_code 1 tally case edit e/edit-me
expect_grep "the editor 'false' failed" "$TMP/err"

# requirements too
mk_editor 'printf "title: Renamed\nstatus: approved\n" > "$1"'
EDITOR="$TMP/ed" expect_code 0 tally req edit REQ-1
expect_eq "$(cat qa/web/requirements/REQ-1.yaml)" "$(printf 'title: Renamed\nstatus: approved')" "requirement edited"
done_testing

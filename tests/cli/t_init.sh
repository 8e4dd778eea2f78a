#!/usr/bin/env bash
# tally init: files, one commit, refusal to re-init, a new repository.
. "$(dirname "$0")/lib.sh"

new_repo init
expect_code 0 tally init --project web --name "Acme QA"
expect_grep "Initialized a tally tracker in qa/ with project 'web'" "$TMP/out"
expect_eq "$(commits)" 1 "one commit"
expect_eq "$(cat qa/tally.yaml)" "$(printf 'tally: 1\nname: Acme QA\ndefault-project: web')" "tally.yaml"
expect_eq "$(cat qa/web/project.yaml)" "title: web" "project.yaml"
expect_eq "$(git log -1 --format=%s)" "tally: init tracker in qa/" "subject"
expect_eq "$(git log -1 --format='%(trailers:key=Tally-Action,valueonly)' | head -1)" "init" "trailer"
expect_eq "$(git log -1 --format='%an <%ae> %aI')" "Alice Tester <alice@example.com> 2026-11-21T10:00:00+00:00" "author and date"
expect_eq "$(git status --porcelain)" "" "clean work tree"

# a second init is refused and changes nothing
expect_code 4 tally init
expect_grep "qa/tally.yaml exists" "$TMP/err"
expect_eq "$(commits)" 1 "no second commit"

# outside any repository: init makes one
mkdir -p "$TMP/fresh" && cd "$TMP/fresh"
expect_code 0 tally init tests
expect_grep "Initialized an empty git repository" "$TMP/out"
expect_eq "$(ls tests)" "$(printf 'fresh\ntally.yaml')" "default project named after the folder"
expect_eq "$(git rev-list --count HEAD)" 1 "committed"

# the tracker is found from anywhere inside it
cd "$TMP/r/init/qa/web"
expect_code 0 tally project list
expect_grep "web" "$TMP/out"

# -C runs as if started there; --color always colours even on a pipe
cd "$TMP"
expect_code 0 tally -C "$TMP/r/init" case new "Via -C" --suite c
expect_eq "$(git -C "$TMP/r/init" log -1 --format=%s)" "tally: new case c/via-c" "-C"
expect_code 0 tally -C "$TMP/r/init" --color always check
expect_eq "$(cat "$TMP/out")" "" "check prints nothing on stdout when clean"
expect_code 0 tally -C "$TMP/r/init" case show via-c --color always
expect_grep "$(printf '\033\[1mc/via-c')" "$TMP/out"
expect_code 0 tally -C "$TMP/r/init" case show via-c
expect_no_grep "$(printf '\033')" "$TMP/out"
expect_code 3 tally -C "$TMP/nowhere" case list
expect_grep "cannot change to" "$TMP/err"

# no tracker: not found, with a hint
new_repo empty
expect_code 3 tally case list
expect_grep "no tracker here" "$TMP/err"
expect_grep "tally init" "$TMP/err"

# JSON
cd "$TMP" && mkdir j && cd j && git init -q
expect_code 0 tally init --format json --project p1
expect_grep '"project": "p1"' "$TMP/out"
expect_grep '"commit": "[0-9a-f]\{40\}"' "$TMP/out"
done_testing

#!/usr/bin/env bash
# The commit protocol seen from git: only tally's paths, staged work kept,
# untouched files untouched, --no-commit, --author, detached HEAD.
. "$(dirname "$0")/lib.sh"

new_tracker proto
echo "base" > app.c && echo "docs" > README && git add app.c README && git commit -qm base
echo "staged change" >> README && git add README
echo "new staged file" > NEW && git add NEW
echo "unstaged change" >> app.c
echo "untracked" > scratch.txt
sums=$(sha1sum app.c README NEW scratch.txt)
index_before=$(git ls-files -s README NEW app.c)

expect_code 0 tally case new "A case" --suite s
expect_eq "$(git show --name-only --format= HEAD)" "qa/web/cases/s/a-case.yaml" "only tally's file in the commit"
expect_eq "$(sha1sum app.c README NEW scratch.txt)" "$sums" "files tally did not touch are untouched"
expect_eq "$(git ls-files -s README NEW app.c)" "$index_before" "staged work is still staged"
expect_eq "$(git status --porcelain | sort | tr '\n' '|')" " M app.c|?? scratch.txt|A  NEW|M  README|" "status"

# --no-commit stages instead
n=$(commits)
expect_code 0 tally --no-commit case new "Staged only" --suite s
expect_grep "staged, not committed" "$TMP/out"
expect_eq "$(commits)" "$n" "no commit"
expect_eq "$(git diff --cached --name-only | sort | tr '\n' ' ')" "NEW README qa/web/cases/s/staged-only.yaml " "staged"
git reset -q && git checkout -q -- . && rm -f qa/web/cases/s/staged-only.yaml NEW

# --author, and GIT_AUTHOR_* over git config
expect_code 0 tally case new "By Bob" --suite s --author "Bob Builder <bob@example.com>"
expect_eq "$(git log -1 --format='%an <%ae>|%cn')" "Bob Builder <bob@example.com>|Alice Tester" "--author"
GIT_AUTHOR_NAME="Carol" GIT_AUTHOR_EMAIL=carol@example.com expect_code 0 tally case new "By Carol" --suite s
expect_eq "$(git log -1 --format='%an <%ae>')" "Carol <carol@example.com>" "environment"
expect_code 2 tally case new "Bad author" --author "nobody"
expect_grep 'takes "Name <email>"' "$TMP/err"

# detached HEAD: HEAD moves, the branch does not
git checkout -q --detach
b=$(git rev-parse main)
expect_code 0 tally case new "Detached" --suite s
expect_eq "$(git rev-parse main)" "$b" "branch unmoved"
expect_eq "$(git log -1 --format=%s HEAD)" "tally: new case s/detached" "HEAD moved"
git checkout -q main

# an unborn branch in a repo where tally.yaml was only staged
new_repo unborn
mkdir qa && printf 'tally: 1\n' > qa/tally.yaml && mkdir qa/p && printf 'title: P\n' > qa/p/project.yaml
git add qa
expect_code 0 tally case new "First" --suite s
expect_eq "$(git ls-tree -r --name-only HEAD)" "qa/p/cases/s/first.yaml" "first commit holds only tally's path"
expect_eq "$(git status --porcelain | sort | tr '\n' '|')" "A  qa/p/project.yaml|A  qa/tally.yaml|" "the rest stays staged"

# no identity at all
new_repo noident
git config --global --unset user.name
git config --global --unset user.email
expect_code 2 tally init
expect_grep "no author" "$TMP/err"
expect_eq "$(test -e qa/tally.yaml && echo written || echo none)" "none" "nothing is written before the identity is known"
done_testing

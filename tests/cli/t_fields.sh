#!/usr/bin/env bash
# Custom fields from tally.yaml, validated on every write.
. "$(dirname "$0")/lib.sh"

new_tracker fields
cat >> qa/tally.yaml <<'YAML'
fields:
- name: component
  type: enum
  values: [auth, billing]
  'on': [case]
  required: true
- name: ticket
  type: text
  pattern: ^[A-Z]+-[0-9]+$
  'on': [requirement]
- name: estimate
  type: number
  'on': [case]
YAML
git commit -qam fields
expect_code 4 tally case new "No component"
expect_grep "field 'component': is required and missing" "$TMP/err"
expect_code 4 tally case new "Bad component" --field component=search
expect_grep "'search' is not one of: auth billing" "$TMP/err"
expect_code 4 tally case new "Bad number" --field component=auth --field estimate=lots
expect_code 0 tally case new "Good" --field component=auth --field estimate=2.5
expect_grep "fields: {component: auth, estimate: 2.5}" qa/web/cases/good.yaml
expect_code 4 tally req new "R" --field ticket=qa-1
expect_grep "does not match the pattern" "$TMP/err"
expect_code 0 tally req new "R" --key R1 --field ticket=QA-1
expect_code 0 tally case list --field component=auth --format json
expect_grep '"estimate": 2.5' "$TMP/out"
# removing a required field is refused; removing an optional one is not
expect_code 4 tally case edit good --field component=
expect_code 0 tally case edit good --field estimate=
expect_eq "$(grep fields qa/web/cases/good.yaml)" "fields: {component: auth}" "removed"
# a file edited by hand is checked too
printf 'title: Hand\nfields: {component: billing, colour: red}\n' > qa/web/cases/hand.yaml
expect_code 1 tally check
expect_grep "qa/web/cases/hand.yaml:2:38: unknown custom field 'colour'" "$TMP/out"
done_testing

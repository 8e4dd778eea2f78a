#!/usr/bin/env bash
# Defects: local ones with keys, external ones by pattern, links.
. "$(dirname "$0")/lib.sh"

new_tracker def
printf 'defects:\n  pattern: \\b[A-Z][A-Z0-9]+-[0-9]+\\b\n  url: https://tracker.example/browse/{key}\n' >> qa/tally.yaml
git commit -qam defects
tally -q case new "Pay" --suite b
tally -q case new "Refund" --suite b
tally -q run new "R" --key r1 --suite b
tally -q record r1 --status failed pay refund

expect_code 0 tally defect new "Checkout returns 500" --severity critical --url https://x.example/1
key=$(ls qa/web/defects | sed 's/\.yaml$//')
[[ "$key" =~ ^checkout-returns-500-[0-9a-hjkmnp-tv-z]{4}$ ]] || fail "defect key $key"
ok
expect_eq "$(cat qa/web/defects/$key.yaml)" "$(printf 'title: Checkout returns 500\nseverity: critical\nstatus: open\nurl: https://x.example/1\ncreated: 2026-11-21T10:00:00Z')" "defect file"

expect_code 0 tally defect link r1:pay checkout
expect_code 0 tally defect link r1:b/refund "Checkout returns 500"
expect_code 0 tally defect link r1:pay BUG-7
expect_eq "$(grep defects qa/web/runs/r1/results/b/pay.yaml)" "defects: [$key, BUG-7]" "links"
expect_eq "$(git log -1 --format=%s)" "tally: link BUG-7 to r1:b/pay" "subject"
expect_code 4 tally defect link r1:pay BUG-7
expect_grep "linked already" "$TMP/err"
expect_code 3 tally defect link r1:pay "not a key"
expect_grep "does not match defects.pattern" "$TMP/err"
expect_code 2 tally defect link r1-pay BUG-7
expect_grep "a case run is RUN:CASE" "$TMP/err"
tally -q case new "Never run" --suite b
expect_code 3 tally defect link r1:never-run BUG-7

expect_code 0 tally run show r1 --format json
python3 - "$TMP/out" "$key" <<'PY'
import json, sys
c = {x["case"]: x for x in json.load(open(sys.argv[1]))["cases"]}
assert c["b/pay"]["defect_links"] == [
    {"key": sys.argv[2], "local": True, "url": "https://x.example/1"},
    {"key": "BUG-7", "local": False, "url": "https://tracker.example/browse/BUG-7"}], c["b/pay"]
PY
ok
expect_code 0 tally run show r1
expect_grep "defects: $key <https://x.example/1>, BUG-7 <https://tracker.example/browse/BUG-7>" "$TMP/out"
expect_code 0 tally defect show checkout --format json
python3 - "$TMP/out" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
assert o["linked"] == 2 and o["status"] == "open" and o["severity"] == "critical"
assert sorted(r["case"] for r in o["results"]) == ["b/pay", "b/refund"]
PY
ok
expect_code 0 tally defect list --columns key,linked
expect_eq "$(cat "$TMP/out")" "$(printf '%s\t2' "$key")" "list"

# links in many runs (read two runs at a time): all of them, in the runs'
# order, each with its own run's status
for r in r2 r3 r4 r5 r6; do
	tally -q run new "R" --key "$r" --suite b
	tally -q record "$r" --status passed refund
	tally -q defect link "$r:refund" checkout
done
tally -q record r4 --status blocked refund
expect_code 0 tally defect show checkout --format json
python3 - "$TMP/out" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
got = [(r["run"], r["case"], r["status"]) for r in o["results"]]
assert o["linked"] == 7, o["linked"]
assert got == [("r1", "b/pay", "failed"), ("r1", "b/refund", "failed")] + [
    (r, "b/refund", "blocked" if r == "r4" else "passed")
    for r in ("r2", "r3", "r4", "r5", "r6")], got
PY
ok
for r in r2 r3 r4 r5 r6; do tally -q defect unlink "$r:refund" checkout; done

expect_code 4 tally defect rm checkout
expect_grep "linked to 2 case runs" "$TMP/err"
expect_code 0 tally defect unlink r1:pay checkout
expect_code 3 tally defect unlink r1:pay checkout
expect_code 0 tally defect close checkout --status wontfix
expect_grep "status: wontfix" qa/web/defects/$key.yaml
expect_code 4 tally defect close checkout --status wontfix
expect_code 0 tally defect edit checkout --status open --severity major
expect_code 0 tally defect list --status open --severity major --columns key
expect_eq "$(cat "$TMP/out")" "$key" "filters"
expect_code 0 tally defect rm checkout --force
expect_eq "$(ls qa/web/defects 2>/dev/null | wc -l | tr -d ' ')" 0 "removed"
done_testing

#!/usr/bin/env bash
# run analyze: progress over time, ownership, hotspots, defect signals.
. "$(dirname "$0")/lib.sh"

new_tracker ana
printf 'defects:\n  pattern: ^X-[0-9]+$\n' >> qa/tally.yaml && git commit -qam pattern
for t in a b c; do tally -q case new "Pay $t" --suite billing; done
tally -q case new "Login" --suite auth
tally -q run new "Before" --key before --suite billing
GIT_AUTHOR_DATE=2026-11-20T09:00:00Z tally -q record before --status failed pay-a pay-b
tally -q run new "Now" --key now --suite billing --case login --assign pay-a=bob --assign login=carol
GIT_AUTHOR_DATE=2026-11-21T09:00:00Z tally -q record now pay-a failed -m boom
GIT_AUTHOR_DATE=2026-11-21T10:00:00Z tally -q record now pay-b failed --defect X-1
GIT_AUTHOR_DATE=2026-11-22T09:00:00Z tally -q record now pay-c failed --defect X-1
tally -q defect new "Login server down" --key down
GIT_AUTHOR_DATE=2026-11-22T10:00:00Z tally -q record now login blocked --defect down

expect_code 0 tally run analyze now --format json
python3 - "$TMP/out" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
assert set(o) >= {"progress", "ownership", "hotspots", "defect_signals"}, set(o)
p = o["progress"]
assert p["counts"]["failed"] == 3 and p["counts"]["blocked"] == 1 and p["executed"] == 4
days = [(d["date"], d["newly_executed"], d["executed"]) for d in p["per_day"]]
assert days == [("2026-11-21", 2, 2), ("2026-11-22", 2, 4)], days
own = {r["assignee"]: r for r in o["ownership"]}
assert own["bob"]["assigned"] == 1 and own["bob"]["failed"] == 1
assert own["carol"]["blocked"] == 1 and own[None]["assigned"] == 2
h = o["hotspots"]
assert h["suites"][0] == {"suite": "billing", "failed": 3, "executed": 3, "failure_rate_pct": 100}
assert h["previous_run"] == "before"
assert sorted(r["case"] for r in h["recurring_failures"]) == ["billing/pay-a", "billing/pay-b"]
s = o["defect_signals"]
assert s["failures_without_defect"] == ["billing/pay-a"]
assert s["defects_with_several_failures"] == [{"defect": "X-1", "failures": 2,
    "cases": ["billing/pay-b", "billing/pay-c"]}], s
assert s["blocked_by_open_defects"] == [{"case": "auth/login", "defect": "down", "defect_status": "open"}]
assert s["new_failures"] == ["billing/pay-c"]
assert s["known_failures"] == ["billing/pay-a", "billing/pay-b"]
PY
ok
expect_code 0 tally run analyze now
expect_grep "^Ownership" "$TMP/out"
expect_grep "2026-11-22  2 recorded, 2 newly executed, 4 in all" "$TMP/out"
expect_code 2 tally run analyze
expect_code 2 tally run analyze now --release x
done_testing

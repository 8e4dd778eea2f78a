#!/usr/bin/env bash
# Import benchmark (run by hand, not a test): generates JUnit files with
# 1k, 10k and 100k tests, imports each into a fresh tracker, and prints
# wall time and peak memory beside python's xml.etree iterparse over the
# same file (the raw-parse baseline), as ratios.
#   tests/bench/import.sh [path/to/tally] [sizes...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tally=${1:-$here/../../build/tally}
shift || true
sizes=${*:-1000 10000 100000}
work=$(mktemp -d /tmp/tally-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid

measure() { # prints "seconds KB"
	/usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
	cat "$work/time"
}

printf '%-8s %10s %12s %10s %12s %9s %9s\n' tests "tally s" "tally MB" "iterparse s" "iterparse MB" "time x" "mem x"
for n in $sizes; do
	f="$work/junit-$n.xml"
	python3 "$here/gen_junit.py" "$n" > "$f"
	read -r ps pk < <(measure python3 -c '
import sys, xml.etree.ElementTree as ET
n = 0
for ev, el in ET.iterparse(sys.argv[1]):
    if el.tag == "testcase":
        n += 1
        el.clear()
' "$f")
	repo="$work/repo-$n"
	mkdir -p "$repo" && git -C "$repo" init -q
	(cd "$repo" && "$tally" -q init --project bench)
	read -r ts tk < <(cd "$repo" && measure "$tally" -q import "$f" --title "bench $n")
	[ "$(git -C "$repo" rev-list --count HEAD)" = 2 ] || { echo "import did not commit" >&2; exit 1; }
	awk -v n="$n" -v ts="$ts" -v tk="$tk" -v ps="$ps" -v pk="$pk" 'BEGIN {
		printf "%-8d %10.2f %12.1f %10.2f %12.1f %9.2f %9.2f\n", n, ts, tk/1024, ps, pk/1024, ts/ps, tk/pk }'
done

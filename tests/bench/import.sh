#!/usr/bin/env bash
# Import benchmark (run by hand, not a test): generates JUnit files with
# 1k, 10k and 100k tests, imports each into a fresh tracker, and prints
# wall time and peak memory beside python's xml.etree iterparse over the
# same file (the raw-parse baseline), as ratios, and the file system's
# floor: the time python takes to create as many small files (a case and
# a result per test, each written to a temporary name and renamed) in the
# same place. Then, on the tracker the largest import made, the commands a
# team runs on a run that size (no baseline: each should stay a few
# seconds, linear in the files it reads; a quadratic step shows here
# first). With ALLURE set to an Allure 3 command line (npm install
# allure@3: node_modules/.bin/allure), `allure generate` on the same file
# (its JUnit reader, into an HTML report) is timed beside each import.
#   tests/bench/import.sh [path/to/tally] [sizes...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tally=${1:-$here/../../build/tally}
shift || true
sizes=${*:-1000 10000 100000}
work=$(mktemp -d "${TMPDIR:-/tmp}/tally-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid

measure() { # prints "seconds KB" (tests/bench/measure.py)
	python3 "$here/measure.py" "$@" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
}

printf '%-8s %10s %10s %12s %10s %12s %9s %9s\n' tests "tally s" "floor s" "tally MB" "iterparse s" "iterparse MB" "time x" "mem x"
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
	read -r fs fk < <(measure python3 -c '
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for sub in ("cases/c", "runs/r/results/c"):
    os.makedirs(os.path.join(d, sub))
data = b"status: passed\nduration: 0.5\nstarted: 2026-11-21T10:00:00Z\n"
for i in range(n):
    for sub in ("cases/c", "runs/r/results/c"):
        p = os.path.join(d, sub, "t%d.yaml" % i)
        fd = os.open(p + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, data)
        os.close(fd)
        os.rename(p + ".tmp", p)
' "$work/floor-$n" "$n")
	repo="$work/repo-$n"
	mkdir -p "$repo" && git -C "$repo" init -q
	(cd "$repo" && "$tally" -q init --project bench)
	read -r ts tk < <(cd "$repo" && measure "$tally" -q import "$f" --title "bench $n")
	[ "$(git -C "$repo" rev-list --count HEAD)" = 2 ] || { echo "import did not commit" >&2; exit 1; }
	awk -v n="$n" -v ts="$ts" -v fs="$fs" -v tk="$tk" -v ps="$ps" -v pk="$pk" 'BEGIN {
		printf "%-8d %10.2f %10.2f %12.1f %10.2f %12.1f %9.2f %9.2f\n", n, ts, fs, tk/1024, ps, pk/1024, ts/ps, tk/pk }'
	if [ -n "${ALLURE:-}" ]; then
		mkdir -p "$work/allure-$n" && cp "$f" "$work/allure-$n/"
		read -r as ak < <(measure "$ALLURE" generate "$work/allure-$n" -o "$work/allure-report-$n")
		awk -v n="$n" -v ts="$ts" -v tk="$tk" -v as="$as" -v ak="$ak" 'BEGIN {
			printf "%-8d allure generate %.2f s, %.1f MB: tally %.3f of its time, %.3f of its memory\n", n, as, ak/1024, ts/as, tk/ak }'
		rm -rf "$work/allure-report-$n" "$work/allure-$n"
	fi
done

# the commands on the last (largest) tracker
cd "$repo"
run=$("$tally" --format csv run list --columns key | sed -n 2p | tr -d '\r')
# (sed reads the whole list: with head, git dies of SIGPIPE and pipefail
# ends the script)
one=$(git ls-files "*/runs/$run/results/*" | sed -n '1{s|.*/results/||; s|\.yaml$||; p;}')
python3 "$here/gen_junit.py" 1000 > "$work/again.xml"
printf '\n%-44s %10s %12s\n' "on the $n-test tracker" "tally s" "tally MB"
for cmd in "check" "case list" "suite list" "run list" "run show $run" \
	"export $run --format junit" "export $run --format md" \
	"run analyze $run" "run new bench-selection --suite com" \
	"record $run $one failed -m again" \
	"import $work/again.xml --run $run"; do
	read -r cs ck < <(measure "$tally" -q $cmd)
	label=${cmd//$work\//}; label=${label//$run/RUN}
	awk -v c="$label" -v cs="$cs" -v ck="$ck" 'BEGIN {
		printf "%-44s %10.2f %12.1f\n", substr(c, 1, 44), cs, ck/1024 }'
done

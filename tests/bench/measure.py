#!/usr/bin/env python3
"""measure.py [--fresh] CMD...: runs CMD once, its output discarded, and
prints "SECONDS PEAK_KB": the wall time from spawning it to its exit and its
peak resident memory (from wait4). --fresh deletes .git/tally first, before
the clock starts (a cold query without the deletion in its time).

The clock reads nothing of the harness's own: bash's $(date) around
/usr/bin/time had added 25 ms to every command measured, a third of a warm
query. What is left (a fork and an exec) is printed by the scripts as the
time of /bin/true."""
import os
import shutil
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    if args and args[0] == "--fresh":
        shutil.rmtree(".git/tally", ignore_errors=True)
        args = args[1:]
    if not args:
        sys.exit("usage: measure.py [--fresh] CMD...")
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        sys.exit("%s: exit %d" % (args[0], child.returncode))
    print("%.4f %d" % (seconds, usage.ru_maxrss))


main()

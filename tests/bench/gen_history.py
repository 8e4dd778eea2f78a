#!/usr/bin/env python3
"""Generate a tracker repository with planted behaviour through git fast-import.

    gen_history.py DIR [--cases N] [--runs M] [--manual K] [--manual-results R]
                       [--seed S] [--end 2026-11-20T00:00:00Z] [--days D]

DIR becomes a git repository with a tracker in qa/ (project "web") whose
history is what tally itself would have written: one commit per imported
automated run, and K manual runs recorded one result per commit, as a tester
at a keyboard does. Every case belongs to one planted class:

  flaky      fails at random (p 0.15..0.35) on any revision; half of the
             failures are retried in the same run and pass (pass on retry)
  retry      always ends passed, but 1 run in 4 needed a retry
  regressed  passes until one revision, fails on every run from it on
  slower     passes, three times slower from one revision on (late in
             the history, so that it is a duration regression at the head)
  broken     fails on every run
  stable     passes

Revisions advance with each run, except that 1 run in 4 is a rerun on the
revision of the run before it (the same-code evidence METRICS.md relies on).
DIR/.git/truth.json lists each class and, for regressed cases, the culprit range
(last passing revision..first failing revision) and, for slower cases, the
first slow revision. Deterministic for a seed.
"""
import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
from datetime import datetime, timedelta, timezone

AUTO = "Build Bot <ci@example.com>"
TESTER = "Tess Manual <tess@example.com>"


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def rev_of(i):
    return hashlib.sha1(b"rev-%d" % i).hexdigest()


class Stream:
    """A git fast-import stream, written as we go (memory stays flat)."""

    def __init__(self, out):
        self.out = out
        self.n = 0

    def commit(self, who, when, subject, trailers, files):
        self.n += 1
        msg = ("tally: %s\n\n%s" % (subject, trailers)).encode()
        ts = "%d +0000" % int(when.timestamp())
        w = self.out.write
        w(b"commit refs/heads/main\n")
        w(b"author %s %s\n" % (who.encode(), ts.encode()))
        w(b"committer %s %s\n" % (who.encode(), ts.encode()))
        w(b"data %d\n%s\n" % (len(msg), msg))
        for path, text in files:
            data = text.encode()
            w(b"M 100644 inline qa/%s\ndata %d\n%s\n" % (path.encode(), len(data), data))
        w(b"\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--cases", type=int, default=400)
    ap.add_argument("--runs", type=int, default=500)
    ap.add_argument("--manual", type=int, default=50)
    ap.add_argument("--manual-results", type=int, default=90)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--end", default="2026-11-20T00:00:00Z")
    ap.add_argument("--days", type=float, default=60)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    end = datetime.strptime(a.end, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    start = end - timedelta(days=a.days)

    # the cases and their classes
    shares = [("flaky", 0.04), ("retry", 0.02), ("regressed", 0.02),
              ("slower", 0.02), ("broken", 0.01)]
    keys = ["mod%d/Suite%d/test_%03d" % (i % 7, i % 13, i) for i in range(a.cases)]
    order = list(range(a.cases))
    rnd.shuffle(order)
    klass = ["stable"] * a.cases
    at = 0
    for name, share in shares:
        for _ in range(max(1, round(share * a.cases))):
            klass[order[at]] = name
            at += 1
    p_fail = [rnd.uniform(0.15, 0.35) for _ in range(a.cases)]
    base = [rnd.uniform(0.05, 2.0) for _ in range(a.cases)]

    # the runs in time order: automated imports and manual sessions
    total = a.runs + a.manual
    manual_at = set(rnd.sample(range(total), a.manual)) if a.manual else set()
    step = (end - start) / max(total, 1)
    revision = 0
    revs = []  # revision index of each run
    for i in range(total):
        if i and rnd.random() < 0.25:
            revs.append(revision)  # a rerun on the same code
        else:
            revision += 1
            revs.append(revision)
    nrev = revision
    change = {}  # case -> revision index where it regresses or slows
    for c in range(a.cases):
        if klass[c] == "regressed":
            change[c] = rnd.randint(int(nrev * 0.75), int(nrev * 0.9))
        elif klass[c] == "slower":
            # late enough that the 30 samples before the last 5 are fast
            change[c] = revs[max(0, total - rnd.randint(8, 12))]

    def outcome(c, rev):
        """(status, retries) of case c at revision index rev."""
        k = klass[c]
        if k == "broken" or (k == "regressed" and rev >= change[c]):
            return "failed", []
        if k == "flaky" and rnd.random() < p_fail[c]:
            if rnd.random() < 0.5:
                return "passed", [("failed", "connection reset by peer")]
            return "failed", []
        if k == "retry" and rnd.random() < 0.25:
            return "passed", [("failed", "timeout after 30s waiting for lock")]
        return "passed", []

    def duration(c, rev):
        d = base[c] * rnd.uniform(0.9, 1.1)
        if klass[c] == "slower" and rev >= change[c]:
            d *= 3
        return round(d, 3)

    def result(c, rev, when):
        status, retries = outcome(c, rev)
        lines = ["status: %s" % status]
        if status == "passed":
            lines.append("duration: %s" % duration(c, rev))
        lines.append("started: %s" % iso(when))
        if status == "failed":
            if klass[c] == "slower" and rev >= change[c]:
                slow_from.setdefault(c, sha)
            if klass[c] == "regressed":
                lines.append("message: expected 200, got %d" % (500 + c % 4))
            else:
                lines.append("message: assertion failed in step %d" % rnd.randint(1, 9))
        if retries:
            lines.append("retries:")
            for st, msg in retries:
                lines.append("- {status: %s, message: %s}" % (st, msg))
        return status, "\n".join(lines) + "\n"

    os.makedirs(a.dir, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", a.dir], check=True)
    # fast-import trims its heap after every object; on virtual machines
    # where page faults are dear that alone costs 10x the run time
    env = dict(os.environ, MALLOC_TOP_PAD_="268435456",
               MALLOC_TRIM_THRESHOLD_="536870912")
    fi = subprocess.Popen(["git", "-C", a.dir, "fast-import", "--quiet"],
                          stdin=subprocess.PIPE, env=env)
    s = Stream(fi.stdin)
    files = [("tally.yaml", "tally: 1\nname: web\ndefault-project: web\n"),
             ("web/project.yaml", "title: web\n")]
    s.commit(AUTO, start - timedelta(days=1), "init tracker in qa/",
             "Tally-Action: init\nTally-Project: web\n", files)
    s.commit(AUTO, start - timedelta(hours=1), "add %d cases" % a.cases,
             "Tally-Action: case-add\nTally-Project: web\n",
             [("web/cases/%s.yaml" % k,
               "title: %s\ntype: automated\npriority: medium\nautomation: %s\n"
               % (k.rsplit("/", 1)[1], k.replace("/", ".")))
              for k in keys])

    nres = 0
    last_pass = {}
    culprit = {}
    slow_from = {}
    for i in range(total):
        when = start + step * i
        rev = revs[i]
        sha = rev_of(rev)
        manual = i in manual_at
        run = "%s-%s-%d-%04x" % (when.strftime("%Y-%m-%d"),
                                 "manual" if manual else "ci", i, rnd.getrandbits(16))
        run_yaml = ("title: %s %d\ncreated: %s\ncreated-by: %s\nrevision: %s\nclosed: false\n"
                    % ("manual" if manual else "ci", i, iso(when),
                       TESTER if manual else AUTO, sha))
        trailer = "Tally-Project: web\nTally-Run: %s\n" % run
        if manual:
            chosen = sorted(rnd.sample(range(a.cases), min(a.manual_results, a.cases)))
            s.commit(TESTER, when, "create run %s" % run,
                     "Tally-Action: run-create\n" + trailer,
                     [("web/runs/%s/run.yaml" % run, run_yaml)])
        else:
            chosen = range(a.cases)
        batch = []
        for j, c in enumerate(chosen):
            t = when + timedelta(seconds=j * (30 if manual else 1))
            status, text = result(c, rev, t)
            nres += 1
            if klass[c] == "slower" and rev >= change[c]:
                slow_from.setdefault(c, sha)
            if klass[c] == "regressed":
                if status == "passed":
                    last_pass[c] = sha
                elif c not in culprit:
                    culprit[c] = "%s..%s" % (last_pass.get(c, ""), sha)
            path = "web/runs/%s/results/%s.yaml" % (run, keys[c])
            if manual:
                s.commit(TESTER, t, "record %s %s in %s" % (keys[c], status, run),
                         "Tally-Action: record\n" + trailer + "Tally-Case: %s\n" % keys[c],
                         [(path, text)])
            else:
                batch.append((path, text))
        if not manual:
            batch.append(("web/runs/%s/run.yaml" % run, run_yaml))
            s.commit(AUTO, when, "import %d results into %s" % (len(batch) - 1, run),
                     "Tally-Action: import\n" + trailer, batch)
    fi.stdin.close()
    if fi.wait():
        sys.exit("git fast-import failed")
    subprocess.run(["git", "-C", a.dir, "checkout", "-q", "-f", "main"], check=True)

    truth = {name: sorted(keys[c] for c in range(a.cases) if klass[c] == name)
             for name in ["stable"] + [n for n, _ in shares]}
    truth["culprit"] = {keys[c]: culprit[c] for c in culprit}
    truth["slow_from"] = {keys[c]: slow_from[c] for c in slow_from}
    truth["commits"] = s.n
    truth["results"] = nres
    with open(os.path.join(a.dir, ".git", "truth.json"), "w") as f:
        json.dump(truth, f, indent=1, sort_keys=True)
    print("%d commits, %d results, %d cases, %d revisions" % (s.n, nres, a.cases, nrev))


if __name__ == "__main__":
    main()

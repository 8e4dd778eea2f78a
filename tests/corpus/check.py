#!/usr/bin/env python3
"""Runs tally's importer over the shared corpora and compares its totals
with EXPECTED.tsv (see the corpora's README for the columns and the
counting rules of each upstream). The corpora belong to other projects:
they are read in place, never copied here.

Exit 0 when every compared row matches or is listed in DIFFERENCES.tsv
with its reason; 1 otherwise; 77 (ctest's skip) when the corpora are absent.
"""
import argparse, csv, json, os, subprocess, sys

SUPPORTED = {"junit", "tap", "ctrf", "cucumber", "trx", "nunit", "xunit"}

def load_differences(path):
    out = {}
    if os.path.exists(path):
        with open(path, newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                out[(row["folder"], row["path"])] = row["reason"]
    return out

def tap_view(folder, row, got):
    """TAP counts as each upstream counts them (the corpora's README)."""
    import re
    g = dict(got)
    if folder == "tapjs-tap-parser":
        # tap-parser: passed/failed are raw ok / not ok (SKIP and TODO inside);
        # failed also holds synthetic failures, which its notes count
        m = re.search(r"fail includes (\d+) synthetic", row["notes"])
        g["passed"], g["failed"] = got["ok"], got["not_ok"] + (int(m.group(1)) if m else 0)
        g["skipped"], g["errored"] = got["skip"], 0
    else:
        # the spec examples' naive count: # SKIP skipped, # TODO in neither
        g["passed"], g["failed"] = got["ok_plain"], got["not_ok_plain"]
        g["skipped"], g["errored"] = got["skip"], 0
    return g

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tally", required=True)
    ap.add_argument("--corpora", required=True)
    ap.add_argument("--differences", required=True)
    a = ap.parse_args()
    if not os.path.isdir(a.corpora):
        print(f"corpora not found at {a.corpora}: skipped (set TALLY_CORPORA)")
        return 77
    known = load_differences(a.differences)
    checked = mismatched = excused = errors = 0
    for folder in sorted(os.listdir(a.corpora)):
        exp = os.path.join(a.corpora, folder, "EXPECTED.tsv")
        if not os.path.exists(exp):
            continue
        with open(exp, newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        for row in rows:
            if row["format"] not in SUPPORTED:
                continue
            path = os.path.join(a.corpora, folder, row["path"])
            p = subprocess.run([a.tally, "--format", "json", "import", "--dry-run", path],
                               capture_output=True, text=True, timeout=120)
            checked += 1
            key = (folder, row["path"])
            if p.returncode >= 128 or p.returncode < 0 or "Sanitizer" in p.stderr:
                print(f"CRASH {folder}/{row['path']}: exit {p.returncode}\n{p.stderr}")
                errors += 1
                continue
            malformed = row["flavour"].startswith("MALFORMED") or row["source"].startswith("n/a(schema-invalid)")
            if p.returncode != 0:
                if malformed or key in known:
                    continue
                print(f"ERROR {folder}/{row['path']}: {p.stderr.strip()}")
                errors += 1
                continue
            if malformed:
                print(f"ACCEPTED-MALFORMED {folder}/{row['path']}")
                errors += 1
                continue
            got = json.loads(p.stdout)
            if row["format"] == "tap":
                got = tap_view(folder, row, got)
            diffs = []
            def want(col):
                v = row[col]
                return int(v) if v.isdigit() else None
            for col in ("tests", "passed", "skipped"):
                w = want(col)
                if w is not None and got[col] != w:
                    diffs.append(f"{col} {got[col]} != {w}")
            fw, ew = want("failed"), want("errored")
            if row["errored"] == "n/a":
                # the upstream folds errors into failed
                if fw is not None and got["failed"] + got["errored"] != fw:
                    diffs.append(f"failed+errored {got['failed'] + got['errored']} != {fw}")
            else:
                if fw is not None and got["failed"] != fw:
                    diffs.append(f"failed {got['failed']} != {fw}")
                if ew is not None and got["errored"] != ew:
                    diffs.append(f"errored {got['errored']} != {ew}")
            if diffs:
                if key in known:
                    excused += 1
                    continue
                mismatched += 1
                print(f"MISMATCH {folder}/{row['path']} ({row['source']}): " + "; ".join(diffs))
    print(f"{checked} files checked, {mismatched} mismatched, {excused} known differences, {errors} errors")
    print(f"{checked - mismatched - errors} passed, {mismatched + errors} failed")
    return 1 if mismatched or errors else 0

if __name__ == "__main__":
    sys.exit(main())

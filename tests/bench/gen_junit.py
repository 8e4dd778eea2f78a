#!/usr/bin/env python3
"""Writes a JUnit XML report with N tests to stdout: 90% passing, 6%
failing with a message and a trace, 3% skipped, 1% erroring, some with
captured output. Deterministic for a given N."""
import random, sys

n = int(sys.argv[1])
rnd = random.Random(n)
w = sys.stdout.write
w('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n')
per_suite = 500
for s in range(0, n, per_suite):
    w(f'  <testsuite name="com.acme.module{s // per_suite}" tests="{min(per_suite, n - s)}">\n')
    for i in range(s, min(n, s + per_suite)):
        cls = f"com.acme.module{s // per_suite}.Feature{(i // 25) % 20}Test"
        r = rnd.random()
        t = f"{rnd.random() * 2:.3f}"
        w(f'    <testcase classname="{cls}" name="test{i}" time="{t}"')
        if r < 0.90:
            if i % 50 == 0:
                w(f'>\n      <system-out>log line for test{i}\nsecond line</system-out>\n    </testcase>\n')
            else:
                w('/>\n')
        elif r < 0.96:
            w(f'>\n      <failure message="expected {i} but was {i + 1}" type="AssertionError">'
              f'AssertionError: expected {i} but was {i + 1}\n'
              f'    at {cls}.test{i}({cls.split(".")[-1]}.java:{i % 300})\n'
              f'    at java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)\n'
              f'</failure>\n    </testcase>\n')
        elif r < 0.99:
            w('>\n      <skipped message="disabled on CI"/>\n    </testcase>\n')
        else:
            w('>\n      <error message="connection refused" type="java.net.ConnectException"/>\n    </testcase>\n')
    w('  </testsuite>\n')
w('</testsuites>\n')

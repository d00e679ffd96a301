#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Print one closing line for a meson test run: 'tests: N passed, N failed'
(', N skipped'), counting the GoogleTest cases inside each meson test.

A meson test that failed while its GoogleTest report shows no failing case
(it crashed, timed out or leaked after the cases ran) counts as one more
failure, so a red run never prints '0 failed'."""
import json
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

logs = sys.argv[1]
passed = failed = skipped = 0
case_failures = defaultdict(int)     # meson test name -> failing cases

try:
    root = ET.parse(f"{logs}/testlog.junit.xml").getroot()
    for suite in root.iter("testsuite"):
        # "project.project:suite / test.GTestSuite"
        test = suite.get("name", "").split(" / ", 1)[-1].split(".", 1)[0]
        bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        # GoogleTest counts DISABLED_ cases (helpers run explicitly by
        # another case) in "tests" but never runs them.
        disabled = int(suite.get("disabled", 0))
        skip = int(suite.get("skipped", 0))
        passed += int(suite.get("tests", 0)) - bad - skip - disabled
        failed += bad
        skipped += skip
        case_failures[test] += bad
except (OSError, ET.ParseError):
    pass

try:
    with open(f"{logs}/testlog.json") as f:
        for line in f:
            t = json.loads(line)
            if t.get("result") in ("OK", "SKIP", "EXPECTEDFAIL"):
                continue
            if case_failures[t.get("name", "")] == 0:
                failed += 1
except OSError:
    pass

line = f"tests: {passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)

# SPDX-License-Identifier: MIT
"""guest_checks.py - the checks' bookkeeping the tests of the guest samples
share (test_numa.sh, test_hotplug.sh, test_unplug.sh, test_movable.sh), and
reading what guest_lib.sh's guest_run wrote into a directory."""
import json
import sys


class Checks:
    """check(ok, what) counts a check and prints "FAIL: [prefix]what" for a
    failed one; done() prints "N passed, N failed" and exits 1 on any."""

    def __init__(self):
        self.passed = self.failed = 0
        self.prefix = ""

    def __call__(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: " + self.prefix + what)

    def done(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)

    def exits_0(self, w, cmd):
        """a check that CMD (replay, validate, diff) exited 0"""
        self(open("%s/%s.rc" % (w, cmd)).read().strip() == "0",
             "%s exits 0: %s" % (cmd, open("%s/%s.err" % (w, cmd)).read()[:300]))

    def report(self, w, cmd):
        """CMD's --json, or a failed check and the end of the test"""
        try:
            return json.load(open("%s/%s.json" % (w, cmd)))
        except (OSError, ValueError) as e:
            self(False, "%s --json: %s" % (cmd, e))
            self.done()

    def fidelity(self, w):
        """validate's fidelity object (a failed check and no lines when it
        has none)"""
        try:
            val = json.load(open(w + "/validate.json"))
            return val["runs"][0]["fidelity"] if "runs" in val else val["fidelity"]
        except (OSError, ValueError, KeyError, IndexError) as e:
            self(False, "validate --json has a fidelity object: %s" % e)
            return {"lines": []}

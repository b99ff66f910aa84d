#!/usr/bin/env python3
"""A lab that cannot start says so in one line and leaves nothing behind (ctest lab_cannot_start).

Runs labs of its own under the prefix `plabt-` (PICKET_LAB_PREFIX), so a lab under `plab-`
is never touched. Usage: cannot_start_test.py DIR
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = "plabt-"
ENV = dict(os.environ, PICKET_LAB_PREFIX=PREFIX)
DIR = os.path.abspath(sys.argv.pop(1) if len(sys.argv) > 1 else "build/lab-cannot-start")


def namespaces():
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return sorted(line.split()[0] for line in out.splitlines() if line.startswith(PREFIX))


def lab(*args, env=None):
    return subprocess.run([sys.executable, os.path.join(HERE, "lab.py")] + list(args),
                          capture_output=True, text=True, env=env or ENV, timeout=300)


def processes_under(path):
    out = subprocess.run(["pgrep", "-f", path], capture_output=True, text=True).stdout
    return out.split()


class Startup(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        if os.geteuid() != 0:
            raise RuntimeError("the lab needs root: run as root (CI does)")
        lab("down")
        shutil.rmtree(DIR, ignore_errors=True)
        os.makedirs(DIR)

    def tearDown(self):
        lab("down")

    def test_a_component_that_fails_stops_the_lab_with_one_line_and_nothing_left(self):
        # A CometBFT build that cannot run: the lab gets as far as namespaces and sshd, then
        # stops at the chain's first `cometbft init`.
        tools = tempfile.mkdtemp(dir=DIR)
        for name in ("cometbft-0.34", "cometbft-0.37", "cometbft-0.38", "cometbft-1.0", "tmkms"):
            path = os.path.join(tools, name)
            with open(path, "w") as f:
                f.write("#!/bin/sh\necho 'cometbft: exec format error (a broken build)' >&2\nexit 2\n")
            os.chmod(path, 0o755)
        home = os.path.join(DIR, "broken")
        p = lab("up", home, env=dict(ENV, PICKET_LAB_BIN=tools))
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        lines = p.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertRegex(lines[0], r"^lab: .*cometbft-0\.38 init --home .*: exit 2: cometbft: "
                                   r"exec format error \(a broken build\)$")
        self.assertEqual(namespaces(), [])
        self.assertEqual(processes_under(home), [])

    def test_a_lab_left_by_a_killed_run_is_removed_by_name(self):
        # What a killed run leaves: namespaces with processes still in them.
        for ns in (PREFIX + "br", PREFIX + "h-left"):
            subprocess.run(["ip", "netns", "add", ns], check=True)
        sleeper = subprocess.Popen(["ip", "netns", "exec", PREFIX + "h-left", "sleep", "300"],
                                   start_new_session=True)
        time.sleep(0.2)
        self.assertEqual(namespaces(), [PREFIX + "br", PREFIX + "h-left"])
        p = lab("down")
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "", ""))
        self.assertEqual(namespaces(), [])
        self.assertIsNotNone(sleeper.wait(timeout=10))

    def test_a_machine_without_root_is_told_why(self):
        # `check` is what make demo asks first; as another user it names the reason.
        p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                            sys.executable, os.path.join(HERE, "lab.py"), "check"],
                           capture_output=True, text=True, env=ENV, timeout=60)
        self.assertEqual((p.returncode, p.stdout, p.stderr),
                         (1, "", "lab: the lab needs root (network namespaces, sshd on port 22)\n"))


if __name__ == "__main__":
    unittest.main(verbosity=2)

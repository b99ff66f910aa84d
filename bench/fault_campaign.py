#!/usr/bin/env python3
"""Fault campaign for `picket deploy`: many deploys to a 5-host fleet of real sshd on
127.0.0.1 (tests/ssh/fleet.sh), each interrupted at a random point by one injected fault:

  kill   the host's sshd killed (SIGKILL of the listener and its sessions: fleet.sh kill)
  cut    the connection cut (SIGKILL of the host's per-connection sshd processes only)
  disk   the host's root (a small tmpfs) filled before or while deploying
  stall  the host's session processes stopped (SIGSTOP) until picket gave up (--timeout),
         then continued (SIGCONT)
  controller  picket itself killed with SIGKILL (a laptop closed, a CI runner gone): no
         cleanup, its lock and whatever it sent to the hosts left behind

The site is bench/gen_deploy_site.py's (5 hosts, one node each, real health checks through
scripts/rpc_standin.py); three versions of it differ in config overrides and links, so each
deploy changes files on every host. After each interrupted deploy every remote target file
must be exactly the old or exactly the new version (content and mode), and a failure must
name the faulted host. Then the fault is undone; a lock the interrupted deploy left must be
reported by the next deploy (who and when) and is cleared with --force-unlock; that deploy
must converge (exit 0, every file equal to the render, no temp file left under any host root,
`plan --detailed-exitcode` exits 0).

Usage: fault_campaign.py PICKET [--runs 200] [--seed N] [--out DIR] [--timeout S]
                         [--kinds kill,cut,disk,stall,controller] [--max-minutes M] [--markdown FILE]
Exit status: 0 when nothing was corrupt, lost, left behind or unreported and every deploy
after a fault converged; 1 otherwise (each problem is printed with the run number and seed).
Needs root for the tmpfs roots (without root the disk fault is left out, and said so).
"""
import argparse
import os
import random
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
FLEET_SH = os.path.join(REPO, "tests", "ssh", "fleet.sh")
STANDIN = os.path.join(REPO, "scripts", "rpc_standin.py")
HOSTS = [f"h{i:03d}" for i in range(1, 6)]
KINDS = ["kill", "cut", "disk", "stall", "controller"]
# picket's temporary names (deploy/ssh/ssh_transport.cpp): `.<name>.picket-tmp-<hex>` beside
# the target, `.picket-stage-<hex>` in the login directory with `become`.
TEMP_RE = re.compile(r"(^\..+\.picket-tmp-[0-9a-f-]+$)|(^\.picket-stage-[0-9a-f]+$)")
FILLER = ".campaign-filler"
TMPFS_SIZE = 1024 * 1024


def log(msg):
    print(msg, flush=True)


def sh(*cmd, check=True, **kw):
    return subprocess.run(cmd, check=check, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kw)


def free_port_block(n):
    """A base port with n free ports above it on 127.0.0.1 (the nodes' RPC stand-ins)."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(40000, 60000)
        socks = []
        try:
            for p in range(base, base + n):
                s = socket.socket()
                s.bind(("127.0.0.1", p))
                socks.append(s)
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise SystemExit("fault_campaign: no free ports for the RPC stand-ins")


# ---------------------------------------------------------------- processes of the fleet
def children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                line = f.read()
        except OSError:
            continue
        rest = line[line.rfind(")") + 2:].split()
        kids.setdefault(int(rest[1]), []).append(int(d))
    return kids


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def listener_pid(fleet, host):
    try:
        with open(os.path.join(fleet, host, "sshd.pid")) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def session_pids(fleet, host):
    """The host's per-connection sshd processes (descendants of its listener), not the listener."""
    top = listener_pid(fleet, host)
    if top is None:
        return []
    kids, out, queue = children_map(), [], [top]
    while queue:
        for c in kids.get(queue.pop(), []):
            queue.append(c)
            if comm(c) == "sshd":
                out.append(c)
    return out


def signal_all(pids, sig):
    for p in pids:
        try:
            os.kill(p, sig)
        except OSError:
            pass


# ---------------------------------------------------------------- files on the hosts
def tree(root):
    """relative path -> (bytes, mode) of every regular file under root (symlinks too, as such)."""
    out = {}
    for d, dirs, files in os.walk(root):
        for name in files:
            p = os.path.join(d, name)
            st = os.lstat(p)
            rel = os.path.relpath(p, root)
            if stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    out[rel] = (f.read(), stat.S_IMODE(st.st_mode))
            else:
                out[rel] = (None, stat.S_IMODE(st.st_mode))
    return out


def temp_files(root):
    found = []
    for d, dirs, files in os.walk(root):
        found += [os.path.join(d, n) for n in files if TEMP_RE.match(n)]
    return found


def lock_reported(out, host):
    """The deploy's output says who holds host's lock and since when: on a line naming the
    host (a refusal) or in a note under the host's line of the report."""
    current = None
    for line in out.splitlines():
        m = re.match(r"^  (\S+): ", line)
        if m:
            current = m.group(1)
        if re.search(r"locked by .+ since \S+", line) and (host in line or current == host):
            return True
    return False


class Campaign:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.out = os.path.abspath(a.out)
        self.fleet = os.path.join(self.out, "fleet")
        self.site = os.path.join(self.out, "site")
        self.secrets = os.path.join(self.out, "secrets")
        self.kinds = list(a.kinds)
        self.mounted = []
        self.problems = []
        self.c = {"runs": 0, "failed": 0, "no effect": 0, "files checked": 0, "old": 0,
                  "new": 0, "corrupt": 0, "missing": 0, "bad mode": 0, "locks left": 0,
                  "lock reports": 0, "force unlocks": 0, "convergence failures": 0,
                  "leftover temps": 0, "host not named": 0, "crashes": 0,
                  "pending restarts": 0, "pending restarts completed": 0, "stale nodes": 0}
        self.injected = {k: 0 for k in KINDS}
        self.disk_when = {"before": 0, "during": 0}
        self.durations = []

    # ------------------------------------------------------------ setup
    def setup(self):
        if os.path.exists(self.out):
            self.teardown_mounts_under(self.out)
            shutil.rmtree(self.out)
        os.makedirs(os.path.join(self.out, "logs"))
        sh("bash", FLEET_SH, "start", "--watch", str(os.getpid()), self.fleet, *HOSTS)
        self.started = True
        sh(sys.executable, os.path.join(HERE, "gen_deploy_site.py"), str(len(HOSTS)), self.fleet,
           self.site)
        if "disk" in self.kinds:
            for h in HOSTS:
                root = os.path.join(self.fleet, h, "root")
                sh("mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE},mode=0755", "tmpfs", root)
                self.mounted.append(root)
        self.write_versions()
        sh(self.a.picket, "keys", self.versions[0], "--secrets", self.secrets)
        self.renders = []
        for i, v in enumerate(self.versions):
            r = os.path.join(self.out, f"render-v{i}")
            sh(self.a.picket, "render", v, "--secrets", self.secrets, "--out", r)
            self.renders.append({h: tree(os.path.join(r, h)) for h in HOSTS})
        for i in range(1, len(self.versions)):
            for h in HOSTS:
                if self.renders[i][h] == self.renders[0][h]:
                    raise SystemExit(f"fault_campaign: version {i} changes nothing on {h}")

    def write_versions(self):
        """v0 as generated; v1 and v2 change every node's config.toml and the links."""
        with open(os.path.join(self.site, "topology.yaml")) as f:
            base = yaml.safe_load(f)
        rpc = free_port_block(len(HOSTS))
        for i, node in enumerate(base["nodes"].values()):
            node["rpc_port"] = rpc + i
        with open(os.path.join(self.site, "inventory.yaml")) as f:
            inv = yaml.safe_load(f)
        # The RPC stand-ins run for the whole campaign (started here, not by a restart under
        # a session the faults kill), so the health checks are real HTTP over SSH but a
        # restart costs no Python start-up on a loaded machine.
        for i, (name, node) in enumerate(base["nodes"].items()):
            h = inv["hosts"][node["host"]]
            state = os.path.join(self.fleet, node["host"], "node")
            sh(sys.executable, STANDIN, "restart", "--port", str(rpc + i), "--state", state)
            h["restart"] = f"touch {state}/restarted"
            h["check"] = f"kill -0 $(cat {state}/rpc.pid)"
        with open(os.path.join(self.site, "inventory.yaml"), "w") as f:
            yaml.safe_dump(inv, f, sort_keys=False)
        self.rpc_base = rpc
        versions = []
        for v in range(3):
            t = yaml.safe_load(yaml.safe_dump(base))
            if v >= 1:
                for node in t["nodes"].values():
                    node["config"] = {"mempool": {"size": 5000 + v}}
            if v == 1:  # the public sentries also peer with each other
                t["links"].append({"between": ["pub-3", "pub-4"], "over": "private"})
            if v == 2:  # pub-4 keeps one private sentry only
                t["links"] = [l for l in t["links"] if sorted(l["between"]) != ["priv-2", "pub-4"]]
            p = os.path.join(self.site, f"v{v}.yaml")
            with open(p, "w") as f:
                yaml.safe_dump(t, f, sort_keys=False)
            versions.append(p)
        self.versions = versions

    def teardown_mounts_under(self, path):
        with open("/proc/mounts") as f:
            mounts = [l.split()[1] for l in f]
        for m in reversed(mounts):
            if m.startswith(path.rstrip("/") + "/"):
                subprocess.run(["umount", "-l", m], check=False)

    def teardown(self):
        for h in HOSTS:
            subprocess.run([sys.executable, STANDIN, "stop", "--state",
                            os.path.join(self.fleet, h, "node")], check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["bash", FLEET_SH, "stop", self.fleet], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for m in self.mounted:
            subprocess.run(["umount", m], check=False)

    # ------------------------------------------------------------ picket
    def picket_args(self, cmd, version, *extra):
        args = [self.a.picket, cmd, self.versions[version], "--secrets", self.secrets,
                "--known-hosts", os.path.join(self.fleet, "known_hosts"),
                "--timeout", str(self.a.timeout), "--parallel", str(len(HOSTS))]
        if cmd == "deploy":
            args += ["--yes", "--health-timeout", str(self.a.health_timeout)]
        return args + list(extra)

    def run_picket(self, cmd, version, *extra):
        t0 = time.monotonic()
        p = subprocess.run(self.picket_args(cmd, version, *extra), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=600)
        return p.returncode, p.stdout, time.monotonic() - t0

    def problem(self, run, what, output=""):
        msg = f"run {run} (seed {self.a.seed}): {what}"
        self.problems.append(msg)
        log("PROBLEM " + msg)
        if output:
            log("  | " + "\n  | ".join(output.rstrip().splitlines()[-25:]))

    # ------------------------------------------------------------ checks
    def check_converged(self, run, version, rc, out, what):
        """A deploy that had to succeed: exit 0, every file as rendered, no temp left, and a
        plan with nothing to change."""
        ok = True
        if rc != 0:
            self.problem(run, f"{what}: exit {rc}, expected 0", out)
            ok = False
        for h in HOSTS:
            root = os.path.join(self.fleet, h, "root")
            now = tree(root)
            for rel, (content, mode) in self.renders[version][h].items():
                if now.get(rel) != (content, mode):
                    self.problem(run, f"{what}: {h}:/{rel} differs from the render of v{version}")
                    ok = False
            for t in temp_files(root):
                self.c["leftover temps"] += 1
                self.problem(run, f"{what}: temp file left after a successful deploy: {t}")
                ok = False
        for h in self.stale_nodes():
            self.c["stale nodes"] += 1
            self.problem(run, f"{what}: {h}'s node was not restarted since its files changed")
            ok = False
        prc, pout, _ = self.run_picket("plan", version, "--detailed-exitcode")
        if prc != 0:
            self.problem(run, f"{what}: plan afterwards exits {prc}, expected 0", pout)
            ok = False
        if not ok:
            self.c["convergence failures"] += 1
        return ok

    def stale_nodes(self):
        """Hosts whose node runs on older files than those on disk: the newest mtime of the
        node's files (the rename keeps the upload's mtime, which precedes the restart) is
        later than the restart command's mark (`touch …/restarted`)."""
        stale = []
        for h in HOSTS:
            root = os.path.join(self.fleet, h, "root")
            newest = 0
            for rel in self.renders[0][h]:
                if "/config/" in "/" + rel:
                    try:
                        newest = max(newest, os.lstat(os.path.join(root, rel)).st_mtime_ns)
                    except FileNotFoundError:
                        pass
            try:
                mark = os.stat(os.path.join(self.fleet, h, "node", "restarted")).st_mtime_ns
            except FileNotFoundError:
                mark = 0
            if newest > mark:
                stale.append(h)
        return stale

    def check_interrupted(self, run, host, old, new, rc, out):
        """Every target file old or new, byte for byte and mode; a failure names the host."""
        all_new = True
        for h in HOSTS:
            now = tree(os.path.join(self.fleet, h, "root"))
            before, after = self.renders[old][h], self.renders[new][h]
            for rel in sorted(set(before) | set(after)):
                self.c["files checked"] += 1
                got = now.get(rel)
                if rel in before and got == before[rel] and (rel not in after or got != after[rel]):
                    self.c["old"] += 1
                    all_new = False
                elif rel in after and got == after[rel]:
                    self.c["new"] += 1
                elif got is None and rel not in before:
                    self.c["old"] += 1  # a new file not created yet
                    all_new = False
                elif got is None:
                    self.c["missing"] += 1
                    self.problem(run, f"{h}:/{rel} is missing (it existed before)")
                elif got[0] in (before.get(rel, (None,))[0], after.get(rel, (None,))[0]):
                    self.c["bad mode"] += 1
                    self.problem(run, f"{h}:/{rel} has mode {got[1]:o}")
                else:
                    self.c["corrupt"] += 1
                    self.problem(run, f"{h}:/{rel} is neither the old nor the new version "
                                      f"({len(got[0] or b'')} bytes)")
                if rel.endswith("node_key.json") and got is not None and got[1] != 0o600:
                    self.c["bad mode"] += 1
                    self.problem(run, f"{h}:/{rel} has mode {got[1]:o}, expected 600")
        if host is None:  # picket itself was killed: it said nothing, and exit -9 is expected
            if rc == 0:
                self.c["no effect"] += 1
                if not all_new:
                    self.c["corrupt"] += 1
                    self.problem(run, "deploy exited 0 but not every file is new", out)
            else:
                self.c["failed"] += 1
            return all_new
        if rc < 0 or rc not in (0, 1, 3) or "terminate called" in out or "Sanitizer" in out:
            self.c["crashes"] += 1
            self.problem(run, f"deploy ended with exit {rc}", out)
        if rc == 0:
            if not all_new:
                self.c["corrupt"] += 1
                self.problem(run, "deploy exited 0 but not every file is new", out)
            self.c["no effect"] += 1
        else:
            self.c["failed"] += 1
            # The summary line (or the plan's error) names the host that failed.
            named = any(host in l and re.search(r"error|failed|refused|locked", l)
                        for l in out.splitlines())
            if not named:
                self.c["host not named"] += 1
                self.problem(run, f"deploy failed (exit {rc}) without naming {host}", out)
        return all_new

    # ------------------------------------------------------------ faults
    def fill_disk(self, host, leave):
        root = os.path.join(self.fleet, host, "root")
        path = os.path.join(root, FILLER)
        try:
            with open(path, "ab") as f:
                chunk = b"\0" * 65536
                while True:
                    f.write(chunk)
                    f.flush()
        except OSError:
            pass
        try:
            size = os.path.getsize(path)
            os.truncate(path, max(0, size - leave))
        except OSError:
            pass

    def free_disk(self, host):
        try:
            os.unlink(os.path.join(self.fleet, host, "root", FILLER))
        except FileNotFoundError:
            pass

    def one_run(self, run, kind, version):
        a, rng = self.a, self.rng
        host = rng.choice(HOSTS)
        new = rng.choice([v for v in range(len(self.versions)) if v != version])
        est = sorted(self.durations)[len(self.durations) // 2]
        delay = rng.uniform(0.0, est)
        when = "during"
        leave = rng.randrange(0, 6 * 1024)  # room for a config.toml (one 4 KiB page) or not
        if kind == "disk":
            when = rng.choice(["before", "during"])
            self.disk_when[when] += 1
            if when == "before":
                self.fill_disk(host, leave)
        proc = subprocess.Popen(self.picket_args("deploy", new), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        injected, stopped = kind == "disk" and when == "before", []
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            if kind == "kill":
                sh("bash", FLEET_SH, "kill", self.fleet, host)
                injected = True
            elif kind == "cut":
                pids = session_pids(self.fleet, host)
                signal_all(pids, signal.SIGKILL)
                injected = bool(pids)
            elif kind == "stall":
                stopped = session_pids(self.fleet, host)
                signal_all(stopped, signal.SIGSTOP)
                injected = bool(stopped)
            elif kind == "disk":
                self.fill_disk(host, leave)
                injected = True
            elif kind == "controller":
                proc.send_signal(signal.SIGKILL)
                injected = True
        try:
            out, _ = proc.communicate(timeout=max(120, 8 * a.timeout + a.health_timeout))
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
            self.problem(run, f"{kind} on {host}: deploy hung (killed after 120 s)", out)
            self.c["crashes"] += 1
        rc = proc.returncode
        with open(os.path.join(self.out, "logs", f"run-{run}.log"), "w") as f:
            f.write(out)
        # Undo the fault.
        if kind == "kill":
            sh("bash", FLEET_SH, "revive", self.fleet, host)
        elif kind == "stall":
            signal_all(stopped, signal.SIGCONT)
        elif kind == "disk":
            self.free_disk(host)
        if injected:
            self.injected[kind] += 1
        if kind == "controller":
            detail = f"controller killed at {delay:.2f}s"
        else:
            detail = f"{kind}{'/' + when if kind == 'disk' else ''} on {host} at {delay:.2f}s"
        log(f"run {run}: v{version} -> v{new}, {detail}{'' if injected else ' (too late)'}: "
            f"exit {rc}")
        self.check_interrupted(run, None if kind == "controller" else host, version, new, rc, out)
        stale = self.stale_nodes()
        self.c["pending restarts"] += len(stale)

        # A stalled session continues now; give it a moment to notice its peer is gone.
        if kind == "stall":
            time.sleep(0.2)
        # The next deploy: mostly the same version again, sometimes another one.
        target = new if rng.random() < 0.67 else rng.choice(range(len(self.versions)))
        locked = [h for h in HOSTS if os.path.exists(
            os.path.join(self.fleet, h, "root", "var", "lib", "picket", "deploy.lock"))]
        extra = []
        if locked:
            self.c["locks left"] += len(locked)
            rc2, out2, _ = self.run_picket("deploy", target)
            for h in locked:
                if lock_reported(out2, h):
                    self.c["lock reports"] += 1
                else:
                    self.problem(run, f"the lock left on {h} was not reported (exit {rc2})", out2)
            extra = ["--force-unlock"]
            self.c["force unlocks"] += len(locked)
        rc3, out3, took = self.run_picket("deploy", target, *extra)
        if extra and "removed a lock held by" not in out3:
            self.problem(run, "--force-unlock did not say whose lock it removed", out3)
        converged = self.check_converged(run, target, rc3, out3, f"deploy v{target} after the fault")
        self.c["pending restarts completed"] += len([h for h in stale if h not in self.stale_nodes()])
        if converged:
            self.durations.append(took)
            return target
        # Not converged (counted above): retry so the next runs start from a known state.
        for _ in range(3):
            time.sleep(2)
            rc4, out4, _ = self.run_picket("deploy", target, "--force-unlock")
            if rc4 == 0:
                return target
        raise SystemExit(f"fault_campaign: run {run}: the fleet does not converge; stopping")

    def run(self):
        t0 = time.monotonic()
        self.setup()
        log(f"fault campaign: {self.a.runs} runs, seed {self.a.seed}, faults: {', '.join(self.kinds)}")
        rc, out, took = self.run_picket("deploy", 0)
        if not self.check_converged(0, 0, rc, out, "first deploy"):
            raise SystemExit("fault_campaign: the first deploy failed")
        self.durations.append(took)
        version, kinds = 0, []
        for run in range(1, self.a.runs + 1):
            if self.a.max_minutes and time.monotonic() - t0 > 60 * self.a.max_minutes:
                log(f"time budget of {self.a.max_minutes} min spent: stopping after {run - 1} runs")
                break
            if not kinds:  # each kind once per round, in random order
                kinds = self.rng.sample(self.kinds, len(self.kinds))
            version = self.one_run(run, kinds.pop(), version)
            self.c["runs"] += 1
        self.elapsed = time.monotonic() - t0

    # ------------------------------------------------------------ report
    def report(self):
        c = self.c
        rows = [("seed", self.a.seed), ("runs", c["runs"]),
                ("faults injected", sum(self.injected.values()))]
        rows += [(f"  {k}", self.injected[k]) for k in self.kinds]
        if "disk" in self.kinds:
            rows.append(("  disk filled before / during", f"{self.disk_when['before']} / {self.disk_when['during']}"))
        rows += [("deploys failed by the fault (exit 1 or 3)", c["failed"]),
                 ("deploys the fault did not stop (exit 0, all new)", c["no effect"]),
                 ("files checked after a fault", c["files checked"]),
                 ("  old version", c["old"]), ("  new version", c["new"]),
                 ("  corrupt (partial or other)", c["corrupt"]), ("  missing", c["missing"]),
                 ("  wrong mode", c["bad mode"]),
                 ("failures not naming the host", c["host not named"]),
                 ("locks left by a fault", c["locks left"]),
                 ("  reported by the next deploy", c["lock reports"]),
                 ("  cleared with --force-unlock", c["force unlocks"]),
                 ("temp files left after a successful deploy", c["leftover temps"]),
                 ("nodes left on older files than on disk (restart pending)", c["pending restarts"]),
                 ("  restarted by the next deploy", c["pending restarts completed"]),
                 ("nodes not restarted after a converging deploy", c["stale nodes"]),
                 ("convergence failures", c["convergence failures"]),
                 ("crashes or hangs", c["crashes"]),
                 ("time", f"{self.elapsed:.0f} s")]
        lines = ["| fault campaign | |", "| --- | ---: |"]
        lines += [f"| {k} | {v} |" for k, v in rows]
        text = "\n".join(lines)
        log("\n" + text)
        if self.a.markdown:
            with open(self.a.markdown, "w") as f:
                f.write(text + "\n")
        for p in self.problems:
            log("PROBLEM " + p)
        return 1 if self.problems else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("picket")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=None, help="default: random, printed")
    ap.add_argument("--out", default=os.path.join(HERE, "out", "faults"))
    ap.add_argument("--timeout", type=float, default=10.0, help="picket --timeout (a stall lasts this long)")
    ap.add_argument("--health-timeout", type=float, default=20.0)
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--max-minutes", type=float, default=0,
                    help="start no new run after this many minutes (0: no limit)")
    ap.add_argument("--markdown", help="also write the figures as a Markdown table here")
    a = ap.parse_args()
    a.picket = os.path.abspath(a.picket)
    if a.seed is None:
        a.seed = random.SystemRandom().randrange(1, 2**31)
    a.kinds = [k for k in a.kinds.split(",") if k]
    bad = [k for k in a.kinds if k not in KINDS]
    if bad or not a.kinds:
        ap.error(f"unknown fault kinds: {bad}")
    if "disk" in a.kinds and os.geteuid() != 0:
        log("fault_campaign: not root: no tmpfs roots, so the disk fault is left out")
        a.kinds.remove("disk")
    camp = Campaign(a)
    # SIGTERM (ctest's timeout, kill): stop like Ctrl-C, so the fleet and mounts are undone.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        camp.run()
    except BaseException as e:
        log(f"fault_campaign: stopped: {e!r} (seed {a.seed})")
        camp.teardown()
        camp.elapsed = 0
        camp.report()
        return 1
    camp.teardown()
    return camp.report()


if __name__ == "__main__":
    sys.exit(main())

"""Network namespaces of the lab: one bridge namespace, one namespace per endpoint, a veth pair
from each endpoint into the bridge. Every lab name starts with PREFIX so that a lab left by a
killed run can be found and removed by name. No namespace gets a default route and nothing is
added to the machine's own namespace: lab traffic never leaves the lab.
"""
import os
import signal
import subprocess
import time

# PICKET_LAB_PREFIX: another prefix for a lab of its own (tests/lab/cannot_start_test.py), which
# never touches the namespaces of a lab under another prefix.
PREFIX = os.environ.get("PICKET_LAB_PREFIX", "plab-")
BRIDGE_NS = PREFIX + "br"
BRIDGE = "br0"
# The documentation ranges the lab's addresses come from (RFC 5737; not 192.0.2.0/24, which
# this machine itself uses): on-link in every
# namespace, so every endpoint reaches every other one across the bridge and nothing else.
LAB_NETS = ("198.51.100.0/24", "203.0.113.0/24")


class LabError(Exception):
    """A lab that cannot be built: one line naming what and where."""


def run(args, ns=None, check=True, capture=True, timeout=60, env=None):
    """Runs a command (in namespace ns when given); returns its stdout as text."""
    full = (["ip", "netns", "exec", ns] if ns else []) + list(args)
    try:
        p = subprocess.run(full, stdin=subprocess.DEVNULL, capture_output=capture, text=True,
                           timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise LabError(f"{' '.join(full)}: no answer within {timeout} s")
    except FileNotFoundError as e:
        raise LabError(f"{full[0]}: not installed ({e})")
    if check and p.returncode != 0:
        err = (p.stderr or "").strip().splitlines()
        raise LabError(f"{' '.join(full)}: exit {p.returncode}: {err[-1] if err else ''}")
    return p.stdout if capture else ""


def lab_namespaces():
    """Names of every lab namespace that exists now."""
    out = run(["ip", "netns", "list"], check=False)
    return [line.split()[0] for line in out.splitlines() if line.startswith(PREFIX)]


def pids_in(ns):
    out = run(["ip", "netns", "pids", ns], check=False)
    return [int(p) for p in out.split()]


def kill_all(namespaces, grace=3.0):
    """Ends every process in the namespaces: TERM, then KILL after grace seconds."""
    pids = [p for ns in namespaces for p in pids_in(ns)]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for p in pids:
            try:
                os.kill(p, sig)
            except ProcessLookupError:
                pass
        deadline = time.time() + grace
        while time.time() < deadline:
            pids = [p for p in pids if os.path.exists(f"/proc/{p}")
                    and not _zombie(p)]
            if not pids:
                return
            time.sleep(0.05)


def _zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def teardown():
    """Removes every lab namespace and what runs in it; idempotent."""
    names = lab_namespaces()
    kill_all(names)
    for ns in names:
        run(["ip", "netns", "delete", ns], check=False)
    left = lab_namespaces()
    if left:
        raise LabError(f"could not remove lab namespaces: {', '.join(left)}")


def check_can_build():
    """Raises LabError naming why this machine cannot hold a lab (no root, no namespaces)."""
    if os.geteuid() != 0:
        raise LabError("the lab needs root (network namespaces, sshd on port 22)")
    for tool in ("ip", "nft", "wg", "wg-quick", "wireguard-go", "/usr/sbin/sshd"):
        if subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True).returncode:
            raise LabError(f"{tool} is missing: run scripts/deps.sh")
    probe = PREFIX + "probe"
    run(["ip", "netns", "delete", probe], check=False)
    try:
        run(["ip", "netns", "add", probe])
    except LabError as e:
        raise LabError(f"network namespaces are not available here: {e}")
    run(["ip", "netns", "delete", probe], check=False)


def make_bridge():
    run(["ip", "netns", "add", BRIDGE_NS])
    run(["ip", "link", "set", "lo", "up"], ns=BRIDGE_NS)
    run(["ip", "link", "add", BRIDGE, "type", "bridge"], ns=BRIDGE_NS)
    run(["ip", "link", "set", BRIDGE, "up"], ns=BRIDGE_NS)


def add_endpoint(ns, address, index):
    """Namespace ns holding address/32 on eth0, wired into the bridge as port pl<index>."""
    port = f"pl{index}"
    run(["ip", "netns", "add", ns])
    run(["ip", "link", "add", port, "netns", BRIDGE_NS, "type", "veth", "peer", "name", "eth0",
         "netns", ns])
    run(["ip", "link", "set", port, "master", BRIDGE, "up"], ns=BRIDGE_NS)
    run(["ip", "link", "set", "lo", "up"], ns=ns)
    run(["ip", "addr", "add", f"{address}/32", "dev", "eth0"], ns=ns)
    run(["ip", "link", "set", "eth0", "up"], ns=ns)
    for net in LAB_NETS:
        run(["ip", "route", "add", net, "dev", "eth0", "src", address], ns=ns)
    return port


def set_port(port, up):
    """Cuts (up=False) or restores an endpoint's only link to the rest of the lab."""
    run(["ip", "link", "set", port, "up" if up else "down"], ns=BRIDGE_NS)

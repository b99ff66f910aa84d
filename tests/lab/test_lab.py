#!/usr/bin/env python3
"""Tests on the lab (ctest label `lab`): the network `picket deploy` brought up does what the
topology says. Run by ctest after tests/lab/fixture.sh up; PICKET and PICKET_LAB_DIR name the
binary and the lab. Usage: test_lab.py TestCase[.test_name]
"""
import json
import os
import re
import subprocess
import sys
import time
import unittest
from urllib.parse import urlencode

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab  # noqa: E402
import netns  # noqa: E402

PICKET = os.environ.get("PICKET", "build/picket")
DIR = os.path.abspath(os.environ.get("PICKET_LAB_DIR", "build/lab"))


def site():
    with open(os.path.join(DIR, "site/topology.yaml")) as f:
        topo = yaml.safe_load(f)
    with open(os.path.join(DIR, "site/inventory.yaml")) as f:
        inv = yaml.safe_load(f)
    return topo, inv


def picket(*args, ns=None, check=None):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + [os.path.abspath(PICKET)] + list(args)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if check is not None and p.returncode != check:
        raise AssertionError(f"{' '.join(args)}: exit {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def designed_neighbours(topo):
    """Our node -> the node names and partner peer IDs the graph links it with."""
    out = {n: set() for n, v in topo["nodes"].items() if v["role"] != "signer"}
    for link in topo.get("links", []):
        a, b = link["between"]
        out[a].add(b)
        out[b].add(a)
    for partner in topo.get("partners", {}).values():
        for node in partner["with"]:
            out[node].update("id:" + p["id"] for p in partner["peers"])
    return out


def tunnel_addresses(render_dir, hosts):
    out = {}
    for h in hosts:
        conf = os.path.join(render_dir, h, "etc/wireguard/picket.conf")
        if os.path.exists(conf):
            iface, _ = lab.parse_wg(conf)
            out[h] = iface["Address"].split("/")[0]
    return out


class LabCase(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        if not os.path.exists(os.path.join(DIR, "lab.json")):
            # Never a silent pass: a lab test without a lab fails, saying why.
            raise RuntimeError(f"no lab in {DIR}: tests/lab/fixture.sh up did not run "
                               "(or failed: see the lab_up test's output)")
        cls.state = lab.load_state(DIR)
        cls.topo, cls.inv = site()
        cls.ids = lab.node_ids(cls.state, os.path.join(DIR, "secrets"))

    def expected_peers(self, node):
        """(exact IDs the node must have, IDs it may have on top)."""
        want = set()
        for n in designed_neighbours(self.topo)[node]:
            want.add(n[3:] if n.startswith("id:") else self.ids[n])
        extra = set()
        if self.topo["nodes"][node]["role"] == "public-sentry":
            # The open network: its validators, the partners' nodes (themselves on the
            # network), our other public sentries, all found through the seeds and pex.
            extra = {n["id"] for n in self.state["network"]}
            extra |= {p["id"] for p in self.state["partners"].values()}
            extra |= {self.ids[n] for n, v in self.topo["nodes"].items()
                      if v["role"] == "public-sentry" and n != node}
        return want, extra

    def wait_peers_as_designed(self, timeout=60):
        deadline = time.time() + timeout
        while True:
            wrong = {}
            for node in self.state["nodes"]:
                live = set(lab.live_peers(self.state, node) or [])
                want, extra = self.expected_peers(node)
                if not (want <= live <= want | extra):
                    wrong[node] = {"missing": sorted(want - live),
                                   "unexpected": sorted(live - want - extra)}
            if not wrong or time.time() > deadline:
                return wrong
            time.sleep(1)

    def wait_signing(self, run=3, timeout=120):
        """Waits until our signature is in `run` consecutive new commits (a validator that was
        cut off first catches up), so that one case's disturbance never counts in the next."""
        deadline = time.time() + timeout
        h = lab.network_height(self.state)
        streak = 0
        while streak < run:
            self.assertLess(time.time(), deadline, "the validator did not sign again")
            if lab.network_height(self.state) <= h:
                time.sleep(0.3)
                continue
            streak = streak + 1 if lab.signed(self.state, h) else 0
            h += 1

    def recent_signing(self, count=20):
        """Our signature in each of the last `count` final commits."""
        top = lab.network_height(self.state)
        return lab.signing_since(self.state, max(top - count, 1), count)


class Signing(LabCase):
    def test_validator_signs_and_peers_are_the_graph(self):
        # a. within a bounded time of the deploy, our signature is in at least 90% of the
        # last 20 commits
        deadline = time.time() + 90
        while True:
            sigs = self.recent_signing(20)
            if sum(1 for s in sigs if s) >= 18 or time.time() > deadline:
                break
            time.sleep(2)
        self.assertGreaterEqual(sum(1 for s in sigs if s), 18, f"signatures: {sigs}")
        # every node's live peers are its graph neighbours (public sentries: plus the network)
        self.assertEqual(self.wait_peers_as_designed(), {})
        # and the validator has no other peer at all
        want, _ = self.expected_peers("validator")
        self.assertEqual(sorted(lab.live_peers(self.state, "validator")), sorted(want))


class Exposure(LabCase):
    PORTS = (22, 26656, 26657, 26659, 26660)

    def test_stranger_reaches_only_public_p2p(self):
        # b. from the internet: public sentries' p2p ports only (ssh admits the inventory's
        # ssh_allow, which the stranger is not in)
        got = lab.scan(self.state, netns.PREFIX + "inet", self.PORTS)
        want = []
        for n, v in self.topo["nodes"].items():
            if v["role"] == "public-sentry":
                want.append((self.state["hosts"][v["host"]]["address"],
                             str(v.get("p2p_port", 26656))))
        self.assertEqual(got, sorted(want))

    def test_tunnel_ports_open_only_where_the_graph_links(self):
        # b. over the tunnels: a node's p2p port from the nodes it links with; the validator's
        # signer port from its signer's host only; metrics from the monitoring host only (or,
        # without one, from our own hosts at the other end of a tunnel); RPC from nowhere (it
        # listens on 127.0.0.1)
        render = os.path.join(DIR, "render")
        tunnels = tunnel_addresses(render, self.state["hosts"])
        by_address = {a: h for h, a in tunnels.items()}
        node_host = {n: v["host"] for n, v in self.topo["nodes"].items()}
        node_hosts = {v["host"] for v in self.topo["nodes"].values() if v["role"] != "signer"}
        signer_port = 26659
        got, want = {}, {}
        scans = {}  # what each host (or partner) probes: (namespace, [(address, port)])
        for h in self.state["hosts"]:
            if h not in tunnels:
                continue
            probes = [(tunnels[o], p) for o in tunnels if o != h for p in self.PORTS]
            ns = self.state["hosts"][h]["ns"]
            scans[h] = (ns, probes)
            got[h] = lab.scan_list(ns, probes)
            w = []
            for link in self.topo.get("links", []):
                a, b = link["between"]
                for me, other in ((a, b), (b, a)):
                    if node_host[me] == h and node_host[other] != h:
                        w.append((tunnels[node_host[other]], "26656"))
            for n, v in self.topo["nodes"].items():
                if v["role"] == "signer" and v["host"] == h:
                    for vn, vv in self.topo["nodes"].items():
                        if vv.get("signer") == n:
                            w.append((tunnels[vv["host"]], str(signer_port)))
            monitor = self.topo.get("monitoring", {}).get("host")
            if monitor is None:
                _, peers = lab.parse_wg(os.path.join(render, h, "etc/wireguard/picket.conf"))
                for peer in peers:
                    other = by_address.get(peer["AllowedIPs"].split("/")[0])
                    if other in node_hosts:
                        w.append((tunnels[other], "26660"))
            elif h == monitor:
                # Metrics of every node host; and, like anyone, the public sentries' p2p.
                w += [(tunnels[other], "26660") for other in node_hosts if other != h]
                w += [(tunnels[v["host"]], str(v.get("p2p_port", 26656)))
                      for v in self.topo["nodes"].values() if v["role"] == "public-sentry"]
            want[h] = sorted(set(w))
        # A WireGuard partner reaches the p2p port of the nodes it peers with, nothing else,
        # although its tunnel address lies inside our tunnel subnet.
        for name, p in self.state["partners"].items():
            if "tunnel_address" not in p:
                continue
            probes = [(tunnels[h], port) for h in p["vpn_peers"] for port in self.PORTS]
            scans["partner:" + name] = (p["ns"], probes)
            got["partner:" + name] = lab.scan_list(p["ns"], probes)
            want["partner:" + name] = sorted((tunnels[h], "26656") for h in p["vpn_peers"])
        # A tunnel no traffic has used yet (the monitoring host's, before Prometheus scrapes)
        # handshakes on the first probe, and WireGuard retries a lost handshake only every
        # 5 s: a port that should answer may miss the 0.6 s probes at first (seen once in CI,
        # monitor to one public sentry). Probe again for up to 30 s; a port that should be
        # closed stays dropped by the firewall however often it is probed.
        deadline = time.time() + 30
        while got != want and time.time() < deadline:
            time.sleep(2)
            got = {k: lab.scan_list(ns, probes) for k, (ns, probes) in scans.items()}
        self.assertEqual(got, want)


# The stranger's flood: opens N connections at once to ADDRESS:PORT, prints how many got
# through, then holds them until its stdin closes.
FLOOD = """
import socket, sys, concurrent.futures as cf
address, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def one(_):
    s = socket.socket(); s.settimeout(3)
    try:
        s.connect((address, port)); return s
    except OSError:
        s.close(); return None
with cf.ThreadPoolExecutor(n) as ex:
    held = [s for s in ex.map(one, range(n)) if s]
print(len(held), flush=True)
sys.stdin.read()
"""


class Firewall(LabCase):
    """Issue 13: the per-address cap on a public sentry's p2p port, and the ssh allowlist."""
    DEFAULT_CAP = 8  # firewall.p2p_connections_per_address when the topology leaves it out

    def test_stranger_over_the_cap_is_dropped_while_our_peers_stay(self):
        cap = self.topo.get("firewall", {}).get("p2p_connections_per_address", self.DEFAULT_CAP)
        pub = next(n for n, v in self.topo["nodes"].items() if v["role"] == "public-sentry")
        node = self.topo["nodes"][pub]
        address = self.state["hosts"][node["host"]]["address"]
        port = node.get("p2p_port", self.topo["chain"].get("p2p_port", 26656))
        flood = subprocess.Popen(
            ["ip", "netns", "exec", netns.PREFIX + "inet", "python3", "-c", FLOOD, address,
             str(port), str(cap + 4)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            held = int(flood.stdout.readline())
            # Exactly the cap got in; the 4 over it were dropped at their SYN.
            self.assertEqual(held, cap)
            # While the stranger holds its cap: one more connection of its own is dropped,
            # another address of the network still gets in,
            self.assertEqual(lab.scan_list(netns.PREFIX + "inet", [(address, port)], 2), [])
            self.assertEqual(lab.scan_list(f"{netns.PREFIX}net-1", [(address, port)], 2),
                             [(address, str(port))])
            # and the sentry keeps every peer the graph gives it (our private sentries).
            want, extra = self.expected_peers(pub)
            live = set(lab.live_peers(self.state, pub) or [])
            self.assertTrue(want <= live <= want | extra,
                            f"{pub}: missing {sorted(want - live)}, "
                            f"unexpected {sorted(live - want - extra)}")
        finally:
            flood.stdin.close()
            flood.wait(timeout=30)
        self.assertEqual(self.wait_peers_as_designed(), {})

    def test_ssh_only_from_the_allowlist_and_the_controller_still_deploys(self):
        # The stranger reaches no sshd; the operator (the inventory's controller) reaches
        # every host, the validator's and the signer's through their jump host: a plan
        # connects to all of them and finds the deployed files unchanged.
        self.assertEqual(lab.scan(self.state, netns.PREFIX + "inet", (22,)), [])
        p = picket("plan", os.path.join(DIR, "site/topology.yaml"), "--secrets",
                   os.path.join(DIR, "secrets"), "--detailed-exitcode", ns=netns.PREFIX + "op")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


class WireGuard(LabCase):
    def test_exactly_the_vpn_pairs_handshake(self):
        # c. the pairs of hosts the graph links over vpn (and the signer with its validator,
        # and the vpn partners with their `with` hosts), no other
        node_host = {n: v["host"] for n, v in self.topo["nodes"].items()}
        want = set()
        for link in self.topo.get("links", []):
            a, b = (node_host[x] for x in link["between"])
            if link.get("over", "vpn") == "vpn" and a != b:
                want.add(tuple(sorted((a, b))))
        for n, v in self.topo["nodes"].items():
            if v["role"] == "validator" and "signer" in v:
                want.add(tuple(sorted((v["host"], node_host[v["signer"]]))))
        for pname, partner in self.topo.get("partners", {}).items():
            if partner.get("over") == "vpn":
                for node in partner["with"]:
                    for i in range(len(partner["peers"])):
                        want.add(tuple(sorted((node_host[node], f"partner:{pname}-{i + 1}"))))
        # The monitoring host and every host (it scrapes each). Its tunnels carry traffic only
        # while Prometheus scrapes: one connection attempt to each host's tunnel address
        # (metrics port) is what makes a designed tunnel handshake.
        monitor = self.topo.get("monitoring", {}).get("host")
        if monitor:
            tunnels = tunnel_addresses(os.path.join(DIR, "render"), self.state["hosts"])
            want |= {tuple(sorted((monitor, h))) for h in tunnels if h != monitor}
            lab.scan_list(self.state["hosts"][monitor]["ns"],
                          [(a, "26660") for h, a in tunnels.items() if h != monitor])
        deadline = time.time() + 60
        while True:
            got = set(lab.handshakes(self.state))
            if got == want or time.time() > deadline:
                break
            time.sleep(2)
        self.assertEqual(sorted(got), sorted(want))


class VpnReloadFault(LabCase):
    """A VPN reload that fails (here `wg-quick strip` refuses, a fault injected through the
    lab's wg-quick) fails the deploy before the live tunnel is touched: it keeps every peer,
    the host is rolled back, the validator signs on."""

    def setUp(self):
        self.wait_signing()

    def tearDown(self):
        for h in self.state["hosts"].values():
            fault = os.path.join(h["dir"], "fault-wg-quick-strip")
            if os.path.exists(fault):
                os.remove(fault)
        picket("deploy", os.path.join(DIR, "site/topology.yaml"), "--secrets",
               os.path.join(DIR, "secrets"), "--yes", "--health-timeout", "120",
               ns=netns.PREFIX + "op")

    def test_strip_refused_keeps_every_live_peer(self):
        # One more vpn link between two sentries whose hosts have tunnels: both hosts'
        # picket.conf change.
        topo = json.loads(json.dumps(self.topo))
        privs = sorted(n for n, v in topo["nodes"].items() if v["role"] == "private-sentry")
        pubs = sorted(n for n, v in topo["nodes"].items() if v["role"] == "public-sentry")
        linked = {tuple(sorted(link["between"])) for link in topo["links"]}
        a, b = next((p, q) for p in privs for q in pubs if tuple(sorted((p, q))) not in linked)
        topo["links"].append({"between": [a, b], "over": "vpn"})
        topo["inventory"] = os.path.abspath(os.path.join(DIR, "site/inventory.yaml"))
        d = os.path.join(DIR, "site-vpn-fault")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "topology.yaml")
        with open(path, "w") as f:
            yaml.safe_dump(topo, f, sort_keys=False)
        hosts = [topo["nodes"][n]["host"] for n in (a, b)]
        def peers(h):
            return sorted(lab.host_exec(self.state, h, ["wg", "show", "picket", "peers"]).split())

        peers_before = {h: peers(h) for h in hosts}
        for h in hosts:
            open(os.path.join(self.state["hosts"][h]["dir"], "fault-wg-quick-strip"), "w").close()
        p = picket("deploy", path, "--secrets", os.path.join(DIR, "secrets"), "--yes",
                   "--health-timeout", "60", ns=netns.PREFIX + "op")
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        failed = [h for h in hosts if f"{h}: rolled back" in p.stdout]
        self.assertEqual(len(failed), 1, p.stdout)
        self.assertIn("reload_vpn failed", p.stdout)
        self.assertIn("injected fault: strip refused", p.stdout + p.stderr)
        for h in hosts:
            self.assertEqual(peers(h), peers_before[h], h)


# PromQL words that are not metric names: aggregations and functions are told by their "(".
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
                "unless", "bool", "offset", "inf", "nan"}


def metric_names(expr):
    """The metric names a PromQL expression selects (label matchers, strings, ranges, and the
    label lists of by/on/... left out)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', " ", expr)
    expr = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr)
    return {m.group(1) for m in re.finditer(r"(?<![\w.])([A-Za-z_:][\w:]*)\s*(\(?)", expr)
            if not m.group(2) and m.group(1).lower() not in PROMQL_WORDS}


class Monitoring(LabCase):
    ALERT = "CometbftValidatorMissedBlocks"

    def deployed(self, host, path):
        with open(self.state["hosts"][host]["root"] + path) as f:
            return yaml.safe_load(f)

    def alert_state(self, monitor):
        """The missed-blocks alert's state in Prometheus's API: "firing", "pending" or None."""
        data = lab.prometheus_api(self.state, monitor, "/api/v1/alerts")
        states = [a["state"] for a in (data or {}).get("alerts", []) if a["labels"]["alertname"] == self.ALERT]
        return states[0] if states else None

    def wait_alert(self, monitor, want, timeout):
        deadline = time.time() + timeout
        while True:
            got = self.alert_state(monitor)
            if got == want or time.time() > deadline:
                return got
            time.sleep(1)

    def wait_notification(self, monitor, status, after, timeout):
        """The first webhook notification of the missed-blocks alert with `status` received
        after time `after`, or None."""
        deadline = time.time() + timeout
        while True:
            for n in lab.webhook_received(self.state, monitor):
                if (n["received"] > after and n["body"].get("status") == status
                        and n["body"].get("groupLabels", {}).get("alertname") == self.ALERT):
                    return n
            if time.time() > deadline:
                return None
            time.sleep(1)

    def check_notification(self, n, status, labels, annotations):
        """A notification as the rendered alertmanager.yml routes it: to "oncall" (critical),
        with the bearer token read from its file, grouped by alertname and node, the alert's
        labels those of the rule plus the chain's external label."""
        self.assertEqual(n["path"], "/oncall")
        self.assertEqual(n["authorization"], "Bearer " + lab.WEBHOOK_TOKEN)
        body = n["body"]
        self.assertEqual((body["receiver"], body["status"], body["groupLabels"]),
                         ("oncall", status, {"alertname": self.ALERT, "node": labels["node"]}))
        self.assertEqual([(a["status"], a["labels"]) for a in body["alerts"]], [(status, labels)])
        self.assertEqual(body["commonAnnotations"]["resolves"], annotations["resolves"])

    def node_exporter_checks(self, monitor, hosts):
        """Every metric the rendered host rules (those on job "node") select exists in what the
        real node_exporters export, as Prometheus stored it; the systemd collector the rules
        need is on everywhere (the rendered flags). Without systemd in the lab's namespaces
        (no D-Bus) that collector fails, so its metrics (node_systemd_*) are checked only
        where it succeeded: the lab cannot tell a renamed node_systemd_* metric."""
        rules = self.deployed(monitor, "/etc/prometheus/picket-alerts.yml")
        wanted = {}
        for group in rules["groups"]:
            for rule in group["rules"]:
                if 'job="node"' in rule["expr"]:
                    for name in metric_names(rule["expr"]):
                        wanted.setdefault(name, []).append(rule["alert"])
        self.assertTrue(wanted, "the rendered rules have host (node job) rules")
        names = set(lab.prometheus_api(self.state, monitor, "/api/v1/label/__name__/values?" +
                                       urlencode({"match[]": '{job="node"}'})) or [])
        data = lab.prometheus_api(self.state, monitor, "/api/v1/query?" + urlencode(
            {"query": 'node_scrape_collector_success{job="node", collector="systemd"}'}))
        systemd = {r["metric"]["host"]: r["value"][1] for r in (data or {}).get("result", [])}
        self.assertEqual(sorted(systemd), hosts, "the systemd collector runs on every host")
        unchecked = set()
        if all(v == "0" for v in systemd.values()):
            unchecked = {n for n in wanted if n.startswith("node_systemd_")}
            print(f"not checked (no systemd in the lab's namespaces): {sorted(unchecked)}")
        missing = {n: rs for n, rs in wanted.items() if n not in names and n not in unchecked}
        self.assertEqual(missing, {}, "metrics of the host rules node_exporter does not export")
        return sorted(set(wanted) - unchecked)

    def test_missed_blocks_alert_fires_pages_and_resolves(self):
        # A real Prometheus and Alertmanager on the monitoring host, on the files picket
        # deployed there, and a real node_exporter on every host with the deployed flags. The
        # nodes and node_exporters are scraped over the tunnels; the validator's host is cut
        # off: the alert fires (Prometheus's API) and Alertmanager pages the lab's webhook; once
        # the validator signs again the alert resolves and the webhook is told so.
        monitor = self.topo["monitoring"]["host"]
        prometheus_yml = self.deployed(monitor, "/etc/prometheus/prometheus.yml")
        node_job = next(j for j in prometheus_yml["scrape_configs"] if j["job_name"] == "node")
        hosts = sorted(c["labels"]["host"] for c in node_job["static_configs"])
        self.assertEqual(hosts, sorted(self.inv["hosts"]), "node_exporter scraped on every host")
        route = self.deployed(monitor, "/etc/prometheus/alertmanager.yml")["route"]
        self.assertEqual((route["group_wait"], route["group_interval"], route["repeat_interval"]),
                         (f"{lab.GROUP_WAIT_S}s", f"{lab.GROUP_INTERVAL_S}s", "4h"),
                         "the lab topology's Alertmanager timings, deployed")
        rule = next(r for g in self.deployed(monitor, "/etc/prometheus/picket-alerts.yml")["groups"]
                    for r in g["rules"] if r.get("alert") == self.ALERT)
        labels = {**prometheus_yml["global"]["external_labels"], **rule["labels"],
                  "alertname": self.ALERT}
        started = []
        try:
            lab.start_webhook_listener(self.state, monitor)
            started.append(("webhook", monitor))
            lab.start_alertmanager(self.state, monitor)
            started.append(("alertmanager", monitor))
            for h in hosts:
                lab.start_node_exporter(self.state, h)
                started.append(("node-exporter", h))
            lab.start_prometheus(self.state, monitor)
            started.append(("prometheus", monitor))
            want = sorted(n for n, v in self.topo["nodes"].items()
                          if v["role"] != "signer" and not v.get("standby"))
            deadline = time.time() + 60
            while True:
                data = lab.prometheus_api(self.state, monitor, "/api/v1/targets") or {}
                up = {job: sorted(t["labels"]["node" if job == "cometbft" else "host"]
                                  for t in data.get("activeTargets", [])
                                  if t["labels"].get("job") == job and t["health"] == "up")
                      for job in ("cometbft", "node")}
                if up == {"cometbft": want, "node": hosts} or time.time() > deadline:
                    break
                time.sleep(1)
            self.assertEqual(up, {"cometbft": want, "node": hosts},
                             "every CometBFT node and every host's node_exporter scraped over the tunnels")
            checked = self.node_exporter_checks(monitor, hosts)
            print(f"host rule metrics found in node_exporter's series: {checked}")
            # Prometheus sends its alerts to the Alertmanager the rendered alerting: names.
            ams = lab.prometheus_api(self.state, monitor, "/api/v1/alertmanagers") or {}
            self.assertEqual([a["url"] for a in ams.get("activeAlertmanagers", [])],
                             [f"http://127.0.0.1:{lab.ALERTMANAGER_PORT}/api/v2/alerts"])
            self.wait_signing()
            # The last signed height has been scraped: no missed-blocks alert while signing.
            lab.wait_for("the validator's last signed height in Prometheus", lambda: (lab.prometheus_api(
                self.state, monitor, "/api/v1/query?query=cometbft_consensus_validator_last_signed_height")
                or {}).get("result"), 30, 1)
            self.assertIsNone(self.alert_state(monitor))
            val_host = self.topo["nodes"]["validator"]["host"]
            cut = time.time()
            lab.fail(self.state, [val_host])
            try:
                fired = self.wait_alert(monitor, "firing", 150)
                fired_after = time.time() - cut
                # Paged while still cut off (the lab's group_wait is 10 s).
                paged = (self.wait_notification(monitor, "firing", cut, lab.GROUP_WAIT_S + 50)
                         if fired == "firing" else None)
            finally:
                lab.restore(self.state, [val_host])
            self.assertEqual(fired, "firing")
            self.assertIsNotNone(paged, "Alertmanager delivered no firing notification")
            self.check_notification(paged, "firing", labels, rule["annotations"])
            back = time.time()
            self.wait_signing()
            resolved = self.wait_alert(monitor, None, 60)
            resolved_after = time.time() - back
            self.assertIsNone(resolved, "the alert resolves once the validator signs again")
            # Alertmanager tells of the resolution at the group's next flush, every
            # group_interval (the lab's 30 s; 5 min by default) after the firing page: within
            # that and Prometheus's sending it, not 5 min.
            told = self.wait_notification(monitor, "resolved", back, lab.GROUP_INTERVAL_S + 30)
            self.assertIsNotNone(told, "Alertmanager delivered no resolved notification")
            self.check_notification(told, "resolved", labels, rule["annotations"])
            received = lab.webhook_received(self.state, monitor)
            # Only the watchdog reaches the dead-man's switch, and it reaches nothing else.
            self.assertEqual(sorted({(n["path"], a["labels"]["alertname"])
                                     for n in received for a in n["body"]["alerts"]
                                     if n["path"] == "/deadman"
                                     or a["labels"]["alertname"] == "PicketWatchdog"}),
                             [("/deadman", "PicketWatchdog")])
            # The missed-blocks alert paged once firing and once resolved, in that order.
            self.assertEqual([n["body"]["status"] for n in received
                              if n["body"]["groupLabels"].get("alertname") == self.ALERT],
                             ["firing", "resolved"])
            self.assertEqual(self.wait_peers_as_designed(90), {})
            with open(os.path.join(DIR, "figures.json")) as f:
                figures = json.load(f)
            figures["missed_blocks_alert_firing_after_cut_s"] = round(fired_after, 1)
            figures["missed_blocks_paged_after_cut_s"] = round(paged["received"] - cut, 1)
            figures["missed_blocks_alert_resolved_after_restore_s"] = round(resolved_after, 1)
            figures["missed_blocks_resolved_paged_after_restore_s"] = round(told["received"] - back, 1)
            with open(os.path.join(DIR, "figures.json"), "w") as f:
                json.dump(figures, f)
            print("figures:", json.dumps(figures))
        finally:
            for name, host in reversed(started):
                lab.stop_service(self.state, host, name)


class Status(LabCase):
    def status(self, *extra):
        return picket("status", os.path.join(DIR, "site/topology.yaml"), "--secrets",
                      os.path.join(DIR, "secrets"), *extra, ns=netns.PREFIX + "op")

    def node_command(self, node, verb):
        """Runs the lab inventory's service command for `node` on its host ("restart", or
        "stop" through host.sh), as the host itself would."""
        host = self.topo["nodes"][node]["host"]
        if verb == "restart":
            cmd = self.inv["hosts"][host]["restart"]
        else:
            home = self.state["hosts"][host]["root"] + self.state["nodes"][node]["home"]
            cmd = f"{os.path.dirname(os.path.abspath(lab.__file__))}/host.sh stop {home}"
        lab.host_exec(self.state, host, ["sh", "-c", cmd])

    def wait_status(self, predicate, timeout=60):
        deadline = time.time() + timeout
        while True:
            p = self.status("--format", "json")
            doc = json.loads(p.stdout) if p.stdout.startswith("{") else {}
            if predicate(p, doc) or time.time() > deadline:
                return p, doc
            time.sleep(2)

    def test_designed_network_is_healthy_and_deviations_are_named(self):
        # As deployed: every node as designed, exit 0.
        p, _ = self.wait_status(lambda p, d: p.returncode == 0)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.status()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertRegex(p.stdout.splitlines()[-1], r"^as designed: 6 nodes, 8 hosts at height \d+$")
        self.assertRegex(p.stdout, r"\nvalidator +validator +val-ams +\d+ +\d +2/2 +\d/4 +connected\n")

        # A peer added by hand: priv-ams's config.toml gets one of the network's validators as
        # a persistent peer and the node is restarted, as an operator on the host would.
        extra = self.state["network"][0]
        node = self.state["nodes"]["priv-ams"]
        config = self.state["hosts"][node["host"]]["root"] + node["home"] + "/config/config.toml"
        with open(config) as f:
            text = f.read()
        text = re.sub(r'^persistent_peers = "(.*)"$',
                      lambda m: f'persistent_peers = "{m.group(1)},{extra["id"]}@{extra["address"]}:26656"',
                      text, count=1, flags=re.M)
        with open(config, "w") as f:
            f.write(text)
        self.node_command("priv-ams", "restart")
        try:
            p, doc = self.wait_status(lambda p, d: any(
                u["id"] == extra["id"] for n in d.get("nodes", []) for u in n["unexpected_peers"]))
            self.assertEqual(p.returncode, 1, p.stdout)
            priv = next(n for n in doc["nodes"] if n["node"] == "priv-ams")
            self.assertEqual([u["id"] for u in priv["unexpected_peers"]], [extra["id"]])
            host = next(h for h in doc["hosts"] if h["host"] == node["host"])
            self.assertEqual(host["drift"], [node["home"] + "/config/config.toml"])
            text_out = self.status().stdout
            self.assertIn(f"  warning: unexpected peer {extra['id']} ({extra['address']}", text_out)
        finally:
            # picket deploy puts the designed config.toml back and restarts the node.
            picket("deploy", os.path.join(DIR, "site/topology.yaml"), "--secrets",
                   os.path.join(DIR, "secrets"), "--yes", ns=netns.PREFIX + "op", check=0)
        self.assertEqual(self.wait_peers_as_designed(90), {})

        # A sentry stopped: the validator misses it, and the sentry does not answer.
        self.node_command("priv-fra", "stop")
        try:
            p, doc = self.wait_status(lambda p, d: any(
                n["node"] == "validator" and n["missing_peers"] == ["priv-fra"] for n in d.get("nodes", [])))
            self.assertEqual(p.returncode, 1, p.stdout)
            val = next(n for n in doc["nodes"] if n["node"] == "validator")
            self.assertEqual(val["missing_peers"], ["priv-fra"])
            fra = next(n for n in doc["nodes"] if n["node"] == "priv-fra")
            self.assertFalse(fra["reached"])
            self.assertIn('  warning: missing peer "priv-fra"\n', self.status().stdout)
        finally:
            self.node_command("priv-fra", "restart")
        self.assertEqual(self.wait_peers_as_designed(90), {})
        self.wait_signing()


def domains(inv, topo):
    """Every failure domain (kind, value) of the inventory, with the hosts it holds, except
    the validator's own (losing those stops the validator itself: not a what-if)."""
    val_host = next(v["host"] for v in topo["nodes"].values() if v["role"] == "validator")
    own = inv["hosts"][val_host]
    out = {}
    for h, v in inv["hosts"].items():
        out.setdefault(("host", h), set()).add(h)
        for kind in ("datacenter", "region", "provider"):
            if kind in v:
                out.setdefault((kind, v[kind]), set()).add(h)
    return {k: hs for k, hs in out.items()
            if not (k == ("host", val_host) or (k[0] != "host" and own.get(k[0]) == k[1]))}


class WhatIfLive(LabCase):
    SETTLE = 4      # seconds for a cut to be felt (peers time out, rounds move on)
    WINDOW = 8      # commits looked at while the domain is down

    def live(self, hosts):
        """Signatures over WINDOW commits with the hosts cut off, then everything restored and
        back as designed."""
        lab.fail(self.state, hosts)
        try:
            time.sleep(self.SETTLE)
            start = lab.network_height(self.state) + 1
            sigs = lab.signing_since(self.state, start, self.WINDOW)
            if not any(sigs):
                # Before calling it cut off, as many commits again: on a loaded machine a vote
                # that has one long path left (two sentries, one link over wireguard-go) can
                # miss every commit of a short window.
                sigs += lab.signing_since(self.state, start + self.WINDOW, self.WINDOW)
        finally:
            lab.restore(self.state, hosts)
        self.assertEqual(self.wait_peers_as_designed(90), {}, f"not back after {hosts}")
        self.wait_signing()
        return sigs

    def verdict(self, sigs):
        # whatif's question is whether a path is left. Every commit looked at comes after the
        # cut has settled, so any signature there travelled a path that is left; cut off means
        # none at all. How many were missed on the way (a validator that loses a sentry may miss
        # several while messages on the dead link are lost, more on a loaded machine) is
        # recorded, not judged: see figures.json.
        return "signing" if any(sigs) else "cut off"

    def test_every_failure_domain_as_whatif_says(self):
        # d. each failure domain of the example, taken down for real
        got, want = {}, {}
        seen, signed = {}, {}
        for (kind, value), hosts in sorted(domains(self.inv, self.topo).items()):
            key = f"{kind}={value}"
            p = picket("whatif", os.path.join(DIR, "site/topology.yaml"), "--fail", key)
            self.assertIn(p.returncode, (0, 1), p.stderr)
            want[key] = "signing" if p.returncode == 0 else "cut off"
            hk = tuple(sorted(hosts))
            if hk not in seen:   # one live run per distinct set of hosts
                sigs = self.live(hosts)
                seen[hk] = self.verdict(sigs)
                signed[key] = f"{sum(1 for s in sigs if s)}/{len(sigs)}"
            got[key] = seen[hk]
        with open(os.path.join(DIR, "figures.json")) as f:
            figures = json.load(f)
        figures["whatif_signed_while_down"] = signed
        with open(os.path.join(DIR, "figures.json"), "w") as f:
            json.dump(figures, f)
        self.assertEqual(got, want)

    def test_two_failures_whatif_calls_fatal_stop_our_signatures(self):
        key = ["provider=north-cloud", "node=priv-ams"]
        p = picket("whatif", os.path.join(DIR, "site/topology.yaml"), "--fail", key[0],
                   "--fail", key[1])
        self.assertEqual(p.returncode, 1, p.stdout)
        hosts = {h for h, v in self.inv["hosts"].items() if v.get("provider") == "north-cloud"}
        hosts.add(self.topo["nodes"]["priv-ams"]["host"])
        self.assertEqual(self.verdict(self.live(hosts)), "cut off")


def restart_time(log):
    """Seconds the rollout's steps spent from their start to their last health check: the
    restarts on the critical path, which the whole deploy is measured against."""
    total, start, healthy = 0.0, None, None
    for line in log.splitlines() + ["[ 0s] end"]:
        m = re.match(r"\[\s*([0-9.]+)s\] (.*)", line)
        if not m:
            continue
        t, what = float(m.group(1)), m.group(2)
        if what.startswith(("step started", "deploy ", "end")) and healthy is not None:
            total += healthy - start
            start, healthy = None, None
        if what.startswith("step started"):
            start = t
        elif " health ok " in what and start is not None:
            healthy = t
    return total


class RollingDeploy(LabCase):
    """e. config changes of the private sentries roll out in waves gated on real health."""

    def site_with(self, name, overrides):
        """A copy of the site whose nodes get the given config overrides."""
        d = os.path.join(DIR, name)
        os.makedirs(d, exist_ok=True)
        topo = json.loads(json.dumps(self.topo))
        for node, cfg in overrides.items():
            topo["nodes"][node].setdefault("config", {})
            for section, kv in cfg.items():
                topo["nodes"][node]["config"].setdefault(section, {}).update(kv)
        topo["inventory"] = os.path.abspath(os.path.join(DIR, "site/inventory.yaml"))
        with open(os.path.join(d, "topology.yaml"), "w") as f:
            yaml.safe_dump(topo, f, sort_keys=False)
        return os.path.join(d, "topology.yaml")

    def deploy(self, topology, health_timeout=120):
        before = lab.network_height(self.state)
        t0 = time.time()
        p = picket("deploy", topology, "--secrets", os.path.join(DIR, "secrets"), "--yes",
                   "--health-timeout", str(health_timeout), ns=netns.PREFIX + "op")
        seconds = time.time() - t0
        after = lab.network_height(self.state)
        sigs = lab.signing_since(self.state, before + 1, max(after - before, 1))
        return p, seconds, [before + 1 + i for i, s in enumerate(sigs) if not s]

    def setUp(self):
        self.wait_signing()

    def private_sentries(self):
        return sorted(n for n, v in self.topo["nodes"].items() if v["role"] == "private-sentry")

    def tearDown(self):
        # Back to the designed site, whatever happened.
        picket("deploy", os.path.join(DIR, "site/topology.yaml"), "--secrets",
               os.path.join(DIR, "secrets"), "--yes", "--health-timeout", "120",
               ns=netns.PREFIX + "op")

    def test_sentry_changes_roll_in_waves_missing_at_most_two_blocks(self):
        topology = self.site_with("site-rolling", {n: {"mempool": {"size": 4999}}
                                                   for n in self.private_sentries()})
        p, seconds, missed = self.deploy(topology)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # each private sentry restarted in a step of its own
        lines = p.stdout.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("Rollout:"))
        hosts = {n: self.topo["nodes"][n]["host"] for n in self.private_sentries()}
        self.assertEqual(lines[start:start + 1 + len(hosts)],
                         [f"Rollout: {len(hosts)} steps"] +
                         [f"  {i + 1}. private-sentry: {n} (files go live on {hosts[n]})"
                          for i, n in enumerate(sorted(hosts))], p.stdout)
        self.assertLessEqual(len(missed), 2, f"missed heights {missed}\n{p.stdout}")
        with open(os.path.join(DIR, "figures.json")) as f:
            figures = json.load(f)
        figures.update({"rolling_deploy_seconds": round(seconds, 2),
                        "rolling_deploy_missed": len(missed),
                        "rolling_restarts_seconds": round(restart_time(p.stdout), 2)})
        with open(os.path.join(DIR, "figures.json"), "w") as f:
            json.dump(figures, f)
        self.assertEqual(self.wait_peers_as_designed(90), {})

    def test_node_refusing_its_config_is_rolled_back_and_validator_signs(self):
        # A private sentry moved to an RPC port another program on its host already holds:
        # lint cannot know, CometBFT refuses to start, the health check fails, the host is
        # rolled back, the rollout stops, and the validator keeps its other sentry.
        bad = self.private_sentries()[-1]
        host = self.topo["nodes"][bad]["host"]
        ns = self.state["hosts"][host]["ns"]
        squatter = subprocess.Popen(
            ["ip", "netns", "exec", ns, "python3", "-c",
             "import socket, time; s = socket.socket(); s.bind(('127.0.0.1', 26699)); "
             "s.listen(); time.sleep(600)"], start_new_session=True)
        try:
            time.sleep(0.5)
            topology = self.site_with("site-refused", {})
            with open(topology) as f:
                t = yaml.safe_load(f)
            t["nodes"][bad]["rpc_port"] = 26699
            with open(topology, "w") as f:
                yaml.safe_dump(t, f, sort_keys=False)
            # A healthy sentry answers within seconds; 30 s keeps the failing case short.
            p, _, missed = self.deploy(topology, health_timeout=30)
        finally:
            squatter.kill()
            squatter.wait()
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertIn(f"{host}: rolled back", p.stdout)
        # Back on its old config.toml, the node is asked for its health where that file has
        # its RPC (not at the squatted port): healthy after the rollback.
        self.assertNotIn("not healthy after the rollback", p.stdout)
        self.assertLessEqual(len(missed), 2, f"missed heights {missed}\n{p.stdout}")
        self.assertEqual(self.wait_peers_as_designed(90), {})


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1] + sys.argv[1:], verbosity=2)

#!/usr/bin/env python3
"""g. A validator signs through a 2-of-3 horcrux cluster picket renders, and keeps signing with
one cosigner's failure domain gone. A small network of its own (namespace prefix plhx-): the
validator (CometBFT 0.38, the one validator of its chain, so every block needs its signature)
and three cosigners, each in a namespace and datacenter of its own, on one bridge. picket lints
and renders the topology; the test puts each cosigner's config.yaml and the validator's
config.toml and node_key.json in place (copied, not deployed over SSH; no tunnel and no
firewall here: the full lab covers those), makes the shards from the validator's key with
horcrux's own commands, starts horcrux and the validator, then takes cosigner 1's namespace
down (its processes killed, its link cut) and brings it back; with two cosigners gone, the
chain stops.
Usage: horcrux_test.py PICKET WORKDIR
"""
import os
import shutil
import subprocess
import sys
import time
import unittest

import yaml

os.environ.setdefault("PICKET_LAB_PREFIX", "plhx-")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab  # noqa: E402
import netns  # noqa: E402

PICKET = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "build/picket"
WORK = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else "build/lab-horcrux"
LINE = "0.38"
CHAIN = "picket-horcrux"
HOSTS = {"val": "198.51.100.71", "cos-1": "198.51.100.72", "cos-2": "198.51.100.73",
         "cos-3": "198.51.100.74"}
# The sentries are lint's (a validator needs its way to the network); nothing runs there.
SENTRIES = {"pub-a": "203.0.113.71", "pub-b": "203.0.113.72"}

TOPOLOGY = {
    "version": 1,
    "chain": {"id": CHAIN, "cometbft": LINE},
    "inventory": "inventory.yaml",
    "policy": {"min_paths": 2, "survive": ["host", "datacenter"]},
    "nodes": {
        "validator": {"role": "validator", "host": "val", "signer": "hx"},
        "hx": {"role": "signer", "horcrux": {
            "threshold": 2, "grpc_timeout": "1000ms", "raft_timeout": "1000ms",
            "cosigners": [{"host": "cos-1"}, {"host": "cos-2"}, {"host": "cos-3"}]}},
        "pub-a": {"role": "public-sentry", "host": "pub-a"},
        "pub-b": {"role": "public-sentry", "host": "pub-b"},
    },
    "links": [{"between": ["validator", "pub-a"], "over": "private"},
              {"between": ["validator", "pub-b"], "over": "private"}],
}


def inventory():
    hosts = {name: {"address": a, "datacenter": "dc-" + name}
             for name, a in {**HOSTS, **SENTRIES}.items()}
    return {"defaults": {"user": "root", "home": "/root/.gaia", "service": "cometbft.service"},
            "hosts": hosts}


def horcrux():
    path = os.path.join(lab.tools_dir(), "horcrux")
    if not os.path.exists(path):
        raise lab.LabError(f"{path} is missing: run tests/lab/tools.sh")
    return path


def ns_of(host):
    return f"{netns.PREFIX}{host}"


class Horcrux(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        netns.check_can_build()
        netns.teardown()
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(WORK)
        self.ports = {}
        self.procs = {}

    def tearDown(self):
        netns.teardown()
        for p in self.procs.values():
            p.wait(timeout=10)

    def height(self):
        status = lab.rpc(ns_of("val"), "/status", timeout=2)
        return int(status["sync_info"]["latest_block_height"]) if status else 0

    def advances(self, blocks, timeout):
        """Waits until the chain is `blocks` past its height now; returns the seconds taken."""
        start, t0 = self.height(), time.time()
        lab.wait_for(f"{blocks} blocks past height {start}",
                     lambda: self.height() >= start + blocks, timeout, interval=0.2)
        return time.time() - t0

    def start_cosigner(self, host):
        home = os.path.join(WORK, host)
        if host in self.procs:
            self.procs.pop(host).wait(timeout=10)
        with open(os.path.join(WORK, host + ".log"), "ab") as log:
            self.procs[host] = subprocess.Popen(
                ["ip", "netns", "exec", ns_of(host), horcrux(), "start", "--home", home],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)

    def test_two_of_three_signs_through_a_lost_domain(self):
        t0 = time.time()
        # picket: lint (warnings only), keys, render.
        topo = os.path.join(WORK, "topology.yaml")
        with open(topo, "w") as f:
            yaml.safe_dump(TOPOLOGY, f, sort_keys=False)
        with open(os.path.join(WORK, "inventory.yaml"), "w") as f:
            yaml.safe_dump(inventory(), f, sort_keys=False)
        secrets, out = os.path.join(WORK, "secrets"), os.path.join(WORK, "render")
        lint = subprocess.run([PICKET, "lint", topo], capture_output=True, text=True)
        self.assertEqual(lint.returncode, 0, lint.stdout + lint.stderr)
        for cmd in (["keys", topo, "--secrets", secrets],
                    ["render", topo, "--secrets", secrets, "--out", out]):
            r = subprocess.run([PICKET] + cmd, capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

        # The network: one namespace per host on the bridge.
        netns.make_bridge()
        for i, (host, address) in enumerate(HOSTS.items(), 1):
            self.ports[host] = netns.add_endpoint(ns_of(host), address, i)

        # The validator: a home its own binary made, picket's config.toml and node key, a
        # genesis naming its key, short blocks.
        home = os.path.join(WORK, "validator")
        _, pub = lab.init_home(LINE, home)
        rendered = os.path.join(out, "val/root/.gaia/config")
        for name in ("config.toml", "node_key.json"):
            shutil.copy(os.path.join(rendered, name), os.path.join(home, "config", name))
        config = os.path.join(home, "config/config.toml")
        with open(config) as f:
            self.assertIn(f'priv_validator_laddr = "tcp://{HOSTS["val"]}:26659"', f.read())
        lab.set_toml(config, {"consensus.timeout_commit": '"300ms"',
                              "consensus.timeout_propose": '"1s"'})
        lab.write_genesis(CHAIN, [{"pub": pub, "power": 10, "name": "validator"}], [home])

        # The shards, from the validator's key, with horcrux's own commands; then each
        # cosigner's home: picket's config.yaml beside its shard and ECIES key.
        key = os.path.join(home, "config/priv_validator_key.json")
        shards = os.path.join(WORK, "shards")
        for cmd in (["create-ed25519-shards", "--chain-id", CHAIN, "--key-file", key,
                     "--threshold", "2", "--shards", "3", "--out", shards],
                    ["create-ecies-shards", "--shards", "3", "--out", shards]):
            subprocess.run([horcrux()] + cmd, check=True, capture_output=True,
                           env={**os.environ, "HOME": WORK})
        os.remove(key)  # from here on only the cosigners together can sign
        for k in (1, 2, 3):
            host = f"cos-{k}"
            chome = os.path.join(WORK, host)
            os.makedirs(chome)
            shutil.copy(os.path.join(out, host, "root/.horcrux/config.yaml"), chome)
            for name in (f"{CHAIN}_shard.json", "ecies_keys.json"):
                shutil.copy(os.path.join(shards, f"cosigner_{k}", name), chome)
            self.start_cosigner(host)
        lab.start_node(ns_of("val"), LINE, home, os.path.join(WORK, "validator.log"))

        first = self.advances(3, 60)
        # The series picket's alert rules read: the freshest cosigner (the one signing for the
        # validator) has just signed a precommit.
        ages = []
        for k in (1, 2, 3):
            text = netns.run(["curl", "-sf", "--max-time", "3", "http://127.0.0.1:8543/metrics"],
                             ns=ns_of(f"cos-{k}"), check=False)
            for line in text.splitlines():
                if line.startswith("signer_seconds_since_last_precommit "):
                    ages.append(float(line.split()[1]))
        self.assertEqual(len(ages), 3, "signer_seconds_since_last_precommit on every cosigner")
        self.assertLess(min(ages), 10)
        # Cosigner 1's failure domain goes: its processes killed and its link cut.
        netns.kill_all([ns_of("cos-1")])
        netns.set_port(self.ports["cos-1"], False)
        without = self.advances(5, 40)
        # Back: the link, then horcrux; the cluster goes on signing with all three.
        netns.set_port(self.ports["cos-1"], True)
        self.start_cosigner("cos-1")
        back = self.advances(5, 40)
        # The threshold is real: with two of three cosigners gone, no block is signed.
        netns.kill_all([ns_of("cos-2"), ns_of("cos-3")])
        time.sleep(1)
        stopped = self.height()
        time.sleep(4)
        self.assertLessEqual(self.height(), stopped + 1, "signed with one cosigner of three")
        print(f"horcrux lab: first 3 blocks {first:.1f} s; 5 blocks without cos-1 {without:.1f} s; "
              f"5 blocks with it back {back:.1f} s; case {time.time() - t0:.1f} s", flush=True)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]])

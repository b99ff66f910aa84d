#!/usr/bin/env python3
"""Issue 10, item 3: lint refuses the config.toml a real CometBFT node refuses at start, with the
node's own message, and passes what the node accepts. For each line's real binary (the lab's
cache): the minimal example with one `config:` override on sentry-a is linted; the file picket
renders without it gets the same values set by hand, and the binary is started on it in a fresh
home, in a network namespace of its own (unshare -n: no network at all), and must fail with the
message lint quoted (or, for the accepted case, keep running).
Usage: startup_test.py PICKET WORKDIR [LINE...]
"""
import json
import os
import shutil
import subprocess
import sys
import time
import unittest

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab  # noqa: E402

PICKET = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "build/picket"
WORK = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else "build/lab-startup"
LINES = sys.argv[3:] or list(lab.LINE_VERSIONS)
MINIMAL = os.path.join(lab.SOURCE, "examples/minimal/topology.yaml")

SERVERS = "http://192.0.2.1:26657,http://192.0.2.2:26657"
STATESYNC = {"enable": True, "rpc_servers": SERVERS, "trust_height": 1, "trust_hash": "AB01"}


def cases(line):
    """(name, {section: {key: value}} or {key: value} for top-level keys, the node's error or
    None when it starts)."""
    two = "is" if line != "1.0" else "are"
    out = [
        ("one rpc server", {"statesync": dict(STATESYNC, rpc_servers="http://192.0.2.1:26657")},
         f"error in [statesync] section: at least two rpc_servers entries {two} required"),
        ("hash not hex", {"statesync": dict(STATESYNC, trust_hash="XYZ1")},
         "error in [statesync] section: invalid trusted_hash: encoding/hex: invalid byte: U+0058 'X'"),
        ("no chunk fetchers", {"statesync": dict(STATESYNC, chunk_fetchers=0)},
         "error in [statesync] section: chunk_fetchers is required"),
        ("small subscription buffer", {"rpc": {"experimental_subscription_buffer_size": 50}},
         "error in [rpc] section: experimental_subscription_buffer_size must be >= 100"),
        ("write buffer below the subscription buffer",
         {"rpc": {"experimental_subscription_buffer_size": 300}},
         "error in [rpc] section: experimental_websocket_write_buffer_size must be >= "
         "experimental_subscription_buffer_size (300)"),
        ("buffers that agree", {"rpc": {"experimental_subscription_buffer_size": 300,
                                        "experimental_websocket_write_buffer_size": 300}}, None),
    ]
    if line != "0.34":
        deprecated = "[v0]" if line == "1.0" else "v0"
        out += [
            ("blocksync v1", {"blocksync": {"version": "v1"}},
             f"error in [blocksync] section: blocksync version v1 has been deprecated. Please "
             f"use {deprecated} instead"),
            ("nop mempool without empty blocks", {"mempool": {"type": "nop"},
                                                  "consensus": {"create_empty_blocks": False}},
             "`nop` mempool does not support create_empty_blocks = false"),
            ("nop mempool", {"mempool": {"type": "nop"}}, None),
        ]
    if line in ("0.38", "1.0"):
        out.append(("version not semver", {"version": line},
                    f"invalid version string: {line}"))
    if line == "1.0":
        out += [
            ("empty mempool", {"mempool": {"size": 0}},
             "error in [mempool] section: size must be positive"),
            ("grpc without scheme", {"grpc": {"laddr": "127.0.0.1:9090"}},
             "error in [grpc] section: invalid listening address 127.0.0.1:9090 (use fully formed "
             "addresses, including the tcp:// or unix:// prefix)"),
            ("key layout v3", {"storage": {"experimental_db_key_layout": "v3"}},
             "error in [storage] section: unsupported version of DB Key layout, expected v1 or "
             "v2, got v3"),
        ]
    return out


def write_topology(d, line, config):
    with open(MINIMAL) as f:
        topo = yaml.safe_load(f)
    topo["chain"]["cometbft"] = line
    topo["chain"]["binary_version"] = lab.LINE_VERSIONS[line]
    topo["inventory"] = os.path.normpath(os.path.join(os.path.dirname(MINIMAL), topo["inventory"]))
    if config:
        topo["nodes"]["sentry-a"]["config"] = config
    path = os.path.join(d, "topology.yaml")
    with open(path, "w") as f:
        yaml.safe_dump(topo, f, sort_keys=False)
    return path, topo


def toml_literal(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return json.dumps(v)


class Startup(unittest.TestCase):
    maxDiff = None

    def start(self, line, home):
        """Starts the line's binary on `home` with no network; (exit code or None, output)."""
        log = os.path.join(home, "node.log")
        with open(log, "wb") as out:
            p = subprocess.Popen(
                ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$0" start --home "$1" '
                 "--proxy_app=kvstore", lab.cometbft(line), home],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.time() + 8
        while time.time() < deadline and p.poll() is None:
            time.sleep(0.2)
        code = p.poll()
        if code is None:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        with open(log) as f:
            return code, f.read()

    def test_lines(self):
        for line in LINES:
            base = os.path.join(WORK, line)
            shutil.rmtree(base, ignore_errors=True)
            os.makedirs(base)
            clean, topo = write_topology(base, line, None)
            secrets = os.path.join(base, "secrets")
            for cmd in (["keys", clean, "--secrets", secrets],
                        ["render", clean, "--secrets", secrets, "--out", base + "/render"]):
                subprocess.run([PICKET] + cmd, check=True, capture_output=True, text=True)
            with open(topo["inventory"]) as f:
                inv = yaml.safe_load(f)
            rendered = os.path.join(base, "render", topo["nodes"]["sentry-a"]["host"]) + \
                inv["defaults"]["home"] + "/config"
            for i, (name, config, error) in enumerate(cases(line)):
                with self.subTest(line=line, case=name):
                    d = os.path.join(base, f"case-{i}")
                    os.makedirs(d)
                    path, _ = write_topology(d, line, config)
                    linted = subprocess.run([PICKET, "lint", path], capture_output=True, text=True)
                    home = os.path.join(d, "home")
                    lab.init_home(line, home)
                    for f in ("config.toml", "node_key.json"):
                        shutil.copy(os.path.join(rendered, f), os.path.join(home, "config", f))
                    values = {}
                    for s, keys in config.items():  # a scalar under config: a top-level key
                        for k, v in (keys.items() if isinstance(keys, dict) else [(None, keys)]):
                            values[s if k is None else s + "." + k] = toml_literal(v)
                    lab.set_toml(os.path.join(home, "config/config.toml"), values)
                    code, log = self.start(line, home)
                    if error is None:
                        self.assertEqual(linted.returncode, 0, linted.stdout + linted.stderr)
                        self.assertIsNone(code, f"CometBFT {line} stopped:\n{log}")
                        self.assertNotIn("error in config file", log)
                    else:
                        quoted = (f'CometBFT {line} refuses to start node "sentry-a" with this '
                                  f'config.toml: "error in config file: {error}"')
                        self.assertEqual(linted.returncode, 1, linted.stdout + linted.stderr)
                        self.assertIn(quoted, linted.stdout)
                        self.assertIsNotNone(code, f"CometBFT {line} started:\n{log}")
                        self.assertNotEqual(code, 0)
                        self.assertIn("error in config file: " + error, log)


if __name__ == "__main__":
    # The lab's binaries (built once into its cache by tools.sh, which only links them then).
    subprocess.run(["bash", os.path.join(lab.HERE, "tools.sh")], check=True)
    unittest.main(argv=[sys.argv[0]])

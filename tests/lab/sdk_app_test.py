#!/usr/bin/env python3
"""Issue 14, item 2: the app.toml picket renders is one the Cosmos SDK starts on, and lint refuses
what the SDK refuses at start, with the SDK's own message. For each SDK line picket renders for,
`sdkcheck` (tests/lab/sdkcheck, built by tools.sh against that line's cosmos-sdk) runs the SDK's
start-up code on a file: viper's read, server/config GetConfig and Config.ValidateBasic,
server.GetPruningOptionsFromFlags and baseapp.SetMinGasPrices. No whole SDK app can be built
here (the Go module proxy refuses cosmossdk.io/simapp, and gaia needs libwasmvm from GitHub),
so these are the SDK's checks of app.toml without the rest of `<app> start`.

Every app.toml of the minimal example (validator, private and public sentries: each role's
settings) must be accepted; then for each case one `app:` override on sentry-a is linted, the
same value is set by hand in the file picket renders without it, and the SDK's verdict must be
lint's: accepted and lint clean, or refused with the message lint quotes.
Usage: sdk_app_test.py PICKET WORKDIR [SDK_LINE...]
"""
import json
import os
import re
import shutil
import subprocess
import sys
import unittest

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab  # noqa: E402

PICKET = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "build/picket"
WORK = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else "build/lab-sdk-app"
SDK_LINES = sys.argv[3:] or ["0.46", "0.47", "0.50", "0.53"]
COMETBFT_OF = {"0.46": "0.34", "0.47": "0.37", "0.50": "0.38", "0.53": "0.38"}
MINIMAL = os.path.join(lab.SOURCE, "examples/minimal/topology.yaml")
GAS = "0.0025uatom"

CUSTOM = ("invalid custom pruning options: '{key}' must not be {what}. For the most aggressive "
          "pruning, select pruning = \"everything\"")


def cases(sdk):
    """(name, {app.toml key: value}, refused: True when the SDK must refuse it). sentry-a is a
    private sentry: picket prunes it with custom 100/10 and snapshots every 1000 blocks."""
    return [
        ("gas prices in two denominations", {"minimum-gas-prices": "0.1uatom, 0.2stake"}, False),
        ("a zero price twice", {"minimum-gas-prices": "0uatom,0uatom"}, False),
        ("empty gas price", {"minimum-gas-prices": ""}, True),
        ("gas prices split on a semicolon", {"minimum-gas-prices": "0.025uatom;0.1stake"}, True),
        ("a one-letter denomination", {"minimum-gas-prices": "0.025u"}, True),
        ("a price with 19 decimals", {"minimum-gas-prices": "0.0000000000000000001uatom"}, True),
        ("a price beyond 315 bits", {"minimum-gas-prices": "1" + "0" * 80 + "uatom"}, True),
        ("one denomination twice", {"minimum-gas-prices": "0.1uatom,0.2stake,0.3uatom"}, True),
        ("pruning in capitals", {"pruning": "Nothing"}, False),
        ("an unknown pruning strategy", {"pruning": "sometimes"}, True),
        ("everything pruned with snapshots", {"pruning": "everything"}, True),
        ("custom pruning every 0 blocks", {"pruning-interval": "0"}, True),
        ("custom pruning every 5 blocks", {"pruning-interval": "5"}, True),
        ("custom pruning keeping 1", {"pruning-keep-recent": "1"}, True),
        ("custom pruning not a number", {"pruning-interval": "often"}, True),
        ("custom pruning every 10 keeping 2", {"pruning-interval": "10", "pruning-keep-recent": "2"}, False),
    ]


def write_topology(d, sdk, app):
    with open(MINIMAL) as f:
        topo = yaml.safe_load(f)
    topo["chain"]["cometbft"] = COMETBFT_OF[sdk]
    topo["chain"]["sdk"] = sdk
    topo["inventory"] = os.path.normpath(os.path.join(os.path.dirname(MINIMAL), topo["inventory"]))
    for node in topo["nodes"].values():
        node["app"] = {"minimum-gas-prices": GAS}
    topo["nodes"]["sentry-a"]["app"].update(app)
    path = os.path.join(d, "topology.yaml")
    with open(path, "w") as f:
        yaml.safe_dump(topo, f, sort_keys=False)
    return path, topo


def sdkcheck(sdk, app_toml):
    """The SDK line's verdict on a file: (accepted, its message)."""
    r = subprocess.run([os.path.join(lab.tools_dir(), f"sdkcheck-{sdk}"), app_toml],
                       capture_output=True, text=True)
    if r.returncode not in (0, 1):
        raise lab.LabError(f"sdkcheck-{sdk} {app_toml}: exit {r.returncode}: {r.stdout}{r.stderr}")
    # From 0.50 on, a wrapped error names where it was wrapped ("… [cosmos/cosmos-sdk@v0.50.15/
    # types/dec_coin.go:638]"): the build's, not the message's; lint does not quote it.
    return r.returncode == 0, re.sub(r" \[[^\]\s]+\.go:[0-9]+\]$", "", r.stdout.strip())


class SdkApp(unittest.TestCase):
    maxDiff = None

    def test_lines(self):
        for sdk in SDK_LINES:
            base = os.path.join(WORK, sdk)
            shutil.rmtree(base, ignore_errors=True)
            os.makedirs(base)
            clean, topo = write_topology(base, sdk, {})
            secrets = os.path.join(base, "secrets")
            for cmd in (["keys", clean, "--secrets", secrets],
                        ["render", clean, "--secrets", secrets, "--out", base + "/render"]):
                subprocess.run([PICKET] + cmd, check=True, capture_output=True, text=True)
            with open(topo["inventory"]) as f:
                inv = yaml.safe_load(f)
            home = inv["defaults"]["home"]

            def app_of(node):
                return os.path.join(base, "render", topo["nodes"][node]["host"]) + home + "/config/app.toml"

            for node in topo["nodes"]:
                with self.subTest(sdk=sdk, node=node):
                    self.assertEqual(sdkcheck(sdk, app_of(node)), (True, "accepted"))
            for i, (name, app, refused) in enumerate(cases(sdk)):
                with self.subTest(sdk=sdk, case=name):
                    d = os.path.join(base, f"case-{i}")
                    os.makedirs(d)
                    path, _ = write_topology(d, sdk, app)
                    linted = subprocess.run([PICKET, "lint", path], capture_output=True, text=True)
                    file = os.path.join(d, "app.toml")
                    shutil.copy(app_of("sentry-a"), file)
                    lab.set_toml(file, {k: json.dumps(v) for k, v in app.items()})
                    accepted, message = sdkcheck(sdk, file)
                    self.assertEqual(accepted, not refused, message)
                    if accepted:
                        self.assertEqual(message, "accepted")
                        self.assertEqual(linted.returncode, 0, linted.stdout + linted.stderr)
                    else:
                        quoted = (f'Cosmos SDK {sdk} refuses to start node "sentry-a" with this '
                                  f'app.toml: "{message}"')
                        self.assertEqual(linted.returncode, 1, linted.stdout + linted.stderr)
                        self.assertIn(quoted, linted.stdout)


if __name__ == "__main__":
    # The checkers (built once into the lab's cache by tools.sh, which only links them then).
    subprocess.run(["bash", os.path.join(lab.HERE, "tools.sh")], check=True)
    unittest.main(argv=[sys.argv[0]])

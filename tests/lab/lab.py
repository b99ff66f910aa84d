#!/usr/bin/env python3
"""The validator network lab: the bundled example's hosts as network namespaces running real
sshd, with a real CometBFT chain around them, so that `picket deploy` runs against the real
thing (CometBFT nodes, tmkms, WireGuard through wireguard-go, nftables).

  lab.py up DIR            build the lab (after removing any left by a killed run); writes
                           DIR/site/topology.yaml + inventory.yaml (the bundled example pointed
                           at the lab) and DIR/lab.json (what the tests read)
  lab.py prepare DIR RENDER PICKET
                           after `picket render`: put the consensus key where tmkms.toml reads
                           it, and bring each WireGuard partner's side up with what
                           `picket partner` hands it (our public keys, endpoints, addresses)
  lab.py down              remove every lab namespace and process (by name)
  lab.py show DIR WHAT     signing | peers | scan | handshakes: what the demo prints
  lab.py fail DIR KIND=VALUE... / lab.py restore DIR: cut (restore) a failure domain's hosts

Namespaces: plab-br (the bridge), plab-h-<host> per inventory host, plab-op (the operator:
picket runs here), plab-inet (a stranger), plab-net-<i> (the rest of the chain's validators,
reachable at public addresses only), plab-p-<partner>-<i> (the partners' validators).
Voting power: our validator 10, each network validator 25, each partner validator 5, so the
chain makes blocks without us and our signature shows in each commit we take part in.
"""
import base64
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from netns import LabError, run  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
EXAMPLE = os.path.join(SOURCE, "examples/sentry-network/topology.yaml")
OPERATOR_ADDRESS = "198.51.100.250"
STRANGER_ADDRESS = "203.0.113.66"
NETWORK_ADDRESSES = ["203.0.113.101", "203.0.113.102", "203.0.113.103"]
OUR_POWER, NETWORK_POWER, PARTNER_POWER = 10, 25, 5
P2P, RPC = 26656, 26657
BLOCK_TIME = "1s"
SSHD = "/usr/sbin/sshd"
FLEET = os.path.join(SOURCE, "tests/ssh/fleet.sh")


def tools_dir():
    if os.environ.get("PICKET_LAB_BIN"):  # another set of tools (tests/lab/cannot_start_test.py)
        return os.environ["PICKET_LAB_BIN"]
    return subprocess.run(["bash", os.path.join(HERE, "tools.sh"), "--print-dir"],
                          capture_output=True, text=True, check=True).stdout.strip()


def cometbft(line):
    path = os.path.join(tools_dir(), f"cometbft-{line}")
    if not os.path.exists(path):
        raise LabError(f"{path} is missing: run tests/lab/tools.sh")
    return path


def host_ns(host):
    return f"{netns.PREFIX}h-{host}"


# ---------------------------------------------------------------------------------------------
# CometBFT homes of the lab's own peers (the network's and the partners' validators)

def init_home(line, home):
    """A CometBFT home made by the binary itself; returns (node_id, consensus pub key b64)."""
    shutil.rmtree(home, ignore_errors=True)
    run([cometbft(line), "init", "--home", home])
    node_id = run([cometbft(line), "show-node-id", "--home", home]).strip()
    with open(os.path.join(home, "config/priv_validator_key.json")) as f:
        pub = json.load(f)["pub_key"]["value"]
    return node_id, pub


def set_toml(path, values):
    """Sets `section.key` (or top-level `key`) to TOML-literal values in a config.toml."""
    with open(path) as f:
        lines = f.read().split("\n")
    section = ""
    todo = dict(values)
    for i, line in enumerate(lines):
        m = re.match(r"^\[([^\]]+)\]\s*$", line)
        if m:
            section = m.group(1)
            continue
        m = re.match(r"^([A-Za-z0-9_-]+)\s*=", line)
        if m:
            key = (section + "." if section else "") + m.group(1)
            if key in todo:
                lines[i] = f"{m.group(1)} = {todo.pop(key)}"
    if todo:
        raise LabError(f"{path}: no keys {', '.join(sorted(todo))}")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def validator_address(pub_b64):
    """CometBFT's validator address: the first 20 bytes of SHA-256 of the ed25519 key, hex."""
    return hashlib.sha256(base64.b64decode(pub_b64)).hexdigest()[:40].upper()


def write_genesis(chain_id, validators, homes):
    genesis = {
        "genesis_time": time.strftime("%Y-%m-%dT%H:%M:%S.000000000Z", time.gmtime()),
        "chain_id": chain_id,
        "initial_height": "1",
        "consensus_params": {
            "block": {"max_bytes": "22020096", "max_gas": "-1"},
            "evidence": {"max_age_num_blocks": "100000", "max_age_duration": "172800000000000",
                         "max_bytes": "1048576"},
            "validator": {"pub_key_types": ["ed25519"]},
            "version": {"app": "0"},
        },
        "validators": [{"address": validator_address(v["pub"]),
                        "pub_key": {"type": "tendermint/PubKeyEd25519", "value": v["pub"]},
                        "power": str(v["power"]), "name": v["name"]} for v in validators],
        "app_hash": "",
    }
    text = json.dumps(genesis, indent=2)
    for home in homes:
        with open(os.path.join(home, "config/genesis.json"), "w") as f:
            f.write(text)


def start_node(ns, line, home, log):
    """Starts a CometBFT node (built-in kvstore app) in namespace ns, detached."""
    with open(log, "ab") as out:
        p = subprocess.Popen(["ip", "netns", "exec", ns, cometbft(line), "start", "--home", home,
                              "--proxy_app=kvstore"], stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT, start_new_session=True)
    with open(os.path.join(home, "node.pid"), "w") as f:
        f.write(str(p.pid))
    return p


def peer_config(home, address, persistent, external=None):
    set_toml(os.path.join(home, "config/config.toml"), {
        "moniker": json.dumps(os.path.basename(home)),
        "p2p.laddr": json.dumps(f"tcp://{address}:{P2P}"),
        "p2p.external_address": json.dumps(f"{external or address}:{P2P}"),
        "p2p.persistent_peers": json.dumps(",".join(persistent)),
        "p2p.addr_book_strict": "false",
        "p2p.allow_duplicate_ip": "true",
        "rpc.laddr": json.dumps(f"tcp://127.0.0.1:{RPC}"),
        "consensus.timeout_commit": json.dumps(BLOCK_TIME),
        "consensus.timeout_propose": json.dumps("2s"),
    })


# ---------------------------------------------------------------------------------------------
# sshd per host namespace, with its own /run/wireguard (a tmpfs in a private mount namespace:
# wireguard-go's control sockets would otherwise collide between hosts)

def start_sshd(dir_, host, address):
    hd = os.path.join(dir_, "hosts", host)
    os.makedirs(os.path.join(hd, "root"), exist_ok=True)
    for kind in ("ed25519",):
        key = os.path.join(hd, f"ssh_host_{kind}_key")
        if not os.path.exists(key):
            run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", "", "-f", key])
    run(["bash", FLEET, "sshd-config", os.path.join(hd, "sshd_config"), address, "22",
         os.path.join(dir_, "authorized_keys"), os.path.join(hd, "sshd.pid"),
         os.path.join(hd, "ssh_host_ed25519_key"), "--",
         "WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go",
         "WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1",
         f"PICKET_LAB_TOOLS={tools_dir()}", f"PICKET_LAB_HOST={hd}",
         f"PATH={HERE}/shim:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])
    log = os.path.join(hd, "sshd.log")
    open(log, "w").close()
    os.makedirs("/run/sshd", exist_ok=True)
    os.makedirs("/run/wireguard", exist_ok=True)
    # The host's own /home is its sandbox's, so that absolute paths inside rendered files
    # (tmkms.toml's key and state files) mean the same to the services as to picket's root:.
    os.makedirs(os.path.join(hd, "root/home"), exist_ok=True)
    script = (f"mount -t tmpfs -o mode=0700 lab-wg /run/wireguard && "
              f"mount --bind {hd}/root/home /home && "
              f"exec {SSHD} -D -f {hd}/sshd_config -E {log}")
    subprocess.Popen(["ip", "netns", "exec", host_ns(host), "unshare", "--mount",
                      "--propagation", "private", "sh", "-c", script],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)
    with open(os.path.join(hd, "ssh_host_ed25519_key.pub")) as f:
        kind, blob = f.read().split()[:2]
    return hd, f"{kind} {blob}"


def wait_for(what, predicate, timeout, interval=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise LabError(f"{what}: not within {timeout} s")


def listening(ns, port, address=None):
    out = run(["ss", "-Hltn"], ns=ns, check=False)
    for line in out.splitlines():
        local = line.split()[3]
        if local.rsplit(":", 1)[1] == str(port) and (address is None or local.startswith(address)):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# up

def up(dir_):
    dir_ = os.path.abspath(dir_)
    netns.check_can_build()
    netns.teardown()
    shutil.rmtree(dir_, ignore_errors=True)
    os.makedirs(dir_)
    with open(EXAMPLE) as f:
        topo = yaml.safe_load(f)
    inv_path = os.path.normpath(os.path.join(os.path.dirname(EXAMPLE), topo["inventory"]))
    with open(inv_path) as f:
        inv = yaml.safe_load(f)
    line = topo["chain"]["cometbft"]
    chain_id = topo["chain"]["id"]

    # Namespaces and addresses.
    state = {"dir": dir_, "line": line, "chain_id": chain_id, "ports": {}, "namespaces": {},
             "hosts": {}, "network": [], "partners": {}}
    netns.make_bridge()
    endpoints = [(host_ns(h), v["address"], ("host", h)) for h, v in inv["hosts"].items()]
    endpoints += [(netns.PREFIX + "op", OPERATOR_ADDRESS, ("operator", "")),
                  (netns.PREFIX + "inet", STRANGER_ADDRESS, ("stranger", ""))]
    endpoints += [(f"{netns.PREFIX}net-{i + 1}", a, ("network", f"net-{i + 1}"))
                  for i, a in enumerate(NETWORK_ADDRESSES)]
    partner_eps = []
    for pname, partner in topo.get("partners", {}).items():
        for i, peer in enumerate(partner["peers"]):
            if partner.get("over") == "vpn":
                address = partner["wireguard"]["endpoint"].rsplit(":", 1)[0]
            else:
                address = peer["address"].rsplit(":", 1)[0]
            name = f"{pname}-{i + 1}"
            partner_eps.append((f"{netns.PREFIX}p-{name}", address, ("partner", name)))
    endpoints += partner_eps
    for i, (ns, address, _) in enumerate(endpoints):
        state["ports"][ns] = netns.add_endpoint(ns, address, i)
        state["namespaces"][ns] = address

    # sshd on every host, one client key for the operator.
    key = os.path.join(dir_, "id_ed25519")
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "picket-lab", "-f", key])
    shutil.copy(key + ".pub", os.path.join(dir_, "authorized_keys"))
    host_keys = {}
    for h, v in inv["hosts"].items():
        hd, host_keys[h] = start_sshd(dir_, h, v["address"])
        state["hosts"][h] = {"dir": hd, "root": os.path.join(hd, "root"),
                             "address": v["address"], "ns": host_ns(h)}
    for h, v in inv["hosts"].items():
        wait_for(f"sshd of host {h} ({v['address']}:22)",
                 lambda h=h, v=v: listening(host_ns(h), 22, v["address"]), 20)

    # The chain: the network's validators, the partners' validators, our validator's key.
    peers_dir = os.path.join(dir_, "peers")
    validators, homes = [], []
    net_ids = []
    for i, address in enumerate(NETWORK_ADDRESSES):
        name = f"net-{i + 1}"
        home = os.path.join(peers_dir, name)
        node_id, pub = init_home(line, home)
        validators.append({"name": name, "pub": pub, "power": NETWORK_POWER})
        homes.append(home)
        net_ids.append(f"{node_id}@{address}:{P2P}")
        state["network"].append({"name": name, "ns": f"{netns.PREFIX}net-{i + 1}",
                                 "home": home, "id": node_id, "address": address,
                                 "validator_address": validator_address(pub)})
    partner_nodes = {}
    for ns, address, (_, name) in partner_eps:
        home = os.path.join(peers_dir, name)
        node_id, pub = init_home(line, home)
        validators.append({"name": name, "pub": pub, "power": PARTNER_POWER})
        homes.append(home)
        partner_nodes[name] = {"ns": ns, "home": home, "id": node_id, "address": address,
                               "validator_address": validator_address(pub)}
    # Our validator's consensus key, held by tmkms on the signer's host: made here as an
    # operator would (picket never creates or reads it).
    kms_home = os.path.join(dir_, "consensus-key")
    _, our_pub = init_home(line, kms_home)
    validators.append({"name": "ours", "pub": our_pub, "power": OUR_POWER})
    state["validator_address"] = validator_address(our_pub)
    state["consensus_key_json"] = os.path.join(kms_home, "config/priv_validator_key.json")

    # Our hosts get a home made by the binary and the chain's genesis, as an operator's
    # install would leave them; picket then writes config.toml and node_key.json.
    nodes = topo["nodes"]
    default_home = inv.get("defaults", {}).get("home", "/home/cosmos/.gaia")
    our_homes = {}
    for name, node in nodes.items():
        if node["role"] == "signer":
            continue
        hostv = inv["hosts"][node["host"]]
        home = node.get("home", hostv.get("home", default_home))
        local = state["hosts"][node["host"]]["root"] + home
        init_home(line, local)
        homes.append(local)
        our_homes[name] = {"host": node["host"], "home": home, "local": local,
                           "role": node["role"]}
    state["nodes"] = our_homes
    write_genesis(chain_id, validators, homes)

    # The network's validators peer with each other; the partners' with the network.
    for n in state["network"]:
        peer_config(n["home"], n["address"], [p for p in net_ids if n["id"] not in p])
    vpn_partners = _vpn_partners(topo)
    for name, p in partner_nodes.items():
        pname = name.rsplit("-", 1)[0]
        i = int(name.rsplit("-", 1)[1]) - 1
        if pname in vpn_partners:
            # Reached by our sentries over its WireGuard tunnel at the peer's tunnel address.
            tunnel = topo["partners"][pname]["peers"][i]["address"].rsplit(":", 1)[0]
            peer_config(p["home"], "0.0.0.0", net_ids, external=tunnel)
            p["tunnel_address"] = tunnel
        else:
            peer_config(p["home"], p["address"], net_ids)
    for n in state["network"]:
        start_node(n["ns"], line, n["home"], os.path.join(n["home"], "node.log"))
    for name, p in partner_nodes.items():
        start_node(p["ns"], line, p["home"], os.path.join(p["home"], "node.log"))
    state["partners"] = partner_nodes

    # The site: the bundled example pointed at the lab.
    site = os.path.join(dir_, "site")
    os.makedirs(site)
    write_site(topo, inv, state, host_keys, site, net_ids, key)
    with open(os.path.join(dir_, "lab.json"), "w") as f:
        json.dump(state, f, indent=2)
    wait_for("the network's first blocks", lambda: network_height(state) >= 2, 60, 0.5)
    return state


def _vpn_partners(topo):
    return {n for n, p in topo.get("partners", {}).items() if p.get("over") == "vpn"}


def write_site(topo, inv, state, host_keys, site, net_ids, key):
    """DIR/site: the example with the partners' real node IDs and the network's validators as
    its seeds; an inventory reaching each host's sshd at its own address."""
    t = json.loads(json.dumps(topo))
    t["inventory"] = "inventory.yaml"
    t["chain"]["binary_version"] = LINE_VERSIONS[state["line"]]
    for pname, partner in t.get("partners", {}).items():
        for i, peer in enumerate(partner["peers"]):
            p = state["partners"][f"{pname}-{i + 1}"]
            peer["id"] = p["id"]
            if partner.get("over") != "vpn":
                peer["address"] = f"{p['address']}:{P2P}"
        if partner.get("over") == "vpn":
            pk = os.path.join(state["dir"], f"partner-{pname}.key")
            private = run(["wg", "genkey"]).strip()
            with open(pk, "w") as f:
                f.write(private + "\n")
            os.chmod(pk, 0o600)
            pub = subprocess.run(["wg", "pubkey"], input=private, capture_output=True,
                                 text=True, check=True).stdout.strip()
            partner["wireguard"]["public_key"] = pub
    # The network's seeds: the example's stand-ins replaced by the lab chain's validators.
    t["network"] = {"seeds": [{"id": e.split("@")[0], "address": e.split("@")[1]}
                              for e in net_ids]}
    monitor = t.get("monitoring", {}).get("host")
    if monitor:
        # 1 s blocks: scrape and evaluate every 2 s, so an alert's `for:` is what it waits.
        t["monitoring"]["scrape_interval"] = PROMETHEUS_INTERVAL
        # Alertmanager's defaults would page 30 s after an alert and tell of its resolution
        # up to 5 min after the page: the Monitoring case would wait that long for it.
        t["monitoring"]["group_wait"] = f"{GROUP_WAIT_S}s"
        t["monitoring"]["group_interval"] = f"{GROUP_INTERVAL_S}s"
        # The example's receivers (PagerDuty, Slack, a dead-man's switch service) are outside
        # the lab: webhooks to the Monitoring case's listener on the monitoring host take
        # their places, "oncall" with a bearer token read from a file there (as a secret is).
        webhook = f"http://127.0.0.1:{WEBHOOK_PORT}"
        t["monitoring"]["receivers"] = {
            "oncall": {"webhook": {"url": webhook + "/oncall",
                                   "credentials_file": WEBHOOK_TOKEN_FILE},
                       "severity": "critical"},
            "deadman": {"webhook": {"url": webhook + "/deadman"}, "watchdog": True},
        }
        token = state["hosts"][monitor]["root"] + WEBHOOK_TOKEN_FILE
        os.makedirs(os.path.dirname(token), exist_ok=True)
        with open(token, "w") as f:
            f.write(WEBHOOK_TOKEN + "\n")
        os.chmod(token, 0o600)
    hosts = {}
    tools = tools_dir()
    for h, v in inv["hosts"].items():
        hv = dict(v)
        hs = state["hosts"][h]
        hv.update({"user": "root", "port": 22, "identity": key, "root": hs["root"],
                   "host_key": host_keys[h]})
        node = [n for n in state["nodes"].values() if n["host"] == h]
        # No systemd in the lab: the Monitoring case starts Prometheus on the deployed files
        # itself (start_prometheus), so a deploy has nothing to reload.
        hv["reload_monitoring"] = "true"
        # Nor a systemd to re-read picket's unit drop-ins: the lab's hosts start their
        # services themselves (host.sh), so the drop-ins are only written.
        hv["reload_units"] = "true"
        if h == monitor and not node:
            pass  # picket restarts nothing there
        elif node:
            hv["restart"] = f"{HERE}/host.sh restart-node {tools}/cometbft-{state['line']} {hs['root']}{node[0]['home']}"
            hv["check"] = f"{HERE}/host.sh check {hs['root']}{node[0]['home']}"
        else:  # the signer's host: tmkms in the signer's home (its own, else the host's)
            signer = next(v for v in t["nodes"].values() if v["host"] == h)
            home = signer.get("home", v.get("home", inv.get("defaults", {}).get("home")))
            # A signer has its own commands: `restart`/`check` are only the nodes'.
            hv["signer_restart"] = f"{HERE}/host.sh restart-signer {tools}/tmkms {hs['root']}{home}"
            hv["signer_check"] = f"{HERE}/host.sh check {hs['root']}{home}"
        hosts[h] = hv
    with open(os.path.join(site, "topology.yaml"), "w") as f:
        f.write("# The bundled example pointed at the lab (tests/lab/lab.py).\n")
        yaml.safe_dump(t, f, sort_keys=False)
    with open(os.path.join(site, "inventory.yaml"), "w") as f:
        f.write("# The example's hosts as lab namespaces (tests/lab/lab.py).\n")
        # picket runs in the operator's namespace: the example's controller address.
        yaml.safe_dump({"controller": OPERATOR_ADDRESS, "defaults": inv.get("defaults", {}),
                        "hosts": hosts}, f, sort_keys=False)


LINE_VERSIONS = {"0.34": "0.34.35", "0.37": "0.37.18", "0.38": "0.38.25", "1.0": "1.0.1"}


# ---------------------------------------------------------------------------------------------
# after `picket keys` and `picket render`: what the operator and the partners do by hand

def load_state(dir_):
    with open(os.path.join(os.path.abspath(dir_), "lab.json")) as f:
        return json.load(f)


def save_state(state):
    with open(os.path.join(state["dir"], "lab.json"), "w") as f:
        json.dump(state, f, indent=2)


def read_toml(path):
    import tomllib
    with open(path, "rb") as f:
        return tomllib.load(f)


def prepare(dir_, render_dir, picket):
    """Puts our consensus key where the rendered tmkms.toml reads it (tmkms softsign import,
    as the operator would), and brings each WireGuard partner's side up with what our
    handoff gives it (`picket partner --format json`, as the operator sends it): our public
    keys, endpoints and tunnel addresses. A wrong handoff leaves the partner's tunnel down."""
    state = load_state(dir_)
    render_dir = os.path.abspath(render_dir)
    tools = tools_dir()
    for host, hs in state["hosts"].items():
        for root, _, files in os.walk(os.path.join(render_dir, host)):
            if "tmkms.toml" not in files:
                continue
            kms = read_toml(os.path.join(root, "tmkms.toml"))
            key = hs["root"] + kms["providers"]["softsign"][0]["path"]
            os.makedirs(os.path.dirname(key), exist_ok=True)
            run([os.path.join(tools, "tmkms"), "softsign", "import",
                 state["consensus_key_json"], key])
            for v in kms.get("validator", []):
                identity = hs["root"] + v["secret_key"]
                os.makedirs(os.path.dirname(identity), exist_ok=True)
                if not os.path.exists(identity):
                    run([os.path.join(tools, "tmkms"), "softsign", "keygen", identity])
            os.makedirs(os.path.dirname(hs["root"] + kms["chain"][0]["state_file"]),
                        exist_ok=True)
    with open(os.path.join(SOURCE, "examples/sentry-network/topology.yaml")) as f:
        topo = yaml.safe_load(f)
    for pname in _vpn_partners(topo):
        with open(os.path.join(state["dir"], f"partner-{pname}.key")) as f:
            private = f.read().strip()
        partner_pub = subprocess.run(["wg", "pubkey"], input=private, capture_output=True,
                                     text=True, check=True).stdout.strip()
        handoff = json.loads(subprocess.run(
            [picket, "partner", os.path.join(state["dir"], "site", "topology.yaml"), pname,
             "--secrets", os.path.join(state["dir"], "secrets"), "--format", "json"],
            capture_output=True, text=True, check=True).stdout)
        if handoff["expected_from_partner"]["wireguard"]["public_key"] != partner_pub:
            raise LabError(f"the handoff of {pname} expects another WireGuard key than the partner's")
        ours = [{"host": t["host"], "public_key": t["public_key"], "address": t["tunnel_address"],
                 "endpoint": t["endpoint"]} for t in handoff["our_wireguard"]]
        if not ours:
            raise LabError(f"the handoff of {pname} names none of our WireGuard peers")
        for name, p in state["partners"].items():
            if not name.startswith(pname + "-"):
                continue
            bring_up_partner_vpn(state, p, private, ours, topo["vpn"]["subnet"],
                                 int(topo["partners"][pname]["wireguard"]["endpoint"]
                                     .rsplit(":", 1)[1]))
    save_state(state)


def parse_wg(path):
    iface, peers, cur = {}, [], None
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line == "[Interface]":
                cur = iface
            elif line == "[Peer]":
                cur = {}
                peers.append(cur)
            elif "=" in line and cur is not None:
                k, v = line.split("=", 1)
                cur[k.strip()] = v.strip()
    return iface, peers


def bring_up_partner_vpn(state, p, private, ours, subnet, port):
    """The partner's WireGuard, by hand with wireguard-go and wg (their side, not picket's)."""
    ns, iface = p["ns"], "wgpartner"
    keyfile = os.path.join(state["dir"], "partner-wg.key")
    with open(keyfile, "w") as f:
        f.write(private + "\n")
    os.chmod(keyfile, 0o600)
    env = dict(os.environ, WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD="1")
    run(["ip", "link", "del", iface], ns=ns, check=False)
    run(["wireguard-go", iface], ns=ns, env=env)
    args = ["wg", "set", iface, "listen-port", str(port), "private-key", keyfile]
    for o in ours:
        args += ["peer", o["public_key"], "endpoint", o["endpoint"], "allowed-ips",
                 o["address"] + "/32", "persistent-keepalive", "25"]
    run(args, ns=ns)
    run(["ip", "addr", "add", f"{p['tunnel_address']}/32", "dev", iface], ns=ns)
    run(["ip", "link", "set", iface, "up"], ns=ns)
    for o in ours:
        run(["ip", "route", "replace", o["address"] + "/32", "dev", iface], ns=ns)
    p["vpn_peers"] = [o["host"] for o in ours]


# ---------------------------------------------------------------------------------------------
# Prometheus, Alertmanager and node_exporter on the files picket deployed, and the receiver's
# end of a webhook

PROMETHEUS_INTERVAL = "2s"
# Alertmanager's route timings in the lab (write_site): a group's first page this long after
# its first alert, then a page for its changes (a resolution) at most this often.
GROUP_WAIT_S = 10
GROUP_INTERVAL_S = 30
PROMETHEUS_PORT = 9090
ALERTMANAGER_PORT = 9093
WEBHOOK_PORT = 9199
# The lab's receivers (write_site): webhooks to the listener the Monitoring case runs on the
# monitoring host's 127.0.0.1; "oncall" sends a bearer token read from a file on that host.
WEBHOOK_TOKEN_FILE = "/etc/picket/webhook.token"
WEBHOOK_TOKEN = "lab-webhook-token"
NODE_EXPORTER_DEFAULTS = "/etc/default/prometheus-node-exporter"


def rooted_config(state, host, path, work):
    """A copy in work/ of a file picket deployed on host, with the absolute /etc/ paths inside
    it (rule files, receivers' secret files) pointed into the host's root: the lab's hosts
    share the machine's /etc. Returns the copy's path."""
    root = state["hosts"][host]["root"]
    with open(root + path) as f:
        text = re.sub(r"(?<=[\s\"'])/etc/", root + "/etc/", f.read())
    out = os.path.join(work, os.path.basename(path))
    with open(out, "w") as f:
        f.write(text)
    return out


def service_dir(state, host, name):
    return os.path.join(state["hosts"][host]["dir"], name)


def start_service(state, host, name, args, fresh=True):
    """Starts args detached in the host's network and mount namespaces (those of its sshd, as
    host_exec); its log and pid file go to hosts/<host>/<name>/. Returns that directory."""
    work = service_dir(state, host, name)
    if fresh:
        shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(state["hosts"][host]["dir"], "sshd.pid")) as f:
        pid = f.read().strip()
    with open(os.path.join(work, name + ".log"), "w") as log:
        proc = subprocess.Popen(["nsenter", "-t", pid, "-m", "-n"] + list(args),
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    with open(os.path.join(work, "pid"), "w") as f:
        f.write(str(proc.pid))
    _services[work] = proc
    return work


_services = {}  # service directory -> its process, while this process started it


def stop_service(state, host, name):
    work = service_dir(state, host, name)
    path = os.path.join(work, "pid")
    if not os.path.exists(path):
        return
    with open(path) as f:
        pid = int(f.read())
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    os.remove(path)
    proc = _services.pop(work, None)
    if proc is not None:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(pid, signal.SIGKILL)
            proc.wait()


def http_get(ns, url, timeout=5):
    """The body of a GET from inside namespace ns, or None."""
    return run(["curl", "-sfg", "--max-time", str(timeout), url], ns=ns, check=False,
               timeout=timeout + 5) or None


def start_prometheus(state, host):
    """Starts the real Prometheus (Debian's) on the monitoring host, on the prometheus.yml and
    rules picket deployed there; its API answers on the host's 127.0.0.1:9090."""
    work = service_dir(state, host, "prometheus")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "data"))
    config = rooted_config(state, host, "/etc/prometheus/prometheus.yml", work)
    start_service(state, host, "prometheus", [
        "prometheus", f"--config.file={config}", f"--storage.tsdb.path={work}/data",
        f"--web.listen-address=127.0.0.1:{PROMETHEUS_PORT}"], fresh=False)
    wait_for("Prometheus on " + host,
             lambda: prometheus_api(state, host, "/api/v1/status/buildinfo") is not None, 30, 0.3)


def stop_prometheus(state, host):
    stop_service(state, host, "prometheus")


def prometheus_api(state, host, path):
    """The `data` of a Prometheus API answer, asked from inside the monitoring host."""
    out = http_get(state["hosts"][host]["ns"], f"http://127.0.0.1:{PROMETHEUS_PORT}{path}")
    try:
        doc = json.loads(out) if out else None
    except ValueError:
        return None
    return doc.get("data") if doc and doc.get("status") == "success" else None


def alertmanager_binary():
    return shutil.which("prometheus-alertmanager") or shutil.which("alertmanager") or \
        "prometheus-alertmanager"


def start_alertmanager(state, host):
    """Starts the real Alertmanager (Debian's) on the monitoring host, on the alertmanager.yml
    picket deployed there, listening where the deployed prometheus.yml sends alerts
    (127.0.0.1:9093); no cluster (one Alertmanager)."""
    work = service_dir(state, host, "alertmanager")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "data"))
    config = rooted_config(state, host, "/etc/prometheus/alertmanager.yml", work)
    start_service(state, host, "alertmanager", [
        alertmanager_binary(), f"--config.file={config}", f"--storage.path={work}/data",
        f"--web.listen-address=127.0.0.1:{ALERTMANAGER_PORT}", "--cluster.listen-address="],
        fresh=False)
    ns = state["hosts"][host]["ns"]
    wait_for("Alertmanager on " + host,
             lambda: http_get(ns, f"http://127.0.0.1:{ALERTMANAGER_PORT}/-/ready") is not None,
             30, 0.3)


def node_exporter_args(state, host):
    """The flags of the node_exporter picket deployed on host: ARGS of its
    /etc/default/prometheus-node-exporter, as Debian's unit passes them."""
    with open(state["hosts"][host]["root"] + NODE_EXPORTER_DEFAULTS) as f:
        for line in f:
            if line.startswith("ARGS="):
                return shlex.split(shlex.split(line[len("ARGS="):])[0])
    raise LabError(f"{host}: no ARGS= in {NODE_EXPORTER_DEFAULTS}")


def start_node_exporter(state, host):
    """The real node_exporter (Debian's) on host, with the flags picket deployed there."""
    start_service(state, host, "node-exporter",
                  ["prometheus-node-exporter"] + node_exporter_args(state, host))


def stop_node_exporter(state, host):
    stop_service(state, host, "node-exporter")


WEBHOOK_LISTENER = """
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
out = sys.argv[2]
class H(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(out, "a") as f:
            f.write(json.dumps({"path": self.path, "received": __import__("time").time(),
                                "authorization": self.headers.get("Authorization"),
                                "body": json.loads(body)}) + "\\n")
        self.send_response(200)
        self.end_headers()
    def log_message(self, *a):
        pass
HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def start_webhook_listener(state, host):
    """A webhook receiver on the host's 127.0.0.1:WEBHOOK_PORT: each POST becomes a line of
    hosts/<host>/webhook/received.jsonl (path, arrival time, Authorization, JSON body)."""
    work = start_service(state, host, "webhook", [
        "python3", "-c", WEBHOOK_LISTENER, str(WEBHOOK_PORT),
        os.path.join(service_dir(state, host, "webhook"), "received.jsonl")])
    open(os.path.join(work, "received.jsonl"), "w").close()
    wait_for("the webhook listener on " + host,
             lambda: listening(state["hosts"][host]["ns"], WEBHOOK_PORT, "127.0.0.1"), 10)


def webhook_received(state, host):
    """Every notification the listener has received so far, oldest first."""
    with open(os.path.join(service_dir(state, host, "webhook"), "received.jsonl")) as f:
        return [json.loads(line) for line in f if line.strip()]


# ---------------------------------------------------------------------------------------------
# queries (from inside namespaces: RPC binds 127.0.0.1 everywhere)

def rpc(ns, path, port=RPC, timeout=5):
    out = run(["curl", "-sf", "--max-time", str(timeout), f"http://127.0.0.1:{port}{path}"],
              ns=ns, check=False, timeout=timeout + 5)
    if not out:
        return None
    try:
        return json.loads(out).get("result")
    except ValueError:
        return None


def network_height(state):
    s = rpc(state["network"][0]["ns"], "/status")
    return int(s["sync_info"]["latest_block_height"]) if s else 0


def signed(state, height):
    """True when our validator's signature is in the commit of height (as the network sees)."""
    c = rpc(state["network"][0]["ns"], f"/commit?height={height}")
    if not c:
        return None
    for sig in c["signed_header"]["commit"]["signatures"]:
        if sig.get("validator_address") == state["validator_address"]:
            return sig.get("block_id_flag") == 2
    return False


def host_exec(state, host, args, check=True, timeout=30):
    """Runs a command in a host's network and mount namespaces (those of its sshd), as the
    host itself would: its /run/wireguard and /home are its own."""
    with open(os.path.join(state["hosts"][host]["dir"], "sshd.pid")) as f:
        pid = f.read().strip()
    return run(["nsenter", "-t", pid, "-m", "-n"] + list(args), check=check, timeout=timeout)


def node_ids(state, secrets_dir):
    """Node name -> node ID of our nodes, from the secrets picket keys wrote (node_key.json)."""
    out = {}
    for name in state["nodes"]:
        path = os.path.join(secrets_dir, "nodes", name, "node_key.json")
        if not os.path.exists(path):
            continue
        with open(path) as f:
            raw = base64.b64decode(json.load(f)["priv_key"]["value"])
        out[name] = hashlib.sha256(raw[32:]).hexdigest()[:40]
    return out


def live_peers(state, node):
    """Node IDs of the peers a node of ours has right now (its /net_info), or None."""
    n = state["nodes"][node]
    port = n.get("rpc_port", RPC)
    info = rpc(state["hosts"][n["host"]]["ns"], "/net_info", port=port)
    if info is None:
        return None
    return sorted(p["node_info"]["id"] for p in info["peers"])


def handshakes(state):
    """Pairs of hosts whose WireGuard tunnel completed a handshake (host names sorted), with
    the partners' tunnels as ("host", "partner:<name>")."""
    by_key = {}
    for host in state["hosts"]:
        out = host_exec(state, host, ["wg", "show", "picket", "public-key"], check=False)
        if out.strip():
            by_key[out.strip()] = host
    for name, p in state["partners"].items():
        out = run(["wg", "show", "wgpartner", "public-key"], ns=p["ns"], check=False)
        if out.strip():
            by_key[out.strip()] = "partner:" + name
    pairs = set()
    for host in state["hosts"]:
        out = host_exec(state, host, ["wg", "show", "picket", "latest-handshakes"], check=False)
        for line in out.splitlines():
            key, when = line.split()
            if int(when) > 0:
                pairs.add(tuple(sorted((host, by_key.get(key, "unknown:" + key)))))
    return sorted(pairs)


def scan(state, ns, ports, timeout=0.6):
    """Which (address, port) of our hosts' addresses accept a TCP connection from ns."""
    return scan_list(ns, [(h["address"], p) for h in state["hosts"].values() for p in ports],
                     timeout)


def scan_list(ns, targets, timeout=0.6):
    """Which of the (address, port) targets accept a TCP connection from namespace ns."""
    code = (
        "import socket, sys, concurrent.futures as cf\n"
        "t = [(a, int(p)) for a, p in (x.split(':') for x in sys.argv[1:])]\n"
        "def probe(ap):\n"
        "    s = socket.socket(); s.settimeout(%s)\n"
        "    try:\n"
        "        s.connect(ap); return ap\n"
        "    except OSError:\n"
        "        return None\n"
        "    finally:\n"
        "        s.close()\n"
        "with cf.ThreadPoolExecutor(64) as ex:\n"
        "    for r in ex.map(probe, t):\n"
        "        if r: print('%%s:%%d' %% r)\n" % timeout)
    out = run(["python3", "-c", code] + [f"{a}:{p}" for a, p in targets], ns=ns, timeout=60)
    return sorted(tuple(x.rsplit(":", 1)) for x in out.split())


def fail(state, hosts):
    """Cuts the hosts' only link to the lab (their nodes keep running, unreachable)."""
    for h in hosts:
        netns.set_port(state["ports"][state["hosts"][h]["ns"]], False)


def restore(state, hosts=None):
    for h in hosts or state["hosts"]:
        netns.set_port(state["ports"][state["hosts"][h]["ns"]], True)


def signing_since(state, start, count, timeout=None):
    """Our signature (True/False) in the commits of heights start .. start+count-1, waiting
    for the network to make them."""
    need = start + count  # the commit of h is final once h+1 exists
    wait_for(f"height {need}", lambda: network_height(state) >= need,
             timeout or count * 3 + 30, 0.3)
    return [signed(state, h) for h in range(start, start + count)]


def first_signed(dir_, start, deployed, timeout=180):
    """Waits for the first commit our validator signed; records seconds from deploy start."""
    state = load_state(dir_)
    h = max(network_height(state) - 1, 1)
    deadline = time.time() + timeout
    while time.time() < deadline:
        top = network_height(state)
        while h < top:
            if signed(state, h):
                figures = {"deploy_seconds": round(deployed - start, 2),
                           "first_signed_height": h,
                           "first_signed_seconds": round(time.time() - start, 2)}
                with open(os.path.join(state["dir"], "figures.json"), "w") as f:
                    json.dump(figures, f)
                print(f"our validator signed height {h}: {figures['first_signed_seconds']} s "
                      f"after the deploy started (deploy itself {figures['deploy_seconds']} s)")
                return
            h += 1
        time.sleep(0.3)
    raise LabError(f"our validator signed no block within {timeout} s of the deploy")


def show(dir_, what, secrets_dir, args=()):
    """What the demo prints about the live network."""
    state = load_state(dir_)
    if what == "signing":
        top = network_height(state)
        sigs = signing_since(state, top - 10, 10)
        marks = " ".join(f"{top - 10 + i}:{'signed' if s else 'MISSED'}"
                         for i, s in enumerate(sigs))
        print(f"chain {state['chain_id']} at height {top}; our validator "
              f"{state['validator_address'][:12]}… in the last 10 commits: "
              f"{sum(1 for s in sigs if s)}/10")
        print(f"  {marks}")
    elif what == "peers":
        with open(os.path.join(dir_, "site/topology.yaml")) as f:
            topo = yaml.safe_load(f)
        ids = node_ids(state, secrets_dir)
        names = {v: k for k, v in ids.items()}
        names.update({p["id"]: "partner " + n for n, p in state["partners"].items()})
        names.update({n["id"]: "network " + n["name"] for n in state["network"]})
        neighbours = {n: set() for n in state["nodes"]}
        for link in topo.get("links", []):
            a, b = link["between"]
            neighbours[a].add(b)
            neighbours[b].add(a)
        for pname, partner in topo.get("partners", {}).items():
            for node in partner["with"]:
                neighbours[node].update(f"partner {pname}-{i + 1}"
                                        for i in range(len(partner["peers"])))
        for node in state["nodes"]:
            live = {names.get(i, i[:12]) for i in live_peers(state, node) or []}
            missing = sorted(neighbours[node] - live)
            extra = sorted(live - neighbours[node])
            verdict = "as designed" if not missing and not extra else ""
            if missing:
                verdict += f"MISSING {', '.join(missing)} "
            if extra:
                verdict += f"(also {', '.join(extra)})"
            print(f"  {node:10} {len(live):2} peers: {', '.join(sorted(live))}  -> {verdict}")
    elif what == "scan":
        ports = (22, 26656, 26657, 26659, 26660)
        open_ = scan(state, netns.PREFIX + "inet", ports)
        by_addr = {}
        for a, p in open_:
            by_addr.setdefault(a, []).append(p)
        for h, v in state["hosts"].items():
            print(f"  {h:8} {v['address']:15} open to a stranger: "
                  f"{', '.join(sorted(by_addr.get(v['address'], []), key=int)) or 'nothing'}"
                  f"  (probed {', '.join(map(str, ports))})")
    elif what == "handshakes":
        for a, b in handshakes(state):
            print(f"  {a} <-> {b}")
    else:
        raise LabError(f"show: unknown {what}")


def hosts_of(dir_, failures):
    """The hosts a list of KIND=VALUE failures takes down."""
    with open(os.path.join(dir_, "site/topology.yaml")) as f:
        topo = yaml.safe_load(f)
    with open(os.path.join(dir_, "site/inventory.yaml")) as f:
        inv = yaml.safe_load(f)
    hosts = set()
    for failure in failures:
        kind, value = failure.split("=", 1)
        if kind == "node":
            hosts.add(topo["nodes"][value]["host"])
        elif kind == "host":
            hosts.add(value)
        else:
            hosts |= {h for h, v in inv["hosts"].items() if v.get(kind) == value}
    return sorted(hosts)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 64
    try:
        if argv[1] == "up":
            try:
                up(argv[2])
            except BaseException:
                netns.teardown()  # a lab that cannot start leaves nothing behind
                raise
        elif argv[1] == "down":
            netns.teardown()
        elif argv[1] == "prepare":
            prepare(argv[2], argv[3], os.path.realpath(argv[4]))
        elif argv[1] == "show":
            show(argv[2], argv[3], os.path.join(argv[2], "secrets"))
        elif argv[1] == "fail":
            hosts = hosts_of(argv[2], argv[3:])
            fail(load_state(argv[2]), hosts)
            print(f"cut off: {', '.join(hosts)}")
        elif argv[1] == "restore":
            restore(load_state(argv[2]))
        elif argv[1] == "check":
            netns.check_can_build()
        elif argv[1] == "first-signed":
            first_signed(argv[2], float(argv[3]), float(argv[4]))
        else:
            print(__doc__, file=sys.stderr)
            return 64
    except LabError as e:
        print(f"lab: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

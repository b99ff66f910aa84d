#!/usr/bin/env python3
"""Topology and inventory for the deploy benchmark (bench/deploy.sh): N hosts on a local fleet
(tests/ssh/fleet.sh), one node per host: 1 validator, 2 private sentries, the rest public
sentries, each linked over `private` to both private sentries. Each node gets its own RPC port
(every host is 127.0.0.1, ports from 16657); each host's restart (re)starts scripts/rpc_standin.py for its node,
as scripts/demo_fleet.py does, so deploy's health checks are real; the host's `check` asks
whether that process is alive with shell built-ins.

Usage: gen_deploy_site.py N FLEET_DIR OUT_DIR   (writes OUT_DIR/topology.yaml, inventory.yaml,
                                                 restart.tsv: host, restart command)
"""
import os
import sys

import yaml


def main():
    n, fleet, out = int(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]
    here = os.path.dirname(os.path.abspath(__file__))
    standin = os.path.join(os.path.dirname(here), "scripts", "rpc_standin.py")
    with open(os.path.join(fleet, "inventory.yaml")) as f:
        reach = yaml.safe_load(f)["hosts"]
    names = list(reach)
    assert len(names) == n, (len(names), n)

    nodes, links, hosts, restarts = {}, [], {}, []
    for i, host in enumerate(names):
        if i == 0:
            name, role = "validator", "validator"
        elif i <= 2:
            name, role = f"priv-{i}", "private-sentry"
        else:
            name, role = f"pub-{i}", "public-sentry"
        # Below Linux's ephemeral range (32768-60999): a stand-in port in it can be taken
        # by a client socket of the run itself (sshd's direct-tcpip, any tool's ssh), and
        # the stand-in then fails to start. Above the fleets' sshd ports (22000-31999).
        port = 16657 + i
        nodes[name] = {"role": role, "host": host, "rpc_port": port}
        if role != "private-sentry":
            links += [{"between": [name, "priv-1"], "over": "private"},
                      {"between": [name, "priv-2"], "over": "private"}]
        state = os.path.join(fleet, host, "node")
        h = dict(reach[host])
        h["restart"] = f"python3 {standin} restart --port {port} --state {state}"
        # What `systemctl is-active` answers on a real host, at about its cost: is the
        # stand-in's process alive (shell built-ins only; `rpc_standin.py check` answers the
        # same but starts python3, 60-80 ms of CPU per call, which no real check costs).
        # (The pid file has no final line break, so read's own status is not the answer.)
        h["check"] = f'read -r pid 2>/dev/null <{state}/rpc.pid; [ -n "$pid" ] && kill -0 "$pid"'

        h["reload_firewall"] = "nft -c -f {file}"
        hosts[host] = h
        restarts.append((host, h["restart"]))
    links.append({"between": ["priv-1", "priv-2"], "over": "private"})
    topo = {"version": 1,
            "chain": {"id": "bench-1", "cometbft": "0.38", "p2p_port": 26656, "rpc_port": 26657},
            "inventory": "inventory.yaml", "nodes": nodes, "links": links}
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "topology.yaml"), "w") as f:
        yaml.safe_dump(topo, f, sort_keys=False)
    with open(os.path.join(out, "inventory.yaml"), "w") as f:
        yaml.safe_dump({"defaults": {"home": "/home/cosmos/.gaia"}, "hosts": hosts}, f, sort_keys=False)
    with open(os.path.join(out, "restart.tsv"), "w") as f:
        for host, cmd in restarts:
            f.write(f"{host}\t{cmd}\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Points the bundled example at the demo's local fleet: writes DIR/topology.yaml (the example
with a distinct RPC port per node, since every "host" is 127.0.0.1 here) and DIR/inventory.yaml
(the example's hosts with their failure domains and jump hosts, reached through the fleet's
sshd processes, each with its own sandbox root, a restart that (re)starts the node's RPC
stand-in, and reloads that only check the files).

Usage: demo_fleet.py EXAMPLE_TOPOLOGY EXAMPLE_INVENTORY FLEET_DIR OUT_DIR
"""
import os
import sys

import yaml


def main():
    topo_path, inv_path, fleet, out = sys.argv[1:5]
    fleet = os.path.abspath(fleet)  # commands run in the SSH session, not here
    here = os.path.dirname(os.path.abspath(__file__))
    with open(topo_path) as f:
        topo = yaml.safe_load(f)
    with open(inv_path) as f:
        inv = yaml.safe_load(f)
    with open(os.path.join(fleet, "inventory.yaml")) as f:
        reach = yaml.safe_load(f)["hosts"]

    port_of_host = {}
    for i, (name, node) in enumerate(topo["nodes"].items()):
        if node["role"] != "signer":
            node["rpc_port"] = 36657 + i
            port_of_host[node["host"]] = node["rpc_port"]
    topo["inventory"] = "inventory.yaml"

    hosts = {}
    for name, host in inv["hosts"].items():
        h = dict(host)
        h.update(reach[name])  # address, port, user, identity, root, host_key of the fleet
        state = os.path.join(fleet, name, "node")
        standin = os.path.join(here, "rpc_standin.py")
        if name in port_of_host:
            h["restart"] = f"python3 {standin} restart --port {port_of_host[name]} --state {state}"
            h["check"] = f"python3 {standin} check --state {state}"
        else:  # the signer's host (tmkms would restart here) or the monitoring host
            h["restart"] = "echo tmkms restarted"
            h["check"] = "true"
        h["reload_vpn"] = "wg-quick strip {file} >/dev/null"
        h["reload_firewall"] = "nft -c -f {file}"
        h["reload_monitoring"] = "true"  # no Prometheus on the demo's fleet
        h["reload_units"] = "true"  # nor systemd to re-read the unit drop-ins
        # Every "host" is reached at 127.0.0.1, so that is where picket comes from.
        h["ssh_allow"] = ["127.0.0.1"]
        hosts[name] = h
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "topology.yaml"), "w") as f:
        f.write("# The bundled example, pointed at the demo's local fleet by scripts/demo_fleet.py.\n")
        yaml.safe_dump(topo, f, sort_keys=False)
    with open(os.path.join(out, "inventory.yaml"), "w") as f:
        f.write("# The example's hosts, reached through local sshd processes (scripts/demo_fleet.py).\n")
        yaml.safe_dump({"controller": "127.0.0.1", "defaults": inv.get("defaults", {}),
                        "hosts": hosts}, f, sort_keys=False)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Ansible inventory for the deploy benchmark (bench/deploy.sh): every fleet host with its SSH
reach, its sandbox root, its restart command (the same one picket runs) and the list of its
rendered files (from the render's manifest.json: path and mode).

Usage: ansible_site.py FLEET_DIR SITE_DIR RENDER_DIR OUT.yaml
"""
import json
import os
import sys

import yaml


def main():
    fleet, site, render, out = (os.path.abspath(p) for p in sys.argv[1:5])
    with open(os.path.join(fleet, "inventory.yaml")) as f:
        reach = yaml.safe_load(f)["hosts"]
    with open(os.path.join(site, "inventory.yaml")) as f:
        inv = yaml.safe_load(f)["hosts"]
    with open(os.path.join(render, "manifest.json")) as f:
        files = json.load(f)["files"]
    hosts = {}
    for name, r in reach.items():
        mine = [{"src": os.path.join(render, name) + f["path"], "path": f["path"], "mode": f["mode"]}
                for f in files if f["host"] == name]
        hosts[name] = {
            "ansible_host": r["address"], "ansible_port": r["port"], "ansible_user": r["user"],
            "ansible_ssh_private_key_file": r["identity"],
            "ansible_ssh_common_args": f"-o UserKnownHostsFile={fleet}/known_hosts",
            "ansible_python_interpreter": "/usr/bin/python3",
            "root": r["root"], "restart_cmd": inv[name]["restart"], "files": mine,
            "dirs": sorted({os.path.dirname(f["path"]) for f in mine}),
        }
    with open(out, "w") as f:
        yaml.safe_dump({"all": {"hosts": hosts}}, f, sort_keys=False)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Generates a synthetic validator network for benchmarks: DIR/topology.yaml + DIR/inventory.yaml.

Shape: one validator with a remote signer, P private sentries linked to the validator over
VPN, and the rest public sentries in a random mesh (each new public sentry links to two
random earlier sentries), so there are about two links per node. Hosts: one per node.
Failure domains: ~100 nodes per data centre, 20 regions, 10 providers. Two partners peer
with the first private sentries. Deterministic for a given --seed.

--style block (default) writes each node, link and host as an indented block, the way the
examples and docs write them; --style flow writes one flow mapping per line ({role: …}).
yaml-cpp parses block style noticeably faster, so the benchmark reports both.
"""
import argparse
import os
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, required=True, help="total nodes (>= 12)")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--private", type=int, default=8, help="private sentries")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--style", choices=["block", "flow"], default="block")
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    n, p = args.nodes, args.private
    publics = n - 2 - p
    if publics < 2:
        raise SystemExit("--nodes too small")
    datacenters = max(1, n // 100)
    os.makedirs(args.out, exist_ok=True)

    t = ["version: 1",
         "chain: {id: bench-1, cometbft: \"0.38\"}",
         "inventory: inventory.yaml",
         "nodes:",
         "  validator: {role: validator, host: h-val, signer: kms}",
         "  kms: {role: signer, host: h-kms}"]
    inv = ["defaults: {user: cosmos, home: /home/cosmos/.gaia, service: cosmovisor.service}",
           "hosts:",
           "  h-val: {address: 10.0.0.1, datacenter: dc-val, region: r-val, provider: p-val}",
           "  h-kms: {address: 10.0.0.2, datacenter: dc-val, region: r-val, provider: p-val}"]
    links = []
    sentries = []
    for i in range(p):
        name = f"priv-{i}"
        t.append(f"  {name}: {{role: private-sentry, host: h-{name}}}")
        inv.append(f"  h-{name}: {{address: 10.1.{i // 250}.{i % 250 + 1}, "
                   f"datacenter: dc-{i % datacenters}, region: r-{i % 20}, provider: p-{i % 10}}}")
        links.append(("validator", name))
        sentries.append(name)
    for i in range(publics):
        name = f"pub-{i}"
        t.append(f"  {name}: {{role: public-sentry, host: h-{name}}}")
        inv.append(f"  h-{name}: {{address: 10.{2 + i // 62500}.{(i // 250) % 250}.{i % 250 + 1}, "
                   f"datacenter: dc-{rnd.randrange(datacenters)}, region: r-{rnd.randrange(20)}, "
                   f"provider: p-{rnd.randrange(10)}}}")
        for peer in rnd.sample(sentries, min(2, len(sentries))):
            links.append((peer, name))
        sentries.append(name)
    t.append("links:")
    for a, b in links:
        over = "" if a == "validator" else ", over: private"
        t.append(f"  - {{between: [{a}, {b}]{over}}}")
    t.append("partners:")
    for j, partner in enumerate(["certus", "dorado"]):
        t.append(f"  {partner}:")
        t.append(f"    peers: [{{id: \"{j + 1:040x}\", address: \"203.0.113.{j + 7}:26656\"}}]")
        t.append(f"    with: [priv-0, priv-{min(1, p - 1)}]")
    t.append("vpn: {subnet: 10.44.0.0/16}")
    if args.style == "block":
        t = [to_block(line) for line in t]
        inv = [to_block(line) for line in inv]
    with open(os.path.join(args.out, "topology.yaml"), "w") as f:
        f.write("\n".join(t) + "\n")
    with open(os.path.join(args.out, "inventory.yaml"), "w") as f:
        f.write("\n".join(inv) + "\n")


def to_block(line):
    """'  name: {a: 1, b: 2}' -> block lines; '  - {between: [x, y], over: z}' -> a block item.
    Only the generator's own one-level flow maps are converted; anything else is kept."""
    stripped = line.lstrip(" ")
    indent = " " * (len(line) - len(stripped))
    if not stripped.endswith("}") or "{" not in stripped or stripped.count("{") != 1:
        return line
    head, body = stripped.split("{", 1)
    body = body[:-1]
    fields, depth, cur = [], 0, ""
    for ch in body:
        depth += ch in "[" 
        depth -= ch in "]"
        if ch == "," and depth == 0:
            fields.append(cur.strip())
            cur = ""
        else:
            cur += ch
    fields.append(cur.strip())
    if head.startswith("- "):
        first, rest = fields[0], fields[1:]
        return "\n".join([f"{indent}- {first}"] + [f"{indent}  {x}" for x in rest])
    return "\n".join([f"{indent}{head.rstrip()}"] + [f"{indent}  {x}" for x in fields])


if __name__ == "__main__":
    main()

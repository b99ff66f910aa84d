#!/usr/bin/env python3
"""The baseline an operator would script by hand: NetworkX on the same graph picket builds
(topology-format.md §3), computing the validator's node-disjoint path count to the network,
a smallest cut and the articulation points. Prints one JSON line with the timings.

Usage: networkx_baseline.py TOPOLOGY   (reads the YAML with PyYAML's C loader when present)
"""
import json
import sys
import time

import networkx as nx
import yaml
from networkx.algorithms.connectivity import local_node_connectivity, minimum_st_node_cut


def build_graph(topo):
    g = nx.MultiGraph()
    roles = {name: n["role"] for name, n in topo["nodes"].items()}
    for name, role in roles.items():
        if role != "signer":
            g.add_node(name)
        if role == "public-sentry":
            g.add_edge("network", name)
    for link in topo.get("links") or []:
        a, b = link["between"]
        if roles.get(a) != "signer" and roles.get(b) != "signer":
            g.add_edge(a, b)
    for pname, partner in (topo.get("partners") or {}).items():
        for i, _peer in enumerate(partner["peers"], 1):
            vertex = f"{pname}/{i}"
            g.add_edge("network", vertex)
            for ours in partner["with"]:
                g.add_edge(ours, vertex)
    return nx.Graph(g)  # connectivity algorithms want a simple graph


def main():
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    t0 = time.perf_counter()
    with open(sys.argv[1]) as f:
        topo = yaml.load(f, Loader=loader)
    t1 = time.perf_counter()
    g = build_graph(topo)
    validator = next(n for n, v in topo["nodes"].items()
                     if v["role"] == "validator" and not v.get("standby", False))
    t2 = time.perf_counter()
    paths = local_node_connectivity(g, validator, "network")
    cut = minimum_st_node_cut(g, validator, "network")
    articulation = sorted(nx.articulation_points(g))
    t3 = time.perf_counter()
    print(json.dumps({"parse_s": round(t1 - t0, 3), "build_s": round(t2 - t1, 3),
                      "analysis_s": round(t3 - t2, 3), "paths": paths, "cut_size": len(cut),
                      "articulation_points": len(articulation),
                      "nodes": g.number_of_nodes(), "edges": g.number_of_edges()}))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Lists the Prometheus series a CometBFT release exports, from its source.

Usage: cometbft_metrics.py SOURCE_DIR > templates/cometbft/metrics-LINE.txt

SOURCE_DIR is the release's module tree (e.g. ~/go/pkg/mod/github.com/cometbft/cometbft@v0.38.25,
which tests/lab/tools.sh leaves behind). Every package's metrics*.go declares its metrics as
prometheus.New{Gauge,Counter,Histogram}From(stdprometheus.*Opts{Subsystem: ..., Name: ...});
the series is <namespace>_<subsystem>_<name> with the namespace left out here (it is
`instrumentation.namespace`, "cometbft" by default). A histogram exports _bucket, _sum and
_count series; all three are listed. Output: one "name type" line per series, sorted.
"""
import pathlib
import re
import sys

KIND = re.compile(r"prometheus\.New(Gauge|Counter|Histogram)From\(\s*stdprometheus\.\w+Opts\{(.*?)\}", re.S)
FIELD = re.compile(r"(Subsystem|Name):\s*(\"[^\"]*\"|\w+)")
SUBSYSTEM_CONST = re.compile(r"MetricsSubsystem\s*=\s*\"([^\"]+)\"")


def main() -> int:
    root = pathlib.Path(sys.argv[1])
    series = set()
    for path in sorted(root.rglob("metrics*.go")):
        if "_test" in path.name:
            continue
        package_files = list(path.parent.glob("metrics*.go"))
        constant = None
        for f in package_files:
            m = SUBSYSTEM_CONST.search(f.read_text())
            if m:
                constant = m.group(1)
        for kind, body in KIND.findall(path.read_text()):
            fields = dict(FIELD.findall(body))
            subsystem = fields.get("Subsystem", "")
            if subsystem == "MetricsSubsystem":
                subsystem = constant
            else:
                subsystem = subsystem.strip('"')
            name = fields["Name"].strip('"')
            full = f"{subsystem}_{name}" if subsystem else name
            kind = kind.lower()
            if kind == "histogram":
                for suffix in ("_bucket", "_sum", "_count"):
                    series.add((full + suffix, kind))
            else:
                series.add((full, kind))
    for name, kind in sorted(series):
        print(name, kind)
    return 0


if __name__ == "__main__":
    sys.exit(main())

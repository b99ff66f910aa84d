#!/usr/bin/env python3
"""The CI recipes of examples/ci/ and the pre-commit manifest, checked as far as this machine
allows: each YAML file parses and has the shape its CI reads; every `picket lint` command a
recipe runs is run here, with the recipe's variables, on copies of the examples (pass on the
clean ones, fail on the flawed one); the SARIF it writes validates against the SARIF 2.1.0
JSON schema; the GitLab code-quality report has the fields GitLab requires; pre-commit runs
the hook from .pre-commit-hooks.yaml (`pre-commit try-repo`) on a repository of topologies.

The SARIF 2.1.0 schema (as SchemaStore publishes it) comes from the npm package
@microsoft/jest-sarif 1.0.0-beta.0, fetched once with `npm pack` into a cache outside the
tree (no Debian package ships it).

Usage: recipes_test.py PATH/TO/picket SOURCE_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import jsonschema
import yaml

picket = os.path.realpath(sys.argv[1])
source = os.path.realpath(sys.argv[2])
failures = []
passed = 0

# Without errors (minimal has no monitoring host: one no-monitor warning), and with them.
CLEAN = "examples/sentry-network/topology.yaml examples/minimal/topology.yaml"
FLAWED = "examples/flawed/topology.yaml examples/minimal/topology.yaml"


def check(name, ok, detail=""):
    global passed
    if ok:
        passed += 1
    else:
        failures.append(name)
        print(f"FAIL {name}" + (f"\n{detail}" if detail else ""))


def load(path):
    with open(os.path.join(source, path)) as f:
        return yaml.safe_load(f)


def workdir():
    """A scratch copy of the examples and inventories, picket on PATH."""
    d = tempfile.mkdtemp(prefix="picket-ci-")
    for sub in ("examples", "inventories"):
        shutil.copytree(os.path.join(source, sub), os.path.join(d, sub),
                        ignore=shutil.ignore_patterns(".picket"))
    os.makedirs(os.path.join(d, "bin"))
    os.symlink(picket, os.path.join(d, "bin", "picket"))
    return d


def run(command, cwd, env):
    full = dict(os.environ, **env, PATH=os.path.join(cwd, "bin") + ":" + os.environ["PATH"],
                NO_COLOR="1")
    return subprocess.run(["bash", "-ec", command], cwd=cwd, env=full, capture_output=True,
                          text=True)


def lint_commands(commands):
    return [c for c in commands if "picket lint" in c]


def run_all(commands, cwd, env):
    """Runs the commands in order, like a CI job; returns each one's result."""
    return [run(c, cwd, env) for c in commands]


# --- GitHub Actions -------------------------------------------------------------------------
gh = load("examples/ci/github-actions.yml")
on = gh.get("on", gh.get(True))  # YAML 1.1 reads a bare `on` key as true
check("github: runs on pull requests", isinstance(on, dict) and "pull_request" in on)
check("github: may upload to code scanning",
      gh.get("permissions", {}).get("security-events") == "write")
job = gh["jobs"]["lint"]
steps = job["steps"]
gh_runs = lint_commands([s["run"] for s in steps if "run" in s])
check("github: a sarif and a github lint step",
      [("--format sarif" in c, "--format github" in c) for c in gh_runs] ==
      [(True, False), (False, True)], repr(gh_runs))
upload = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif")]
check("github: one upload-sarif step, even after a failed lint",
      len(upload) == 1 and upload[0].get("if") == "always()")
sarif_file = upload[0]["with"]["sarif_file"]

def sarif_schema_path():
    """The SARIF 2.1.0 schema file, from the pinned npm package, cached after the first run."""
    package = "@microsoft/jest-sarif@1.0.0-beta.0"
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")),
                         "picket-tools", "jest-sarif-1.0.0-beta.0")
    path = os.path.join(cache, "package/lib/schemas/sarif-2.1.0-rtm.5.json")
    if os.path.exists(path):
        return path
    if shutil.which("npm") is None:
        sys.exit(f"ci-recipes: npm is missing: it fetches the SARIF schema ({package})")
    os.makedirs(cache, exist_ok=True)
    packed = subprocess.run(["npm", "pack", "--silent", "--pack-destination", cache, package],
                            capture_output=True, text=True)
    if packed.returncode != 0:
        sys.exit(f"ci-recipes: npm pack {package} failed (is the npm registry reachable?): "
                 f"{packed.stderr.strip()}")
    tarball = os.path.join(cache, packed.stdout.strip().splitlines()[-1])
    subprocess.run(["tar", "-xzf", tarball, "-C", cache, "package/lib/schemas"], check=True)
    return path


with open(sarif_schema_path()) as f:
    sarif_schema = json.load(f)

# The minimal example's DNS-named host draws two warnings (a peer's and an external address), and
# every example without a monitoring host one more (no-monitor).
for topologies, want_rc, want_results in ((CLEAN, 0, 3), (FLAWED, 1, 16)):
    d = workdir()
    env = dict(job["env"], TOPOLOGIES=topologies)
    sarif_step, github_step = run_all(gh_runs, d, env)
    check(f"github {topologies}: the sarif step succeeds", sarif_step.returncode == 0,
          sarif_step.stderr)
    check(f"github {topologies}: picket lint --format github exits {want_rc}",
          github_step.returncode == want_rc, github_step.stdout + github_step.stderr)
    lines = github_step.stdout.splitlines()
    check(f"github {topologies}: one annotation per finding",
          len(lines) == want_results and all(re.match(r"::(error|warning) file=", l) for l in lines),
          github_step.stdout)
    with open(os.path.join(d, sarif_file)) as f:
        log = json.load(f)
    try:
        jsonschema.Draft4Validator(sarif_schema).validate(log)
        check(f"github {topologies}: {sarif_file} is valid SARIF 2.1.0", True)
    except jsonschema.ValidationError as e:
        check(f"github {topologies}: {sarif_file} is valid SARIF 2.1.0", False, str(e)[:2000])
    check(f"github {topologies}: SARIF holds {want_results} results",
          len(log["runs"][0]["results"]) == want_results)
    shutil.rmtree(d)

# --- GitLab CI ------------------------------------------------------------------------------
gl = load("examples/ci/gitlab-ci.yml")["picket-lint"]
report = gl["artifacts"]["reports"]["codequality"]
check("gitlab: the report is kept even when the job fails", gl["artifacts"].get("when") == "always")
gl_runs = lint_commands(gl["script"])
check("gitlab: a codeclimate step writing the report, then the text lint",
      len(gl_runs) == 2 and "--format codeclimate" in gl_runs[0] and report in gl_runs[0]
      and "--format" not in gl_runs[1], repr(gl_runs))

SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def valid_issue(i):
    """The fields GitLab's code-quality report requires, with their types."""
    return (isinstance(i.get("description"), str) and isinstance(i.get("check_name"), str)
            and isinstance(i.get("fingerprint"), str) and i.get("severity") in SEVERITIES
            and isinstance(i["location"].get("path"), str)
            and isinstance(i["location"]["lines"].get("begin"), int))


for topologies, want_rc, want_issues in ((CLEAN, 0, 3), (FLAWED, 1, 16)):
    d = workdir()
    env = dict(gl["variables"], TOPOLOGIES=topologies)
    quality, text = run_all(gl_runs, d, env)
    check(f"gitlab {topologies}: the report step succeeds", quality.returncode == 0, quality.stderr)
    check(f"gitlab {topologies}: picket lint exits {want_rc}", text.returncode == want_rc,
          text.stdout + text.stderr)
    check(f"gitlab {topologies}: the text report closes with the total",
          text.stdout.endswith("2 topology files: " +
                               ("0 errors, 3 warnings\n" if want_rc == 0 else "10 errors, 6 warnings\n")),
          text.stdout)
    with open(os.path.join(d, report)) as f:
        issues = json.load(f)
    check(f"gitlab {topologies}: {want_issues} issues, each with GitLab's fields",
          isinstance(issues, list) and len(issues) == want_issues and all(map(valid_issue, issues)),
          json.dumps(issues)[:2000])
    check(f"gitlab {topologies}: fingerprints are unique",
          len({i["fingerprint"] for i in issues}) == len(issues))
    shutil.rmtree(d)

# --- pre-commit -----------------------------------------------------------------------------
hooks = load(".pre-commit-hooks.yaml")
check("pre-commit: one hook, picket-lint, running the installed picket",
      [(h["id"], h["entry"], h["language"]) for h in hooks] ==
      [("picket-lint", "picket lint", "system")])
pattern = re.compile(hooks[0]["files"])
names = ["topology.yaml", "chains/a/topology.yml", "inventories/fleet.yaml", "topology.yaml.bak"]
check("pre-commit: the hook takes topology files only",
      [bool(pattern.search(n)) for n in names] == [True, True, False, False])
user_config = load("examples/ci/pre-commit-config.yaml")
check("pre-commit: the example config uses the hook",
      user_config["repos"][0]["hooks"][0]["id"] == hooks[0]["id"])

if shutil.which("pre-commit") and subprocess.run(
        ["git", "-C", source, "ls-files", "--error-unmatch", ".pre-commit-hooks.yaml"],
        capture_output=True).returncode == 0:
    for extra, want_rc in (([], 0), (["examples/flawed/topology.yaml"], 1)):
        d = workdir()
        git = lambda *a: subprocess.run(["git", "-C", d, *a], capture_output=True, check=True)
        git("init", "-q")
        if not extra:
            os.remove(os.path.join(d, "examples/flawed/topology.yaml"))
        git("add", "examples", "inventories")
        env = {"PRE_COMMIT_HOME": os.path.join(d, ".cache"), "GIT_CONFIG_NOSYSTEM": "1",
               "HOME": d}
        r = run(f"pre-commit try-repo {source} picket-lint --all-files", d, env)
        check(f"pre-commit try-repo {extra or 'clean examples'}: exit {want_rc}",
              r.returncode == want_rc and
              re.search(r"^picket lint\.+" + ("Passed" if want_rc == 0 else "Failed") + "$",
                        r.stdout, re.M) is not None, r.stdout + r.stderr)
        shutil.rmtree(d)
else:
    check("pre-commit: installed and .pre-commit-hooks.yaml committed (try-repo needs both)", False)

print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)

"""What the Python tests share: a tally of checks, and running the fdsl CLI (FDSL_CLI, set by ctest).

ctest runs each test as a script (/usr/bin/python3 tests/python/test_x.py), so Python puts this
folder first on sys.path and `from testkit import ...` finds this file; DataLoader workers started
with spawn inherit that path. The name does not start with test_, so it is no ctest of its own."""
import os
import subprocess

passed = failed = 0


def check(cond, what):
    """Counts one check; a failed one prints FAIL and `what`."""
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def finish():
    """Prints the tally and exits: status 1 if any check failed, else 0."""
    print(f"{passed} passed, {failed} failed")
    raise SystemExit(1 if failed else 0)


def run_cli(args, **kw):
    """Runs fdsl with `args`, stdout and stderr captured as text."""
    return subprocess.run([os.environ["FDSL_CLI"]] + list(args), capture_output=True, text=True, **kw)


def generate(tmp, name, text, expect=0):
    """Writes the config `text` to tmp/name.yaml and generates its dataset into tmp/name, checking
    that fdsl exits with `expect`. Returns (the output folder, the CompletedProcess)."""
    cfg = os.path.join(tmp, name + ".yaml")
    with open(cfg, "w") as f:
        f.write(text)
    out = os.path.join(tmp, name)
    r = run_cli(["generate", cfg, "-o", out, "--progress", "quiet"])
    check(r.returncode == expect, f"{name}: generate exit {r.returncode} (want {expect}): {r.stderr}")
    return out, r

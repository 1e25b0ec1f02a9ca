"""bench/peers.py, the side-by-side run against the authors' generators, refuses what it cannot run
before it makes its venv (no peer given, a checkout path that is not a folder, a one-row FractalDB
slice), and its ratios are fdsl's rate over the peer's on the same clock. The runs themselves need
the authors' checkouts and PyPI, so they are not part of the suite."""
import importlib.util
import os
import subprocess
import sys
import tempfile

from testkit import check, finish

src = os.environ["FDSL_SOURCE_DIR"]
script = os.path.join(src, "bench", "peers.py")
tmp = tempfile.mkdtemp(prefix="fdsl-peers-test-")
venv = os.path.join(tmp, "venv")
cli = os.environ["FDSL_CLI"]


def run(*args):
    return subprocess.run([sys.executable, script, "--fdsl", cli, "--venv", venv] + list(args),
                          capture_output=True, text=True, timeout=120)


r = run()
check(r.returncode == 2 and "give at least one peer checkout" in r.stderr, "no peer: usage error, %r" % r.stderr[-200:])
missing = os.path.join(tmp, "no-such-checkout")
r = run("--rcdb", missing)
check(r.returncode == 2 and missing in r.stderr and "not a folder" in r.stderr,
      "a missing checkout is named: %r" % r.stderr[-200:])
r = run("--fractaldb", tmp, "--fractaldb-rows", "1")
check(r.returncode == 2 and "--fractaldb-rows must be at least 2" in r.stderr, "one weight row refused: %r" % r.stderr[-200:])
r = run("--rcdb", tmp, "--fdsl", os.path.join(tmp, "no-fdsl"))
check(r.returncode == 2 and "is not an executable" in r.stderr, "a missing fdsl CLI is refused: %r" % r.stderr[-200:])
check(not os.path.exists(venv), "no venv is made for a refused run")

spec = importlib.util.spec_from_file_location("peers", script)
peers = importlib.util.module_from_spec(spec)
spec.loader.exec_module(peers)
row = peers.Row("p", "r")
row.peer = (8, 8.0, 4.0)     # 1 image/s wall, 2 per CPU-second
row.ours = (1000, 2.0, 2.5)  # 500 images/s wall, 400 per CPU-second
d = row.as_dict()
check(d["official"]["images_per_s"] == 1.0 and d["official"]["images_per_cpu_s"] == 2.0, "peer rates: %r" % d)
check(d["fdsl"]["images_per_s"] == 500.0 and d["fdsl"]["images_per_cpu_s"] == 400.0, "fdsl rates: %r" % d)
check(d["ratio_wall"] == 500.0 and d["ratio_cpu"] == 200.0, "ratios: %r" % d)
row.ours = None
check("ratio_wall" not in row.as_dict(), "no ratio without both sides")
finish()

"""`cmake --install` puts a working fdsl package under the prefix: it imports from there alone, finds
the shipped FractalDB categories under <prefix>/share/fdsl/data, and makes the same pixels as the
build tree's package."""
import os
import subprocess
import sys
import tempfile

from testkit import check, finish

BUILD = os.environ["FDSL_BUILD_DIR"]

PROBE = """
import os, sys, numpy as np, fdsl
print(os.path.realpath(fdsl.__file__))
print(os.environ.get("FDSL_DATA_DIR", ""))
g = fdsl.Generator.from_config({"generator": "fractaldb", "categories": "official", "classes": 2,
                                "size": 32, "points": 2000, "patch_draws": 1, "flips": 1})
print(int(np.asarray(g.batch(range(len(g)))[0], dtype=np.int64).sum()))
"""

with tempfile.TemporaryDirectory() as prefix:
    r = subprocess.run(["cmake", "--install", BUILD, "--prefix", prefix], capture_output=True, text=True)
    check(r.returncode == 0, f"cmake --install: {r.stderr}")
    inits = [os.path.join(d, "__init__.py") for d, _, files in os.walk(prefix)
             if os.path.basename(d) == "fdsl" and "__init__.py" in files]
    check(len(inits) == 1, f"one installed fdsl package: {inits}")
    if inits:
        site = os.path.dirname(os.path.dirname(inits[0]))
        check(any(f.startswith("_fdsl") and f.endswith(".so") for f in os.listdir(os.path.dirname(inits[0]))),
              "the _fdsl module is installed beside __init__.py")
        check(os.path.exists(os.path.join(os.path.dirname(inits[0]), "torch", "__init__.py")), "the fdsl.torch package is installed")
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FDSL_DATA_DIR")}
        installed = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=prefix,
                                   env={**env, "PYTHONPATH": site})
        check(installed.returncode == 0, f"the installed package runs: {installed.stderr}")
        built = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=prefix,
                               env={**env, "PYTHONPATH": os.path.join(BUILD, "python")})
        check(built.returncode == 0, f"the build tree's package runs: {built.stderr}")
        if installed.returncode == 0 and built.returncode == 0:
            where, data, pixels = installed.stdout.splitlines()
            check(where.startswith(os.path.realpath(prefix)), f"imported from the prefix: {where}")
            check(os.path.realpath(data) == os.path.realpath(os.path.join(prefix, "share", "fdsl", "data")),
                  f"FDSL_DATA_DIR points at the installed data: {data!r}")
            check(pixels == built.stdout.splitlines()[2], "installed and build-tree packages make the same pixels")
    # The command and the explorer's window module it loads from ../lib/fdsl/ (a display nobody
    # answers: the module is found and loaded, then says so).
    cli = os.path.join(prefix, "bin", "fdsl")
    check(os.path.exists(os.path.join(prefix, "lib", "fdsl", "fdsl-window.so")), "lib/fdsl/fdsl-window.so is installed")
    cfg = os.path.join(prefix, "leaves.yaml")
    with open(cfg, "w") as f:
        f.write("generator: dead_leaves\ninstances: 4\nsize: 64\n")
    r = subprocess.run([cli, "preview", cfg, "--interactive", "--frames", "2"], capture_output=True, text=True,
                       env={**os.environ, "DISPLAY": ":4321"})
    check(r.returncode == 1 and "no X server" in r.stderr, f"the installed fdsl loads its window module: {r.stderr}")

finish()

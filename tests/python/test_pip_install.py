"""fdsl as a pip user gets it: the sdist is built from this source tree (python -m build), pip
builds a wheel from that sdist and installs it into a fresh venv over Debian's torch, and then,
with no PYTHONPATH and outside the source tree, the installed package imports with the version
CMake has, the installed `fdsl` command (and `python -m fdsl`) generates a small dataset from the
FractalDB categories the package ships, and fdsl.torch renders through a DataLoader with 2 workers.
Every shared library the wheel's module and command load must come from a Debian package (ldd +
dpkg), and auditwheel must read the wheel.

The wheel build takes about two minutes on 2 cores; it is skipped when the sdist's contents have
not changed since the venv was made (<build>/pip-envs/fdsl-installed)."""
import glob
import json
import os
import re
import subprocess
import tarfile
import tempfile
import zipfile

from PIL import Image

import pypi_env
from testkit import check, finish

SRC = os.path.abspath(os.environ.get("FDSL_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", ".."))
VERSION = re.search(r"project\(fdsl VERSION ([0-9.]+)", open(os.path.join(SRC, "CMakeLists.txt")).read()).group(1)

CONFIG = ("generator: fractaldb\ncategories: official\nclasses: 3\nsize: 40\npoints: 3000\n"
          "patch_draws: 1\nflips: 2\n")

LOADER = """
import torch, fdsl
from torch.utils.data import DataLoader
from fdsl.torch import FractalDataset
params = dict(generator="ifs_sigma", classes=3, instances=4, size=32, points=2000)
ds = FractalDataset(params)
gen = fdsl.Generator.from_config(params)
got = []
for x, y in DataLoader(ds, batch_size=5, num_workers=2):
    assert x.dtype == torch.uint8 and tuple(x.shape[1:]) == (3, 32, 32), (x.dtype, x.shape)
    got += list(zip(x, y.tolist()))
assert len(got) == len(ds) == 12, (len(got), len(ds))
for i, (x, y) in enumerate(got):
    s = gen[i]
    assert torch.equal(x, torch.from_numpy(s.image).permute(2, 0, 1)) and y == s.label, i
print(len(got), sorted({y for _, y in got}))
"""


def run(cmd, **kw):
    kw.setdefault("env", pypi_env.clean_env())
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def dpkg_owner(path):
    """The Debian package that owns `path` (tried as given, resolved, and with /usr merged)."""
    real = os.path.realpath(path)
    for p in dict.fromkeys([path, real, re.sub(r"^/usr/", "/", real), re.sub(r"^/lib", "/usr/lib", path)]):
        r = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
        if r.returncode == 0:
            return r.stdout.split(":")[0]
    return None


def ldd_libraries(binary):
    r = run(["ldd", binary])
    check(r.returncode == 0, f"ldd {binary}: {r.stderr}")
    libs = {}
    for line in r.stdout.splitlines():
        m = re.match(r"\s*(\S+) => (\S+|not found)", line)
        if m:
            libs[m.group(1)] = m.group(2)
    return libs


sdist, wheel, digest, built = pypi_env.fdsl_wheel(SRC)
print(f"sdist {os.path.basename(sdist)} {os.path.getsize(sdist)} bytes; wheel {os.path.basename(wheel)} "
      f"{os.path.getsize(wheel)} bytes ({'built now' if built else 'unchanged sdist: reused'})")
tools = pypi_env.venv("tools", pypi_env.TOOLS)
# A venv of its own, remade whenever the wheel changes: fdsl is installed into it by pip from the
# wheel pip built from the sdist.
python = pypi_env.venv("fdsl-installed", [wheel], key=digest)
root = os.path.dirname(os.path.dirname(python))
check(os.path.basename(sdist) == f"fdsl-{VERSION}.tar.gz", f"the sdist is named for {VERSION}: {sdist}")
with tempfile.TemporaryDirectory() as tmp:
    with tarfile.open(sdist) as t:
        names = t.getnames()
    top = f"fdsl-{VERSION}/"
    for need in ["pyproject.toml", "CMakeLists.txt", "python/fdsl/__init__.py", "data/fractaldb/LICENSE",
                 "README.md", "tools/CMakeLists.txt", "scripts/build.sh", "scripts/install-deps.sh"]:
        check(top + need in names, f"the sdist holds {need}")
    for no in ["build/", "tests/", ".ci/"]:
        check(not any(n.startswith(top + no) for n in names), f"the sdist holds no {no}")

    check(re.fullmatch(rf"fdsl-{re.escape(VERSION)}-cp3\d+-cp3\d+-linux_x86_64\.whl",
                       os.path.basename(wheel)) is not None, f"wheel name {os.path.basename(wheel)}")
    with zipfile.ZipFile(wheel) as z:
        members = z.namelist()
    for need in ["fdsl/__init__.py", "fdsl/_cli.py", "fdsl/__main__.py", "fdsl/torch/__init__.py",
                 "fdsl/bin/fdsl", "fdsl/lib/fdsl/fdsl-window.so", "fdsl/share/fdsl/data/fractaldb/LICENSE"]:
        check(need in members, f"the wheel holds {need}")
    check(any(re.fullmatch(r"fdsl/_fdsl\..*\.so", m) for m in members), "the wheel holds the _fdsl module")
    check(any(m.endswith(".dist-info/entry_points.txt") for m in members), "the wheel declares the fdsl entry point")

    # ---- auditwheel reads it; every library it loads is a Debian package's -------------------
    r = run([os.path.join(os.path.dirname(tools), "auditwheel"), "show", wheel])
    check(r.returncode == 0, f"auditwheel show: {r.stdout} {r.stderr}")
    print("auditwheel show:", " ".join(r.stdout.split())[:600])

    cwd = os.path.join(tmp, "elsewhere")
    os.makedirs(cwd)
    r = run([python, "-c", "import fdsl, json; print(json.dumps([fdsl.__version__, fdsl.__file__]))"], cwd=cwd)
    check(r.returncode == 0, f"import fdsl in the venv: {r.stderr}")
    if r.returncode != 0:
        finish()
    version, where = json.loads(r.stdout)
    check(version == VERSION, f"fdsl.__version__ {version}, CMakeLists.txt says {VERSION}")
    check(os.path.realpath(where).startswith(os.path.realpath(root) + os.sep), f"fdsl imported from the venv: {where}")
    package = os.path.dirname(where)
    command = os.path.join(root, "bin", "fdsl")
    owners = {}
    for binary in [os.path.join(package, "bin", "fdsl")] + glob.glob(os.path.join(package, "_fdsl*.so")):
        for name, path in ldd_libraries(binary).items():
            check(path != "not found", f"{os.path.basename(binary)} finds {name}")
            if path != "not found":
                owners[name] = dpkg_owner(path)
                check(owners[name] is not None, f"{name} ({path}) belongs to a Debian package")
    # ... and each of those packages is one scripts/install-deps.sh installs, or a dependency of one.
    listed = run([os.path.join(SRC, "scripts", "install-deps.sh"), "--list"]).stdout.split()
    r = run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
             "--no-breaks", "--no-replaces", "--no-enhances"] + listed)
    closure = {line.strip() for line in r.stdout.splitlines() if line and not line.startswith(" ")}
    check(len(listed) > 20 and len(closure) > len(listed), f"install-deps.sh lists {len(listed)}, closure {len(closure)}")
    for name, pkg in sorted(owners.items()):
        if pkg is not None:
            check(pkg in closure, f"{name} comes from {pkg}, which the README's install step does not install")
    print(f"{len(owners)} libraries, from {len(set(owners.values()))} Debian packages, all installed by "
          f"scripts/install-deps.sh ({len(listed)} packages and their dependencies)")

    # ---- the installed command ---------------------------------------------------------------
    r = run([command, "--version"], cwd=cwd)
    check(r.returncode == 0 and VERSION in r.stdout, f"fdsl --version: {r.returncode} {r.stdout} {r.stderr}")
    r = run([python, "-m", "fdsl", "--version"], cwd=cwd)
    check(r.returncode == 0 and VERSION in r.stdout, f"python -m fdsl --version: {r.stdout} {r.stderr}")
    cfg = os.path.join(cwd, "small.yaml")
    with open(cfg, "w") as f:
        f.write(CONFIG)
    out = os.path.join(cwd, "out")
    r = run([command, "generate", cfg, "-o", out, "--progress", "quiet"], cwd=cwd, timeout=300)
    check(r.returncode == 0, f"installed fdsl generate: {r.returncode} {r.stderr}")
    if r.returncode == 0:
        manifest = json.load(open(os.path.join(out, "manifest.json")))
        files = [e for e in manifest["files"] if e["path"].endswith(".png")]
        check(len(files) == manifest["num_files"] > 0, f"{manifest['num_files']} files, {len(files)} PNG files")
        check({e["label"] for e in files} == {0, 1, 2}, "three classes")
        im = Image.open(os.path.join(out, files[0]["path"]))
        check(im.size == (40, 40), f"PNG size {im.size}")
        # The same bytes as the build tree's command makes from the same config.
        ref = os.path.join(cwd, "ref")
        r = run([os.environ["FDSL_CLI"], "generate", cfg, "-o", ref, "--progress", "quiet"], cwd=cwd, timeout=300)
        if r.returncode == 0:
            theirs = {e["path"]: e["crc32"] for e in json.load(open(os.path.join(ref, "manifest.json")))["files"]}
            check({e["path"]: e["crc32"] for e in files} == {p: c for p, c in theirs.items() if p.endswith(".png")},
                  "the installed command writes the build tree's bytes")
    bad = os.path.join(cwd, "bad.yaml")
    with open(bad, "w") as f:
        f.write("generator: fractaldb\nsize: 0\n")
    r = run([command, "generate", bad, "-o", os.path.join(cwd, "bad-out")], cwd=cwd)
    check(r.returncode == 2 and "size" in r.stderr, f"a bad config through the entry point: exit {r.returncode} {r.stderr}")

    # ---- fdsl.torch in a DataLoader with 2 workers -------------------------------------------
    r = run([python, "-c", LOADER], cwd=cwd, timeout=300)
    check(r.returncode == 0, f"DataLoader in the venv: {r.stdout} {r.stderr[-3000:]}")
    if r.returncode == 0:
        check(r.stdout.split()[0] == "12", f"DataLoader: {r.stdout}")

finish()

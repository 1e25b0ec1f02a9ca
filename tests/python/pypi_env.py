"""Virtual environments for the tests that need packages from PyPI (webdataset, timm, the newest
torch, ...). A test asks for one by name and requirement list; it is made once under the build
folder (<build>/pip-envs/<name>) and reused while the list is unchanged, so a fresh machine makes
it and a second run costs one file read. Concurrent tests wait on a lock file, never on a sleep.

With `system_site=True` the venv sits over /usr/bin/python3's Debian packages (torch 1.13,
numpy, Pillow, Open3D): pip is held to the versions of numpy and torch Debian installed, so no
PyPI package shadows the ones Debian's torch was built against. The name does not start with
test_, so this file is no ctest of its own."""
import fcntl
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile

# The consumers the tests read fdsl's output with (versions pinned so a PyPI release cannot turn
# CI red overnight; raise them on purpose).
CONSUMERS = ["webdataset==1.0.2", "timm==1.0.31", "plyfile==1.1.3", "trimesh==5.2.0", "pypcd4==1.5.1",
             "pycocotools==2.0.10"]
# What the packaging test builds and inspects wheels with.
TOOLS = ["build==1.6.1", "auditwheel==6.8.2"]

SYSTEM_PYTHON = "/usr/bin/python3"


def build_dir():
    d = os.environ.get("FDSL_BUILD_DIR")
    if not d:
        d = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build")
    return os.path.abspath(d)


def envs_dir():
    return os.path.join(build_dir(), "pip-envs")


def _system_pins():
    """numpy and torch as the system interpreter has them (empty where one is missing)."""
    code = ("import json, importlib.metadata as m\nout = {}\nfor p in ('numpy', 'torch'):\n"
            "    try: out[p] = m.version(p)\n    except m.PackageNotFoundError: pass\nprint(json.dumps(out))")
    r = subprocess.run([SYSTEM_PYTHON, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


def clean_env(**extra):
    """The environment for a process of a venv: without the build tree's PYTHONPATH (unless given)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(extra)
    return env


def venv(name, requirements, system_site=True, key="", timeout=1800):
    """The python of the venv `name` holding `requirements`, made or remade as needed (also when
    `key`, e.g. the digest of a wheel named in `requirements`, changes)."""
    root = os.path.join(envs_dir(), name)
    os.makedirs(envs_dir(), exist_ok=True)
    python = os.path.join(root, "bin", "python")
    pins = _system_pins() if system_site else {}
    want = {"requirements": list(requirements), "system_site": system_site, "pins": pins, "key": key,
            "python": os.path.realpath(SYSTEM_PYTHON)}
    stamp = os.path.join(root, "fdsl-venv.json")
    with open(root + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if os.path.exists(stamp) and json.load(open(stamp)) == want and os.access(python, os.X_OK):
                return python
        except (OSError, ValueError):
            pass
        shutil.rmtree(root, ignore_errors=True)
        args = [SYSTEM_PYTHON, "-m", "venv"] + (["--system-site-packages"] if system_site else []) + [root]
        subprocess.run(args, check=True, timeout=300)
        cmd = [python, "-m", "pip", "install", "--no-input", "--progress-bar", "off"]
        if pins:
            constraints = os.path.join(root, "constraints.txt")
            with open(constraints, "w") as f:
                f.writelines(f"{p}=={v}\n" for p, v in pins.items())
            cmd += ["-c", constraints]
        r = subprocess.run(cmd + list(requirements), capture_output=True, text=True, timeout=timeout,
                           env=clean_env())
        if r.returncode != 0:
            sys.stdout.write(r.stdout[-4000:] + r.stderr[-4000:])
            shutil.rmtree(root, ignore_errors=True)
            raise SystemExit(f"pypi_env: pip could not install {requirements} into {root} "
                             f"(exit {r.returncode}); PyPI must be reachable for this test")
        with open(stamp, "w") as f:
            json.dump(want, f)
        return python


def _digest(sdist):
    """A hash of an sdist's member names and bytes (not its timestamps)."""
    h = hashlib.sha256()
    with tarfile.open(sdist) as t:
        for m in sorted(t.getmembers(), key=lambda m: m.name):
            h.update(m.name.encode() + b"\0")
            if m.isfile():
                h.update(t.extractfile(m).read())
    return h.hexdigest()


def fdsl_wheel(src):
    """Builds the sdist of the source tree `src` (python -m build) and, unless its contents are
    those of the last build, a wheel from that sdist (pip wheel: what `pip install fdsl-X.tar.gz`
    does). Returns (sdist, wheel, digest, built_now); both files live under <build>/pip-envs/dist."""
    tools = venv("tools", TOOLS)
    dist = os.path.join(envs_dir(), "dist")
    os.makedirs(dist, exist_ok=True)
    with open(dist + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        fresh_dir = os.path.join(dist, "sdist-new")
        shutil.rmtree(fresh_dir, ignore_errors=True)
        r = subprocess.run([tools, "-m", "build", "--sdist", "--outdir", fresh_dir, src], capture_output=True,
                           text=True, timeout=900, env=clean_env())
        if r.returncode != 0:
            sys.stdout.write(r.stdout[-3000:] + r.stderr[-3000:])
            raise SystemExit(f"pypi_env: python -m build --sdist {src} failed (exit {r.returncode})")
        (name,) = os.listdir(fresh_dir)
        digest = _digest(os.path.join(fresh_dir, name))
        sdist = os.path.join(dist, name)
        wheel_dir = os.path.join(dist, "wheel")
        stamp = os.path.join(dist, "sdist.sha256")
        wheels = glob.glob(os.path.join(wheel_dir, "*.whl"))
        if os.path.exists(stamp) and open(stamp).read() == digest and os.path.exists(sdist) and len(wheels) == 1:
            shutil.rmtree(fresh_dir)
            return sdist, wheels[0], digest, False
        for f in glob.glob(os.path.join(dist, "*.tar.gz")) + [stamp]:
            if os.path.exists(f):
                os.remove(f)
        shutil.rmtree(wheel_dir, ignore_errors=True)
        os.replace(os.path.join(fresh_dir, name), sdist)
        shutil.rmtree(fresh_dir)
        r = subprocess.run([tools, "-m", "pip", "wheel", "--no-deps", "--no-input", "-w", wheel_dir, sdist],
                           capture_output=True, text=True, timeout=1800, env=clean_env())
        wheels = glob.glob(os.path.join(wheel_dir, "*.whl"))
        if r.returncode != 0 or len(wheels) != 1:
            sys.stdout.write(r.stdout[-3000:] + r.stderr[-3000:])
            raise SystemExit(f"pypi_env: pip wheel {sdist} failed (exit {r.returncode}, wheels {wheels})")
        with open(stamp, "w") as f:
            f.write(digest)
        return sdist, wheels[0], digest, True


def install_wheel(python, wheel, digest):
    """Installs `wheel` (with its dependencies) into the venv of `python` unless the wheel of
    `digest` is already there; for venvs too costly to remake whenever fdsl changes."""
    root = os.path.dirname(os.path.dirname(python))
    stamp = os.path.join(root, "fdsl-wheel.sha256")
    with open(root + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(stamp) and open(stamp).read() == digest:
            return
        r = subprocess.run([python, "-m", "pip", "install", "--no-input", "--force-reinstall", "--no-deps", wheel],
                           capture_output=True, text=True, timeout=600, env=clean_env())
        if r.returncode == 0:
            r = subprocess.run([python, "-m", "pip", "install", "--no-input", wheel], capture_output=True,
                               text=True, timeout=600, env=clean_env())
        if r.returncode != 0:
            sys.stdout.write(r.stdout[-3000:] + r.stderr[-3000:])
            raise SystemExit(f"pypi_env: pip install {wheel} into {root} failed (exit {r.returncode})")
        with open(stamp, "w") as f:
            f.write(digest)


def reexec_in(python):
    """Runs this script again under `python` (a venv's) unless it already runs there."""
    root = os.path.dirname(os.path.dirname(python))
    if os.path.realpath(sys.prefix) != os.path.realpath(root):
        sys.stdout.flush()
        os.execv(python, [python] + sys.argv)

"""fdsl.torch against the newest torch that PyPI serves for this Python (besides Debian's 1.13,
which every other test uses): a plain venv (no Debian packages) gets `pip install torch pillow`
(on x86_64 Linux PyPI serves the CUDA build of torch: about 5.4 GB, two minutes here; made once,
under <build>/pip-envs/torch-latest) and the fdsl wheel pip built from the sdist; then the fdsl.torch
suite (test_fdsl_torch.py) runs there. The private torch APIs fdsl.torch uses live in
fdsl/torch/_compat.py, behind version checks.

It also checks that the build tree's module, where it was built with a pybind11 older than 2.12
(Debian 12 has 2.10), refuses NumPy 2 at import instead of returning arrays with stride 0."""
import os
import subprocess
import time

import pypi_env
from testkit import check, finish

SRC = os.path.abspath(os.environ.get("FDSL_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))

sdist, wheel, digest, _ = pypi_env.fdsl_wheel(SRC)
root = os.path.join(pypi_env.envs_dir(), "torch-latest")
start = time.monotonic()
python = pypi_env.venv("torch-latest", ["torch", "pillow"], system_site=False)
if time.monotonic() - start > 10:  # made now, not reused: say what it cost
    size = subprocess.run(["du", "-sm", root], capture_output=True, text=True).stdout.split()[0]
    print(f"made {root}: {time.monotonic() - start:.0f} s, {size} MB")
pypi_env.install_wheel(python, wheel, digest)

r = subprocess.run([python, "-c", "import torch, numpy, fdsl; print(torch.__version__, numpy.__version__, fdsl.__file__)"],
                   capture_output=True, text=True, env=pypi_env.clean_env(), cwd=HERE)
check(r.returncode == 0, f"import in the venv: {r.stderr[-2000:]}")
print("venv:", r.stdout.strip())
if r.returncode == 0:
    check(os.path.realpath(r.stdout.split()[2]).startswith(os.path.realpath(root)), "fdsl comes from the installed wheel")
    check(int(r.stdout.split()[0].split(".")[0]) >= 2, f"the newest torch is 2.x or later: {r.stdout}")

# The whole fdsl.torch suite, against the installed wheel (no PYTHONPATH into the build tree).
r = subprocess.run([python, os.path.join(HERE, "test_fdsl_torch.py")], capture_output=True, text=True,
                   env=pypi_env.clean_env(), cwd=HERE, timeout=900)
tail = r.stdout.strip().splitlines()[-1:] or [""]
check(r.returncode == 0, f"test_fdsl_torch.py under the newest torch: exit {r.returncode}\n{r.stdout[-4000:]}{r.stderr[-3000:]}")
print("test_fdsl_torch.py:", tail[0])

# The build tree's module under NumPy 2: right labels, or a clear refusal; never stride-0 arrays.
build_python = os.path.join(pypi_env.build_dir(), "python")
if os.path.isdir(os.path.join(build_python, "fdsl")):
    code = ("import fdsl\ng = fdsl.Generator.from_config(dict(generator='ifs_sigma', classes=3, instances=14, "
            "size=24, points=500))\nprint(g.batch([40, 3, 30])[1].tolist())")
    r = subprocess.run([python, "-c", code], capture_output=True, text=True, cwd=HERE,
                       env=pypi_env.clean_env(PYTHONPATH=build_python))
    check((r.returncode == 0 and r.stdout.strip() == "[2, 0, 2]")
          or (r.returncode != 0 and "does not support NumPy" in r.stderr and "pybind11" in r.stderr),
          f"build-tree module under NumPy 2: {r.stdout} {r.stderr[-1500:]}")

finish()

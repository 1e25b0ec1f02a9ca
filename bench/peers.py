#!/usr/bin/env python3
"""fdsl beside the authors' own generators, on the same small recipes, in one run on one machine.

    python3 bench/peers.py --fractaldb PATH --sigma PATH --visualatom PATH --rcdb PATH \\
        [--segrcdb PATH] [--fdsl build/fdsl] [--json peers.json]

Each PATH is a checkout of the authors' public code (not part of fdsl, never committed to it):
  --fractaldb   github.com/hirokatsukataoka16/FractalDB-Pretrained-ResNet-PyTorch
                (fractal_renderer/make_fractaldb.py: FractalDB-1k, 362 px, 200,000 points, patch_gray)
  --sigma       github.com/catalys1/fractal-pretraining (Anderson & Farrell, WACV 2022: IFSGenerator,
                224 px colour, plasma background, jitter, window, flips, blur; numba)
  --visualatom  github.com/masora1030/CVPR2023-FDSL-on-VisualAtom
                (visual_atomic_renderer/render_VisualAtom.py with make_VisualAtom.sh's arguments)
  --rcdb        github.com/masora1030/CVPR2022-Pretrained-ViT-PyTorch
                (rcdb_render/make_rcdb.py with RCDB_render.sh's arguments)
  --segrcdb     github.com/dahlian00/SegRCDB (SegRCDB_params.py + SegRCDB_render.py, make_SegRCDB.sh)
A peer whose path is not given is left out (its line says so).

What it does: makes one venv (--venv, default <build>/peers-venv) with what the authors' code
imports, pinned to the releases it was written against (NumPy 1.23: make_fractaldb.py uses
np.str, which NumPy 1.24 removed), runs each peer once on a small slice of its published recipe
with one process (its scripts' own unit of parallelism: one process per worker), and runs fdsl on the
same recipe with one render thread (`fdsl generate --threads 1`, end to end to PNG files, as the
scripts write them; the sigma-factor generator renders in memory for a data loader, so fdsl's
Python module renders in memory there too). Both sides are timed in wall-clock seconds and in
CPU seconds (user + system of the processes, writer threads included), and the ratio is printed for
both. The peers' slices are small because they are slow (seconds per image); fdsl's are large
enough to time. Rates are per image written (FractalDB writes each render in 4 flips, as the
official script does; fdsl's recipe does the same).

Nothing here asserts: it prints figures. Interpreter: any python3 >= 3.9 runs this script; the venv
is made from --python (default /usr/bin/python3 where it exists), which needs a C compiler and its
headers for `noise` (PyPI has no wheel of it).
"""
import argparse
import csv
import glob
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# What the peers import, at the releases they were written for (and that still install on
# Python 3.11). Pillow is Debian 12's release, the one fdsl's compat tests are checked against.
PEER_REQUIREMENTS = [
    "numpy==1.23.5",
    "Pillow==9.4.0",
    "noise==1.2.2",
    "opencv-python-headless==4.8.1.78",
    "numba==0.57.1",
]


def log(msg):
    print(msg, flush=True)


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd, cwd, env=None, capture=False):
    """Runs cmd to completion; returns (wall s, CPU s of it and its children, stdout)."""
    c0, t0 = cpu_children(), time.perf_counter()
    r = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    wall, cpu = time.perf_counter() - t0, cpu_children() - c0
    if r.returncode != 0:
        raise RuntimeError("%s exited %d:\n%s" % (" ".join(cmd), r.returncode, r.stderr[-3000:]))
    return wall, cpu, r.stdout


def count_files(root, pattern="**/*.png"):
    return len(glob.glob(os.path.join(root, pattern), recursive=True))


def make_venv(path, python):
    stamp = os.path.join(path, "peers-requirements.txt")
    want = "\n".join(PEER_REQUIREMENTS) + "\n"
    if os.path.exists(stamp) and open(stamp).read() == want:
        return os.path.join(path, "bin", "python")
    log("peers: making the venv %s (%s)" % (path, ", ".join(PEER_REQUIREMENTS)))
    shutil.rmtree(path, ignore_errors=True)
    subprocess.run([python, "-m", "venv", path], check=True)
    py = os.path.join(path, "bin", "python")
    subprocess.run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check"] + PEER_REQUIREMENTS,
                   check=True)
    with open(stamp, "w") as f:
        f.write(want)
    return py


def fdsl_generate(fdsl, config, out, sets=(), classes=None):
    cmd = [fdsl, "generate", os.path.join(ROOT, "configs", config), "-o", out, "--threads", "1",
           "--progress", "quiet"]
    for s in sets:
        cmd += ["--set", s]
    if classes:
        cmd += ["--classes", classes]
    wall, cpu, _ = timed(cmd, cwd=ROOT)
    return wall, cpu


class Row:
    def __init__(self, name, recipe):
        self.name, self.recipe = name, recipe
        self.peer = self.ours = None  # (images, wall s, CPU s)
        self.note = ""

    def rate(self, side, which):
        n, wall, cpu = side
        return n / (wall if which == "wall" else cpu)

    def as_dict(self):
        d = {"peer": self.name, "recipe": self.recipe, "note": self.note}
        for key, side in (("official", self.peer), ("fdsl", self.ours)):
            if side:
                d[key] = {"images": side[0], "wall_s": round(side[1], 3), "cpu_s": round(side[2], 3),
                          "images_per_s": round(self.rate(side, "wall"), 3),
                          "images_per_cpu_s": round(self.rate(side, "cpu"), 3)}
        if self.peer and self.ours:
            d["ratio_wall"] = round(self.rate(self.ours, "wall") / self.rate(self.peer, "wall"), 1)
            d["ratio_cpu"] = round(self.rate(self.ours, "cpu") / self.rate(self.peer, "cpu"), 1)
        return d


# ---------------------------------------------------------------------------------------------------
# The peers. Each returns (images, wall, cpu) for the peer and for fdsl.

def run_fractaldb(args, py, work):
    row = Row("FractalDB (official make_fractaldb.py)", "FractalDB-1k: 362 px gray, 200,000 points, "
              "patch_gray, 4 flips per render, end to end to PNG")
    src = os.path.join(args.fractaldb, "fractal_renderer")
    cats = sorted(glob.glob(os.path.join(args.fractaldb, "data", "csv_rate0.2_category1000", "*", "*.csv")))
    if not os.path.isfile(os.path.join(src, "make_fractaldb.py")) or not cats:
        raise RuntimeError("%s holds no fractal_renderer/make_fractaldb.py and data/csv_rate0.2_category1000"
                           % args.fractaldb)
    csvdir = os.path.join(work, "csv")
    os.makedirs(csvdir)
    shutil.copy(cats[0], csvdir)
    with open(os.path.join(src, "weights", "weights_0.4.csv")) as f:
        rows = [r for r in csv.reader(f) if r]
    weights = os.path.join(work, "weights.csv")
    with open(weights, "w", newline="") as f:
        csv.writer(f).writerows(rows[:args.fractaldb_rows])
    out = os.path.join(work, "official")
    wall, cpu, _ = timed([py, os.path.join(src, "make_fractaldb.py"), "--load_root=" + csvdir,
                          "--save_root=" + out, "--image_size_x=362", "--image_size_y=362",
                          "--iteration=200000", "--draw_type=patch_gray", "--weight_csv=" + weights,
                          "--instance=1"], cwd=src)
    row.peer = (count_files(out), wall, cpu)
    out = os.path.join(work, "fdsl")
    wall, cpu = fdsl_generate(args.fdsl, "fractaldb-1k.yaml", out, classes="0:%d" % args.fdsl_classes)
    row.ours = (count_files(out), wall, cpu)
    return row


SIGMA_DRIVER = r"""
import importlib.util, json, os, sys, time
root, n = sys.argv[1], int(sys.argv[2])
sys.path.insert(0, root)
spec = importlib.util.spec_from_file_location(
    "generator", os.path.join(root, "fractal_learning/training/datamodule/datasets/generator.py"))
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)
from fractal_learning.fractals import ifs
import numpy as np
rng = np.random.default_rng(0)
systems = [ifs.sample_system(int(rng.integers(2, 5)), rng=rng) for _ in range(16)]
g = gen.IFSGenerator(size=224, jitter_params=True, flips=True, color=True, background=True,
                     niter=100000, patch=True)
g(systems[0])  # numba compiles on the first call; a data loader pays that once
c0, t0 = time.process_time(), time.perf_counter()
for i in range(n):
    img = g(systems[i % len(systems)])
    assert img.shape == (224, 224, 3)
print(json.dumps({"images": n, "wall": time.perf_counter() - t0, "cpu": time.process_time() - c0}))
"""

FDSL_MEMORY_DRIVER = r"""
import json, sys, time
import fdsl
config, n = sys.argv[1], int(sys.argv[2])
gen = fdsl.Generator.from_config(config)
gen[0]
c0, t0 = time.process_time(), time.perf_counter()
for i in range(n):
    s = gen[i * 7919 % len(gen)]
    assert s.image.shape == (224, 224, 3)
print(json.dumps({"images": n, "wall": time.perf_counter() - t0, "cpu": time.process_time() - c0}))
"""


def run_sigma(args, py, work):
    row = Row("sigma-factor fractals (Anderson & Farrell, IFSGenerator)",
              "224 px colour, 100,000 points, patch, plasma background, jitter, window, flips, blur; "
              "in memory (after numba's first-call compile)")
    gen_py = os.path.join(args.sigma, "fractal_learning", "training", "datamodule", "datasets", "generator.py")
    if not os.path.isfile(gen_py):
        raise RuntimeError("%s holds no fractal_learning/training/datamodule/datasets/generator.py" % args.sigma)
    _, _, out = timed([py, "-c", SIGMA_DRIVER, args.sigma, str(args.sigma_images)], cwd=work, capture=True)
    r = json.loads(out.strip().splitlines()[-1])
    row.peer = (r["images"], r["wall"], r["cpu"])
    env = dict(os.environ, PYTHONPATH=args.fdsl_python)
    _, _, out = timed([args.fdsl_python_interpreter, "-c", FDSL_MEMORY_DRIVER,
                       os.path.join(ROOT, "configs", "ifs-sigma.yaml"), str(args.sigma_fdsl_images)],
                      cwd=work, env=env, capture=True)
    r = json.loads(out.strip().splitlines()[-1])
    row.ours = (r["images"], r["wall"], r["cpu"])
    row.note = "both sides in one process, one thread, in memory"
    return row


def run_visualatom(args, py, work):
    row = Row("VisualAtom (official render_VisualAtom.py)",
              "VisualAtom-1k: 512 px, make_VisualAtom.sh's ranges, compat: official, end to end to PNG")
    src = os.path.join(args.visualatom, "visual_atomic_renderer")
    if not os.path.isfile(os.path.join(src, "render_VisualAtom.py")):
        raise RuntimeError("%s holds no visual_atomic_renderer/render_VisualAtom.py" % args.visualatom)
    out = os.path.join(work, "official")
    os.makedirs(out)
    wall, cpu, _ = timed([py, "render_VisualAtom.py", "--save_root=" + out, "--numof_thread=1", "--thread_num=0",
                          "--numof_classes=%d" % args.contour_classes,
                          "--numof_instances=%d" % args.contour_instances, "--start_class=0",
                          "--vertex_num_min=200", "--vertex_num_max=1000", "--perlin_min=0",
                          "--line_num_min=1", "--line_num_max=200", "--line_width=0.1", "--radius_min=10",
                          "--oval_rate=2", "--start_pos=512", "--nami_1_min=0", "--nami_2_min=0",
                          "--nami_1_max=20", "--nami_2_max=20"], cwd=src)
    row.peer = (count_files(out), wall, cpu)
    out = os.path.join(work, "fdsl")
    wall, cpu = fdsl_generate(args.fdsl, "visualatom-1k.yaml", out, sets=["instances=100"], classes="0:10")
    row.ours = (count_files(out), wall, cpu)
    return row


def run_rcdb(args, py, work):
    row = Row("RCDB (official make_rcdb.py)",
              "RCDB-1k: 512 px, RCDB_render.sh's ranges, compat: official, end to end to PNG")
    src = os.path.join(args.rcdb, "rcdb_render")
    if not os.path.isfile(os.path.join(src, "make_rcdb.py")):
        raise RuntimeError("%s holds no rcdb_render/make_rcdb.py" % args.rcdb)
    out = os.path.join(work, "official")
    wall, cpu, _ = timed([py, "make_rcdb.py", "--save_root=" + out, "--numof_thread=1", "--thread_num=0",
                          "--numof_classes=%d" % args.contour_classes,
                          "--numof_instances=%d" % args.contour_instances, "--vertex_num=200",
                          "--perlin_min=0", "--line_width=0.1", "--radius_min=0", "--oval_rate=2",
                          "--start_pos=400"], cwd=src)
    row.peer = (count_files(os.path.join(out, "image")), wall, cpu)
    out = os.path.join(work, "fdsl")
    wall, cpu = fdsl_generate(args.fdsl, "rcdb-1k.yaml", out, sets=["instances=100"], classes="0:20")
    row.ours = (count_files(os.path.join(out, "image")), wall, cpu)
    return row


def run_segrcdb(args, py, work):
    row = Row("SegRCDB (official SegRCDB_params.py + SegRCDB_render.py)",
              "SegRCDB: 512 px, 32 contour stacks of 254 categories, M1, image + mask, end to end to PNG")
    if not os.path.isfile(os.path.join(args.segrcdb, "SegRCDB_render.py")):
        raise RuntimeError("%s holds no SegRCDB_render.py" % args.segrcdb)
    out = os.path.join(work, "official")
    os.makedirs(out)
    wall0, cpu0, _ = timed([py, "SegRCDB_params.py", "--save_root=" + out, "--numof_classes=254",
                            "--vertex_num=500", "--perlin_min=0", "--perlin_max=4", "--line_num_min=1",
                            "--line_num_max=50", "--line_width=0.1", "--radius_min=0", "--radius_max=50",
                            "--oval_rate=2"], cwd=args.segrcdb)
    wall, cpu, _ = timed([py, "SegRCDB_render.py", "--save_root=" + out, "--numof_thread=1", "--thread_num=0",
                          "--numof_classes=254", "--numof_images=%d" % args.segrcdb_images,
                          "--instance_num=32", "--start_pos=512", "--mode=M1"], cwd=args.segrcdb)
    row.peer = (count_files(os.path.join(out, "image")), wall0 + wall, cpu0 + cpu)
    out = os.path.join(work, "fdsl")
    wall, cpu = fdsl_generate(args.fdsl, "segrcdb.yaml", out, sets=["instances=400"])
    row.ours = (count_files(os.path.join(out, "image")), wall, cpu)
    row.note = "fdsl also writes an instance mask per image and the COCO annotations"
    return row


PEERS = [("fractaldb", run_fractaldb), ("sigma", run_sigma), ("visualatom", run_visualatom),
         ("rcdb", run_rcdb), ("segrcdb", run_segrcdb)]


def machine():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%s, %d cores, %s" % (model, os.cpu_count() or 0, platform.platform())


def main():
    build = os.environ.get("FDSL_BUILD_DIR", os.path.join(ROOT, "build"))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    for name, _ in PEERS:
        p.add_argument("--" + name, metavar="PATH", help="checkout of the %s peer" % name)
    p.add_argument("--fdsl", default=os.path.join(build, "fdsl"), help="the fdsl CLI (default: %(default)s)")
    p.add_argument("--fdsl-python", default=os.path.join(build, "python"),
                   help="folder holding fdsl's Python module (default: %(default)s)")
    p.add_argument("--fdsl-python-interpreter", default=sys.executable,
                   help="the interpreter fdsl's module was built for (default: this one)")
    p.add_argument("--python", default="/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable,
                   help="interpreter the peers' venv is made from (default: %(default)s)")
    p.add_argument("--venv", default=os.path.join(build, "peers-venv"), help="the peers' venv (default: %(default)s)")
    p.add_argument("--json", help="also write every figure here")
    p.add_argument("--fractaldb-rows", type=int, default=2, help="weight rows the official FractalDB run draws "
                   "(each: 4 images; at least 2, as its weight reader takes one row for a list of "
                   "strings); default %(default)s")
    p.add_argument("--fdsl-classes", type=int, default=2, help="FractalDB classes fdsl writes (1,000 images each)")
    p.add_argument("--sigma-images", type=int, default=100)
    p.add_argument("--sigma-fdsl-images", type=int, default=4000)
    p.add_argument("--contour-classes", type=int, default=2, help="classes of the official VisualAtom/RCDB runs")
    p.add_argument("--contour-instances", type=int, default=10, help="instances per class of those runs")
    p.add_argument("--segrcdb-images", type=int, default=20)
    args = p.parse_args()
    if args.fractaldb_rows < 2:
        p.error("--fractaldb-rows must be at least 2 (the official script misreads a one-row weight file)")

    chosen = [(n, f) for n, f in PEERS if getattr(args, n)]
    if not chosen:
        p.error("give at least one peer checkout (--fractaldb, --sigma, --visualatom, --rcdb, --segrcdb)")
    if not os.access(args.fdsl, os.X_OK):
        p.error("--fdsl %s is not an executable (build fdsl first: ./scripts/build.sh)" % args.fdsl)
    for n, _ in chosen:
        setattr(args, n, os.path.abspath(getattr(args, n)))
        if not os.path.isdir(getattr(args, n)):
            p.error("--%s %s is not a folder (a checkout of the %s peer's code)" % (n, getattr(args, n), n))
    py = make_venv(os.path.abspath(args.venv), args.python)

    log("machine: " + machine())
    rows = []
    top = tempfile.mkdtemp(prefix="fdsl-peers-")
    try:
        for name, fn in PEERS:
            if not getattr(args, name):
                log("%-10s left out (no --%s PATH)" % (name, name))
                continue
            work = os.path.join(top, name)
            os.makedirs(work)
            log("%-10s running ..." % name)
            try:
                row = fn(args, py, work)
            except (RuntimeError, OSError, ValueError, KeyError) as e:
                log("%-10s FAILED: %s" % (name, e))
                continue
            d = row.as_dict()
            rows.append(d)
            o, f = d["official"], d["fdsl"]
            log("%-10s %s\n           official %d images in %.2f s (%.3f images/s, %.3f per CPU-second)\n"
                "           fdsl     %d images in %.2f s (%.1f images/s, %.1f per CPU-second)\n"
                "           fdsl / official: %.1fx wall, %.1fx per CPU-second%s"
                % (name, d["recipe"], o["images"], o["wall_s"], o["images_per_s"], o["images_per_cpu_s"],
                   f["images"], f["wall_s"], f["images_per_s"], f["images_per_cpu_s"], d["ratio_wall"],
                   d["ratio_cpu"], ("\n           (" + d["note"] + ")") if d["note"] else ""))
            shutil.rmtree(work, ignore_errors=True)
    finally:
        shutil.rmtree(top, ignore_errors=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": machine(), "date": time.strftime("%Y-%m-%d"), "rows": rows}, f, indent=1)
    log("\n| peer | official | fdsl (1 thread) | ratio (wall; per CPU-second) |\n|---|---|---|---|")
    for d in rows:
        log("| %s | %.3f images/s | %.1f images/s | %.0fx; %.0fx |" % (
            d["peer"], d["official"]["images_per_s"], d["fdsl"]["images_per_s"], d["ratio_wall"], d["ratio_cpu"]))
    return 0 if rows and len(rows) == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main())

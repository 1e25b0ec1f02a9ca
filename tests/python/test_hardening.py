"""Hostile input and faults: signals in every long phase, searches that cannot succeed, work too
large for memory, bad values from the CLI and Python, every shipped config previewed. Waits are on
conditions with deadlines (a line on stderr, a process exit), never for a time."""
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from testkit import check, finish, run_cli

CLI = os.environ["FDSL_CLI"]
SRC = os.environ["FDSL_SOURCE_DIR"]
CONFIGS = os.path.join(SRC, "configs")
tmp = tempfile.mkdtemp(prefix="fdsl-hardening-")


def write(name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def start(args, env=None):
    """fdsl in the background, stderr to a file read back by wait_line."""
    log = open(os.path.join(tmp, f"log-{len(os.listdir(tmp))}.txt"), "w+")
    proc = subprocess.Popen([CLI] + args, stdout=subprocess.DEVNULL, stderr=log, env=env)
    return proc, log


def text_of(log):
    log.flush()
    log.seek(0)
    return log.read()


def wait_line(proc, log, pattern, seconds=120):
    """Waits until stderr holds `pattern` (or the process ends); True if it appeared."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if re.search(pattern, text_of(log)):
            return True
        if proc.poll() is not None:
            return bool(re.search(pattern, text_of(log)))
        time.sleep(0.01)
    return False


def stopped_by(sig, args, pattern, what, out=None):
    """Starts fdsl, waits for `pattern` on stderr (the long phase has begun), sends `sig`, and
    expects exit 130 with a message, before the phase could have ended on its own."""
    proc, log = start(args)
    began = wait_line(proc, log, pattern)
    check(began and proc.poll() is None, f"{what}: the phase began and runs ({text_of(log)[-400:]})")
    proc.send_signal(sig)
    try:
        code = proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = "still running 60 s after the signal"
    err = text_of(log)
    check(code == 130, f"{what}: exit {code} after {signal.Signals(sig).name} (want 130): {err[-400:]}")
    check("stopped by a signal" in err or "interrupted" in err, f"{what}: says it stopped: {err[-300:]}")
    if out is not None:
        check(not os.path.exists(os.path.join(out, "manifest.json")), f"{what}: no manifest")


# ---- signals in the long phases -------------------------------------------------------------

out = os.path.join(tmp, "never")
stopped_by(signal.SIGTERM,
           ["generate", write("search.yaml", "generator: fractaldb\ncategories: search\nclasses: 500000\n"), "-o", out,
            "--progress", "log"],
           "FractalDB category search", "FractalDB category search")
check(not os.path.exists(out), "a search stopped before writing leaves no folder")
stopped_by(signal.SIGINT,
           ["generate", write("pcsearch.yaml", "generator: pc_fractal\nclasses: 500000\nsearch_points: 100000\n"),
            "-o", out, "--progress", "log"],
           "PC-FractalDB category search", "PC-FractalDB category search")
stopped_by(signal.SIGTERM,
           ["generate", write("onefrac.yaml", "generator: one_frac\nclasses: 100000\nsize: 2048\n"), "-o", out,
            "--progress", "log"],
           "acceptance test", "1p-frac acceptance")
# Normal estimation of one big cloud takes minutes; the run stops inside it.
out = os.path.join(tmp, "normals")
stopped_by(signal.SIGINT,
           ["generate", write("normals.yaml", "generator: pc_fractal\nclasses: 2\ninstances: 2\npoints: 4000000\n"
                              "normals: true\nnormal_k: 64\n"), "-o", out, "--progress", "log", "--threads", "1"],
           "memory:", "normal estimation", out=out)
check(os.path.exists(os.path.join(out, ".fdsl-last-run.json")) and
      '"interrupted":true' in open(os.path.join(out, ".fdsl-last-run.json")).read(),
      "the stopped run says it was interrupted (resume finishes it)")
# One statistical image of 2048 px and 100 iterations takes minutes; the run stops inside it.
out = os.path.join(tmp, "wmm")
stopped_by(signal.SIGINT,
           ["generate", write("wmm.yaml", "generator: spectral_noise\nmodel: spectrum_color_wmm\ninstances: 2\n"
                              "size: 2048\niterations: 100\n"), "-o", out, "--progress", "log", "--threads", "1"],
           "memory:", "a statistical image", out=out)
stopped_by(signal.SIGTERM, ["search", os.path.join(tmp, "search.yaml"), "-o", os.path.join(tmp, "cats")],
           "FractalDB category search", "fdsl search")

# Python: KeyboardInterrupt from a long build, and the interpreter goes on afterwards.
child = subprocess.Popen([sys.executable, "-c", f"""
import sys, fdsl
print("start", flush=True)
try:
    fdsl.Generator.from_config({os.path.join(tmp, 'search.yaml')!r})
    print("finished")
except KeyboardInterrupt:
    print("interrupted", flush=True)
g = fdsl.Generator.from_config({os.path.join(CONFIGS, 'quickstart.yaml')!r})
print("after", g[0].image.shape, flush=True)
"""], stdout=subprocess.PIPE, text=True)
line = child.stdout.readline()
check(line.strip() == "start", f"python child started: {line!r}")


def threads_of(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


# Inside the search the call runs on a helper thread beside TBB's workers: wait for them, so the
# signal lands in the C++ call and not in the bytecodes before it.
end = time.monotonic() + 60
while threads_of(child.pid) < 3 and child.poll() is None and time.monotonic() < end:
    time.sleep(0.005)
check(threads_of(child.pid) >= 3, "the child is inside the search (its helper and worker threads run)")
child.send_signal(signal.SIGINT)
try:
    rest, _ = child.communicate(timeout=60)
except subprocess.TimeoutExpired:
    child.kill()
    rest = "still running 60 s after SIGINT"
check("interrupted" in rest and "after (256, 256)" in rest and child.returncode == 0,
      f"Python: KeyboardInterrupt stops a category search; fdsl works afterwards: {rest!r} {child.returncode}")

# ---- searches that cannot succeed say so early ---------------------------------------------

for name, text, key in [("fill16", "generator: fractaldb\ncategories: search\nclasses: 10\nfill_size: 16\n", "fill_threshold"),
                        ("var", "generator: pc_fractal\nclasses: 10\nvar_threshold: 0.9\n", "var_threshold")]:
    r = run_cli(["generate", write(name + ".yaml", text), "-o", os.path.join(tmp, name), "--progress", "quiet"],
                timeout=600)
    check(r.returncode == 2 and key in r.stderr and "candidates" in r.stderr,
          f"{name}: an impossible search exits 2 naming {key}: {r.returncode} {r.stderr}")
    check(not os.path.exists(os.path.join(tmp, name)), f"{name}: nothing written")

# ---- work too large for memory --------------------------------------------------------------

r = run_cli(["generate", os.path.join(CONFIGS, "vg-fractaldb-1k.yaml"), "-o", os.path.join(tmp, "huge"),
             "--set", "size=16384", "--set", "views=1000", "--classes", "0:1", "--instances", "0:1"])
check(r.returncode == 2 and "not enough memory" in r.stderr and "views 1000" in r.stderr and "size 16384" in r.stderr,
      f"16384 px x 1000 views refused naming the keys: {r.returncode} {r.stderr}")
check(not os.path.exists(os.path.join(tmp, "huge")), "a refused run leaves no folder")
r = run_cli(["generate", os.path.join(CONFIGS, "quickstart.yaml"), "-o", os.path.join(tmp, "cap"), "--classes", "0:1",
             "--instances", "0:2", "--max-memory", "10M"])
check(r.returncode == 2 and "--max-memory" in r.stderr, f"--max-memory is the budget: {r.stderr}")
r = run_cli(["generate", os.path.join(CONFIGS, "quickstart.yaml"), "-o", os.path.join(tmp, "cap"), "--max-memory", "lots"])
check(r.returncode == 2 and "--max-memory" in r.stderr, f"a bad --max-memory is refused: {r.stderr}")


def limited(limit):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


# Under ulimit -v a color FractalDB image of 16384 px is refused up front, not a bare bad_alloc.
r = subprocess.run([CLI, "generate", os.path.join(CONFIGS, "fractaldb-1k.yaml"), "-o", os.path.join(tmp, "ulimit"),
                    "--set", "size=16384", "--set", "render=color", "--set", "compat=faithful", "--classes", "0:1",
                    "--instances", "0:1"], capture_output=True, text=True, preexec_fn=limited(1500 << 20))
check(r.returncode == 2 and "ulimit -v" in r.stderr and "size 16384" in r.stderr,
      f"ulimit -v: refused naming the limit and the size: {r.returncode} {r.stderr}")

# The estimates hold what a run takes: measured peak memory at most the plan, the plan at most a
# few times the measure (one thread, one sample, large images or clouds).
cases = [("fractaldb-1k.yaml", ["size=3000"]), ("ifs-sigma.yaml", ["size=3000"]), ("rcdb-1k.yaml", ["size=3000"]),
         ("mv-fractaldb.yaml", ["size=1500"]), ("pc-fractaldb-1k.yaml", ["points=1000000", "normals=true"]),
         ("1p-frac.yaml", ["size=3000", "fill_threshold=0.001"]), ("visualatom-21k.yaml", ["size=3000"])]
for cfg, sets in cases:
    args = [CLI, "generate", os.path.join(CONFIGS, cfg), "-o", os.path.join(tmp, "rss-" + cfg), "--classes", "0:1",
            "--instances", "0:1", "--threads", "1", "--progress", "log"]
    for s in sets:
        args += ["--set", s]
    measure = subprocess.run([sys.executable, "-c", """
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stdout.write(r.stderr)
print("rc", r.returncode, "maxrss", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""] + args, capture_output=True, text=True)
    m = re.search(r"memory: about ([0-9.]+) (MB|GB)", measure.stdout)
    rss = re.search(r"rc (\d+) maxrss (\d+)", measure.stdout)
    if not (m and rss):
        check(False, f"{cfg}: plan and measure found: {measure.stdout[-500:]} {measure.stderr[-300:]}")
        continue
    plan = float(m.group(1)) * (1e9 if m.group(2) == "GB" else 1e6)
    peak = int(rss.group(2)) * 1024
    check(rss.group(1) == "0" and peak <= plan and plan <= 3 * peak + 150e6,
          f"{cfg} {sets}: plan {plan / 1e6:.0f} MB vs measured peak {peak / 1e6:.0f} MB")

# ---- bad values on the command line ---------------------------------------------------------

q = os.path.join(CONFIGS, "quickstart.yaml")
for extra, expect in [(["--seed", "-1"], "seed"), (["--threads", "-1"], "threads"), (["--threads", "100000"], "threads"),
                      (["--set", "name=\udcff"], "UTF-8")]:
    try:
        r = run_cli(["generate", q, "-o", os.path.join(tmp, "bad"), "--classes", "0:1", "--instances", "0:1"] + extra)
    except UnicodeEncodeError:
        # subprocess passes surrogate-escaped text as the raw byte 0xff
        r = subprocess.run([os.fsencode(CLI), b"generate", os.fsencode(q), b"-o", os.fsencode(os.path.join(tmp, "bad")),
                            b"--set", b"name=\xff"], capture_output=True, text=True)
    check(r.returncode == 2 and expect in r.stderr, f"{extra}: exit 2 naming {expect}: {r.returncode} {r.stderr}")
    check(not os.path.exists(os.path.join(tmp, "bad")), f"{extra}: nothing written")
r = run_cli(["generate", q, "-o", os.path.join(tmp, "zero"), "--classes", "0:1", "--instances", "0:2", "--threads", "0",
             "--progress", "quiet"])
check(r.returncode == 0, f"--threads 0 is all cores: {r.stderr}")

# ---- datasets too large to plan, refused up front ------------------------------------------

# A folder dataset's manifest lists every file and is held in memory while it is written: 2e8
# files (80 GB of it) would be planned, made for days and then killed for memory; 1e13 took the machine.
for name, text, limit, words in [
        ("folder-2e8", "generator: ifs_sigma\nclasses: 2\ninstances: 100000000\nsize: 64\n", None,
         ["instances", "manifest", "2e+08 files", "output_format: tar"]),
        ("folder-1e13", "generator: ifs_sigma\nclasses: 100000\ninstances: 100000000\nsize: 64\n", None,
         ["instances", "1e+13 files"]),
        ("folder-max-memory", "generator: ifs_sigma\nclasses: 4\ninstances: 1000000\nsize: 64\n", "1G",
         ["instances", "4e+06 files", "raise --max-memory"]),
        ("hdf5-order", "generator: pc_fractal\nclasses: 2\ninstances: 100000000\ncloud_format: hdf5\npoints: 100\n",
         None, ["instances", "hdf5", "2e+08 clouds", "ulimit -v"])]:
    out = os.path.join(tmp, name)
    args = [CLI, "generate", write(name + ".yaml", text), "-o", out, "--progress", "quiet"]
    if limit:
        args += ["--max-memory", limit]
    # The HDF5 order of 2e8 clouds is 1.6 GB: under a 1.5 GB ulimit -v it cannot be held.
    pre = limited(1500 << 20) if name == "hdf5-order" else None
    r = subprocess.run(args, capture_output=True, text=True, timeout=120, preexec_fn=pre)
    check(r.returncode == 2 and all(w in r.stderr for w in words), f"{name}: exit 2 naming {words}: {r.returncode} "
          f"{r.stderr[-400:]}")
    check(not os.path.exists(out), f"{name}: nothing written")
r = run_cli(["generate", write("folder-fits.yaml", "generator: ifs_sigma\nclasses: 2\ninstances: 3\nsize: 32\n"),
             "-o", os.path.join(tmp, "folder-fits"), "--progress", "quiet", "--max-memory", "1G"])
check(r.returncode == 0, f"a small folder dataset under --max-memory 1G: {r.stderr}")

# A run stopped short says so on its last progress line (it said "ETA done").
out = os.path.join(tmp, "short")
proc, log = start(["generate", write("short.yaml", "generator: ifs_sigma\nclasses: 2\ninstances: 1000000\nsize: 64\n"),
                   "-o", out, "--progress", "log", "--threads", "1"])
wait_line(proc, log, "memory:")
end = time.monotonic() + 120
while time.monotonic() < end and proc.poll() is None and not any(
        f.endswith(".png") for _, _, fs in os.walk(out) for f in fs):
    time.sleep(0.01)
proc.send_signal(signal.SIGINT)
try:
    proc.wait(timeout=60)
except subprocess.TimeoutExpired:
    proc.kill()
lines = [ln for ln in text_of(log).splitlines() if "/2000000 images" in ln]
check(lines and lines[-1].endswith("ETA stopped"), f"the last progress line of a stopped run: {lines[-1:]}")

# ---- every shipped config previews as configured --------------------------------------------

for cfg in sorted(os.listdir(CONFIGS)):
    if not cfg.endswith(".yaml"):
        continue
    sheet = os.path.join(tmp, cfg + ".png")
    # The textured dead leaves make their 10,000 textures first (minutes): a few show the same.
    sets = ["--set", "texture_pool=8"] if "texture_pool:" in open(os.path.join(CONFIGS, cfg)).read() else []
    r = run_cli(["preview", os.path.join(CONFIGS, cfg), "-o", sheet, "--tile", "32"] + sets, timeout=600)
    check(r.returncode == 0 and os.path.getsize(sheet) > 100, f"preview {cfg}: {r.returncode} {r.stderr[-300:]}")

shutil.rmtree(tmp, ignore_errors=True)
finish()

"""tools/slurm/generate.sbatch through a real Slurm: a job array of 3 tasks writes one dataset
(tar shards, then folder output); the union equals a single-process run byte for byte and the
last task wrote the manifest. Uses a running Slurm, or starts the one-node cluster of
shared/tools/slurm-local (root; installs slurm-wlm and munge if missing) and stops it afterwards.
Exits 77 (ctest: skipped) with the reason when no Slurm can run here."""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

CLI = os.environ["FDSL_CLI"]
SOURCE = os.environ["FDSL_SOURCE_DIR"]
SLURM_LOCAL = os.path.join(os.environ.get("FDSL_SHARED_DIR", ""), "tools", "slurm-local")
SKIP = 77

CONFIGS = {
    "tar": "generator: fractaldb\ncategories: official\nclasses: 4\nsize: 48\npoints: 4000\npatch_draws: 1\n"
           "flips: 2\noutput_format: tar\nshard_samples: 20\nshuffle: true\n",
    "folder": "generator: fractaldb\ncategories: official\nclasses: 4\nsize: 48\npoints: 4000\npatch_draws: 1\n"
              "flips: 2\n",
}


def slurm_up():
    return shutil.which("sinfo") and subprocess.run(["sinfo", "-h"], capture_output=True).returncode == 0


def start_slurm():
    """Returns (started_here, reason if unavailable)."""
    if slurm_up():
        return False, None
    if os.geteuid() != 0:
        return False, "Slurm is not running and starting it needs root"
    if not os.path.exists(SLURM_LOCAL):
        return False, f"Slurm is not running and {SLURM_LOCAL} (one-node cluster starter) is missing"
    r = subprocess.run([SLURM_LOCAL, "up"], capture_output=True, text=True, timeout=600)
    if r.returncode != 0 or not slurm_up():
        return False, f"cannot start Slurm here: {r.stdout[-500:]} {r.stderr[-500:]}"
    return True, None


def files(root):
    out = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            rel = os.path.relpath(os.path.join(dirpath, n), root)
            if not rel.startswith(".fdsl-"):
                out[rel] = open(os.path.join(dirpath, n), "rb").read()
    return out


passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


started, reason = start_slurm()
if reason:
    print(f"SKIP: {reason}")
    sys.exit(SKIP)
try:
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        for name, text in CONFIGS.items():
            cfg = os.path.join(tmp, name + ".yaml")
            with open(cfg, "w") as f:
                f.write(text)
            ref, out = os.path.join(tmp, name + "-ref"), os.path.join(tmp, name + "-slurm")
            r = subprocess.run([CLI, "generate", cfg, "-o", ref, "--progress", "quiet"], capture_output=True, text=True)
            check(r.returncode == 0, f"{name}: reference run: {r.stderr}")
            env = dict(os.environ, FDSL=CLI)
            r = subprocess.run(["sbatch", "--wait", "--array=0-2", "--cpus-per-task=1", "--time=10",
                                f"--output={tmp}/{name}-%A_%a.log", "--chdir", tmp,
                                os.path.join(SOURCE, "tools/slurm/generate.sbatch"), cfg, out],
                               capture_output=True, text=True, env=env, timeout=300)
            logs = sorted(glob.glob(os.path.join(tmp, name + "-*.log")))
            text_logs = "".join(open(p).read() for p in logs)
            check(r.returncode == 0, f"{name}: sbatch --wait exit {r.returncode}: {r.stdout} {r.stderr}\n{text_logs}")
            check(len(logs) == 3, f"{name}: {len(logs)} task logs")
            for i in range(3):
                check(f"fdsl [part {i}/3]" in text_logs, f"{name}: task {i} made part {i}/3\n{text_logs}")
                check(os.path.exists(os.path.join(out, f".fdsl-journal-{i}-of-3.jsonl")), f"{name}: journal of part {i}")
            check("SLURM_ARRAY_TASK_ID" in text_logs, f"{name}: the part came from the array environment")
            check(text_logs.count("wrote manifest.json") == 1, f"{name}: exactly one task (the last) wrote the manifest")
            got, want = files(out), files(ref)
            check(sorted(got) == sorted(want), f"{name}: same files ({len(got)} vs {len(want)})")
            check(all(got.get(k) == v for k, v in want.items()), f"{name}: same bytes as one process")
finally:
    if started and not os.environ.get("FDSL_KEEP_SLURM"):
        subprocess.run([SLURM_LOCAL, "down"], capture_output=True)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)

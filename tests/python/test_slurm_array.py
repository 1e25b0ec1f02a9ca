"""tools/slurm/generate.sbatch through a real Slurm: a job array of 3 tasks writes one dataset
(tar shards, then folder output); the union equals a single-process run byte for byte and the
last task wrote the manifest. Uses a running Slurm, or starts the project's one-node cluster
(scripts/slurm-local.sh: root; installs slurm-wlm and munge if missing) and stops it afterwards.
Exits 77 (ctest: skipped) with the reason only where the starter says it cannot run here (exit 3)."""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import testkit
from testkit import check, finish

CLI = os.environ["FDSL_CLI"]
SOURCE = os.environ["FDSL_SOURCE_DIR"]
SLURM_LOCAL = os.path.join(SOURCE, "scripts", "slurm-local.sh")
CANNOT_RUN = 3  # scripts/slurm-local.sh: "cannot run here" (not root, packages missing and not installable)
SKIP = 77
# Everything this test waits for (starting Slurm, the node, the jobs) ends by this deadline, well
# inside ctest's limit, so a scheduler that never runs a job fails with its reasons, never hangs.
DEADLINE = time.monotonic() + 420


def remaining(cap):
    return max(5.0, min(cap, DEADLINE - time.monotonic()))

CONFIGS = {
    "tar": "generator: fractaldb\ncategories: official\nclasses: 4\nsize: 48\npoints: 4000\npatch_draws: 1\n"
           "flips: 2\noutput_format: tar\nshard_samples: 20\nshuffle: true\n",
    "folder": "generator: fractaldb\ncategories: official\nclasses: 4\nsize: 48\npoints: 4000\npatch_draws: 1\n"
              "flips: 2\n",
}


def run(cmd, timeout=30, **kw):
    """subprocess.run with text output and a time limit; a command that hangs or cannot start
    gives returncode -1 and its reason in stderr, so no Slurm state can crash or stall the test."""
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    except (OSError, subprocess.TimeoutExpired) as e:
        return subprocess.CompletedProcess(cmd, -1, "", str(e))


def slurm_up():
    return bool(shutil.which("sinfo")) and run(["sinfo", "-h"]).returncode == 0


def diagnostics():
    """What Slurm says about its node and queue, and the tail of its daemons' logs."""
    out = []
    for cmd in (["sinfo", "-N", "-l"], ["scontrol", "show", "node"], ["squeue", "-l"]):
        r = run(cmd, timeout=20)
        out.append(f"$ {' '.join(cmd)}\n{r.stdout}{r.stderr}")
    for log in ("/var/log/slurm/slurmctld.log", "/var/log/slurm/slurmd.log", "/run/fdsl-slurm-local/log/slurmctld.log",
                "/run/fdsl-slurm-local/log/slurmd.log"):
        if os.path.exists(log):
            out.append(f"--- {log} (tail)\n" + "".join(open(log, errors="replace").readlines()[-15:]))
    return "\n".join(out)


def node_idle(wait_s):
    """Waits up to wait_s seconds for the node to take jobs (state idle or mixed)."""
    deadline = time.monotonic() + wait_s
    while True:
        r = run(["sinfo", "-h", "-o", "%t"])
        if any(s.strip() in ("idle", "mix", "alloc") for s in r.stdout.split()):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(1)


def start_slurm(log_path):
    """Returns (started_here, skip reason or None). A starter that fails for another reason than
    "cannot run here" fails the test."""
    if slurm_up():
        return False, None
    # The daemons it starts inherit stdout and stderr: those must be a file, never a pipe, or
    # reading the pipe to its end would wait for the daemons to exit.
    with open(log_path, "w") as log:
        try:
            r = subprocess.run([SLURM_LOCAL, "up"], stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                               timeout=remaining(150))
            rc = r.returncode
        except (OSError, subprocess.TimeoutExpired) as e:
            rc = f"failed: {e}"
    text = open(log_path).read()
    if rc == CANNOT_RUN:
        return False, f"scripts/slurm-local.sh cannot run here: {text[-400:]}"
    # Our cluster's clients find it through its config.
    m = re.search(r"export SLURM_CONF=(\S+)", text)
    if m:
        os.environ["SLURM_CONF"] = m.group(1)
    check(rc == 0 and slurm_up(), f"scripts/slurm-local.sh up: {rc}: {text[-800:]}")
    return rc == 0, None if rc == 0 else "failed"


def files(root):
    out = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            rel = os.path.relpath(os.path.join(dirpath, n), root)
            if not rel.startswith(".fdsl-"):
                out[rel] = open(os.path.join(dirpath, n), "rb").read()
    return out


started, reason = start_slurm(os.path.join(tempfile.gettempdir(), "fdsl-slurm-local-up.log"))
if reason == "failed":
    finish()
if reason:
    print(f"SKIP: {reason}")
    sys.exit(SKIP)
skipped = False
try:
    if not node_idle(remaining(90)):
        # The scheduler answers but its one node never became usable: nothing here can run a job.
        print("SKIP: the Slurm node did not become idle within 90 s\n" + diagnostics())
        sys.exit(SKIP)
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
            # Submit, then poll with a deadline: a job that never starts fails the test with the
            # scheduler's reasons instead of hanging until ctest kills it.
            r = run(["sbatch", "--parsable", "--array=0-2", "--cpus-per-task=1", "--time=10",
                     f"--output={tmp}/{name}-%A_%a.log", "--chdir", tmp,
                     os.path.join(SOURCE, "tools/slurm/generate.sbatch"), cfg, out], timeout=60, env=env)
            check(r.returncode == 0, f"{name}: sbatch exit {r.returncode}: {r.stdout} {r.stderr}")
            job = r.stdout.strip().split(";")[0] if r.returncode == 0 else ""
            deadline = time.monotonic() + remaining(150)
            job_ran = False  # did any task of the array ever leave PENDING?
            while job and time.monotonic() < deadline:
                q = run(["squeue", "-h", "-j", job, "-o", "%T"])
                states = q.stdout.split()
                if q.returncode != -1 and not states:  # finished (or already purged: "Invalid job id")
                    break
                job_ran = job_ran or any(st != "PENDING" for st in states)
                time.sleep(1)
            else:
                why = diagnostics()
                if job:
                    run(["scancel", job])
                if job and not job_ran and testkit.failed == 0:
                    # The scheduler accepted the job but never started it: this machine's Slurm
                    # cannot run jobs (a node or launch problem), which says nothing of fdsl.
                    print(f"SKIP: Slurm never started job {job} (its tasks stayed PENDING)\n{why}")
                    skipped = True
                else:
                    check(False, f"{name}: job {job} did not finish in time\n{why}")
                break  # the scheduler runs no job: the next submission would wait the same
            acct = run(["scontrol", "show", "job", job])
            codes = re.findall(r"\bExitCode=(\S+)", acct.stdout)
            bad = [c for c in codes if c != "0:0"]
            r = subprocess.CompletedProcess(r.args, 1 if bad else 0, f"exit codes {codes}", acct.stderr)
            logs = sorted(glob.glob(os.path.join(tmp, name + "-*.log")))
            text_logs = "".join(open(p).read() for p in logs)
            check(r.returncode == 0, f"{name}: a task failed: {r.stdout} {r.stderr}\n{text_logs}")
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
        run([SLURM_LOCAL, "down"], timeout=60, stdin=subprocess.DEVNULL)

if skipped:
    print(f"{testkit.passed} passed, {testkit.failed} failed")
    sys.exit(SKIP)
finish()

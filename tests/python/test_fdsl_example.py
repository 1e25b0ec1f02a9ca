"""examples/pretrain_on_the_fly.py in its --quick mode: it pre-trains and fine-tunes with fdsl.torch
datasets and DataLoader workers, and exits 1 unless both losses went down. (The full run is the
ctest py_example_pretrain_full, label "long".)"""
import os
import subprocess
import sys

SOURCE = os.environ["FDSL_SOURCE_DIR"]
script = os.path.join(SOURCE, "examples", "pretrain_on_the_fly.py")
r = subprocess.run([sys.executable, script, "--quick"], capture_output=True, text=True, timeout=900)
print(r.stdout[-3000:], r.stderr[-3000:])
checks = [
    (r.returncode == 0, f"exit status {r.returncode}"),
    ("pre-train step" in r.stdout and "fine-tune step" in r.stdout, "both phases log their loss"),
    ("held-out accuracy" in r.stdout, "a held-out accuracy is reported"),
    ("Downloading" not in r.stderr + r.stdout, "nothing is downloaded"),
]
failed = [what for ok, what in checks if not ok]
for what in failed:
    print("FAIL:", what)
print(f"{len(checks) - len(failed)} passed, {len(failed)} failed")
raise SystemExit(1 if failed else 0)

"""Every PNG encoder gives the same pixels (read back with Pillow), its own bytes the same for any
thread count, a dataset that verifies, and a clear refusal of a level it does not have."""
import hashlib
import json
import os
import tempfile

import numpy as np
from PIL import Image

from testkit import check, finish, generate, run_cli

BASE = "generator: fractaldb\ncategories: official\nclasses: 3\ninstances: 4\nsize: 64\npoints: 4000\n"


def pixels_and_bytes(folder):
    m = json.load(open(os.path.join(folder, "manifest.json")))
    out = {}
    for f in m["files"]:
        path = os.path.join(folder, f["path"])
        out[f["path"]] = (np.asarray(Image.open(path)).tobytes(), hashlib.sha256(open(path, "rb").read()).hexdigest())
    return out


with tempfile.TemporaryDirectory() as tmp:
    runs = {}
    for encoder, levels in (("libdeflate", (0, 2, 12)), ("libpng", (1, 9)), ("isal", (0, 1, 2, 3)),
                            ("runs", (0, 1, 2))):
        for level in levels:
            name = f"{encoder}{level}"
            ds, r = generate(tmp, name, BASE + f"png_encoder: {encoder}\npng_level: {level}\n")
            if r.returncode != 0:
                continue
            runs[name] = pixels_and_bytes(ds)
            v = run_cli(["verify", ds])
            check(v.returncode == 0, f"{name}: verify: {v.stderr}")
    ref = runs.get("libdeflate2")
    check(ref is not None and len(ref) > 10, "the reference run")
    for name, files in runs.items():
        check(set(files) == set(ref), f"{name}: the same files")
        check(all(files[p][0] == ref[p][0] for p in ref), f"{name}: the same pixels as libdeflate level 2")
    check(len({runs[n][p][1] for n in ("isal1", "libdeflate2", "runs1") for p in sorted(ref)[:1]}) == 3,
          "isal and runs write their own bytes (other encoders, not copies)")

    # Its own bytes for any thread count, and from a regenerate after damage.
    one, _ = generate(tmp, "isal_t1", BASE + "png_encoder: isal\npng_level: 1\n")
    two = os.path.join(tmp, "isal_t2")
    r = run_cli(["generate", os.path.join(tmp, "isal_t1.yaml"), "-o", two, "--threads", "2", "--progress", "quiet"])
    check(r.returncode == 0 and pixels_and_bytes(one) == pixels_and_bytes(two), "isal: 1 and 2 threads, same bytes")
    victim = os.path.join(two, sorted(ref)[len(ref) // 2])
    open(victim, "wb").write(b"not a png")
    r = run_cli(["verify", two, "--regenerate"])
    check(r.returncode == 0 and pixels_and_bytes(two) == pixels_and_bytes(one),
          f"isal: --regenerate remakes the damaged file byte for byte: {r.stderr}")
    saved = open(os.path.join(two, "fdsl.yaml")).read()
    check("png_encoder: isal" in saved and "png_level: 1" in saved, "fdsl.yaml pins the encoder and level")

    # Levels it does not have are refused by name, before any folder is made.
    bad, r = generate(tmp, "isal_bad", BASE + "png_encoder: isal\npng_level: 4\n", expect=2)
    check("png_level" in r.stderr and "isal" in r.stderr and "[0, 3]" in r.stderr and not os.path.exists(bad),
          f"png_level 4 with isal: {r.stderr}")
    bad, r = generate(tmp, "runs_bad", BASE + "png_encoder: runs\npng_level: 3\n", expect=2)
    check("png_level" in r.stderr and "runs" in r.stderr and "[0, 2]" in r.stderr and not os.path.exists(bad),
          f"png_level 3 with runs: {r.stderr}")

    # runs: the same bytes for any thread count, and on any CPU (pinned in test_golden.py and
    # DeflateRuns.TheBytesArePinnedAndTheSameOnAnyThread); gray renders smaller than libdeflate's.
    one, _ = generate(tmp, "runs_t1", BASE + "png_encoder: runs\npng_level: 1\n")
    two = os.path.join(tmp, "runs_t2")
    r = run_cli(["generate", os.path.join(tmp, "runs_t1.yaml"), "-o", two, "--threads", "2", "--progress", "quiet"])
    check(r.returncode == 0 and pixels_and_bytes(one) == pixels_and_bytes(two), "runs: 1 and 2 threads, same bytes")
finish()

"""Every PNG encoder gives the same pixels (read back with Pillow), its own bytes the same for any
thread count, a dataset that verifies, and a clear refusal of a level it does not have; every
png_filter too (the rows carry the filter asked for)."""
import hashlib
import json
import os
import tempfile
import zlib

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


def row_filters(path):
    """The filter byte of every row of an 8-bit PNG (IDAT inflated by zlib, not by fdsl)."""
    data = open(path, "rb").read()
    at, idat, width, channels = 8, b"", 0, 0
    while at < len(data):
        n = int.from_bytes(data[at:at + 4], "big")
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + n]
        if kind == b"IHDR":
            width, channels = int.from_bytes(body[:4], "big"), {0: 1, 2: 3}[body[9]]
        if kind == b"IDAT":
            idat += body
        at += 12 + n
    raw, stride = zlib.decompress(idat), 1 + width * channels
    return {raw[i] for i in range(0, len(raw), stride)}


NOISE = "generator: spectral_noise\ninstances: 6\nsize: 64\n"


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

    # png_filter: the same pixels with every encoder, rows filtered as asked, a dataset that
    # verifies and a fdsl.yaml that pins the filter; colour noise comes out smaller with sub/up.
    noise, sizes = {}, {}
    for encoder, level in (("libdeflate", 2), ("libdeflate", 1), ("libpng", 1), ("isal", 1), ("runs", 2)):
        for filt in ("none", "sub", "up"):
            name = f"noise_{encoder}{level}_{filt}"
            ds, r = generate(tmp, name, NOISE + f"png_encoder: {encoder}\npng_level: {level}\npng_filter: {filt}\n")
            if r.returncode != 0 and encoder == "isal" and "ISA-L" in r.stderr:
                continue
            check(r.returncode == 0, f"{name}: {r.stderr}")
            noise[name] = pixels_and_bytes(ds)
            files = [os.path.join(ds, f["path"]) for f in json.load(open(os.path.join(ds, "manifest.json")))["files"]]
            want = {"none": 0, "sub": 1, "up": 2}[filt]
            # libpng writes the first row unfiltered with up (the row above is zeros: the same).
            check(all(row_filters(f) <= {want, 0 if filt == "up" else want} for f in files),
                  f"{name}: every row carries filter {want}")
            sizes[name] = sum(os.path.getsize(f) for f in files)
            check(run_cli(["verify", ds]).returncode == 0, f"{name}: verify")
            saved = open(os.path.join(ds, "fdsl.yaml")).read()
            check(f"png_filter: {filt}" in saved or (filt == "none" and "png_filter" not in saved),
                  f"{name}: fdsl.yaml pins the filter")
    first = noise["noise_libdeflate2_none"]
    for name, files in noise.items():
        check(set(files) == set(first) and all(files[p][0] == first[p][0] for p in first),
              f"{name}: the same pixels as libdeflate level 2 without a filter")
    check(sizes["noise_libdeflate2_sub"] < 0.8 * sizes["noise_libdeflate2_none"],
          f"sub makes colour noise smaller: {sizes['noise_libdeflate2_sub']} vs {sizes['noise_libdeflate2_none']}")
    bad, r = generate(tmp, "filter_bad", NOISE + "png_filter: paeth\n", expect=2)
    check("png_filter" in r.stderr and "sub" in r.stderr and not os.path.exists(bad), f"png_filter paeth: {r.stderr}")

    # runs: the same bytes for any thread count, and on any CPU (pinned in test_golden.py and
    # DeflateRuns.TheBytesArePinnedAndTheSameOnAnyThread); gray renders smaller than libdeflate's.
    one, _ = generate(tmp, "runs_t1", BASE + "png_encoder: runs\npng_level: 1\n")
    two = os.path.join(tmp, "runs_t2")
    r = run_cli(["generate", os.path.join(tmp, "runs_t1.yaml"), "-o", two, "--threads", "2", "--progress", "quiet"])
    check(r.returncode == 0 and pixels_and_bytes(one) == pixels_and_bytes(two), "runs: 1 and 2 threads, same bytes")
finish()

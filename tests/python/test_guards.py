"""Generation guards, from the outside: the PNGs `fdsl generate` writes with min_ink/max_ink, read with
Pillow and measured with NumPy (the ink fraction of include/fdsl/dataset/stats.h), all pass the
guards except the samples manifest.json lists as failing; the manifest's list matches what the
Python bindings say of each sample; tar shards hold the same bytes; clouds with min_flatness
(NumPy's PCA) likewise; `fdsl search` reports the share each guard rejected; bad guard values are
refused with the key named."""
import hashlib
import io
import json
import os
import tarfile
import tempfile

import numpy as np
from PIL import Image

import fdsl
from testkit import check, finish, generate, run_cli

tmp = tempfile.mkdtemp(prefix="fdsl-guards-")

# RCDB's geometry is in pixels of its 512 px recipe: at 64 px about a third of the images are blank.
RCDB = """generator: rcdb
compat: faithful
seed: 5
classes: 8
instances: 15
size: 64
"""


def ink(a):
    """Share of pixels unlike the border's most frequent value (ties: the smallest)."""
    if a.ndim == 2:
        a = a[..., None]
    packed = a[..., 0].astype(np.int64) if a.shape[2] == 1 else (
        (a[..., 0].astype(np.int64) << 16) | (a[..., 1].astype(np.int64) << 8) | a[..., 2])
    border = np.concatenate([packed[0], packed[-1], packed[1:-1, 0], packed[1:-1, -1]])
    values, counts = np.unique(border, return_counts=True)
    return float(np.mean(packed != values[np.argmax(counts)]))


def flatness(xyz):
    ev = np.linalg.eigvalsh(np.cov(xyz.astype(np.float64).T, bias=True))
    return max(ev[0], 0.0) / ev[2] if ev[2] > 0 else 0.0


def manifest(out):
    with open(os.path.join(out, "manifest.json")) as f:
        return json.load(f)


def test_images():
    # Unguarded: blank images exist, so the guard has work to do.
    plain, _ = generate(tmp, "plain", RCDB)
    plain_inks = {}
    for f in manifest(plain)["files"]:
        if f["path"].endswith(".png"):
            plain_inks[f["path"]] = ink(np.asarray(Image.open(os.path.join(plain, f["path"]))))
    blank = sum(v < 0.002 for v in plain_inks.values())
    check(blank >= 10, f"the unguarded RCDB at 64 px has blank images ({blank} of {len(plain_inks)})")

    text = RCDB + "min_ink: 0.002\nmax_ink: 0.3\nguard_draws: 4\n"
    out, r = generate(tmp, "guarded", text)
    check("guards:" in r.stderr, f"generate says what the guards did: {r.stderr[-400:]}")
    m = manifest(out)
    g = m["guards"]
    check(g["min_ink"] == 0.002 and g["max_ink"] == 0.3 and g["guard_draws"] == 4, f"manifest guard keys: {g}")
    listed = {e["name"]: e for e in g["samples"]}
    check(g["redrawn"] + g["failed"] == len(listed) and g["redrawn"] >= blank // 2,
          f"manifest counts {g['redrawn']} redrawn, {g['failed']} failed")
    gen = fdsl.Generator.from_config(os.path.join(tmp, "guarded.yaml"))
    bad, mismatched = [], []
    for f in m["files"]:
        if not f["path"].endswith(".png"):
            continue
        name = f["path"][:-4]
        a = np.asarray(Image.open(os.path.join(out, f["path"])))
        v = ink(a)
        entry = listed.get(name)
        if entry is None:
            # Never redrawn: the very image of the unguarded dataset, and it passes.
            if not (0.002 <= v <= 0.3) or not np.array_equal(
                    a, np.asarray(Image.open(os.path.join(plain, f["path"])))):
                bad.append((name, v))
        elif "failed" in entry:
            # Kept as drawn first: the unguarded image, which fails the guard it names.
            want = {"min_ink"} if plain_inks[f["path"]] < 0.002 else {"max_ink"}
            if set(entry["failed"]) != want or entry["draw"] != 0 or not np.array_equal(
                    a, np.asarray(Image.open(os.path.join(plain, f["path"])))):
                bad.append((name, entry))
        elif not (0.002 <= v <= 0.3) or entry["draw"] < 1:
            bad.append((name, v, entry))
        s = gen[entry["category"] * 15 + entry["instance"]] if entry else None
        if s is not None and (s.draw != entry["draw"] or sorted(s.guard_failed) != sorted(entry.get("failed", [])) or
                              not np.array_equal(s.image, a)):
            mismatched.append(name)
    check(not bad, f"every written image passes the guards or is listed as failing: {bad[:4]}")
    check(not mismatched, f"the Python generator gives the files' pixels and draws: {mismatched[:4]}")
    # A batch (the make_image_into path) gives the same pixels as single samples.
    images, _ = gen.batch(list(range(len(gen))), threads=2)
    check(all(np.array_equal(images[i], gen[i].image) for i in range(len(gen))), "batch equals gen[i] with guards")

    # Tar shards of the same config hold the same images.
    tar_out, _ = generate(tmp, "guarded_tar", text + "output_format: tar\nshard_samples: 32\n")
    in_tar = []
    for f in sorted(os.listdir(tar_out)):
        if f.endswith(".tar"):
            with tarfile.open(os.path.join(tar_out, f)) as t:
                for mem in t.getmembers():
                    if mem.name.endswith(".png"):
                        in_tar.append(hashlib.sha1(np.asarray(Image.open(io.BytesIO(
                            t.extractfile(mem).read()))).tobytes()).hexdigest())
    in_folder = [hashlib.sha1(np.asarray(Image.open(os.path.join(out, f["path"]))).tobytes()).hexdigest()
                 for f in m["files"] if f["path"].endswith(".png")]
    check(sorted(in_tar) == sorted(in_folder), "tar shards hold the folder's images")
    check(manifest(tar_out)["guards"]["samples"] == g["samples"], "tar shards list the same guarded samples")

    # fdsl search reports the share of draws each guard rejected.
    r = run_cli(["search", os.path.join(tmp, "guarded.yaml"), "-o", os.path.join(tmp, "cats"),
                 "--guard-probe", "15"])
    check(r.returncode == 0, f"search: {r.stderr}")
    rep = json.loads(r.stdout)["guards"]
    check(rep["samples"] == 8 * 15 and rep["instances_per_category"] == 15, f"search probe: {rep}")
    low = rep["rejected"]["min_ink"]
    check(low["draws"] > 0 and abs(low["share"] - low["draws"] / rep["draws"]) < 1e-12, f"search min_ink share {low}")
    check(rep["redrawn"] == g["redrawn"] and rep["failed"] == g["failed"],
          f"search over every instance counts what generate listed: {rep} vs {g['redrawn']}, {g['failed']}")


def test_clouds():
    text = """generator: pc_fractal
seed: 2
classes: 3
instances: 4
points: 1500
search_points: 2000
cloud_format: npy
min_flatness: 0.05
guard_draws: 3
"""
    out, _ = generate(tmp, "clouds", text)
    m = manifest(out)
    listed = {e["name"]: e for e in m["guards"]["samples"]}
    bad = []
    for f in m["files"]:
        if f["path"].endswith(".npy"):
            v = flatness(np.load(os.path.join(out, f["path"])))
            e = listed.get(f["path"][:-4])
            if (e is None or "failed" not in e) and v < 0.05 - 1e-9:
                bad.append((f["path"], v))
            if e is not None and "failed" in e and v >= 0.05 + 1e-9:
                bad.append((f["path"], v, e))
    check(not bad, f"clouds pass min_flatness by NumPy's PCA or are listed as failing: {bad[:4]}")


def test_refused():
    cases = [
        ("min_ink: 1.5\n", "min_ink"),
        ("min_ink: -0.1\n", "min_ink"),
        ("min_ink: 0.3\nmax_ink: 0.1\n", "max_ink"),
        ("min_ink: 0.1\nguard_draws: 0\n", "guard_draws"),
        ("min_flatness: 0.1\n", "min_flatness"),
        ("min_ink: 0.1\ncompat: official\nworkers: 4\n", "compat: faithful"),
    ]
    for extra, says in cases:
        base = RCDB.replace("compat: faithful\n", "") if "compat" in extra else RCDB
        out, r = generate(tmp, "refused", base + extra, expect=2)
        check(says in r.stderr and "Traceback" not in r.stderr, f"{extra.strip()}: {r.stderr.strip()[-300:]}")
        check(not os.path.exists(os.path.join(out, "manifest.json")), f"{extra.strip()}: nothing written")
    try:
        fdsl.Generator.from_config({"generator": "rcdb", "compat": "faithful", "size": 64, "min_ink": 2})
        check(False, "Python: min_ink 2 accepted")
    except ValueError as e:
        check("min_ink" in str(e), f"Python names the key: {e}")


test_images()
test_clouds()
test_refused()
finish()

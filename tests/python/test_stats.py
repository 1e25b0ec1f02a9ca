"""fdsl stats: every per-sample figure re-computed with NumPy from what Pillow and NumPy read out of
the dataset (the definitions in include/fdsl/dataset/stats.h), the same figures from a folder, tar
shards and samples rendered in memory, for any thread count, the flagged samples found by name,
and bad input refused with a clear message."""
import json
import os
import resource
import shutil
import subprocess
import tarfile
import tempfile

import numpy as np
from PIL import Image

from testkit import check, finish, generate, run_cli

SRC = os.environ["FDSL_SOURCE_DIR"]
tmp = tempfile.mkdtemp(prefix="fdsl-stats-")

FRACTALS = """generator: fractaldb
seed: 3
categories: search
classes: 4
instances: 10
size: 64
points: 20000
"""


def stats(args, expect=0):
    r = run_cli(["stats", "--progress", "quiet"] + args)
    check(r.returncode == expect, f"stats {args}: exit {r.returncode} (want {expect}): {r.stderr[-600:]}")
    return r


def load(folder):
    with open(os.path.join(folder, "stats.json")) as f:
        return json.load(f)


def border_mode(a):
    """The most frequent value on the border (ties: the smallest), a pixel as one integer."""
    packed = a[..., 0].astype(np.int64) if a.shape[2] == 1 else (
        (a[..., 0].astype(np.int64) << 16) | (a[..., 1].astype(np.int64) << 8) | a[..., 2])
    border = np.concatenate([packed[0], packed[-1], packed[1:-1, 0], packed[1:-1, -1]])
    values, counts = np.unique(border, return_counts=True)
    return packed, values[np.argmax(counts)]


def expected_image(path):
    img = Image.open(path)
    a = np.asarray(img)
    if a.ndim == 2:
        a = a[..., None]
    packed, bg = border_mode(a)
    ink = packed != bg
    h, w = ink.shape
    ys, xs = np.nonzero(ink)
    bw = (xs.max() - xs.min() + 1) / w if len(xs) else 0.0
    bh = (ys.max() - ys.min() + 1) / h if len(ys) else 0.0
    flat = a.astype(np.float64).ravel()
    return {"ink": ink.mean(), "bbox_w": bw, "bbox_h": bh, "intensity_mean": flat.mean(),
            "intensity_std": flat.std(), "file_bytes": os.path.getsize(path)}


def close(a, b, tol=1e-9):
    return abs(a - b) <= tol * max(1.0, abs(b))


# --- a folder of PNGs: every figure against NumPy ------------------------------------------------
folder, _ = generate(tmp, "frac", FRACTALS)
r = stats([folder])
rep = load(folder)
im = rep["images"]
cols = im["per_sample"]
check(im["count"] == 40 and len(cols["name"]) == 40, f"40 images measured ({im['count']})")
check(rep["layout"] == "imagefolder", f"layout from the manifest ({rep['layout']})")
bad = []
for i, name in enumerate(cols["name"]):
    e = expected_image(os.path.join(folder, name))
    for k, v in e.items():
        if not close(cols[k][i], v):
            bad.append((name, k, cols[k][i], v))
    if cols["class"][i] != name.split("/")[0]:
        bad.append((name, "class", cols["class"][i]))
check(not bad, f"every image's figures equal NumPy's over Pillow's pixels: {bad[:4]}")
inks = np.array(cols["ink"])
s = im["summary"]["ink"]
check(close(s["mean"], inks.mean()) and close(s["std"], inks.std()) and s["min"] == inks.min()
      and s["max"] == inks.max(), f"the ink summary is the per-sample one ({s})")
check(s["p50"] == np.sort(inks)[round(0.5 * 39)], "p50 is the nearest-rank median")
check(im["num_classes"] == 4 and [c["class"] for c in im["classes"]] == ["00000", "00001", "00002", "00003"],
      f"4 classes in order: {[c['class'] for c in im['classes']]}")
for c in im["classes"]:
    members = [i for i, k in enumerate(cols["class"]) if k == c["class"]]
    check(c["samples"] == 10 and close(c["ink_mean"], inks[members].mean()),
          f"class {c['class']}: 10 samples and their mean ink")
check(len(im["similar_pairs"]) == 6, f"all 6 pairs of 4 classes listed, closest first ({len(im['similar_pairs'])})")
dists = [p["distance"] for p in im["similar_pairs"]]
check(dists == sorted(dists), "pairs sorted by distance")
check("ink fraction" in r.stdout and "closest class pairs" in r.stdout and "stats.json" in r.stdout,
      f"a text summary on stdout: {r.stdout[:300]}")
check(len(r.stdout.splitlines()) <= 40, f"the summary fits one screen ({len(r.stdout.splitlines())} lines)")

# The class descriptor: re-stated for one image (16 x 16 cells of the ink fraction).
name = cols["name"][5]
a = np.asarray(Image.open(os.path.join(folder, name)))[..., None]
packed, bg = border_mode(a)
ink = (packed != bg).astype(np.float64)
h, w = ink.shape
cy, cx = (np.arange(h) * 16) // h, (np.arange(w) * 16) // w
grid = np.zeros((16, 16))
np.add.at(grid, (cy[:, None].repeat(w, 1), cx[None, :].repeat(h, 0)), ink)
counts = np.zeros((16, 16))
np.add.at(counts, (cy[:, None].repeat(w, 1), cx[None, :].repeat(h, 0)), 1)
desc = grid / counts

# Class means and spreads from that descriptor, re-stated for every image, give the same pairs.
descs = {}
for i, n in enumerate(cols["name"]):
    a = np.asarray(Image.open(os.path.join(folder, n)))[..., None]
    packed, bg = border_mode(a)
    ink = (packed != bg).astype(np.float64)
    g = np.zeros((16, 16))
    np.add.at(g, (cy[:, None].repeat(w, 1), cx[None, :].repeat(h, 0)), ink)
    descs.setdefault(cols["class"][i], []).append((g / counts).astype(np.float32).astype(np.float64).ravel())
means = {k: np.mean(v, axis=0) for k, v in descs.items()}
spreads = {k: np.mean([np.linalg.norm(d - means[k]) for d in v]) for k, v in descs.items()}
for c in im["classes"]:
    check(close(c["spread"], spreads[c["class"]], 1e-6), f"class {c['class']} spread {c['spread']} = {spreads[c['class']]}")
p0 = im["similar_pairs"][0]
check(close(p0["distance"], np.linalg.norm(means[p0["a"]] - means[p0["b"]]), 1e-6), "the closest pair's distance")

# --- the same dataset as tar shards, and rendered in memory: the same figures --------------------
tar, _ = generate(tmp, "frac-tar", FRACTALS + "output_format: tar\nshard_samples: 7\n")
stats([tar])
t = load(tar)
check(t["layout"] == "webdataset" and t["images"]["count"] == 40, f"tar: 40 images ({t['images']['count']})")
for k in ("ink", "bbox_w", "bbox_h", "intensity_mean", "intensity_std", "file_bytes"):
    check(t["images"]["per_sample"][k] == cols[k], f"tar shards give the folder's {k}")
check([int(c) for c in t["images"]["per_sample"]["class"]] == [int(n.split("/")[0]) for n in cols["name"]],
      "tar classes are the .cls labels")
cfg = os.path.join(tmp, "frac.yaml")
mem_out = os.path.join(tmp, "mem")
stats([cfg, "--sample", "40", "-o", mem_out])
m = load(mem_out)
check(m["layout"] == "in memory" and m["rendered"] == {"classes": 4, "instances_per_class": 10, "samples": 40},
      f"--sample 40: 4 classes x 10 ({m.get('rendered')})")
check(m["images"]["per_sample"] == im["per_sample"], "in memory: the folder's every figure, names and PNG sizes")
check(m["images"]["similar_pairs"] == im["similar_pairs"], "in memory: the same class pairs")


# --- a plasma background: the ink is the shapes', drawn again from the manifest's config ---------
# Every pixel of a plasma background differs from its border, so pixels alone would call each image
# all ink (saturated). The class masks of the same config (masks: true) are the oracle: a shape's
# pixels are those of a nonzero class, read with Pillow.
PLASMA = """generator: ifs_sigma
seed: 5
classes: 3
instances: 8
size: 64
points: 4000
background: true
"""
plasma, _ = generate(tmp, "plasma", PLASMA)
stats([plasma])
pl = load(plasma)
pc = pl["images"]["per_sample"]
check(pl.get("ink_from") == {"shape_masks": 24, "pixels": 0}, f"24 images measured on their shapes ({pl.get('ink_from')})")
check(max(pc["ink"]) < 0.9 and not pl["images"]["saturated"], f"no plasma image is saturated ({max(pc['ink'])})")
masked, _ = generate(tmp, "plasma-masks", PLASMA + "masks: true\ncoco: false\n")
bad = []
for i, name in enumerate(pc["name"]):
    sem = np.asarray(Image.open(os.path.join(masked, "masks", name)))
    want = (sem != 0).mean()
    ys, xs = np.nonzero(sem)
    bw = (xs.max() - xs.min() + 1) / sem.shape[1] if len(xs) else 0.0
    if not close(pc["ink"][i], want) or not close(pc["bbox_w"][i], bw):
        bad.append((name, pc["ink"][i], want, pc["bbox_w"][i], bw))
    px = expected_image(os.path.join(plasma, name))
    if not close(pc["intensity_mean"][i], px["intensity_mean"]):
        bad.append((name, "intensity", pc["intensity_mean"][i], px["intensity_mean"]))
check(not bad, f"each image's ink and bbox are its class mask's, its intensity its pixels': {bad[:3]}")
mem_plasma = os.path.join(tmp, "mem-plasma")
stats([os.path.join(tmp, "plasma.yaml"), "--sample", "24", "-o", mem_plasma])
check(load(mem_plasma)["images"]["per_sample"] == pc, "in memory: the folder's every figure")
stats([masked])
check(load(masked)["images"]["per_sample"]["ink"] == pc["ink"], "with masks: images/ measured the same")
for name, extra in (("plasma-tar", "output_format: tar\nshard_samples: 5\n"),
                    ("plasma-splits", "splits: train,val\nval_instances: 2\n"),
                    ("plasma-splits-tar", "splits: train,val\nval_instances: 2\noutput_format: tar\n")):
    out, _ = generate(tmp, name, PLASMA + extra)
    stats([out])
    got = load(out)
    n = got["images"]["count"]
    check(got.get("ink_from") == {"shape_masks": n, "pixels": 0}, f"{name}: every image on its shapes ({got.get('ink_from')})")
    if name == "plasma-tar":
        check(got["images"]["per_sample"]["ink"] == pc["ink"], "tar: the folder's ink")
    else:
        # Folder names start with the split; a tar's members are named as in one split, the train
        # shard first.
        names = got["images"]["per_sample"]["name"]
        train = list(range(24)) if "tar" in name else [k for k, v in enumerate(names) if v.startswith("train/")]
        inks = [got["images"]["per_sample"]["ink"][k] for k in train]
        check(n == 30 and len(inks) == 24, f"{name}: 24 train and 6 val images ({n})")
        check(inks == pc["ink"], f"{name}: the train split's ink is the one-split dataset's")
        check(max(got["images"]["per_sample"]["ink"]) < 0.9, f"{name}: the val split on its shapes too")
# A dataset of another fdsl version: its shapes may differ, so pixels, with a note saying so.
other = os.path.join(tmp, "plasma-old")
shutil.copytree(plasma, other)
with open(os.path.join(other, "manifest.json")) as f:
    man = json.load(f)
man["fdsl_version"] = "0.0.1"
with open(os.path.join(other, "manifest.json"), "w") as f:
    json.dump(man, f)
r = stats([other])
old = load(other)
check(old["ink_from"]["shape_masks"] == 0 and "0.0.1" in old["ink_from"]["note"] and "note: fdsl 0.0.1" in r.stdout,
      f"another version: pixels and a note ({old.get('ink_from')}; {r.stdout[:400]})")
check(np.mean(old["images"]["per_sample"]["ink"]) > np.mean(pc["ink"]) + 0.3, "another version: the plasma counts as ink, as said")
check("ink_from" not in rep, "a flat background: no ink_from")


# --- stats.png: plots Pillow reads, the pair pictures drawn from the files or the renders -------
def plot(folder):
    a = np.asarray(Image.open(os.path.join(folder, "stats.png")).convert("RGB"))
    # The grey box drawn where an example has no picture: 96 x 96 of (60, 60, 60).
    grey = np.all(a == 60, axis=2).sum()
    return a, grey


pairs_shown = min(10, len(im["similar_pairs"]))
for where, d in (("folder", folder), ("in memory", mem_out), ("tar", tar)):
    a, grey = plot(d)
    check(a.shape[1] == 1200 and a.shape[0] > 300, f"{where}: stats.png is 1200 px wide ({a.shape})")
    check(pairs_shown > 0 and grey < 96 * 96, f"{where}: every pair has its pictures ({grey} grey pixels)")
a_folder, _ = plot(folder)
for where, d in (("in memory", mem_out), ("tar", tar)):
    a_other, _ = plot(d)
    h = min(a_folder.shape[0], a_other.shape[0])
    check(a_folder.shape == a_other.shape and np.array_equal(a_folder[40:h], a_other[40:h]),
          f"the folder's plots and the {where} ones are the same below the title (pair pictures included)")
# The tar's pictures are members of its shards (no files beside them to read instead).
example = t["images"]["similar_pairs"][0]["example_a"]
shard_of = None
for name in sorted(os.listdir(tar)):
    check(not os.path.isdir(os.path.join(tar, name)) or name == "annotations", f"tar dataset: no folder {name}")
    if name.endswith(".tar"):
        with tarfile.open(os.path.join(tar, name)) as tf:
            if example in tf.getnames():
                shard_of = name
check(shard_of is not None, f"the example {example} is a member of a shard")

# --- any thread count: the same bytes -----------------------------------------------------------
outs = []
for j in ("1", "2", "5"):
    o = os.path.join(tmp, "j" + j)
    stats([folder, "-j", j, "-o", o])
    with open(os.path.join(o, "stats.json"), "rb") as f, open(os.path.join(o, "stats.png"), "rb") as g:
        outs.append(f.read() + g.read())
check(outs[0] == outs[1] == outs[2], "stats.json and stats.png are byte-identical for -j 1, 2 and 5")

# --- flags: a blank image and a saturated one are named -------------------------------------------
damaged = os.path.join(tmp, "damaged")
shutil.copytree(folder, damaged)
Image.new("L", (64, 64), 0).save(os.path.join(damaged, cols["name"][3]))
full = np.zeros((64, 64), np.uint8)
full[1:, 1:] = 200
Image.fromarray(full).save(os.path.join(damaged, cols["name"][7]))
r = stats([damaged])
d = load(damaged)
check(cols["name"][3] in d["images"]["blank"], f"the flat image is listed blank ({d['images']['blank'][:5]})")
check(cols["name"][7] in d["images"]["saturated"], f"the full image is listed saturated ({d['images']['saturated']})")
check(cols["name"][3] in r.stdout or d["images"]["blank_count"] > 3, "the summary names a blank image")
# A class whose instances are all one image does not vary.
same = os.path.join(tmp, "same")
shutil.copytree(folder, same)
first = [n for n in cols["name"] if n.startswith("00002/")]
for n in first[1:]:
    shutil.copyfile(os.path.join(same, first[0]), os.path.join(same, n))
stats([same])
sm = load(same)
check(sm["images"]["static_classes"] == ["00002"], f"class 00002 does not vary ({sm['images']['static_classes']})")
# A copy of a class is its nearest: distance 0, first of the pairs.
dup = os.path.join(tmp, "dup")
shutil.copytree(folder, dup)
for n in [n for n in cols["name"] if n.startswith("00001/")]:
    shutil.copyfile(os.path.join(dup, n.replace("00001/", "00003/").replace("00001_", "00003_")), os.path.join(dup, n))
stats([dup])
dp = load(dup)["images"]["similar_pairs"][0]
check((dp["a"], dp["b"], dp["distance"]) == ("00001", "00003", 0.0), f"the copied class pairs with its source: {dp}")

# --- point clouds (NPY): variance, extent, distinct points, flatness against NumPy ---------------
clouds, _ = generate(tmp, "pc", """generator: pc_fractal
seed: 1
classes: 3
instances: 4
points: 3000
cloud_format: npy
""")
stats([clouds])
c = load(clouds)["clouds"]
cc = c["per_sample"]
check(c["count"] == 12, f"12 clouds ({c['count']})")
bad = []
for i, name in enumerate(cc["name"]):
    p = np.load(os.path.join(clouds, name))[:, :3].astype(np.float64)
    ev = np.sort(np.linalg.eigvalsh(np.cov(p.T, bias=True)))[::-1]
    want = {"points": len(p), "var_x": p[:, 0].var(), "var_y": p[:, 1].var(), "var_z": p[:, 2].var(),
            "distinct": len(np.unique(p, axis=0)) / len(p), "l21": ev[1] / ev[0], "l31": ev[2] / ev[0]}
    for k, v in want.items():
        if not close(cc[k][i], v, 1e-6):
            bad.append((name, k, cc[k][i], v))
check(not bad, f"every cloud's figures equal NumPy's: {bad[:4]}")
mem_pc = os.path.join(tmp, "mem-pc")
stats([os.path.join(tmp, "pc.yaml"), "--sample", "12", "-o", mem_pc])
mp = load(mem_pc)["clouds"]["per_sample"]
check(mp["distinct"] == cc["distinct"] and mp["l31"] == cc["l31"], "in memory: the clouds' figures of the files")

# --- every cloud format fdsl writes gives the NPY dataset's figures -------------------------------
pc_text = open(os.path.join(tmp, "pc.yaml")).read()
fields = ["points", "var_x", "var_y", "var_z", "distinct", "l21", "l31", "class"]
for fmt in ("ply", "ply_ascii", "pcd", "pcd_ascii", "tar", "hdf5"):
    extra = "output_format: tar\ncloud_format: ply\n" if fmt == "tar" else f"cloud_format: {fmt}\n"
    text = pc_text.replace("cloud_format: npy\n", extra)
    out, _ = generate(tmp, "pc-" + fmt, text)
    stats([out])
    got = load(out)["clouds"]["per_sample"]
    if fmt == "hdf5":  # the file holds the clouds shuffled: compare as sets of rows
        same = sorted(zip(*[got[k] for k in fields])) == sorted(zip(*[cc[k] for k in fields]))
    else:
        same = all(got[k] == cc[k] for k in fields) and [n.rsplit(".", 1)[0] for n in got["name"]] == [
            n.rsplit(".", 1)[0] for n in cc["name"]]
    check(same, f"cloud_format {fmt}: the figures of the NPY files, class names included")
    _, grey = plot(out)
    check(grey < 96 * 96, f"cloud_format {fmt}: the pair pictures are the clouds, drawn ({grey} grey pixels)")

# --- clouds other programs wrote: Open3D's PLY and PCD encodings, h5py's ModelNet file ------------
import open3d as o3d  # noqa: E402
import h5py  # noqa: E402

foreign = os.path.join(tmp, "foreign")
rng = np.random.default_rng(4)
written = {}
encodings = [("ply", dict(write_ascii=False)), ("ply", dict(write_ascii=True)),
             ("pcd", dict(write_ascii=False, compressed=False)), ("pcd", dict(write_ascii=True)),
             ("pcd", dict(write_ascii=False, compressed=True))]
for k, (ext, kw) in enumerate(encodings):
    os.makedirs(os.path.join(foreign, f"c{k}"))
    for j in range(2):
        pts = rng.normal(size=(500 + 100 * j, 3)) * [1.0, 0.5, 0.1] + k
        pts[::7] = pts[0]  # repeated points
        pc = o3d.geometry.PointCloud(o3d.utility.Vector3dVector(pts))
        pc.colors = o3d.utility.Vector3dVector(rng.random((len(pts), 3)))
        name = f"c{k}/s{j}.{ext}"
        check(o3d.io.write_point_cloud(os.path.join(foreign, name), pc, **kw), f"Open3D writes {name} {kw}")
        back = np.asarray(o3d.io.read_point_cloud(os.path.join(foreign, name)).points)
        written[name] = back.astype(np.float32).astype(np.float64)
stats([foreign])
fc = load(foreign)["clouds"]["per_sample"]
check(sorted(fc["name"]) == sorted(written), f"every Open3D file measured: {fc['name']}")
bad = []
for i, name in enumerate(fc["name"]):
    p = written[name]
    want = {"points": len(p), "var_x": p[:, 0].var(), "var_z": p[:, 2].var(),
            "distinct": len(np.unique(p, axis=0)) / len(p)}
    for k, v in want.items():
        if not close(fc[k][i], v, 1e-5):
            bad.append((name, k, fc[k][i], v))
check(not bad, f"Open3D's PLY/PCD (binary, ASCII, compressed) give NumPy's figures: {bad[:4]}")

h5dir = os.path.join(tmp, "h5py")
os.makedirs(h5dir)
data = rng.normal(size=(6, 256, 3)).astype(np.float32)
data[5] = 0  # one cloud collapsed to a point
with h5py.File(os.path.join(h5dir, "ply_data_train0.h5"), "w") as f:
    f["data"] = data
    f["label"] = np.array([[0], [1], [2], [0], [1], [2]], dtype=np.uint8)
with open(os.path.join(h5dir, "shape_names.txt"), "w") as f:
    f.write("airplane\nbathtub\nbed\n")
stats([h5dir])
hc = load(h5dir)["clouds"]
hp = hc["per_sample"]
check(hp["class"] == ["airplane", "bathtub", "bed"] * 2 and hp["name"][5] == "ply_data_train0.h5:5",
      f"h5py's ModelNet file: classes from shape_names.txt ({hp['class']}, {hp['name'][:2]})")
check(all(close(hp["var_y"][i], data[i][:, 1].astype(np.float64).var(), 1e-6) for i in range(6)),
      "h5py's clouds: NumPy's variances")
check(hp["distinct"][5] == 1 / 256, f"the collapsed cloud has one distinct point ({hp['distinct'][5]})")

# --- every shipped config renders stats in memory ------------------------------------------------
small = {"size": "48", "points": "2000", "texture_pool": "8"}  # the textured dead leaves make 10,000 first
for cfgname in sorted(os.listdir(os.path.join(SRC, "configs"))):
    path = os.path.join(SRC, "configs", cfgname)
    out = os.path.join(tmp, "cfg-" + cfgname)
    # Shrink what each family has of size and points, so every config takes a moment.
    text = open(path).read()
    sets = []
    for k, v in small.items():
        if any(line.startswith(k + ":") for line in text.splitlines()):
            sets += ["--set", f"{k}={v}"]
    r = stats([path, "--sample", "4", "-o", out, "-j", "2"] + sets)
    if r.returncode == 0:
        rep = load(out)
        check(("images" in rep) or ("clouds" in rep), f"{cfgname}: images or clouds measured")
        kind = rep.get("images") or rep.get("clouds")
        names = set(kind["per_sample"]["class"])
        # The class is the folder that holds the file (RCDB's image/00000/..., views' images/00000/...).
        check(names and all(n not in ("image", "images", "") for n in names) or "scenes" in names,
              f"{cfgname}: classes are the class folders ({sorted(names)[:3]})")

# --- bad input: a clear message, exit 2, nothing written -----------------------------------------
r = stats([cfg], expect=2)
check("--sample" in r.stderr, f"a config without --sample says how ({r.stderr.strip()})")
empty = os.path.join(tmp, "empty")
os.makedirs(empty)
r = stats([empty], expect=2)
check("holds no sample" in r.stderr and not os.path.exists(os.path.join(empty, "stats.json")),
      f"an empty folder: refused, nothing written ({r.stderr.strip()})")
r = stats([os.path.join(tmp, "nope")], expect=2)
for opt in (["--blank-ink", "2"], ["--pairs", "-1"], ["--sample", "0"], ["--progress", "fast"]):
    stats([folder] + opt, expect=2)
r = stats([folder, "--set", "size=32"], expect=2)
check("--sample" in r.stderr, f"--set without --sample is refused ({r.stderr.strip()})")
# A damaged file: the others are measured, the file is named, exit 1.
broken = os.path.join(tmp, "broken")
shutil.copytree(folder, broken)
with open(os.path.join(broken, cols["name"][0]), "r+b") as f:
    f.truncate(20)
r = stats([broken], expect=1)
b = load(broken)
check(b["images"]["count"] == 39 and b["unreadable"][0]["path"] == cols["name"][0],
      f"39 measured, the damaged one listed ({b['unreadable'][:1]})")
check(cols["name"][0] in r.stderr, f"the error names the file ({r.stderr.strip()[-300:]})")

# --- the Python API: the reports of the CLI, as dicts ---------------------------------------------
import fdsl  # noqa: E402

for where, d in (("folder", folder), ("tar", tar)):
    got = fdsl.dataset_stats(d)
    want = load(d)
    check(got == want, f"fdsl.dataset_stats({where}) is its stats.json")
    check(fdsl.dataset_stats(d, threads=1) == fdsl.dataset_stats(d, threads=2), f"{where}: any thread count")
r = stats([folder])
check(r.stdout.startswith(fdsl.stats_text(load(folder))), "fdsl.stats_text() is the summary the CLI prints")
gen = fdsl.Generator.from_config(cfg)
mine = gen.stats(40)
cli = load(mem_out)
check(mine["source"] == "Generator.stats" and {k: v for k, v in mine.items() if k != "source"}
      == {k: v for k, v in cli.items() if k != "source"}, "Generator.stats(40) is `fdsl stats CONFIG --sample 40`")
check(gen.stats(40, threads=1) == gen.stats(40, threads=2), "Generator.stats: any thread count")
few = gen.stats(5)
check(few["rendered"] == {"classes": 1, "instances_per_class": 8, "samples": 5},
      f"5 samples: one class, 8 instances planned, 5 made ({few['rendered']})")
strict = fdsl.dataset_stats(folder, blank_ink=0.5, pairs=2)
check(len(strict["images"]["similar_pairs"]) == 2 and strict["images"]["blank_count"] >= 1,
      f"thresholds as keywords: 2 pairs, images below half ink are blank ({strict['images']['blank_count']})")
for call, kind, text in ((lambda: fdsl.dataset_stats(folder, blank_ink=2), ValueError, "blank_ink=2 is out of range"),
                         (lambda: fdsl.dataset_stats(folder, pairs=1001), ValueError, "valid: 0..1000"),
                         (lambda: fdsl.dataset_stats(folder, pairs=1.5), TypeError, "pairs must be an int"),
                         (lambda: fdsl.dataset_stats(folder, blanc_ink=0.1), TypeError, "unknown keyword argument"),
                         (lambda: fdsl.dataset_stats(os.path.join(tmp, "nope")), ValueError, "is not a folder"),
                         (lambda: gen.stats(0), ValueError, "samples=0 is out of range"),
                         (lambda: gen.stats(10, threads=-1), ValueError, "out of range"),
                         (lambda: gen.stats(10000000), ValueError, "10000000 samples in memory")):
    try:
        call()
        check(False, f"refused: {text}")
    except kind as e:
        check(text in str(e), f"{kind.__name__} saying {text!r}: {e}")

# Too many samples for memory (every sample's figures are held for stats.json, ~2.5 KB each):
# refused before any is read or rendered, naming the count and the way out. --sample 10,000,000
# (inside its range) was rendered for minutes and then killed for memory.
huge_cfg = os.path.join(tmp, "huge-sample.yaml")
with open(huge_cfg, "w") as f:
    f.write("generator: ifs_sigma\nclasses: 2\nsize: 16\npoints: 100\n")
r = run_cli(["stats", huge_cfg, "--sample", "10000000", "-o", os.path.join(tmp, "huge-sample-stats"), "--progress", "quiet"],
            timeout=60)
check(r.returncode == 2 and "10000000 samples in memory" in r.stderr and "1e+07 samples" in r.stderr,
      f"--sample 10,000,000 refused up front: {r.returncode} {r.stderr[-300:]}")
check(not os.path.exists(os.path.join(tmp, "huge-sample-stats", "stats.json")), "no stats.json")
many, _ = generate(tmp, "many-tar", "generator: ifs_sigma\nclasses: 4\ninstances: 50000\nsize: 8\npoints: 2\n"
                   "color: false\nbackground: false\npatch: false\noutput_format: tar\nshard_samples: 50000\n"
                   "card: false\n")
# 2e5 samples (counted from the manifest's shards) need ~660 MB: not under a 600 MB ulimit -v.
def small_address_space():
    resource.setrlimit(resource.RLIMIT_AS, (600 << 20, 600 << 20))


r = subprocess.run([os.environ["FDSL_CLI"], "stats", many, "-o", os.path.join(tmp, "many-stats"), "--progress",
                    "quiet"], capture_output=True, text=True, timeout=120, preexec_fn=small_address_space)
check(r.returncode == 2 and "2e+05 samples" in r.stderr and "ulimit -v" in r.stderr and "--sample N" in r.stderr,
      f"stats of 200,000 samples under a 600 MB ulimit -v: refused naming the count: {r.returncode} "
      f"{r.stderr[-400:]}")

shutil.rmtree(tmp)
finish()

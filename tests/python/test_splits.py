"""Held-out splits, for every family: `splits: train,val,test` writes train/ val/ test/ roots side by
side whose samples are fresh instances of the same categories (no image or cloud of one split equals
one of another), each split root equals a one-split run (`split: val`), and partial folder runs say
which fdsl label each class folder holds (classes.json), so an ImageFolder reader can map its own
labels back."""
import hashlib
import json
import os
import shutil
import tempfile

import numpy as np
from PIL import Image

from testkit import check, finish, generate, run_cli

FAMILIES = {
    "fractaldb": "generator: fractaldb\ncategories: official\nclasses: 2\ninstances: 4\nsize: 32\npoints: 2000\n",
    "fractaldb_official": "generator: fractaldb\ncategories: official\ncompat: official\nrender: point\n"
                          "classes: 2\ninstances: 4\nsize: 32\npoints: 2000\n",
    "fractaldb_search": "generator: fractaldb\nclasses: 2\ninstances: 3\nsize: 32\npoints: 2000\n"
                        "fill_points: 20000\nfill_size: 128\nfill_threshold: 0.1\n",
    "ifs_sigma": "generator: ifs_sigma\nclasses: 2\ninstances: 3\nsize: 32\npoints: 2000\n",
    "one_frac": "generator: one_frac\nclasses: 2\ninstances: 3\nsize: 32\npoints: 5000\n",
    "spectral_noise": "generator: spectral_noise\nclasses: 2\ninstances: 3\nsize: 32\n",
    "dead_leaves": "generator: dead_leaves\ninstances: 3\nsize: 32\ntexture: spectral\ntexture_pool: 4\n",
    "moire": "generator: moire\ninstances: 3\nsize: 32\n",
    # The contour families' geometry keys are pixels of the 512 px recipe: scaled to 32 px so that
    # faithful samples are never flat (the official modes keep the official geometry and its blanks).
    "visual_atom": "generator: visual_atom\nclasses: 2\ninstances: 3\nsize: 32\ncenter_range: 25\nradius_min: 1\nradius_max: 6\n",
    "visual_atom_official": "generator: visual_atom\ncompat: official\nworkers: 2\nclasses: 2\ninstances: 3\nsize: 32\n",
    "rcdb": "generator: rcdb\nclasses: 2\ninstances: 3\nsize: 32\ncenter_range: 25\nradius_min: 1\nradius_max: 6\n",
    "rcdb_official": "generator: rcdb\ncompat: official\nworkers: 2\nclasses: 2\ninstances: 3\nsize: 32\n",
    "pc_fractal": "generator: pc_fractal\nclasses: 2\ninstances: 3\npoints: 300\nsearch_points: 1000\ncloud_format: npy\n",
    "pc_fractal_mv": "generator: pc_fractal\nclasses: 2\ninstances: 3\npoints: 300\nsearch_points: 1000\n"
                     "cloud_format: npy\ninstance_mode: mv_weights\n",
    "pc_scenes": "generator: pc_scenes\nclasses: 2\ninstances: 2\nobject_instances: 2\npoints: 100\n"
                 "search_points: 1000\ncloud_format: npy\n",
    "vg_fractal": "generator: vg_fractal\nclasses: 2\ninstances: 2\npoints: 500\nsize: 32\nsearch_points: 1000\n"
                  "cloud_format: npy\n",
}
SPLITS = "splits: train,val,test\nval_instances: 2\ntest_instances: 2\n"
BOOKKEEPING = {"manifest.json", "fdsl.yaml", "categories.json", "categories.csv", "classes.json", "README.md",
               "card-preview.jpg", "card-stats.jpg"}


def sample_files(root):
    """{relative path: bytes} of the data files under root (samples, not bookkeeping)."""
    out = {}
    for path, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for f in files:
            rel = os.path.relpath(os.path.join(path, f), root)
            if f.startswith(".fdsl") or rel in BOOKKEEPING or rel.startswith("param/"):
                continue
            with open(os.path.join(path, f), "rb") as fh:
                out[rel] = fh.read()
    return out


def content(rel, data, root):
    """What a consumer reads from a data file: pixels of a PNG, the array of an NPY, else the bytes."""
    full = os.path.join(root, rel)
    if rel.endswith(".png"):
        return Image.open(full).tobytes()
    if rel.endswith(".npy"):
        return np.load(full).tobytes()
    return data


def is_flat(png):
    """One color over the whole image, in every band."""
    extrema = Image.open(png).getextrema()
    bands = extrema if isinstance(extrema[0], tuple) else (extrema,)
    return all(lo == hi for lo, hi in bands)


tmp = tempfile.mkdtemp(prefix="fdsl-splits-")
for name, text in FAMILIES.items():
    ds, r = generate(tmp, name, text + SPLITS)
    if r.returncode != 0:
        continue
    check(all(os.path.isdir(os.path.join(ds, s)) for s in ("train", "val", "test")), f"{name}: train/ val/ test/")
    manifest = json.load(open(os.path.join(ds, "manifest.json")))
    check(manifest["complete"] and set(manifest["splits"]) == {"train", "val", "test"}, f"{name}: manifest splits")
    check(manifest["splits"]["val"]["instances_per_class"] == 2, f"{name}: val_instances")
    v = run_cli(["verify", ds])
    check(v.returncode == 0, f"{name}: verify: {v.stdout} {v.stderr}")

    # No sample of one split equals a sample of another (by what a reader decodes). One-color images
    # (a contour wholly off a small canvas) equal each other whatever the stream drew: they are left
    # out here, and their count must be what generate reported.
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    owner, flat = {}, 0
    for split in ("train", "val", "test"):
        root = os.path.join(ds, split)
        files = sample_files(root)
        check(len(files) > 0, f"{name}: {split} holds samples")
        for rel, data in files.items():
            if rel.endswith(".json"):  # camera and scene metadata may repeat (same view rig)
                continue
            decoded = content(rel, data, root)
            if rel.endswith(".png") and is_flat(os.path.join(root, rel)):
                flat += 1
                continue
            digest = hashlib.sha256(decoded).hexdigest()
            other = owner.setdefault(digest, (split, rel))
            check(other[0] == split, f"{name}: {split}/{rel} equals {other[0]}/{other[1]}")

    check(flat == summary.get("blank_samples", 0), f"{name}: {flat} flat images, {summary} reported")
    if "official" not in name:
        check(flat == 0, f"{name}: faithful samples at 32 px are never flat ({flat})")
    check(len(owner) > 0, f"{name}: samples that are not flat")

    # Each split root is what a one-split run of that split makes, with the same categories.
    cats = open(os.path.join(ds, "categories.json")).read()
    for split in ("train", "val"):
        lines = text if split == "train" else "".join(
            line + "\n" for line in text.splitlines() if not line.startswith("instances:")) + "instances: 2\n"
        one, r1 = generate(tmp, f"{name}_{split}", lines + f"split: {split}\n")
        if r1.returncode != 0:
            continue
        check(sample_files(one) == sample_files(os.path.join(ds, split)),
              f"{name}: {split}/ equals a run with split: {split}")
        check(open(os.path.join(one, "categories.json")).read() == cats,
              f"{name}: split {split} has the same categories.json")
        shutil.rmtree(one, ignore_errors=True)
    shutil.rmtree(ds, ignore_errors=True)

# ---- tar shards: {split}-NNNNNN.tar, every split in _info.json as timm reads it -------------------
# timm/data/readers/reader_wds.py, _parse_split_info: info["splits"][split] with num_samples,
# filenames (relative to _info.json), shard_lengths and name.
ds, r = generate(tmp, "tar", FAMILIES["fractaldb"] + SPLITS + "output_format: tar\nshard_samples: 3\n")
if r.returncode == 0:
    info = json.load(open(os.path.join(ds, "_info.json")))
    for split, n in (("train", 8), ("val", 4), ("test", 4)):
        s = info["splits"][split]
        check(s["name"] == split and s["num_samples"] == n and sum(s["shard_lengths"]) == n,
              f"tar {split}: {s}")
        check(all(f.startswith(split + "-") and os.path.isfile(os.path.join(ds, f)) for f in s["filenames"]),
              f"tar {split}: shards {s['filenames']}")
    bad = generate(tmp, "tar_prefix", FAMILIES["fractaldb"] + SPLITS + "output_format: tar\nshard_prefix: x\n",
                   expect=2)[1]
    check("shard_prefix" in bad.stderr, f"shard_prefix with several splits is refused by name: {bad.stderr}")

# ---- HDF5: ModelNet40 files per split, loaded as DGCNN and PointNet load them ---------------------
ds, r = generate(tmp, "h5", "generator: pc_fractal\nclasses: 3\ninstances: 4\npoints: 2048\nsearch_points: 4000\n"
                 "cloud_format: hdf5\nh5_clouds_per_file: 5\nsplits: train,test\ntest_instances: 2\n")
if r.returncode == 0:
    import glob

    import h5py
    parent, folder = os.path.split(ds)

    # dgcnn/pytorch/data.py, load_data(partition): every ply_data_{partition}*.h5 of the folder,
    # data and label concatenated; ModelNet40(partition)[i] = data[i][:num_points].
    def dgcnn_load(partition):
        data, label = [], []
        for f in sorted(glob.glob(os.path.join(parent, folder, f"ply_data_{partition}*.h5"))):
            with h5py.File(f, "r") as h:
                data.append(h["data"][:].astype("float32"))
                label.append(h["label"][:].astype("int64"))
        return np.concatenate(data), np.concatenate(label)

    train, train_label = dgcnn_load("train")
    test, test_label = dgcnn_load("test")
    check(train.shape == (12, 2048, 3) and test.shape == (6, 2048, 3), f"DGCNN shapes {train.shape} {test.shape}")
    check(sorted(np.bincount(test_label[:, 0]).tolist()) == [2, 2, 2], "test split: 2 clouds of every class")
    rows = {tuple(x) for cloud in train for x in cloud[:64].tolist()}
    check(not any(tuple(x) in rows for cloud in test for x in cloud[:64].tolist()),
          "no point of a test cloud is a point of a train cloud")
    # A first-N loader sees a uniform subsample: the first 1024 rows of two instances differ.
    zero = [k for k in range(len(train)) if train_label[k, 0] == 0]
    a, b = train[zero[0], :1024], train[zero[1], :1024]
    check(np.abs(a - b).max() > 0.1, f"first 1024 rows of two instances differ ({np.abs(a - b).max()})")

    # pointnet/provider.py getDataFiles + loadDataFile, run from the dataset's parent folder: each
    # line of {split}_files.txt opens as given.
    cwd = os.getcwd()
    os.chdir(parent)
    try:
        for split, n in (("train", 12), ("test", 6)):
            names = [line.rstrip() for line in open(os.path.join(folder, f"{split}_files.txt"))]
            total = 0
            for line in names:
                with h5py.File(line, "r") as h:
                    total += h["data"].shape[0]
                    check(h["label"].shape == (h["data"].shape[0], 1), f"PointNet {line}: label shape")
            check(total == n, f"PointNet {split}: {total} clouds from {names}")
    finally:
        os.chdir(cwd)

# ---- partial folder runs: classes.json maps class folders to fdsl labels --------------------------
ds, r = generate(tmp, "partial", FAMILIES["fractaldb"])
if r.returncode == 0:
    part = os.path.join(tmp, "partial-1-3")
    p = run_cli(["generate", os.path.join(tmp, "partial.yaml"), "-o", part, "--classes", "1:3", "--progress", "quiet"])
    check(p.returncode != 0, "--classes beyond classes is refused")
    p = run_cli(["generate", os.path.join(tmp, "partial.yaml"), "-o", part, "--classes", "1:2", "--progress", "quiet"])
    check(p.returncode == 0, f"partial run: {p.stderr}")
    full = json.load(open(os.path.join(ds, "classes.json")))
    check(full == {"00000": 0, "00001": 1}, f"classes.json of the full run: {full}")
    table = json.load(open(os.path.join(part, "classes.json")))
    check(table == {"00001": 1}, f"classes.json of --classes 1:2: {table}")
    # torchvision.datasets.folder.find_classes: sorted folder names -> 0, 1, ...; classes.json maps back.
    folders = sorted(e.name for e in os.scandir(part) if e.is_dir() and not e.name.startswith("."))
    manifest = json.load(open(os.path.join(part, "manifest.json")))
    for f in manifest["files"]:
        folder_label = folders.index(f["path"].split("/")[0])
        check(table[folders[folder_label]] == f["label"], f"{f['path']}: classes.json gives label {f['label']}")
    # Point-cloud folders too; HDF5 and tar carry their labels inside and write none.
    pc, r = generate(tmp, "pc_classes", FAMILIES["pc_fractal"])
    check(r.returncode == 0 and json.load(open(os.path.join(pc, "classes.json"))) == {"000000": 0, "000001": 1},
          "point-cloud folders have classes.json")

shutil.rmtree(tmp, ignore_errors=True)
finish()

"""Per-point part labels (pc_fractal part_labels: true), from the outside: every cloud format
carries the same ids as the bindings (NPY _part_label.npy read by NumPy, binary PLY and PCD parsed
here by their headers, Open3D still reads the points, HDF5 `pid` (B, N) uint8 by h5py as
ShapeNetPart's files have it); a part is the IFS map that placed the point, so each map's share of
the category's own points is its probability (categories.json), and noise_mix's points from
another category are one part after the maps; farthest point sampling and the point order keep
ids with their points; other families refuse the key."""
import json
import os
import tempfile

import h5py
import numpy as np
from PIL import Image

import fdsl
from testkit import check, finish, generate

tmp = tempfile.mkdtemp(prefix="fdsl-parts-")
BASE = "generator: pc_fractal\nseed: 4\nclasses: 3\ninstances: 3\npoints: 6000\npart_labels: true\n"


def read_header(path):
    data = open(path, "rb").read()
    for end in (b"end_header\n", b"DATA binary\n"):
        k = data.find(end)
        if k >= 0:
            return data[:k].decode(), data[k + len(end):]
    raise AssertionError(path)


def ply_parts(path):
    head, body = read_header(path)
    props = [l.split()[-1] for l in head.splitlines() if l.startswith("property")]
    dt = np.dtype([(p, "<f4" if p in ("x", "y", "z", "nx", "ny", "nz") else "<i4") for p in props])
    rec = np.frombuffer(body, dtype=dt)
    return np.stack([rec["x"], rec["y"], rec["z"]], 1), rec["part"]


def pcd_parts(path):
    head, body = read_header(path)
    fields = next(l.split()[1:] for l in head.splitlines() if l.startswith("FIELDS"))
    dt = np.dtype([(f, "<u4" if f in ("label", "instance", "part") else "<f4") for f in fields])
    rec = np.frombuffer(body, dtype=dt)
    return np.stack([rec["x"], rec["y"], rec["z"]], 1), rec["part"].astype(np.int32)


outs = {fmt: generate(tmp, fmt, BASE + f"cloud_format: {fmt}\n")[0] for fmt in ("npy", "ply", "pcd")}
gen = fdsl.Generator.from_config(os.path.join(outs["npy"], "fdsl.yaml"))
cats = json.load(open(os.path.join(outs["npy"], "categories.json")))["categories"]
for c in range(3):
    probs = np.array([m[12] for m in cats[c]["maps"]])
    for i in range(3):
        rel = "%06d/%06d_%04d" % (c, c, i)
        s = gen.sample(c, i)
        parts = s.point_parts
        check(parts is not None and parts.shape == (6000,), f"{rel}: point_parts {None if parts is None else parts.shape}")
        npy = np.load(os.path.join(outs["npy"], rel + "_part_label.npy"))
        check(np.array_equal(npy, parts), f"{rel}: _part_label.npy")
        xyz, ply = ply_parts(os.path.join(outs["ply"], rel + ".ply"))
        check(np.array_equal(ply, parts) and np.array_equal(xyz, s.cloud), f"{rel}: PLY part property")
        xyz, pcd = pcd_parts(os.path.join(outs["pcd"], rel + ".pcd"))
        check(np.array_equal(pcd, parts) and np.array_equal(xyz, s.cloud), f"{rel}: PCD part field")
        # noise_mix (mix_ratio 0.8): 80% own points in parts 0..M-1 by the maps' probabilities,
        # 20% noise in part M.
        m = len(probs)
        counts = np.bincount(parts, minlength=m + 1)
        check(len(counts) == m + 1 and counts[m] == 1200, f"{rel}: noise part {counts}")
        shares = counts[:m] / 4800.0
        check(np.max(np.abs(shares - probs)) < 0.04, f"{rel}: map shares {shares} vs probabilities {probs}")

try:
    import open3d as o3d
    pc = o3d.io.read_point_cloud(os.path.join(outs["ply"], "000001/000001_0002.ply"))
    check(len(pc.points) == 6000, "Open3D reads the PLY with a part property")
except ImportError:
    pass

# HDF5: pid (B, N) uint8 beside data, as ShapeNetPart's ply_data_*.h5.
out, _ = generate(tmp, "h5", BASE + "cloud_format: hdf5\nh5_clouds_per_file: 4\nh5_shuffle: false\n")
seen = 0
for name in sorted(f for f in os.listdir(out) if f.endswith(".h5")):
    with h5py.File(os.path.join(out, name)) as f:
        check(f["pid"].dtype == np.uint8 and f["pid"].shape == f["data"].shape[:2], f"{name}: pid {f['pid'].shape}")
        for b in range(f["data"].shape[0]):
            c, i = (int(v) for v in f["sample_index"][b])
            s = gen.sample(c, i)
            check(np.array_equal(f["pid"][b], s.point_parts) and np.array_equal(f["data"][b], s.cloud),
                  f"{name}[{b}]: pid is ({c}, {i})'s parts")
            seen += 1
check(seen == 9, f"9 clouds in the HDF5 files: {seen}")

# Resampled orbits, farthest point sampling, generated order: ids stay with their points.
g2 = fdsl.Generator.from_config({"generator": "pc_fractal", "seed": 4, "classes": 3, "instances": 2,
                                 "points": 4000, "instance_mode": "resample", "part_labels": True})
g3 = fdsl.Generator.from_config({"generator": "pc_fractal", "seed": 4, "classes": 3, "instances": 2,
                                 "points": 4000, "instance_mode": "resample", "part_labels": True,
                                 "fps_points": 512, "point_order": "generated"})
for c in range(3):
    a, b = g2.sample(c, 1), g3.sample(c, 1)
    check(set(np.unique(a.point_parts)) <= set(range(len(cats[c]["maps"]))), f"resample {c}: no noise part")
    lookup = {tuple(p): k for p, k in zip(a.cloud.tolist(), a.point_parts.tolist())}
    ok = b.cloud.shape == (512, 3) and all(lookup.get(tuple(p)) == k for p, k in zip(b.cloud.tolist(), b.point_parts.tolist()))
    check(ok, f"fps {c}: each sampled point keeps its part")

# vg_fractal: each view's parts through the z-buffer, beside the image as <image>.parts.npy.
VG = ("generator: vg_fractal\nseed: 2\nclasses: 2\ninstances: 2\npoints: 4000\nsize: 64\npart_labels: true\n"
      "instance_mode: resample\n")
for extra, views in (("shading: map\n", None), ("shading: white\n", None), ("shading: map\nviews: 3\n", 3),
                     ("layout: views\nviews: 2\nshading: map\nsupersample: 2\n", 2)):
    out, _ = generate(tmp, "vg%d" % len(extra), VG + extra)
    gv = fdsl.Generator.from_config(os.path.join(out, "fdsl.yaml"))
    vcats = json.load(open(os.path.join(out, "categories.json")))["categories"]
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    pngs = sorted(f["path"] for f in manifest["files"] if f["path"].endswith(".png"))
    parts_files = sorted(f["path"] for f in manifest["files"] if f["path"].endswith(".parts.npy"))
    check(len(pngs) == len(parts_files) and len(pngs) >= 4, f"{extra!r}: a parts file per image ({len(parts_files)})")
    for png in pngs:
        labels = np.load(os.path.join(out, png[:-4] + ".parts.npy"))
        img = np.array(Image.open(os.path.join(out, png)))
        check(labels.shape == img.shape[:2] and labels.dtype == np.int32, f"{png}: parts {labels.shape} {labels.dtype}")
        drawn = img.reshape(img.shape[0], img.shape[1], -1).max(axis=2) > 0
        c = int(png.split("/")[-2])
        m = len(vcats[c]["maps"])
        check(labels.max() <= m and labels.min() >= 0, f"{png}: parts 1..{m} ({labels.max()})")
        if "supersample" not in extra:
            check(np.array_equal(labels > 0, drawn), f"{png}: a part where a point is drawn, 0 elsewhere")
        if "map" in extra and "supersample" not in extra:
            # shading: map colours a pixel by the map of the point drawn there: one colour per part.
            flat = img.reshape(-1, 3)
            for part in np.unique(labels[labels > 0]):
                colours = np.unique(flat[labels.reshape(-1) == part], axis=0)
                check(len(colours) == 1, f"{png}: part {part - 1} is drawn in one colour ({len(colours)})")
        else:
            check((labels > 0).sum() >= drawn.sum() * 0.5, f"{png}: parts cover the drawn pixels")
    # The written cloud carries the parts too (pairs write it).
    plys = sorted(f["path"] for f in manifest["files"] if f["path"].endswith(".ply"))
    if plys:
        _, part = ply_parts(os.path.join(out, plys[0]))
        check(part.shape == (4000,) and part.max() < 8, f"{plys[0]}: the cloud's part property")

for family, extra in (("pc_scenes", ""), ("rcdb", "")):
    _, r = generate(tmp, "no-" + family, f"generator: {family}\nclasses: 2\npart_labels: true\n{extra}", expect=2)
    check("part_labels" in r.stderr, f"{family} refuses part_labels: {r.stderr}")

finish()

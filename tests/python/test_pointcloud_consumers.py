"""Reads fdsl's point-cloud datasets with the readers 3D trainers use: Open3D for PLY and PCD
(binary and ASCII), NumPy for NPY, h5py for the ModelNet40-layout HDF5 files, with every value
equal to the reference written by the NPY writer; scenes' boxes checked with VoteNet's own box
formula; the manifest's checksums recomputed with zlib."""
import json
import os
import tempfile
import zlib

import h5py
import numpy as np
import open3d as o3d

from testkit import check, finish, generate, run_cli

o3d.utility.set_verbosity_level(o3d.utility.VerbosityLevel.Error)

OBJECTS = "generator: pc_fractal\nclasses: 4\ninstances: 6\npoints: 1500\nnormals: true\n"
SCENES = "generator: pc_scenes\nclasses: 5\ninstances: 4\nobject_instances: 6\npoints: 400\n"


def check_manifest(out, name):
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    check(manifest["complete"], f"{name}: manifest complete")
    for entry in manifest["files"]:
        data = open(os.path.join(out, entry["path"]), "rb").read()
        check(len(data) == entry["bytes"] and "%08x" % zlib.crc32(data) == entry["crc32"],
              f"{name}: checksum of {entry['path']}")
    return manifest


def rel(c, i, ext):
    return f"{c:06d}/{c:06d}_{i:04d}{ext}"


def box_frame(points, center, yaw):
    """Points in a box's own frame: minus the centre, turned by -yaw about z."""
    p = points - np.asarray(center)
    c, s = np.cos(yaw), np.sin(yaw)
    return np.stack([c * p[:, 0] + s * p[:, 1], -s * p[:, 0] + c * p[:, 1], p[:, 2]], axis=1)


def votenet_corners(row):
    """VoteNet's sunrgbd_utils.my_compute_box_3d(center, size = half sizes, heading)."""
    R = np.array([[np.cos(-row[6]), -np.sin(-row[6]), 0], [np.sin(-row[6]), np.cos(-row[6]), 0], [0, 0, 1]])
    l, w, h = row[3], row[4], row[5]
    x = [-l, l, l, -l, -l, l, l, -l]
    y = [w, w, -w, -w, w, w, -w, -w]
    z = [h, h, h, h, -h, -h, -h, -h]
    return (R @ np.vstack([x, y, z])).T + np.asarray(row[0:3])


with tempfile.TemporaryDirectory() as tmp:
    # ---- objects in every format, the NPY files as the reference --------------------------------
    outs = {fmt: generate(tmp, fmt, OBJECTS + f"cloud_format: {fmt}\n" + ("h5_clouds_per_file: 10\n" if fmt == "hdf5" else ""))[0]
            for fmt in ["npy", "ply", "ply_ascii", "pcd", "pcd_ascii", "hdf5"]}
    ref = {}
    for c in range(4):
        for i in range(6):
            a = np.load(os.path.join(outs["npy"], rel(c, i, ".npy")))
            check(a.dtype == np.float32 and a.shape == (1500, 6), f"npy shape {a.shape} {a.dtype}")
            ref[(c, i)] = a
    a = ref[(1, 2)]
    check(abs(a[:, :3].mean(axis=0)).max() < 1e-5, "npy cloud is centred")
    check(np.allclose(np.linalg.norm(a[:, 3:], axis=1), 1, atol=1e-5), "normals are unit vectors")
    for fmt in ["npy", "ply", "ply_ascii", "pcd", "pcd_ascii", "hdf5"]:
        check_manifest(outs[fmt], fmt)

    # Open3D reads PLY and PCD, binary and ASCII: the same float32 points and normals.
    for fmt, ext in [("ply", ".ply"), ("ply_ascii", ".ply"), ("pcd", ".pcd"), ("pcd_ascii", ".pcd")]:
        for (c, i), a in ref.items():
            pc = o3d.io.read_point_cloud(os.path.join(outs[fmt], rel(c, i, ext)))
            pts = np.asarray(pc.points).astype(np.float32)
            nrm = np.asarray(pc.normals).astype(np.float32)
            check(pts.shape == (1500, 3) and np.array_equal(pts, a[:, :3]), f"{fmt} {c}/{i}: Open3D points")
            check(nrm.shape == (1500, 3) and np.array_equal(nrm, a[:, 3:]), f"{fmt} {c}/{i}: Open3D normals")
        t = o3d.t.io.read_point_cloud(os.path.join(outs[fmt], rel(0, 0, ext)))
        check(np.array_equal(t.point.positions.numpy(), ref[(0, 0)][:, :3]), f"{fmt}: Open3D tensor reader")

    # h5py reads the ModelNet40 layout; every cloud equals the reference named by sample_index.
    h5 = outs["hdf5"]
    # Like ModelNet40's list, each line is "<folder>/<file>", read from the folder above the dataset
    # (PointNet opens the lines as given from its data directory).
    lines = open(os.path.join(h5, "train_files.txt")).read().split()
    folder = os.path.basename(h5)
    check(lines == [f"{folder}/ply_data_train{k}.h5" for k in range(3)], f"file list {lines}")
    names = [os.path.basename(line) for line in lines]
    check(all(os.path.isfile(os.path.join(os.path.dirname(h5), line)) for line in lines),
          "every listed file opens from the parent folder")
    check(open(os.path.join(h5, "shape_names.txt")).read().split() == ["000000", "000001", "000002", "000003"],
          "shape names")
    seen = set()
    for name in names:
        with h5py.File(os.path.join(h5, name), "r") as f:
            data, label, normal, index = f["data"][:], f["label"][:], f["normal"][:], f["sample_index"][:]
            b = data.shape[0]
            check(data.dtype == np.float32 and data.shape == (b, 1500, 3), f"{name}: data {data.shape} {data.dtype}")
            check(label.shape == (b, 1) and label.dtype.kind == "i", f"{name}: label {label.shape} {label.dtype}")
            check(normal.shape == (b, 1500, 3), f"{name}: normal {normal.shape}")
            for k in range(b):
                c, i = int(index[k, 0]), int(index[k, 1])
                seen.add((c, i))
                check(int(label[k, 0]) == c, f"{name}[{k}]: label {label[k, 0]} for category {c}")
                check(np.array_equal(data[k], ref[(c, i)][:, :3]), f"{name}[{k}]: data equals the npy cloud")
                check(np.array_equal(normal[k], ref[(c, i)][:, 3:]), f"{name}[{k}]: normal equals the npy normals")
    check(seen == set(ref), f"hdf5 holds every cloud once ({len(seen)} of {len(ref)})")
    # PointNet's loader: np.squeeze(label) is the class vector.
    with h5py.File(os.path.join(h5, names[0]), "r") as f:
        check(np.squeeze(f["label"][:]).shape == (10,), "PointNet-style squeeze of label")

    # A split run (3 parts, finishing out of order) writes the same HDF5 files as one process; the
    # last part to finish writes the file lists and the manifest, `fdsl merge` reports what is missing.
    cfg = os.path.join(tmp, "hdf5.yaml")  # written by generate() above
    split = os.path.join(tmp, "hdf5-split")
    for k, part in enumerate([2, 0, 1]):
        r = run_cli(["generate", cfg, "-o", split, "--shard", f"{part}/3", "--progress", "quiet"])
        check(r.returncode == 0, f"hdf5 part {part}/3: exit {r.returncode}: {r.stderr}")
        summary = json.loads(r.stdout.strip().splitlines()[-1])
        check(summary["manifest_written"] == (k == 2), f"hdf5 part {part}/3: manifest written only by the last")
        if k == 1:
            m = run_cli(["merge", split])
            check(m.returncode != 0 and "ply_data_train1.h5" in m.stdout + m.stderr,
                  f"merge before the last part names the missing file: {m.returncode} {m.stdout} {m.stderr}")
    for name in names + ["shape_names.txt", "manifest.json"]:
        same = open(os.path.join(split, name), "rb").read() == open(os.path.join(h5, name), "rb").read()
        check(same, f"hdf5 split run: {name} equals the single-process file")
    listed = open(os.path.join(split, "train_files.txt")).read().split()
    check(listed == [f"hdf5-split/{n}" for n in names], f"hdf5 split run: the list names its own folder: {listed}")

    # ---- scenes: labels per point, boxes that hold their objects ---------------------------------
    scenes_ply, _ = generate(tmp, "scenes_ply", SCENES)
    scenes_npy, _ = generate(tmp, "scenes_npy", SCENES + "cloud_format: npy\n")
    scenes_pcd, _ = generate(tmp, "scenes_pcd", SCENES + "cloud_format: pcd_ascii\n")
    for out, name in [(scenes_ply, "scenes_ply"), (scenes_npy, "scenes_npy"), (scenes_pcd, "scenes_pcd")]:
        check_manifest(out, name)
    for k in range(4):
        base = f"scenes/scene_{k:05d}"
        meta = json.load(open(os.path.join(scenes_ply, base + ".json")))
        xyz = np.load(os.path.join(scenes_npy, base + ".npy"))
        sem = np.load(os.path.join(scenes_npy, base + "_sem_label.npy"))
        ins = np.load(os.path.join(scenes_npy, base + "_ins_label.npy"))
        check(xyz.shape == (meta["num_points"], 3) and sem.shape == ins.shape == (meta["num_points"],),
              f"scene {k}: npy shapes")
        t = o3d.t.io.read_point_cloud(os.path.join(scenes_ply, base + ".ply"))
        check(np.array_equal(t.point.positions.numpy(), xyz), f"scene {k}: PLY points equal the npy")
        check(np.array_equal(t.point.label.numpy().ravel(), sem), f"scene {k}: PLY label equals _sem_label.npy")
        check(np.array_equal(t.point.instance.numpy().ravel(), ins), f"scene {k}: PLY instance equals _ins_label.npy")
        pcd = o3d.io.read_point_cloud(os.path.join(scenes_pcd, base + ".pcd"))
        check(np.array_equal(np.asarray(pcd.points).astype(np.float32), xyz), f"scene {k}: PCD points")
        check(len(meta["objects"]) >= 1 and len(meta["votenet_bbox"]) == len(meta["objects"]), f"scene {k}: boxes")
        bbox = np.load(os.path.join(scenes_npy, base + "_bbox.npy"))
        check(bbox.dtype == np.float64 and bbox.shape == (len(meta["objects"]), 8) and
              np.array_equal(bbox, np.array(meta["votenet_bbox"], dtype=np.float64)),
              f"scene {k}: _bbox.npy holds the VoteNet rows ({bbox.shape})")
        for o, row in zip(meta["objects"], meta["votenet_bbox"]):
            pts = xyz[ins == o["instance_id"]]
            check(len(pts) == o["num_points"] > 0, f"scene {k} object {o['instance_id']}: point count")
            check(bool((sem[ins == o["instance_id"]] == o["class"]).all()), f"scene {k}: class ids of an object")
            local = box_frame(pts, o["center"], o["yaw"])
            half = np.asarray(o["size"]) / 2
            check(bool((np.abs(local) <= half + 1e-5).all()), f"scene {k} object {o['instance_id']}: inside its box")
            check(bool(pts[:, 2].min() >= -1e-5), f"scene {k}: on or above the floor")
            # VoteNet's box from the votenet_bbox row has the same corners as the box itself.
            corners = votenet_corners(row)
            own = box_frame(corners, o["center"], o["yaw"])
            check(np.allclose(np.abs(own), half, atol=1e-9), f"scene {k}: VoteNet corners match the box")

finish()

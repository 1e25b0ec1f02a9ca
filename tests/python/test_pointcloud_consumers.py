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


def in_votenet_box(points, row):
    """VoteNet's sunrgbd_utils.extract_pc_in_box3d(pc, my_compute_box_3d(...)): in_hull(pc, corners),
    a Delaunay hull of the 8 corners. The hull of a box is the box, so this re-states it as the six
    face planes through those same corners (VoteNet's test is scipy's find_simplex >= 0)."""
    c = votenet_corners(row)
    centre = c.mean(axis=0)
    inside = np.ones(len(points), dtype=bool)
    # Faces of my_compute_box_3d's corner order: top 0-3, bottom 4-7, and the four sides.
    for face in ([0, 1, 2], [4, 6, 5], [0, 4, 5], [1, 5, 6], [2, 6, 7], [3, 7, 4]):
        a, b, d = c[face[0]], c[face[1]], c[face[2]]
        n = np.cross(b - a, d - a)
        if np.dot(n, centre - a) < 0:
            n = -n
        inside &= (points.astype(np.float64) - a) @ n >= -1e-12 * np.linalg.norm(n)
    return inside


def sunrgbd_votes(pc, bboxes):
    """VoteNet's sunrgbd_data.py extract_sunrgbd_data: point_votes (N, 10) from the boxes in order."""
    n = pc.shape[0]
    votes, vote_idx = np.zeros((n, 10)), np.zeros(n, dtype=np.int32)
    for row in bboxes:
        inds = in_votenet_box(pc[:, :3], row)
        votes[inds, 0] = 1
        v = np.expand_dims(row[0:3], 0) - pc[inds, 0:3]
        for i, j in enumerate(np.nonzero(inds)[0]):
            votes[j, int(vote_idx[j] * 3 + 1):int((vote_idx[j] + 1) * 3 + 1)] = v[i, :]
            if vote_idx[j] == 0:
                votes[j, 4:7] = v[i, :]
                votes[j, 7:10] = v[i, :]
        vote_idx[inds] = np.minimum(2, vote_idx[inds] + 1)
    return votes


def votenet_scenes(tmp):
    """scene_layout sunrgbd and scannet, read as VoteNet's own loaders read them."""
    base = SCENES + "splits: train,val\nval_instances: 2\n"
    # votenet/sunrgbd/sunrgbd_detection_dataset.py, SunrgbdDetectionVotesDataset: data_path
    # sunrgbd_pc_bbox_votes_50k_v1_{split}; scan_names = sorted(set(basename[0:6] of its files));
    # NNNNNN_pc.npz['pc'], NNNNNN_bbox.npy, NNNNNN_votes.npz['point_votes']; MAX_NUM_OBJ 64.
    sun, r = generate(tmp, "sunrgbd", base + "scene_layout: sunrgbd\n")
    if r.returncode == 0:
        check_manifest(sun, "sunrgbd")
        for split, count in (("train", 4), ("val", 2)):
            root = os.path.join(sun, split)
            data_path = os.path.join(root, f"sunrgbd_pc_bbox_votes_50k_v1_{split}")
            scan_names = sorted(set(os.path.basename(x)[0:6] for x in os.listdir(data_path)))
            check(len(scan_names) == count, f"sunrgbd {split}: {scan_names}")
            idx = [line.strip() for line in open(os.path.join(root, f"{split}_data_idx.txt"))]
            check(idx == [str(int(x)) for x in scan_names], f"sunrgbd {split}_data_idx.txt: {idx}")
            table = json.load(open(os.path.join(root, "votenet_classes.json")))
            check(table["num_class"] == 5 and len(table["type2class"]) == 5 and table["num_heading_bin"] == 12,
                  f"sunrgbd class table: {table['num_class']}")
            mean_size_arr = np.array(table["mean_size"])
            for scan in scan_names:
                path = os.path.join(data_path, scan)
                pc = np.load(path + "_pc.npz")["pc"]
                bboxes = np.load(path + "_bbox.npy")
                point_votes = np.load(path + "_votes.npz")["point_votes"]
                meta = json.load(open(path + ".json"))
                check(pc.shape == (meta["num_points"], 6) and point_votes.shape == (pc.shape[0], 10),
                      f"sunrgbd {scan}: shapes {pc.shape} {point_votes.shape}")
                check(bboxes.shape[1] == 8 and 1 <= bboxes.shape[0] <= 64, f"sunrgbd {scan}: bbox {bboxes.shape}")
                classes = bboxes[:, -1].astype(int)
                check(bool(((classes >= 0) & (classes < table["num_class"])).all()), f"sunrgbd {scan}: classes")
                # The loader: size_residuals = box3d_size - DC.mean_size_arr[class], all finite.
                residuals = bboxes[:, 3:6] * 2 - mean_size_arr[classes, :]
                check(bool(np.isfinite(residuals).all()), f"sunrgbd {scan}: size residuals")
                want = sunrgbd_votes(pc, bboxes)
                check(bool((point_votes[:, 0] == 1).all()), f"sunrgbd {scan}: every point is in its object's box")
                check(np.allclose(point_votes, want, atol=1e-5),
                      f"sunrgbd {scan}: votes as sunrgbd_data.py makes them ({np.abs(point_votes - want).max()})")

    # votenet/scannet/scannet_detection_dataset.py, ScannetDetectionDataset: data_path
    # scannet_train_detection_data; scan names from meta_data/scannetv2_{split}.txt; per scan
    # _vert.npy, _ins_label.npy, _sem_label.npy, _bbox.npy; votes from the instance labels.
    scan, r = generate(tmp, "scannet", base + "scene_layout: scannet\n")
    if r.returncode == 0:
        check_manifest(scan, "scannet")
        for split, count in (("train", 4), ("val", 2)):
            root = os.path.join(scan, split)
            data_path = os.path.join(root, "scannet_train_detection_data")
            all_scan_names = sorted(set(os.path.basename(x)[0:12] for x in os.listdir(data_path)
                                        if x.startswith("scene")))
            scan_names = open(os.path.join(root, f"scannetv2_{split}.txt")).read().splitlines()
            check(scan_names == all_scan_names and len(scan_names) == count, f"scannet {split}: {scan_names}")
            table = json.load(open(os.path.join(root, "votenet_classes.json")))
            nyu40ids = np.array(table["nyu40ids"])
            mean_size_arr = np.load(os.path.join(root, "scannet_means.npz"))["arr_0"]
            check(mean_size_arr.shape == (5, 3) and table["num_heading_bin"] == 1, f"scannet means {mean_size_arr.shape}")
            for name in scan_names:
                path = os.path.join(data_path, name)
                mesh_vertices = np.load(path + "_vert.npy")
                instance_labels = np.load(path + "_ins_label.npy")
                semantic_labels = np.load(path + "_sem_label.npy")
                instance_bboxes = np.load(path + "_bbox.npy")
                point_cloud = mesh_vertices[:, 0:3]
                check(mesh_vertices.shape[1] == 6 and instance_labels.shape == semantic_labels.shape ==
                      (mesh_vertices.shape[0],), f"scannet {name}: shapes")
                check(instance_bboxes.shape[1] == 7 and 1 <= instance_bboxes.shape[0] <= 64,
                      f"scannet {name}: bbox {instance_bboxes.shape}")
                class_ind = [np.where(nyu40ids == x)[0][0] for x in instance_bboxes[:, -1]]
                check(len(class_ind) == instance_bboxes.shape[0], f"scannet {name}: every box class is known")
                centres = []
                for i_instance in np.unique(instance_labels):
                    ind = np.where(instance_labels == i_instance)[0]
                    if semantic_labels[ind[0]] in nyu40ids:
                        x = point_cloud[ind, :3]
                        centres.append((0.5 * (x.min(0) + x.max(0)), x.max(0) - x.min(0), semantic_labels[ind[0]]))
                check(len(centres) == instance_bboxes.shape[0], f"scannet {name}: one box per voted instance")
                for (c, size, label), row in zip(centres, instance_bboxes):
                    check(np.allclose(c, row[0:3], atol=1e-6) and np.allclose(size, row[3:6], atol=1e-6)
                          and label == row[6], f"scannet {name}: box = its instance's extent and class")


with tempfile.TemporaryDirectory() as tmp:
    votenet_scenes(tmp)
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
            # VoteNet's box from the votenet_bbox row is the box, padded by at most the stated margin.
            corners = votenet_corners(row)
            own = np.abs(box_frame(corners, o["center"], o["yaw"]))
            check(bool((own >= half - 1e-9).all() and (own <= half * (1 + 1e-6) + 2e-6).all()),
                  f"scene {k}: VoteNet corners are the box's, padded ({own.max(axis=0)} vs {half})")
            check(bool(in_votenet_box(pts, row).all()), f"scene {k}: VoteNet's hull test holds every point of its object")

finish()

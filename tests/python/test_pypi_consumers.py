"""fdsl's output read by the real consumers from PyPI, installed into a venv over Debian's torch
(<build>/pip-envs/consumers; pypi_env pins their versions), rather than by re-statements of them:

- webdataset: `wds.WebDataset(urls).decode("pil").to_tuple("png", "cls")` over plain and shuffled
  shards, in the main process and in a DataLoader with 2 workers: every sample once, with the
  folder output's label and pixels.
- timm: `create_dataset("wds/...", split="train")` (it reads _info.json) with `create_loader`, 2
  workers; `create_dataset("", root=folder)` over the folder dataset: its class indices are ours.
- pycocotools reads the COCO instances file of a dataset with masks (ifs_sigma objects, dead
  leaves): annToMask of every annotation is that object's pixels in the instance mask, its area
  and bbox agree with maskUtils', and the image and category tables are complete.
- plyfile and trimesh read PLY (binary and ASCII), pypcd4 reads PCD (binary and ASCII): the points
  and normals of the NPY output.
test_webdataset_consumers.py and test_pointcloud_consumers.py keep the checks that need no PyPI."""
import glob
import json
import os
import sys

import pypi_env

pypi_env.reexec_in(pypi_env.venv("consumers", pypi_env.CONSUMERS))

import tempfile  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from testkit import check, finish, generate  # noqa: E402

check(sys.prefix.startswith(pypi_env.envs_dir()), f"runs in the consumers venv: {sys.prefix}")
check(torch.__file__.startswith("/usr/lib/"), f"Debian's torch, not a PyPI one: {torch.__file__}")
check(np.__file__.startswith("/usr/lib/"), f"Debian's numpy, not a PyPI one: {np.__file__}")

import plyfile  # noqa: E402
import pypcd4  # noqa: E402
import timm  # noqa: E402
import trimesh  # noqa: E402
import webdataset as wds  # noqa: E402
from timm.data import create_dataset, create_loader  # noqa: E402

print("webdataset", wds.__version__, "timm", timm.__version__, "plyfile", plyfile.__version__ if hasattr(plyfile, "__version__") else "?",
      "trimesh", trimesh.__version__, "torch", torch.__version__)

IMAGES = ("generator: fractaldb\ncategories: official\nclasses: 4\nsize: 48\npoints: 4000\n"
          "patch_draws: 1\nflips: 2\n")
CLOUDS = "generator: pc_fractal\nclasses: 3\ninstances: 4\npoints: 1200\nnormals: true\n"


def folder_samples(folder):
    """key -> (label, RGB pixels) of a folder dataset, from its manifest and PNG files."""
    manifest = json.load(open(os.path.join(folder, "manifest.json")))
    out = {}
    for e in manifest["files"]:
        if e["path"].endswith(".png"):
            rgb = np.asarray(Image.open(os.path.join(folder, e["path"])).convert("RGB"))
            out[e["path"][:-4]] = (e["label"], rgb)
    return out


def urls(root):
    return sorted(glob.glob(os.path.join(root, "*.tar")))


with tempfile.TemporaryDirectory() as tmp:
    folder, _ = generate(tmp, "folder", IMAGES)
    plain, _ = generate(tmp, "plain", IMAGES + "output_format: tar\nshard_samples: 30\n")
    shuffled, _ = generate(tmp, "shuffled", IMAGES + "output_format: tar\nshard_samples: 25\nshuffle: true\n")
    ref = folder_samples(folder)
    check(len(ref) == 200, f"{len(ref)} folder samples")

    # ---- webdataset ------------------------------------------------------------------------
    for name, root in [("plain", plain), ("shuffled", shuffled)]:
        ds = wds.WebDataset(urls(root), shardshuffle=False).decode("pil").to_tuple("__key__", "png", "cls")
        keys = []
        for key, img, cls in ds:
            keys.append(key)
            want = ref.get(key)
            check(want is not None, f"webdataset {name}: {key} is a sample of the folder output")
            if want is not None:
                check(cls == want[0], f"webdataset {name}: label of {key}: {cls} vs {want[0]}")
                check(np.array_equal(np.asarray(img), want[1]), f"webdataset {name}: pixels of {key}")
        check(sorted(keys) == sorted(ref), f"webdataset {name}: every sample once ({len(keys)})")
        if name == "plain":
            check(keys == sorted(ref), "webdataset plain: class-major order")
        else:
            check(keys != sorted(keys) and len({k.split("/")[0] for k in keys[:25]}) >= 3,
                  "webdataset shuffled: classes mixed within a shard")
        # Exactly the call of the issue and the webdataset README, in a DataLoader with 2 workers
        # (each worker reads its own shards: webdataset's split_by_worker).
        ds = wds.WebDataset(urls(root), shardshuffle=False).decode("pil").to_tuple("png", "cls")
        ds = ds.map_tuple(lambda im: torch.from_numpy(np.array(im)), int)
        got = [(x, y) for x, y in torch.utils.data.DataLoader(ds, batch_size=None, num_workers=2)]
        check(len(got) == len(ref), f"webdataset {name}, 2 workers: {len(got)} of {len(ref)} samples")
        by_pixels = {(want[1].tobytes(), want[0]) for want in ref.values()}
        check(all((x.numpy().tobytes(), y) in by_pixels for x, y in got), f"webdataset {name}, 2 workers: pixels and labels")

    # ---- timm ------------------------------------------------------------------------------
    for name, root in [("plain", plain), ("shuffled", shuffled)]:
        ds = create_dataset("wds/fdsl", root=root, split="train", is_training=False, batch_size=8)
        check(len(ds) == len(ref), f"timm wds {name}: len {len(ds)} from _info.json")
        loader = create_loader(ds, input_size=(3, 48, 48), batch_size=8, is_training=False, num_workers=2,
                               use_prefetcher=False)
        labels = []
        for x, y in loader:
            check(tuple(x.shape[1:]) == (3, 48, 48) and x.dtype == torch.float32, f"timm {name}: batch {tuple(x.shape)}")
            labels += y.tolist()
        check(sorted(labels) == sorted(v[0] for v in ref.values()), f"timm wds {name}: every label once ({len(labels)})")
    ds = create_dataset("", root=folder)
    check(len(ds) == len(ref), f"timm folder dataset: {len(ds)} images")
    check(ds.reader.class_to_idx == {"%05d" % c: c for c in range(4)}, f"timm class_to_idx {ds.reader.class_to_idx}")
    for k in range(0, len(ds), 37):
        img, label = ds[k]
        path = os.path.relpath(ds.filename(k, absolute=True), folder)[:-4]
        check(label == ref[path][0] and np.array_equal(np.asarray(img), ref[path][1]), f"timm folder: sample {path}")

    # ---- point clouds: plyfile, trimesh, pypcd4 --------------------------------------------
    outs = {fmt: generate(tmp, "clouds_" + fmt, CLOUDS + f"cloud_format: {fmt}\n")[0]
            for fmt in ["npy", "ply", "ply_ascii", "pcd", "pcd_ascii"]}
    for c in range(3):
        for i in range(4):
            rel = "%06d/%06d_%04d" % (c, c, i)
            a = np.load(os.path.join(outs["npy"], rel + ".npy"))
            check(a.shape == (1200, 6), f"npy {rel}: {a.shape}")
            for fmt in ["ply", "ply_ascii"]:
                v = plyfile.PlyData.read(os.path.join(outs[fmt], rel + ".ply"))["vertex"]
                got = np.stack([v[k] for k in ("x", "y", "z", "nx", "ny", "nz")], axis=1).astype(np.float32)
                check(np.array_equal(got, a), f"plyfile {fmt} {rel}: points and normals")
                mesh = trimesh.load(os.path.join(outs[fmt], rel + ".ply"))
                check(isinstance(mesh, trimesh.PointCloud) and np.array_equal(np.asarray(mesh.vertices, np.float32), a[:, :3]),
                      f"trimesh {fmt} {rel}: a point cloud of the points")
            for fmt in ["pcd", "pcd_ascii"]:
                pc = pypcd4.PointCloud.from_path(os.path.join(outs[fmt], rel + ".pcd"))
                check(tuple(pc.fields[:3]) == ("x", "y", "z"), f"pypcd4 {fmt} {rel}: fields {pc.fields}")
                names = ("x", "y", "z", "normal_x", "normal_y", "normal_z")
                got = pc.numpy(names).astype(np.float32) if all(n in pc.fields for n in names) else None
                check(got is not None and np.array_equal(got, a), f"pypcd4 {fmt} {rel}: points and normals")

# pycocotools over the COCO files of datasets with masks.
from pycocotools import mask as mask_utils  # noqa: E402
from pycocotools.coco import COCO  # noqa: E402

MASKED = {
    "objects": "generator: ifs_sigma\nclasses: 5\ninstances: 6\nsize: 64\npoints: 5000\nobjects_max: 5\nmasks: true\n",
    "leaves": "generator: dead_leaves\ninstances: 8\nsize: 96\nmasks: true\n",
}
coco_tmp = tempfile.mkdtemp(prefix="fdsl-coco-")
for name, text in MASKED.items():
    out, _ = generate(coco_tmp, "coco-" + name, text)
    coco = COCO(os.path.join(out, "annotations", "instances_train.json"))
    n_images = 30 if name == "objects" else 8
    check(len(coco.getImgIds()) == n_images, f"{name}: {len(coco.getImgIds())} images")
    check(len(coco.getCatIds()) == (5 if name == "objects" else 6), f"{name}: categories {coco.getCatIds()}")
    checked = 0
    for img_id in coco.getImgIds():
        info = coco.loadImgs(img_id)[0]
        inst = np.array(Image.open(os.path.join(out, "instances", info["file_name"])))
        sem = np.array(Image.open(os.path.join(out, "masks", info["file_name"])))
        anns = coco.loadAnns(coco.getAnnIds(imgIds=[img_id]))
        check(len(anns) == len(np.unique(inst[inst > 0])), f"{name} {info['file_name']}: one annotation per object")
        for k, a in enumerate(anns):
            m = coco.annToMask(a)
            want = inst == k + 1
            check(np.array_equal(m.astype(bool), want), f"{name} {info['file_name']}: annToMask of {a['id']}")
            rle = coco.annToRLE(a)
            check(int(mask_utils.area(rle)) == a["area"] == int(want.sum()), f"{name}: area of {a['id']}")
            check([int(v) for v in mask_utils.toBbox(rle)] == a["bbox"], f"{name}: bbox of {a['id']} {a['bbox']}")
            check(int(sem[want][0]) == a["category_id"], f"{name}: category of {a['id']}")
            encoded = mask_utils.encode(np.asfortranarray(want.astype(np.uint8)))
            check(encoded["counts"].decode() == a["segmentation"]["counts"],
                  f"{name}: the RLE string is maskUtils.encode's")
            checked += 1
    check(checked > n_images, f"{name}: {checked} annotations checked")

finish()

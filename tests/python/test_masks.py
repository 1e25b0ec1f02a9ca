"""Dense labels from the outside: the masks `fdsl generate` writes with `masks: true`, read with
Pillow and NumPy, agree with the images (ink where an object is), with the Python bindings, with
the COCO file (its compressed RLE decoded here from the format's definition, bbox, area,
categories) and, in tar shards, are members of each sample by WebDataset rules (with a COCO file
beside the shards naming each image by its member and shard); splits get a COCO
file each; torchvision's ImageFolder reads images/ without the masks; the PyTorch datasets give
dicts of image and masks that batch, Generator.batch(masks=True) arrays of them; families without objects refuse the key."""
import io
import json
import os
import tarfile
import tempfile

import numpy as np
from PIL import Image

import fdsl
from testkit import check, finish, generate, run_cli

tmp = tempfile.mkdtemp(prefix="fdsl-masks-")

PLAIN = """generator: ifs_sigma
seed: 3
classes: 4
instances: 5
size: 56
points: 4000
objects_max: 4
background: false
blur: false
masks: true
"""


def rle_decode(counts, h, w):
    """COCO's compressed RLE string to an HxW 0/1 array (column-major runs from background),
    written from the format's definition (pycocotools' rleFrString)."""
    runs, p = [], 0
    while p < len(counts):
        x, k, more = 0, 0, True
        while more:
            c = ord(counts[p]) - 48
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and (c & 0x10):
                x |= -1 << (5 * k)
        if len(runs) > 2:
            x += runs[-2]
        runs.append(x)
    flat = np.zeros(h * w, np.uint8)
    pos = 0
    for i, r in enumerate(runs):
        if i % 2:
            flat[pos:pos + r] = 1
        pos += r
    check(pos == h * w, f"RLE runs cover {pos} of {h * w} pixels")
    return flat.reshape(w, h).T


def load(path):
    return np.array(Image.open(path))


# --- a folder dataset: trees, masks against images, COCO -------------------------------------
out, _ = generate(tmp, "plain", PLAIN)
for tree in ("images", "masks", "instances", "annotations"):
    check(os.path.isdir(os.path.join(out, tree)), f"{tree}/ in the dataset")
names = sorted(os.path.relpath(os.path.join(d, f), os.path.join(out, "images"))
               for d, _, fs in os.walk(os.path.join(out, "images")) for f in fs)
check(len(names) == 20, f"20 images under images/: {len(names)}")
gen = fdsl.Generator.from_config(os.path.join(out, "fdsl.yaml"))
check(gen.masks is not None and gen.masks["objects"] == "fractal", f"Generator.masks: {gen.masks}")
for n in names:
    img = load(os.path.join(out, "images", n))
    sem = load(os.path.join(out, "masks", n))
    ins = load(os.path.join(out, "instances", n))
    check(sem.shape == img.shape[:2] and ins.shape == sem.shape, f"{n}: mask shapes {sem.shape} {ins.shape}")
    check(Image.open(os.path.join(out, "masks", n)).mode == "L", f"{n}: 4 classes give an 8-bit class mask")
    inked = img.reshape(img.shape[0], img.shape[1], -1).max(axis=2) > 0
    check(np.array_equal(sem > 0, inked), f"{n}: the class mask marks exactly the inked pixels")
    check(np.array_equal(ins > 0, sem > 0), f"{n}: instances and classes cover the same pixels")
    check(sem.max() <= 4 and ins.max() <= 4, f"{n}: ids in range ({sem.max()}, {ins.max()})")
    c, i = int(n[:5]), int(n.split("_")[1].split(".")[0])
    s = gen.sample(c, i)
    check(np.array_equal(s.mask, sem) and np.array_equal(s.instances, ins), f"{n}: the bindings give the masks")
    check(np.array_equal(s.image, img), f"{n}: and the image")

coco = json.load(open(os.path.join(out, "annotations", "instances_train.json")))
check([c["id"] for c in coco["categories"]] == [1, 2, 3, 4], f"categories 1..4: {coco['categories']}")
check(len(coco["images"]) == 20, f"20 COCO images: {len(coco['images'])}")
by_image = {}
for a in coco["annotations"]:
    by_image.setdefault(a["image_id"], []).append(a)
ids = [a["id"] for a in coco["annotations"]]
check(ids == list(range(1, len(ids) + 1)), "annotation ids 1..n")
for im in coco["images"]:
    n = im["file_name"]
    check(os.path.exists(os.path.join(out, "images", n)), f"COCO file_name {n} is under images/")
    ins = load(os.path.join(out, "instances", n))
    sem = load(os.path.join(out, "masks", n))
    objs = by_image.get(im["id"], [])
    check(len(objs) == len(np.unique(ins[ins > 0])), f"{n}: one annotation per object")
    for k, a in enumerate(objs):
        m = rle_decode(a["segmentation"]["counts"], im["height"], im["width"])
        want = ins == k + 1
        check(np.array_equal(m.astype(bool), want), f"{n}: annotation {a['id']} is object {k + 1}'s pixels")
        ys, xs = np.nonzero(want)
        check(a["area"] == int(want.sum()), f"{n}: area {a['area']}")
        check(a["bbox"] == [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)],
              f"{n}: bbox {a['bbox']}")
        check(a["category_id"] == int(sem[want][0]) and a["iscrowd"] == 0, f"{n}: category {a['category_id']}")

split_list = open(os.path.join(out, "splits", "train.txt")).read().split()
check(split_list == [n[:-4] for n in names], f"splits/train.txt lists the images for mmsegmentation: {split_list[:3]}")
r = run_cli(["verify", out])
check(r.returncode == 0 and "20 samples" in r.stderr, f"verify: {r.stderr}")
r = run_cli(["stats", out, "--progress", "quiet"])
check(r.returncode == 0 and "20 images measured" in r.stdout + r.stderr, f"stats measures the images only: {r.stdout}")
# The masks block of stats.json against NumPy over the mask files.
ms = json.load(open(os.path.join(out, "stats.json"))).get("masks", {})
check(ms.get("class_masks") == 20 and ms.get("instance_masks") == 20, f"stats counts the masks: {ms.get('class_masks')}")
sems = [load(os.path.join(out, "masks", n)) for n in names]
inss = [load(os.path.join(out, "instances", n)) for n in names]
summ = ms.get("summary", {})
cov = [float((m > 0).mean()) for m in sems]
check(abs(summ.get("coverage", {}).get("mean", -1) - np.mean(cov)) < 1e-9, f"mask coverage {summ.get('coverage')}")
objs = [len(np.unique(m[m > 0])) for m in inss]
check(abs(summ.get("objects_per_image", {}).get("mean", -1) - np.mean(objs)) < 1e-9
      and summ["objects_per_image"]["max"] == max(objs), f"objects/image {summ.get('objects_per_image')}")
cats = [len(np.unique(m[m > 0])) for m in sems]
check(abs(summ.get("categories_per_image", {}).get("mean", -1) - np.mean(cats)) < 1e-9, "categories/image")
check(summ.get("object_area", {}).get("count") == sum(objs), "one object area per object")
ink = sum(int((m > 0).sum()) for m in sems)
for c in ms.get("categories", []):
    share = sum(int((m == c["id"]).sum()) for m in sems) / ink
    check(abs(c["pixel_share"] - share) < 1e-9 and c["images"] == sum(bool((m == c["id"]).any()) for m in sems),
          f"category {c['id']}: share {c['pixel_share']} vs {share}")
check(ms.get("empty", {}).get("count") == sum(not m.any() for m in sems), "empty masks counted")

# torchvision's ImageFolder reads images/ as the class folders, masks left out.
try:
    from torchvision.datasets import ImageFolder
    ds = ImageFolder(os.path.join(out, "images"))
    check(len(ds) == 20 and len(ds.classes) == 4, f"ImageFolder(images/): {len(ds)} samples, {ds.classes}")
except ImportError:
    pass

# --- dead leaves in tar shards: 16-bit instance masks as members ----------------------------
DL = """generator: dead_leaves
instances: 6
size: 80
masks: true
output_format: tar
shard_samples: 4
"""
out_dl, _ = generate(tmp, "leaves", DL)
members = {}
for shard in sorted(f for f in os.listdir(out_dl) if f.endswith(".tar")):
    with tarfile.open(os.path.join(out_dl, shard)) as t:
        for m in t.getmembers():
            key, ext = m.name.split(".", 1)  # WebDataset: the key up to the first dot of the base name
            members.setdefault(key, {})[ext] = t.extractfile(m).read()
check(len(members) == 6, f"6 samples in the shards: {len(members)}")
for key, files in members.items():
    check(set(files) == {"png", "seg.png", "inst.png", "cls"}, f"{key}: members {sorted(files)}")
    inst = Image.open(io.BytesIO(files["inst.png"]))
    a = np.array(inst)
    check(inst.mode in ("I;16", "I"), f"{key}: 16-bit instance mask ({inst.mode})")
    ids = np.unique(a[a > 0])
    check(len(ids) and ids[0] == 1 and ids[-1] == len(ids), f"{key}: visible shapes 1..m ({ids[:3]}..)")
    seg = np.array(Image.open(io.BytesIO(files["seg.png"])))
    check(set(np.unique(seg)) <= set(range(7)), f"{key}: shape kinds 0..6")
    check(np.array_equal(seg > 0, a > 0), f"{key}: the masks cover the same pixels")

# The COCO file beside the shards: one image per sample, named by its image member and shard, in
# shard order; every annotation is its object's pixels in that sample's inst.png.
coco_tar = json.load(open(os.path.join(out_dl, "annotations", "instances_train.json")))
order = []
for shard in sorted(f for f in os.listdir(out_dl) if f.endswith(".tar")):
    with tarfile.open(os.path.join(out_dl, shard)) as t:
        order += [(m.name, shard) for m in t.getmembers() if m.name.endswith(".png") and m.name.count(".") == 1]
check([(im["file_name"], im["shard"]) for im in coco_tar["images"]] == order,
      f"tar COCO images: the image members in shard order ({coco_tar['images'][:2]})")
by_image = {}
for a in coco_tar["annotations"]:
    by_image.setdefault(a["image_id"], []).append(a)
checked = 0
for im in coco_tar["images"]:
    files = members[im["file_name"].split(".", 1)[0]]
    inst = np.array(Image.open(io.BytesIO(files["inst.png"])))
    seg = np.array(Image.open(io.BytesIO(files["seg.png"])))
    objs = by_image.get(im["id"], [])
    check(len(objs) == len(np.unique(inst[inst > 0])), f"tar {im['file_name']}: one annotation per object")
    for k, a in enumerate(objs):
        want = inst == k + 1
        m = rle_decode(a["segmentation"]["counts"], im["height"], im["width"])
        check(np.array_equal(m.astype(bool), want) and a["area"] == int(want.sum()) and
              a["category_id"] == int(seg[want][0]), f"tar {im['file_name']}: annotation {a['id']}")
        checked += 1
check(checked > 6, f"tar: {checked} annotations checked")
r = run_cli(["verify", out_dl])
check(r.returncode == 0 and '"extra_files":[]' in r.stdout, f"verify knows the tar COCO file: {r.stdout[-300:]}")

# Generator.batch(masks=True): the images, labels and both masks of many samples at once, the
# same as sample() gives them one by one, channels first too; refused clearly without masks.
bg = fdsl.Generator.from_config(os.path.join(out_dl, "fdsl.yaml"))
images, labels, sems, insts = bg.batch(range(6), masks=True, threads=2)
check(sems.shape == (6, 80, 80) and sems.dtype == np.uint16 and insts.dtype == np.uint16, f"batch masks {sems.shape}")
for k in range(6):
    s = bg[k]
    check(np.array_equal(images[k], s.image) and labels[k] == s.label and np.array_equal(sems[k], s.mask) and
          np.array_equal(insts[k], s.instances), f"batch(masks=True) {k}: the sample's image and masks")
planar = bg.batch(range(6), masks=True, channels_first=True)[0]
check(np.array_equal(planar.transpose(0, 2, 3, 1), images), "batch(masks=True, channels_first=True)")
try:
    fdsl.Generator.from_config({"generator": "dead_leaves", "instances": 2, "size": 40}).batch([0], masks=True)
    check(False, "batch(masks=True) without masks: true is refused")
except ValueError as e:
    check("masks: true" in str(e), f"batch(masks=True) without masks names the key: {e}")

# --- splits: a COCO file per split, beside that split's trees ---------------------------------
out_sp, _ = generate(tmp, "splits", PLAIN + "splits: train,val\nval_instances: 2\n")
for split, n in (("train", 20), ("val", 8)):
    p = os.path.join(out_sp, split, "annotations", f"instances_{split}.json")
    check(os.path.exists(p), f"{p}")
    if os.path.exists(p):
        j = json.load(open(p))
        check(len(j["images"]) == n, f"{split}: {len(j['images'])} images")
        check(all(os.path.exists(os.path.join(out_sp, split, "images", i["file_name"])) for i in j["images"]),
              f"{split}: file names under {split}/images/")

# --- PyTorch datasets: dicts of image and masks, batched -------------------------------------
import torch  # noqa: E402
from fdsl.torch import FractalDataset, FractalIterableDataset  # noqa: E402

ds = FractalDataset(os.path.join(tmp, "plain.yaml"))
x, y = ds[7]
check(isinstance(x, dict) and set(x) == {"image", "mask", "instances"}, f"item keys {list(x)}")
check(x["mask"].dtype == torch.int64 and tuple(x["mask"].shape) == (56, 56), f"mask {x['mask'].dtype}")
batch = next(iter(torch.utils.data.DataLoader(ds, batch_size=5)))
check(tuple(batch[0]["image"].shape) == (5, 3, 56, 56) and tuple(batch[0]["mask"].shape) == (5, 56, 56),
      f"a batch of dicts: {batch[0]['image'].shape} {batch[0]['mask'].shape}")
it = FractalIterableDataset(os.path.join(tmp, "plain.yaml"), batch_size=4, shuffle=False)
images, labels = next(iter(it))
check(isinstance(images, dict) and tuple(images["instances"].shape) == (4, 56, 56), "iterable batches carry masks")
check(torch.equal(images["mask"][0], torch.from_numpy(gen.sample(0, 0).mask.astype(np.int64))),
      "the iterable's first mask is sample (0, 0)'s")

# --- refusals ---------------------------------------------------------------------------------
for family in ("rcdb", "visual_atom", "fractaldb", "pc_fractal", "spectral_noise"):
    _, r = generate(tmp, "no-" + family, f"generator: {family}\nclasses: 2\nmasks: true\n", expect=2)
    check("masks" in r.stderr and "dead_leaves" in r.stderr, f"{family}: {r.stderr}")

finish()

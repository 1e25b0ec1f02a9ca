"""segrcdb with more than 255 mask categories: compat: faithful writes the class mask as a 16-bit
PNG (category k's value k), up to 65,535 categories; 255 or fewer stay 8-bit as the published
dataset's; compat: official, whose masks hold gray levels, refuses more than 255 naming the key.
Pinned through Pillow's decode of the written files (folder and tar shards), the COCO
annotations' category ids against the masks, the dataset card, and `fdsl stats` and `fdsl preview`
reading the 16-bit masks back."""
import io
import json
import os
import tarfile
import tempfile

import numpy as np
from PIL import Image

import fdsl
from testkit import check, finish, generate, run_cli

tmp = tempfile.mkdtemp(prefix="fdsl-segrcdb-classes-")
MANY = {"generator": "segrcdb", "instances": 6, "size": 96, "mask_classes": 700, "objects": 40, "center_range": 60,
        "radius_min": 4, "radius_max": 16, "orbits_max": 8, "vertices_max": 120, "vertices_mean": 40, "mode": "M3"}


def text(cfg):
    return "".join(f"{k}: {v}\n" for k, v in cfg.items())


def png_values(data):
    im = Image.open(io.BytesIO(data) if isinstance(data, bytes) else data)
    return im.mode, np.array(im).astype(np.int64)


g = fdsl.Generator.from_config(MANY)
samples = [g.sample(0, i) for i in range(6)]
top = max(int(s.mask.max()) for s in samples)
check(top > 255, f"700 categories, 40 objects an image: some class id above 255 (largest {top})")
check(all(int(s.mask.max()) <= 700 for s in samples), "class ids at most mask_classes")
for i, s in enumerate(samples):
    ids = np.unique(s.instances[s.instances > 0])
    check(all(len(np.unique(s.mask[s.instances == k])) == 1 for k in ids), f"sample {i}: one class an object")
    check(np.array_equal(s.mask > 0, s.instances > 0), f"sample {i}: class and instance masks cover the same pixels")

# A folder: 16-bit class masks equal to the samples', 8-bit instance masks.
out, _ = generate(tmp, "many", text(MANY))
for i, s in enumerate(samples):
    mode, sem = png_values(os.path.join(out, "mask", f"{i:06d}.png"))
    check(mode.startswith("I"), f"mask {i}: a 16-bit PNG (Pillow mode {mode})")
    check(np.array_equal(sem, s.mask.astype(np.int64)), f"mask {i}: the sample's class ids")
    mode, inst = png_values(os.path.join(out, "instance", f"{i:06d}.png"))
    check(mode == "L" and np.array_equal(inst, s.instances.astype(np.int64)), f"instance mask {i}: 8-bit, the sample's")
coco = json.load(open(os.path.join(out, "annotations", "instances_train.json")))
check(len(coco["categories"]) == 700 and coco["categories"][-1]["id"] == 700, "COCO: 700 categories")
by_image = {im["id"]: im["file_name"] for im in coco["images"]}
agree = 0
for a in coco["annotations"]:
    name = os.path.splitext(os.path.basename(by_image[a["image_id"]]))[0]
    s = samples[int(name)]
    x, y, w, h = (int(round(v)) for v in a["bbox"])
    sem = s.mask[y:y + h, x:x + w]
    agree += int(a["category_id"] in set(np.unique(sem[sem > 0]).tolist()))
check(len(coco["annotations"]) > 0 and agree == len(coco["annotations"]),
      f"COCO: every annotation's category is a class id in its box ({agree} of {len(coco['annotations'])})")
check(any(a["category_id"] > 255 for a in coco["annotations"]), "COCO: category ids above 255")
card = open(os.path.join(out, "README.md")).read()
check("16-bit" in card, "the dataset card says the class masks are 16-bit")

# Tar shards: seg.png is the same 16-bit mask.
tar_out, _ = generate(tmp, "many-tar", text({**MANY, "output_format": "tar", "shard_samples": 4}))
shards = sorted(f for f in os.listdir(tar_out) if f.endswith(".tar"))
found = 0
for shard in shards:
    with tarfile.open(os.path.join(tar_out, shard)) as t:
        for m in t.getmembers():
            if m.name.endswith(".seg.png"):
                key = os.path.basename(m.name)[:-len(".seg.png")]
                mode, sem = png_values(t.extractfile(m).read())
                i = int(key.split("_")[-1])
                found += int(mode.startswith("I") and np.array_equal(sem, samples[i].mask.astype(np.int64)))
check(found == 6, f"tar: 6 seg.png members, 16-bit, the samples' ({found})")

# stats and preview read the 16-bit masks.
r = run_cli(["stats", out, "--progress", "quiet"])
check(r.returncode == 0 and os.path.exists(os.path.join(out, "stats.json")), f"stats of the dataset: {r.stderr}")
sheet = os.path.join(tmp, "sheet.png")
r = run_cli(["preview", os.path.join(tmp, "many.yaml"), "-o", sheet])
check(r.returncode == 0 and Image.open(sheet).size[0] > 0, f"preview of the config: {r.stderr}")

# 255 categories stay 8-bit; 256 need 16.
for classes, want in ((255, "L"), (256, "I")):
    cfg = {**MANY, "instances": 1, "mask_classes": classes}
    o, _ = generate(tmp, f"c{classes}", text(cfg))
    mode, _ = png_values(os.path.join(o, "mask", "000000.png"))
    check(mode.startswith(want), f"mask_classes {classes}: Pillow mode {mode} (want {want})")

# compat: official stops at 255 with the key named; the range stops at 65,535.
_, e = generate(tmp, "official", "generator: segrcdb\ncompat: official\ninstances: 4\nworkers: 1\nmask_classes: 256\n",
                expect=2)
check("mask_classes" in e.stderr and "255" in e.stderr and "faithful" in e.stderr,
      f"compat: official with 256 categories: {e.stderr}")
_, e = generate(tmp, "huge", "generator: segrcdb\ninstances: 4\nmask_classes: 65536\n", expect=2)
check("mask_classes" in e.stderr and "65535" in e.stderr, f"mask_classes 65536: {e.stderr}")
finish()

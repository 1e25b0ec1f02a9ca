"""segrcdb with `formula: visual_atom`: a multi-object VisualAtom (each object a stack of VisualAtom
contours, Perlin noise plus two sine waves of the category's frequencies n1, n2), with the class
and instance masks and COCO annotations every segrcdb dataset has. Pinned: with the Perlin noise
and line width at zero an rcdb stack's contours all lie on its first ellipse while a VisualAtom
stack's waves push each contour further out (its objects cover several rings, with n1-fold
symmetry); masks name the drawn pixels; samples are pure; the categories and parameter files carry
n1 and n2 within their ranges; compat: official and keys of the other formula are refused."""
import csv
import json
import os
import tempfile

import numpy as np
from PIL import Image

import fdsl
from testkit import check, finish, generate

tmp = tempfile.mkdtemp(prefix="fdsl-segrcdb-atoms-")
BASE = {"generator": "segrcdb", "instances": 4, "size": 96, "mask_classes": 12, "objects": 6, "center_range": 60,
        "radius_min": 8, "radius_max": 20, "orbits_max": 10, "vertices_max": 200, "vertices_mean": 60}
ATOMS = {**BASE, "formula": "visual_atom"}

# Pure samples (any thread count), masks that cover exactly the drawn objects.
g1 = fdsl.Generator.from_config(ATOMS)
g2 = fdsl.Generator.from_config(ATOMS, threads=2)
rc = fdsl.Generator.from_config(BASE)
for i in range(4):
    a, b = g1.sample(0, i), g2.sample(0, i)
    check(np.array_equal(a.image, b.image) and np.array_equal(a.mask, b.mask) and
          np.array_equal(a.instances, b.instances), f"sample {i}: the same for 1 and 2 threads")
    check(np.array_equal(a.mask > 0, a.instances > 0) and a.mask.max() <= 12, f"sample {i}: mask levels")
    # One class per instance id.
    ids = np.unique(a.instances[a.instances > 0])
    check(all(len(np.unique(a.mask[a.instances == k])) == 1 for k in ids), f"sample {i}: one class an object")
    check(not np.array_equal(a.image, rc.sample(0, i).image), f"sample {i}: not the rcdb formula's image")

# Flat contours: rcdb's K contours coincide, VisualAtom's waves (n1 = 4, n2 = 0) grow them.
flat = {**BASE, "objects": 1, "center_range": 0, "perlin_min": 0, "perlin_max": 0, "line_width": 0, "orbits_min": 6,
        "orbits_max": 6, "radius_min": 10, "radius_max": 10, "oval_rate": 1.0001}
r = fdsl.Generator.from_config(flat).sample(0, 0)
v = fdsl.Generator.from_config({**flat, "formula": "visual_atom", "n1_min": 4, "n1_max": 4, "n2_min": 0,
                                "n2_max": 0}).sample(0, 0)
ys, xs = np.nonzero(r.instances)
rr = np.hypot(ys - 47.5, xs - 47.5)
ys, xs = np.nonzero(v.instances)
rv = np.hypot(ys - 48, xs - 48)
check(rr.max() - rr.min() < 3, f"rcdb, no noise: one ring (radii {rr.min():.1f}..{rr.max():.1f})")
check(rv.max() > rr.max() + 3 and len(rv) > 2 * len(rr),
      f"visual_atom, no noise: the waves push the contours out ({len(rv)} vs {len(rr)} pixels, "
      f"radius up to {rv.max():.1f} vs {rr.max():.1f})")
# n1 = 4: the object looks the same turned by a quarter.
m = v.instances > 0
check((m & np.rot90(m)).sum() > 0.8 * m.sum(), "visual_atom, n1 = 4: four-fold symmetric")

# A dataset: layout, categories with n1/n2, parameter files, COCO annotations.
WIDE = {**ATOMS, "n1_max": 6, "n2_max": 5}
text = "".join(f"{k}: {val}\n" for k, val in WIDE.items())
out, _ = generate(tmp, "atoms", text)
cats = json.load(open(os.path.join(out, "categories.json")))
entries = cats["categories"][0]["mask_categories"]
check(len(entries) == 12 and all(0 <= e["n1"] <= 6 and 0 <= e["n2"] <= 5 and (e["n1"] == 0 or e["n2"] != e["n1"])
                                 for e in entries), f"categories carry n1, n2 in range: {entries[:2]}")
with open(os.path.join(out, "param", "00003.csv"), newline="") as f:
    rows = dict(csv.reader(f))
check(rows["Freq_1"] == str(entries[2]["n1"]) and rows["Freq_2"] == str(entries[2]["n2"]), f"param csv: {rows}")
coco = json.load(open(os.path.join(out, "annotations", "instances_train.json")))
check(len(coco["images"]) == 4 and len(coco["annotations"]) > 0, "COCO annotations of the objects")
img = np.array(Image.open(os.path.join(out, "image", "000000.png")))
check(np.array_equal(img, fdsl.Generator.from_config(WIDE).sample(0, 0).image), "the dataset's image is the sample")

# Refused clearly.
_, e = generate(tmp, "official", "generator: segrcdb\ncompat: official\nformula: visual_atom\ninstances: 4\n"
                "workers: 1\n", expect=2)
check("formula" in e.stderr and "faithful" in e.stderr, f"compat: official with visual_atom: {e.stderr}")
_, e = generate(tmp, "stray", "generator: segrcdb\ninstances: 4\nn1_max: 3\n", expect=2)
check("n1_max" in e.stderr and "formula" in e.stderr, f"n1_max without formula: visual_atom: {e.stderr}")
_, e = generate(tmp, "stuck", "generator: segrcdb\nformula: visual_atom\ninstances: 4\nn1_min: 2\nn1_max: 3\n"
                "n2_min: 3\nn2_max: 3\n", expect=2)
check("n2_min" in e.stderr and "never end" in e.stderr, f"an n2 range n1 can always match: {e.stderr}")
finish()

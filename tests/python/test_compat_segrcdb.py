"""segrcdb compat: official against the official recipe, re-stated here with Python's `random`,
`noise.pnoise1` and Pillow as SegRCDB_params.py and SegRCDB_render.py define it (categories from
random.seed(0); worker t of T seeded t + 1 renders images [t N/T, (t+1) N/T); per stack a category,
its centre, then per contour a gray and 2q noise inputs; lines with ImageDraw.line, M2/M3 masks
with ImageDraw.polygon). fdsl's images and masks must equal the oracle's pixel for pixel in modes
M1, M2 and M3 and for several worker counts, and its param/NNNNN.csv must be the official text.
The polygon fill M2/M3 use is checked alone against ImageDraw.polygon on thousands of random
polygons (float and integer vertices, duplicated points as the script makes them, horizontal runs,
off-canvas parts). Faithful mode: pure samples, masks that mark the drawn categories."""
import csv
import io
import math
import os
import random
import tempfile

import noise
import numpy as np
from PIL import Image, ImageDraw

import fdsl
from fdsl import _fdsl
from testkit import check, finish, generate

tmp = tempfile.mkdtemp(prefix="fdsl-segrcdb-")


def oracle_categories(n, vmax=500, vmean=100, kmin=1, kmax=50, pmin=0, pmax=4, wmax=0.1, rmin=0, rmax=50, oval=2):
    random.seed(0)
    cats = []
    for c in range(n):
        while True:
            q = int(random.expovariate(1 / vmean))
            if 2 < q <= vmax:
                break
        k = random.randint(kmin, kmax)
        eta = random.uniform(pmin, pmax)
        w = random.uniform(0.0, wmax)
        r0 = random.randint(rmin, rmax)
        ox = random.uniform(1, oval)
        oy = random.uniform(1, oval)
        cats.append(dict(q=q, k=k, eta=eta, w=w, r0=r0, ox=ox, oy=oy, g=c + 1))
    return cats


def oracle_images(cats, n_images, workers, objects, size, pos, mode):
    """{index: (image array, mask array)} as the official render script draws them."""
    out = {}
    per = n_images // workers
    for t in range(workers):
        random.seed(t + 1)
        for k2 in range(per):
            im = Image.new("RGB", (size, size))
            mask = Image.new("RGB", (size, size))
            draw, mdraw = ImageDraw.Draw(im), ImageDraw.Draw(mask)
            for _ in range(objects):
                c = cats[random.randint(1, len(cats)) - 1]
                q, g = c["q"], c["g"]
                cy = (size + random.randint(-pos, pos)) / 2
                cx = (size + random.randint(-pos, pos)) / 2
                step = (math.pi * 2) / q
                vx = [math.cos(step * v) * float(c["r0"]) * c["ox"] + cx for v in range(q)] + [0.0]
                vy = [math.sin(step * v) * float(c["r0"]) * c["oy"] + cy for v in range(q)] + [0.0]
                vx[q], vy[q] = vx[0], vy[0]
                hole = None
                for orbit in range(c["k"]):
                    gray = random.randint(0, 255)
                    nx = [noise.pnoise1(random.uniform(0, 10000)) * c["eta"] * 2 - c["eta"] for _ in range(q)]
                    ny = [noise.pnoise1(random.uniform(0, 10000)) * c["eta"] * 2 - c["eta"] for _ in range(q)]
                    for v in range(q):
                        vx[v] -= math.cos(step * v) * (nx[v] - c["w"])
                        vy[v] -= math.sin(step * v) * (ny[v] - c["w"])
                    vx[q], vy[q] = vx[0], vy[0]
                    pts = []
                    for v in range(q):
                        pts += [(vx[v], vy[v]), (vx[v + 1], vy[v + 1])]
                    if mode == "M1":
                        for v in range(q):
                            mdraw.line((vx[v], vy[v], vx[v + 1], vy[v + 1]), fill=(g, g, g), width=1)
                    elif mode == "M2":
                        if orbit == 0:
                            hole = pts
                        elif orbit == c["k"] - 1:
                            mdraw.polygon(pts, fill=(g, g, g))
                            mdraw.polygon(hole, fill=(0, 0, 0))
                            for a in (hole, pts):
                                for i in range(2 * q - 1):
                                    mdraw.line((a[i][0], a[i][1], a[i + 1][0], a[i + 1][1]), fill=(g, g, g), width=1)
                    elif orbit == c["k"] - 1:
                        mdraw.polygon(pts, fill=(g, g, g))
                    for v in range(q):
                        draw.line((vx[v], vy[v], vx[v + 1], vy[v + 1]), fill=(gray, gray, gray), width=1)
            out[per * t + k2] = (np.array(im), np.array(mask.convert("L")))
    return out


def load(path):
    return np.array(Image.open(path))


SMALL = dict(mask_classes=12, objects=6, size=96, center_range=80, radius_max=20, orbits_max=12, vertices_max=60,
             vertices_mean=20)
cats = oracle_categories(12, vmax=60, vmean=20, kmax=12, rmax=20)
for mode, workers, images in (("M1", 1, 3), ("M1", 3, 6), ("M2", 2, 6), ("M3", 2, 4)):
    text = (f"generator: segrcdb\ncompat: official\ninstances: {images}\nworkers: {workers}\nmode: {mode}\n" +
            "".join(f"{k}: {v}\n" for k, v in SMALL.items()))
    name = f"{mode}-w{workers}"
    out, _ = generate(tmp, name, text)
    want = oracle_images(cats, images, workers, 6, 96, 80, mode)
    for i, (img, mask) in want.items():
        got_img = load(os.path.join(out, "image", "%06d.png" % i))
        got_mask = load(os.path.join(out, "mask", "%06d.png" % i))
        check(np.array_equal(got_img, img), f"{name}: image {i} ({int((got_img != img).sum())} pixels differ)")
        check(np.array_equal(got_mask, mask), f"{name}: mask {i} ({int((got_mask != mask).sum())} pixels differ)")
        inst = load(os.path.join(out, "instance", "%06d.png" % i))
        check(np.array_equal(inst > 0, mask > 0), f"{name}: instance mask {i} covers the class mask")
    # The official parameter files, as csv.writer writes them.
    with open(os.path.join(out, "param", "00007.csv"), newline="") as f:
        rows = list(csv.reader(f))
    c = cats[6]
    official = [["Category_num", "7"], ["Vertex", str(c["q"])], ["Perlin_noise", repr(c["eta"])],
                ["line_width", repr(c["w"])], ["Center_rad", str(c["r0"])], ["Line_num", str(c["k"])],
                ["Oval_rate_x", repr(c["ox"])], ["Oval_rate_y", repr(c["oy"])], ["Color_Gray", "7"]]
    check(rows == official, f"{name}: param/00007.csv {rows}")
    check(open(os.path.join(out, "param", "00007.csv"), "rb").read().count(b"\r\n") == 9, "csv rows end in \\r\\n")

# The published categories (254 from random.seed(0) with make_SegRCDB.sh's ranges).
gen = fdsl.Generator.from_config(os.path.join(os.environ["FDSL_SOURCE_DIR"], "configs", "segrcdb.yaml"))
published = oracle_categories(254)
check(len(gen.masks["categories"]) == 254, "254 mask categories")
got = gen.category(0)["mask_categories"]
check([(c["vertices"], c["contours"], c["perlin"], c["radius"]) for c in got] ==
      [(c["q"], c["k"], c["eta"], c["r0"]) for c in published], "the published categories")

# The polygon fill alone against Pillow.
rng = random.Random(7)
bad = 0
for trial in range(3000):
    w, h = rng.randint(1, 40), rng.randint(1, 40)
    n = rng.randint(2, 12)
    kind = trial % 4
    if kind == 0:
        pts = [(rng.uniform(-10, w + 10), rng.uniform(-10, h + 10)) for _ in range(n)]
    elif kind == 1:
        pts = [(rng.randint(-5, w + 5), rng.randint(-5, h + 5)) for _ in range(n)]
    elif kind == 2:  # the script's lists: each segment's two ends
        base = [(rng.uniform(0, w), rng.uniform(0, h)) for _ in range(max(n, 2))]
        base.append(base[0])
        pts = [p for i in range(len(base) - 1) for p in (base[i], base[i + 1])]
    else:  # horizontal runs and repeated rows
        ys = [rng.randint(0, h) for _ in range(3)]
        pts = [(rng.randint(0, w), rng.choice(ys)) for _ in range(n)]
    ref = Image.new("L", (w, h))
    ImageDraw.Draw(ref).polygon(pts, fill=200)
    mine = _fdsl._pillow_polygon(w, h, [p[0] for p in pts], [p[1] for p in pts], 200)
    if not np.array_equal(np.array(ref), mine):
        bad += 1
        if bad <= 3:
            print("polygon differs:", w, h, pts)
check(bad == 0, f"polygon fill equals ImageDraw.polygon on 3000 random polygons ({bad} differ)")

# Faithful: pure samples, masks mark the drawn pixels with the categories' levels.
faithful = {"generator": "segrcdb", "instances": 6, **SMALL}
g1 = fdsl.Generator.from_config(faithful)
g2 = fdsl.Generator.from_config(faithful, threads=2)
for i in range(6):
    a, b = g1.sample(0, i), g2.sample(0, i)
    check(np.array_equal(a.image, b.image) and np.array_equal(a.mask, b.mask), f"faithful {i}: pure")
    check(a.mask.max() <= 12 and np.array_equal(a.mask > 0, a.instances > 0), f"faithful {i}: mask levels")
    check(a.image.shape == (96, 96, 3), f"faithful {i}: RGB like the official images")
out, r = generate(tmp, "bad-workers", "generator: segrcdb\ncompat: official\ninstances: 10\nworkers: 3\n", expect=2)
check("workers" in r.stderr, f"instances not a multiple of workers is refused: {r.stderr}")
out, r = generate(tmp, "bad-classes", "generator: segrcdb\nclasses: 5\n", expect=2)
check("mask_classes" in r.stderr, f"classes is refused with the key to use: {r.stderr}")

finish()

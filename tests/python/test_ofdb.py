"""OFDB (one image per category) from the outside: configs/ofdb-1k.yaml writes one PNG per class
under the official name, equal to FractalDB-1k's first instance of the same category; read as a
training set with resample_epochs it gives each epoch a fresh patch pattern on the category's
fixed orbit (same shape, new 3x3 masks); configs/ofdb-21k.yaml searches its categories;
configs/3d-ofdb-1k.yaml writes 12 views of one cloud per class and fdsl.torch.RandomView hands a
model one of them."""
import os
import tempfile

import numpy as np
from PIL import Image

import fdsl
from testkit import check, finish, run_cli

src = os.environ["FDSL_SOURCE_DIR"]
tmp = tempfile.mkdtemp(prefix="fdsl-ofdb-")


def cfg(name):
    return os.path.join(src, "configs", name)


# --- 2D-OFDB-1k: one official-named image per category ----------------------------------------
out = os.path.join(tmp, "ofdb")
r = run_cli(["generate", cfg("ofdb-1k.yaml"), "--set", "classes=3", "--set", "size=128", "--set", "points=20000",
             "-o", out, "--progress", "quiet"])
check(r.returncode == 0, f"generate ofdb-1k: {r.stderr}")
pngs = sorted(os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs
              if f.endswith(".png") and "preview" not in f and not f.startswith("stats"))
want = [f"{c:05d}/{c:05d}_00_count_0_flip0.png" for c in range(3)]
check(pngs == want, f"one image per category, official names: {pngs}")
db = fdsl.Generator.from_config({"generator": "fractaldb", "categories": "official", "classes": 3, "size": 128,
                                 "points": 20000, "seed": 0})
for c in range(3):
    img = np.array(Image.open(os.path.join(out, want[c])))
    check(np.array_equal(img, db.sample(c, 0).image), f"class {c}: FractalDB-1k's instance 0 (weight row 0)")

gen = fdsl.Generator.from_config(cfg("ofdb-1k.yaml"))
check(gen.num_classes == 1000 and gen.instances_per_class == 1, f"2D-OFDB-1k: {gen}")

# --- random patterns per epoch: same orbit, new patches -----------------------------------------
from fdsl.torch import FractalDataset, RandomView  # noqa: E402
import torch  # noqa: E402

ds = FractalDataset(cfg("ofdb-1k.yaml"), resample_epochs=5, size=128, points=20000, classes=3)
check(len(ds) == 3, f"one sample per class per epoch: {len(ds)}")


def dilate(m):
    p = np.pad(m, 2)
    out_ = np.zeros_like(m)
    for dy in range(-2, 3):
        for dx in range(-2, 3):
            out_ |= p[2 + dy:2 + dy + m.shape[0], 2 + dx:2 + dx + m.shape[1]]
    return out_


seen = []
for epoch in range(5):
    ds.set_epoch(epoch)
    x, y = ds[1]
    check(y == 1, f"epoch {epoch}: label {y}")
    seen.append(x.numpy()[0] > 0)
check(np.array_equal(seen[0], np.array(Image.open(os.path.join(out, want[1]))) > 0),
      "epoch 0 reads the written image")
for e in range(1, 5):
    check(not np.array_equal(seen[e], seen[0]), f"epoch {e}: a new pattern")
    inside = (seen[e] & ~dilate(seen[0])).sum() / max(1, seen[e].sum())
    check(inside < 0.01, f"epoch {e}: the same shape ({inside:.4f} of its ink outside epoch 0's)")
    fill0, fill = seen[0].mean(), seen[e].mean()
    check(abs(fill - fill0) < 0.1 * fill0, f"epoch {e}: filling rate {fill:.4f} vs {fill0:.4f}")

# --- 2D-OFDB-21k: searched categories -----------------------------------------------------------
out21 = os.path.join(tmp, "ofdb21k")
r = run_cli(["generate", cfg("ofdb-21k.yaml"), "--set", "classes=2", "--set", "size=96", "--set", "points=5000",
             "-o", out21, "--progress", "quiet"])
check(r.returncode == 0 and os.path.exists(os.path.join(out21, "00001", "00001_00_count_0_flip0.png")),
      f"ofdb-21k: {r.stderr[-300:]}")
check(os.path.exists(os.path.join(out21, "categories.csv")), "the searched categories are saved")

# --- 3D-OFDB-1k: 12 views of one cloud per class; RandomView draws one ------------------------
out3 = os.path.join(tmp, "ofdb3d")
r = run_cli(["generate", cfg("3d-ofdb-1k.yaml"), "--set", "classes=2", "--set", "size=64", "-o", out3,
             "--progress", "quiet"])
check(r.returncode == 0, f"generate 3d-ofdb-1k: {r.stderr[-300:]}")
views = sorted(f for f in os.listdir(os.path.join(out3, "images", "00001")) if f.endswith(".png"))
check(views == [f"00001_00000_{v:03d}.png" for v in range(12)], f"12 views of instance 0: {views}")
ds3 = FractalDataset(cfg("3d-ofdb-1k.yaml"), transform=RandomView(), classes=2, size=64)
check(len(ds3) == 2, f"one sample per class: {len(ds3)}")
files = [np.array(Image.open(os.path.join(out3, "images", "00001", v))) for v in views]
picked = set()
torch.manual_seed(0)
for _ in range(40):
    x, y = ds3[1]
    check(tuple(x.shape[1:]) == (64, 64) and y == 1, f"one view (C, 64, 64): {tuple(x.shape)}")
    a = x.permute(1, 2, 0).numpy()
    match = [v for v, f in enumerate(files) if np.array_equal(f.reshape(64, 64, -1), a)]
    check(len(match) >= 1, "the drawn view is one of the written views")
    picked.update(match[:1])
check(len(picked) >= 6, f"the views drawn vary: {sorted(picked)}")
kept = RandomView(keep_cameras=True, generator=torch.Generator().manual_seed(3))(ds3.generator and
                                                                              FractalDataset(cfg("3d-ofdb-1k.yaml"),
                                                                                             classes=2, size=64)[0][0])
check(set(kept) == {"image", "K", "world_to_camera"} and tuple(kept["K"].shape) == (3, 3), f"keep_cameras: {set(kept)}")
try:
    RandomView()(torch.zeros(3, 8, 8))
    check(False, "RandomView refuses a plain image")
except TypeError as e:
    check("vg_fractal" in str(e), f"{e}")

finish()

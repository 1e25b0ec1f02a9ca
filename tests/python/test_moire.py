"""moire from the outside: the gratings' period is what the config asks (the strongest spectral
peak of a two-grating image lies at size / period or its double, measured with NumPy's FFT),
classes split the period range in order, every kind renders a full-range picture, bad ranges are
refused by name, configs/moiredb.yaml writes a mixing folder, and fdsl.torch.PixMix mixes moire
pictures into images as the PixMix paper does (range, determinism, k = 0 is the image itself)."""
import os
import pickle
import tempfile

import numpy as np
import torch
from PIL import Image

import fdsl
from fdsl.torch import FractalDataset, PixMix
from testkit import check, finish, run_cli

src = os.environ["FDSL_SOURCE_DIR"]
tmp = tempfile.mkdtemp(prefix="fdsl-moire-")

# --- the period of line gratings, from the spectrum ----------------------------------------------
S = 128
gen = fdsl.Generator.from_config({"generator": "moire", "classes": 3, "instances": 12, "size": S, "channels": "1",
                                  "kind": "lines", "gratings_min": 2, "gratings_max": 2, "detune": 0,
                                  "angle_spread": 0, "period_min": 4, "period_max": 16})
bins = [(4 + 4 * c, 8 + 4 * c) for c in range(3)]
mean_f = []
for c in range(3):
    lo_f, hi_f = S / bins[c][1], S / bins[c][0]
    ok, fs = 0, []
    for i in range(12):
        img = gen.sample(c, i).image.astype(np.float64)
        spec = np.abs(np.fft.fft2(img - img.mean()))
        fy, fx = np.unravel_index(np.argmax(spec), spec.shape)
        fy, fx = min(fy, S - fy), min(fx, S - fx)
        r = np.hypot(fx, fy)
        fs.append(r)
        ok += (lo_f - 1.5 <= r <= hi_f + 1.5) or (2 * lo_f - 1.5 <= r <= 2 * hi_f + 1.5)
    check(ok == 12, f"class {c}: spectral peaks at size/period or twice it ({lo_f:.1f}-{hi_f:.1f}): {np.round(fs, 1)}")
    mean_f.append(np.median(fs))
check(mean_f[0] > mean_f[1] > mean_f[2], f"longer periods (lower frequencies) in higher classes: median peaks {mean_f}")

for kind in ("lines", "circles", "mixed"):
    g = fdsl.Generator.from_config({"generator": "moire", "instances": 4, "size": 64, "kind": kind})
    for i in range(4):
        a = g.sample(0, i).image
        check(a.shape == (64, 64, 3) and a.std() > 5, f"{kind} {i}: a colour picture with contrast ({a.std():.1f})")
    gray = fdsl.Generator.from_config({"generator": "moire", "instances": 2, "size": 64, "kind": kind, "channels": "1"})
    a = gray.sample(0, 1).image
    check(a.min() == 0 and a.max() == 255, f"{kind}: gray stretched to 0..255 ({a.min()}..{a.max()})")
    check(np.array_equal(a, gray.sample(0, 1).image), f"{kind}: the same sample twice")

# --- refusals name the key and the range -------------------------------------------------------
for extra, key in (("period_min: 2\ndetune: 0.5\n", "detune"), ("gratings_min: 5\ngratings_max: 3\n", "gratings_min"),
                   ("period_min: 1\n", "period_min"), ("classes: 3\nperiod_min: 8\nperiod_max: 8\n", "classes")):
    path = os.path.join(tmp, f"bad-{key}.yaml")
    open(path, "w").write("generator: moire\ninstances: 2\n" + extra)
    r = run_cli(["generate", path, "-o", os.path.join(tmp, "bad-out"), "--progress", "quiet"])
    check(r.returncode == 2 and key in r.stderr and not os.path.exists(os.path.join(tmp, "bad-out", "manifest.json")),
          f"{extra!r}: refused naming {key}: {r.stderr.strip()[:200]}")

# --- the mixing set: configs/moiredb.yaml to a folder -------------------------------------------
out = os.path.join(tmp, "mixing")
r = run_cli(["generate", os.path.join(src, "configs", "moiredb.yaml"), "--set", "instances=6", "--set", "size=96",
             "-o", out, "--progress", "quiet"])
check(r.returncode == 0, f"generate moiredb: {r.stderr[-300:]}")
files = sorted(os.listdir(os.path.join(out, "00000"))) if os.path.isdir(os.path.join(out, "00000")) else []
check(len(files) == 6 and all(Image.open(os.path.join(out, "00000", f)).size == (96, 96) for f in files),
      f"6 mixing pictures of 96 px: {files}")

# --- PixMix --------------------------------------------------------------------------------------
mix_cfg = {"generator": "moire", "instances": 50, "size": 48}
x = torch.rand(3, 64, 64, generator=torch.Generator().manual_seed(0))
outs = [PixMix(mix_cfg, generator=torch.Generator().manual_seed(s))(x) for s in range(12)]
check(all(o.shape == x.shape and o.min() >= 0 and o.max() <= 1 for o in outs), "mixed images in [0, 1], same shape")
check(sum(not torch.equal(o, x) for o in outs) >= 6, "most draws change the image")
again = PixMix(mix_cfg, generator=torch.Generator().manual_seed(5))(x)
check(torch.equal(again, outs[5]), "the same generator seed mixes the same way")
check(torch.equal(PixMix(mix_cfg, k=0)(x), x), "k = 0 without augment gives the image itself")
gray = PixMix({"generator": "moire", "instances": 5, "size": 32, "channels": "1"},
              generator=torch.Generator().manual_seed(1))
check(all(gray(torch.rand(1, 40, 40)).shape == (1, 40, 40) for _ in range(5)), "gray images, resized mixing pictures")
pm = pickle.loads(pickle.dumps(PixMix(fdsl.Generator.from_config(mix_cfg))))
check(pm(x).shape == x.shape, "PixMix pickles (DataLoader workers) with a Generator as its mixing set")
try:
    PixMix(mix_cfg)(torch.zeros(3, 8, 8, dtype=torch.uint8))
    check(False, "a uint8 image is refused")
except TypeError as e:
    check("float" in str(e), f"{e}")

# PixMix over a fractal training set, the way it is used: base dataset transform then PixMix.
ds = FractalDataset({"generator": "ifs_sigma", "classes": 2, "instances": 3, "size": 48},
                    transform=lambda t: PixMix(mix_cfg, generator=torch.Generator().manual_seed(2))(t.float() / 255))
img, label = ds[4]
check(img.dtype == torch.float32 and img.shape == (3, 48, 48) and label == 1, f"in a dataset: {img.shape} {label}")

finish()

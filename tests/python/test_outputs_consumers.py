"""Reads fdsl datasets with the consumers users train with: Pillow for every PNG, the manifest's
checksums recomputed with zlib, and torchvision's ImageFolder for the class order."""
import json
import os
import tempfile
import zlib

import numpy as np
from PIL import Image

from testkit import check, finish, generate

CONFIGS = {
    "fractaldb_patch_gray": "generator: fractaldb\ncategories: official\nclasses: 3\nsize: 72\npoints: 6000\n"
                            "patch_draws: 2\nflips: 2\n",
    "fractaldb_color": "generator: fractaldb\ncategories: official\nclasses: 2\nsize: 64\npoints: 5000\n"
                       "render: color\npatch_draws: 1\nflips: 1\n",
    "fractaldb_point_rgb": "generator: fractaldb\ncategories: official\nclasses: 2\nsize: 64\npoints: 5000\n"
                           "render: point\nchannels: 3\npatch_draws: 1\nflips: 1\npng_encoder: libpng\n",
    "ifs_sigma": "generator: ifs_sigma\nclasses: 3\ninstances: 4\nsize: 48\npoints: 4000\n",
    "ifs_sigma_multi": "generator: ifs_sigma\nclasses: 3\ninstances: 4\nsize: 48\npoints: 4000\n"
                       "objects_min: 2\nobjects_max: 4\n",
    "one_frac": "generator: one_frac\nclasses: 4\ninstances: 2\nsize: 96\npoints: 8000\n",
    "spectral_noise_gray": "generator: spectral_noise\nclasses: 2\ninstances: 3\nsize: 40\nchannels: 1\n",
    "dead_leaves": "generator: dead_leaves\nclasses: 2\ninstances: 3\nsize: 40\nsigma_min: 2\nsigma_max: 4\n",
    "moire": "generator: moire\nclasses: 2\ninstances: 3\nsize: 40\n",
}


with tempfile.TemporaryDirectory() as tmp:
    for name, text in CONFIGS.items():
        out, r = generate(tmp, name, text)
        if r.returncode != 0:
            continue
        manifest = json.load(open(os.path.join(out, "manifest.json")))
        check(manifest["complete"], f"{name}: manifest complete")
        files = manifest["files"]
        check(len(files) == manifest["num_classes"] * manifest["instances_per_class"], f"{name}: file count")
        mode = None
        blank = 0
        for entry in files:
            path = os.path.join(out, entry["path"])
            data = open(path, "rb").read()
            ok = len(data) == entry["bytes"] and "%08x" % zlib.crc32(data) == entry["crc32"]
            check(ok, f"{name}: checksum of {entry['path']}")
            im = Image.open(path)
            im.load()
            mode = im.mode
            size = manifest["config"]["size"]
            check(im.size == (size, size), f"{name}: size of {entry['path']}")
            blank += int(np.asarray(im).max() == 0)
            check(entry["label"] == int(entry["path"].split("/")[0]), f"{name}: label matches the class folder")
            if "multi" in name:
                check(entry["label"] in entry["labels"] and entry["labels"] == sorted(set(entry["labels"])),
                      f"{name}: multi-labels of {entry['path']}")
        # A weight row can make a FractalDB system diverge; like the official renderer's near-empty
        # images for such rows, those come out empty. They must stay rare.
        check(blank <= len(files) // 10, f"{name}: {blank} of {len(files)} images are blank")
        expected_mode = {"fractaldb_patch_gray": "L", "one_frac": "L", "spectral_noise_gray": "L"}.get(name, "RGB")
        check(mode == expected_mode, f"{name}: PNG mode {mode}, expected {expected_mode}")
        if name == "fractaldb_patch_gray":
            values = set()
            for entry in files:
                values |= set(np.unique(np.asarray(Image.open(os.path.join(out, entry["path"])))).tolist())
            check(values == {0, 127}, f"{name}: gray patch values {sorted(values)}")

    # torchvision's ImageFolder sees the classes in folder order, numbered as fdsl numbers them.
    try:
        from torchvision.datasets import ImageFolder
        ds = ImageFolder(os.path.join(tmp, "fractaldb_patch_gray"))
        check(ds.classes == ["00000", "00001", "00002"], f"ImageFolder classes {ds.classes}")
        check(all(ds.class_to_idx[c] == int(c) for c in ds.classes), "ImageFolder class_to_idx equals the labels")
        check(len(ds) == 300, f"ImageFolder length {len(ds)}")
        img, label = ds[123]
        check(img.size == (72, 72) and label == 1, f"ImageFolder sample {img.size} {label}")
    except ImportError as e:
        check(False, f"torchvision missing: {e}")

finish()

"""Aligned images and clouds (vg_fractal), checked from the files alone with NumPy, Pillow and
tarfile: every cloud projected with its saved camera (K, world_to_camera, in float64 here) lands on
the ink of its image (at least 99% of visible points), every inked pixel holds a point that
projects into it, for pinhole and orthographic cameras, several views, splat radii and
supersampling; the MV-FractalDB layout; tar shards keep cloud, image, camera and class under one
key; bad cameras are refused with exit 2 and no manifest."""
import io
import json
import os
import tarfile
import tempfile

import numpy as np
from PIL import Image

from testkit import check, finish, generate, run_cli


def project(points, cam):
    """Continuous pixel coordinates, depth and visibility of world points, by the saved camera."""
    K = np.array(cam["K"], dtype=np.float64)
    M = np.array(cam["world_to_camera"], dtype=np.float64)
    pc = points.astype(np.float64) @ M[:3, :3].T + M[:3, 3]
    z = pc[:, 2]
    if cam["projection"] == "perspective":
        with np.errstate(divide="ignore", invalid="ignore"):
            x, y = pc[:, 0] / z, pc[:, 1] / z
    else:
        x, y = pc[:, 0], pc[:, 1]
    u = K[0, 0] * x + K[0, 1] * y + K[0, 2]
    v = K[1, 1] * y + K[1, 2]
    vis = (z >= cam["near"]) & (z <= cam["far"]) & (u >= 0) & (u < cam["width"]) & (v >= 0) & (v < cam["height"])
    return u, v, z, vis


def check_alignment(points, image, cam, what, radius=0):
    ink = image.max(axis=2) > 0 if image.ndim == 3 else image > 0
    check(ink.shape == (cam["height"], cam["width"]), f"{what}: image size {ink.shape} matches the camera")
    u, v, _, vis = project(points, cam)
    check(vis.sum() > 0.5 * len(points), f"{what}: most points visible ({vis.sum()} of {len(points)})")
    iu, iv = np.floor(u[vis]).astype(int), np.floor(v[vis]).astype(int)
    on_ink = ink[iv, iu].mean()
    check(on_ink >= 0.99, f"{what}: {on_ink:.4f} of visible points land on ink")
    # The inverse: every inked pixel has a point projecting into it (within 1e-3 px: the renderer
    # projects in single precision), or within the splat radius of it.
    eps = 1e-3 + radius
    lo_u, hi_u = np.floor(u[vis] - eps).astype(int), np.floor(u[vis] + eps).astype(int)
    lo_v, hi_v = np.floor(v[vis] - eps).astype(int), np.floor(v[vis] + eps).astype(int)
    covered = np.zeros_like(ink)
    for du in range(-radius - 1, radius + 2):
        for dv in range(-radius - 1, radius + 2):
            cu, cv = iu + du, iv + dv
            ok = (cu >= lo_u) & (cu <= hi_u) & (cv >= lo_v) & (cv <= hi_v)
            ok &= (cu >= 0) & (cu < ink.shape[1]) & (cv >= 0) & (cv < ink.shape[0])
            covered[cv[ok], cu[ok]] = True
    orphans = int((ink & ~covered).sum())
    check(orphans == 0, f"{what}: {orphans} inked pixels without a point")
    return on_ink


with tempfile.TemporaryDirectory() as tmp:
    # 1. VG-FractalDB pairs: one perspective view, NPY cloud, camera JSON, side by side.
    out, _ = generate(tmp, "pairs", "generator: vg_fractal\nclasses: 3\ninstances: 4\nsize: 96\npoints: 3000\n"
                                    "cloud_format: npy\nazimuth_jitter: 20\nelevation_mode: random\n")
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    check(manifest["complete"], "pairs: manifest complete")
    for c in range(3):
        for i in range(4):
            base = os.path.join(out, f"{c:06d}", f"{c:06d}_{i:04d}")
            pts = np.load(base + ".npy")
            img = np.array(Image.open(base + ".png"))
            meta = json.load(open(base + ".camera.json"))
            check(pts.shape == (3000, 3) and pts.dtype == np.float32, f"pairs {c}/{i}: cloud {pts.shape} {pts.dtype}")
            check(img.shape == (96, 96) and img.dtype == np.uint8, f"pairs {c}/{i}: image {img.shape}")
            check(meta["label"] == c and meta["category"] == c and meta["instance"] == i, f"pairs {c}/{i}: label")
            check(len(meta["cameras"]) == 1 and meta["cameras"][0]["image"] == f"{c:06d}_{i:04d}.png",
                  f"pairs {c}/{i}: one camera naming its image")
            cam = meta["cameras"][0]
            R = np.array(cam["world_to_camera"])[:3, :3]
            check(np.allclose(R @ R.T, np.eye(3)) and np.isclose(np.linalg.det(R), 1.0), f"pairs {c}/{i}: R is a rotation")
            eye = -R.T @ np.array(cam["world_to_camera"])[:3, 3]
            check(np.isclose(np.linalg.norm(eye), 4.0), f"pairs {c}/{i}: eye at distance 4 ({eye})")
            check(-45 <= cam["elevation_deg"] <= 45, f"pairs {c}/{i}: random elevation in range")
            check_alignment(pts, img, cam, f"pairs {c}/{i}")

    # 2. Several cameras: orthographic, z up, splats, supersampling, color shadings.
    variants = {
        "ortho": "projection: orthographic\northo_extent: 3.5\nviews: 3\nup_axis: z\nelevation: 25\n",
        "splat": "views: 2\nsplat_radius: 1\nshading: depth\nelevation: -20\n",
        "aa": "views: 2\nsupersample: 3\nshading: height\n",
        "maps": "views: 2\nshading: map\nfov: 60\ncamera_distance: 3\nlook_at: 0.1,0,-0.1\n",
        "random": "views: 4\nview_mode: random\nelevation_mode: random\nelevation_min: -60\nelevation_max: 60\n",
    }
    for name, extra in variants.items():
        out, _ = generate(tmp, name, "generator: vg_fractal\nclasses: 2\ninstances: 2\nsize: 80\npoints: 2000\n"
                                     "cloud_format: npy\n" + extra)
        radius = 1 if "splat_radius" in extra else 0
        for c in range(2):
            for i in range(2):
                base = os.path.join(out, f"{c:06d}", f"{c:06d}_{i:04d}")
                pts = np.load(base + ".npy")
                meta = json.load(open(base + ".camera.json"))
                views = len(meta["cameras"])
                check(views == int(extra.split("views: ")[1].split("\n")[0]), f"{name}: {views} cameras")
                for cam in meta["cameras"]:
                    check(cam["image"] == f"{c:06d}_{i:04d}.view{cam['view']:03d}.png", f"{name}: view file name")
                    img = np.array(Image.open(os.path.join(out, f"{c:06d}", cam["image"])))
                    if name in ("aa", "maps"):
                        check(img.ndim == 3 and img.shape[2] == 3, f"{name}: color shading gives RGB")
                    check_alignment(pts, img, cam, f"{name} {c}/{i} view {cam['view']}", radius)
                if name == "random":
                    az = [cam["azimuth_deg"] for cam in meta["cameras"]]
                    check(all(0 <= a < 360 for a in az) and len(set(az)) == 4, f"random: azimuths {az}")
                if name == "ortho":
                    check(all(cam["projection"] == "orthographic" for cam in meta["cameras"]), "ortho: projection")

    # 3. Depth shading: where the z-buffer puts a nearer point over a farther one, the nearer
    # point's depth decides the shade: brighter pixels are nearer.
    out, _ = generate(tmp, "depth", "generator: vg_fractal\nclasses: 2\ninstances: 1\nsize: 64\npoints: 4000\n"
                                    "cloud_format: npy\nshading: depth\n")
    pts = np.load(os.path.join(out, "000000", "000000_0000.npy"))
    img = np.array(Image.open(os.path.join(out, "000000", "000000_0000.png")))
    cam = json.load(open(os.path.join(out, "000000", "000000_0000.camera.json")))["cameras"][0]
    u, v, z, vis = project(pts, cam)
    nearest = {}
    for uu, vv, zz in zip(np.floor(u[vis]).astype(int), np.floor(v[vis]).astype(int), z[vis]):
        nearest[(vv, uu)] = min(zz, nearest.get((vv, uu), np.inf))
    keys = list(nearest)
    zs = np.array([nearest[k] for k in keys])
    shade = np.array([int(img[k]) for k in keys])
    corr = np.corrcoef(zs, shade)[0, 1]
    check(corr < -0.99, f"depth: shade falls with the nearest depth (correlation {corr:.4f})")

    # 4. MV-FractalDB layout: images/{cat}/{cat}_{inst:05d}_{view:03d}.png, 12 views +30 deg.
    out, _ = generate(tmp, "mv", "generator: vg_fractal\nclasses: 2\ninstances: 3\nsize: 64\npoints: 2000\n"
                                 "instance_mode: mv_weights\nviews: 12\nlayout: views\nwrite_cloud: false\n")
    names = sorted(os.listdir(os.path.join(out, "images", "00001")))
    want = sorted([f"00001_{i:05d}_{k:03d}.png" for i in range(3) for k in range(12)] +
                  [f"00001_{i:05d}.camera.json" for i in range(3)])
    check(names == want, f"mv: layout {names[:4]}...")
    meta = json.load(open(os.path.join(out, "images", "00001", "00001_00002.camera.json")))
    az = [cam["azimuth_deg"] for cam in meta["cameras"]]
    check(np.allclose(az, [30 + 30 * k for k in range(12)]), f"mv: ring of 12 azimuths from 30 deg: {az}")
    check(not any(n.endswith(".npy") or n.endswith(".ply") for n in names), "mv: write_cloud false writes no cloud")

    # verify --regenerate finds the sample of a damaged camera file or view (names with more than
    # one dot, or a view suffix) and rewrites it with its original bytes.
    for out_dir, damaged in [(out, ["images/00001/00001_00002.camera.json", "images/00000/00000_00001_011.png"]),
                             (os.path.join(tmp, "ortho"), ["000001/000001_0000.camera.json",
                                                           "000000/000000_0001.view002.png"])]:
        original = {d: open(os.path.join(out_dir, d), "rb").read() for d in damaged}
        for d in damaged:
            with open(os.path.join(out_dir, d), "wb") as f:
                f.write(b"damaged")
        check(run_cli(["verify", out_dir]).returncode != 0, f"verify finds {damaged}")
        r = run_cli(["verify", "--regenerate", out_dir])
        check(r.returncode == 0, f"verify --regenerate {out_dir}: {r.returncode} {r.stdout} {r.stderr}")
        check(all(open(os.path.join(out_dir, d), "rb").read() == original[d] for d in damaged),
              f"regenerated {damaged} with their original bytes")

    # 5. Tar shards: one key holds the cloud, the image, the camera and the class.
    out, _ = generate(tmp, "tar", "generator: vg_fractal\nclasses: 2\ninstances: 3\nsize: 48\npoints: 1000\n"
                                  "cloud_format: npy\noutput_format: tar\nshard_samples: 4\n")
    samples = {}
    for shard in sorted(f for f in os.listdir(out) if f.endswith(".tar")):
        with tarfile.open(os.path.join(out, shard)) as t:
            for m in t.getmembers():
                base = os.path.basename(m.name)
                key = os.path.join(os.path.dirname(m.name), base.split(".", 1)[0])
                samples.setdefault(key, {})[base.split(".", 1)[1]] = t.extractfile(m).read()
    check(len(samples) == 6, f"tar: {len(samples)} samples")
    for key, parts in samples.items():
        check(sorted(parts) == ["camera.json", "cls", "npy", "png"], f"tar {key}: members {sorted(parts)}")
        pts = np.load(io.BytesIO(parts["npy"]))
        img = np.array(Image.open(io.BytesIO(parts["png"])))
        cam = json.loads(parts["camera.json"])["cameras"][0]
        check(int(parts["cls"]) == int(key.split("/")[0]), f"tar {key}: class")
        check_alignment(pts, img, cam, f"tar {key}")

    # 6. Bad cameras: exit 2, a message naming the key, no manifest.
    bad = {
        "fov: 180\n": "fov",
        "fov: 0\n": "fov",
        "views: 0\n": "views",
        "size: 0\n": "size",
        "camera_distance: 1.5\n": "inside the cloud",
        "normalize: unit_sphere\ncamera_distance: 0.9\n": "inside the cloud",
        "elevation: 90\n": "elevation",
        "look_at: 1,2\n": "look_at",
        "near: 5\nfar: 2\n": "near",
        "shading: height\nchannels: 1\n": "channels",
        "layout: views\noutput_format: tar\n": "layout",
        "cloud_format: hdf5\n": "cloud_format",
    }
    for k, (extra, word) in enumerate(bad.items()):
        out, r = generate(tmp, f"bad{k}",
                          "generator: vg_fractal\nclasses: 2\ninstances: 1\nsize: 32\npoints: 500\n" + extra, expect=2)
        check(word in r.stderr, f"bad {extra!r}: message names {word}: {r.stderr.strip()}")
        check(not os.path.exists(os.path.join(out, "manifest.json")), f"bad {extra!r}: no manifest")

finish()

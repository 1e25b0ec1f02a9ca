"""Reads fdsl's WebDataset tar shards the way training code does: Python's tarfile opens every
shard, a reader applying WebDataset's grouping rules (consecutive members, key = the name up to
the first dot of its last component, as webdataset's base_plus_ext) yields the samples, timm's
split lookup reads _info.json, and a torch DataLoader with two workers decodes every sample.
The samples must be exactly the folder output's images with the right labels."""
import io
import json
import os
import re
import tarfile
import tempfile
import zlib

import numpy as np
from PIL import Image

from testkit import check, finish, generate

BASE = {
    "fractaldb": "generator: fractaldb\ncategories: official\nclasses: 4\nsize: 48\npoints: 4000\n"
                 "patch_draws: 1\nflips: 2\n",
    "ifs_sigma_multi": "generator: ifs_sigma\nclasses: 3\ninstances: 6\nsize: 40\npoints: 3000\n"
                       "objects_min: 2\nobjects_max: 3\n",
}
TAR = {
    "fractaldb": "output_format: tar\nshard_samples: 30\n",
    "fractaldb_shuffled": "output_format: tar\nshard_samples: 25\nshuffle: true\n",
    "fractaldb_bytes": "output_format: tar\nshard_bytes: 40000\nshard_prefix: fractal-train\n",
    "ifs_sigma_multi": "output_format: tar\nshard_samples: 7\n",
}


def base_plus_ext(path):
    """webdataset.tariterators.base_plus_ext: key up to the first dot of the last component."""
    m = re.match(r"^((?:.*/|)[^.]+)[.]([^/]*)$", path)
    return (m.group(1), m.group(2)) if m else (None, None)


def group_by_keys(members):
    """webdataset.tariterators.group_by_keys: a sample is a run of consecutive members with one key."""
    current = None
    for name, data in members:
        key, ext = base_plus_ext(name)
        if key is None:
            continue
        if current is None or current["__key__"] != key:
            if current is not None:
                yield current
            current = {"__key__": key}
        if ext in current:
            raise ValueError(f"{name}: duplicate file name in one sample")
        current[ext] = data
    if current is not None:
        yield current


def tar_members(path):
    with tarfile.open(path, "r:") as t:
        for m in t:
            check(m.isfile() and m.mtime == 1577836800 and m.uid == 0 and m.mode == 0o644, f"{path}: header of {m.name}")
            yield m.name, t.extractfile(m).read()


def timm_split_info(root, split):
    """timm's reader_wds._load_info + _parse_split_info for a split name."""
    info = json.load(open(os.path.join(root, "_info.json")))
    s = info["splits"][split]
    return dict(num_samples=s["num_samples"], filenames=tuple(s["filenames"]),
                shard_lengths=tuple(s["shard_lengths"]), name=s["name"])


with tempfile.TemporaryDirectory() as tmp:
    folders = {}
    for name, text in BASE.items():
        out, r = generate(tmp, name + "-folder", text)
        if r.returncode == 0:
            folders[name] = (out, json.load(open(os.path.join(out, "manifest.json"))))

    orders = {}
    for name, extra in TAR.items():
        base = "ifs_sigma_multi" if name.startswith("ifs") else "fractaldb"
        out, r = generate(tmp, name, BASE[base] + extra)
        if r.returncode != 0 or base not in folders:
            continue
        folder, folder_manifest = folders[base]
        manifest = json.load(open(os.path.join(out, "manifest.json")))
        split = manifest["split"]
        info = timm_split_info(out, split)
        check(info["name"] == split and info["num_samples"] == manifest["num_samples"], f"{name}: _info.json split")
        check(list(info["filenames"]) == sorted(f for f in os.listdir(out) if f.endswith(".tar")),
              f"{name}: _info.json lists every shard")
        check(all(re.fullmatch(re.escape(split) + r"-\d{6}\.tar", f) for f in info["filenames"]),
              f"{name}: shard names {info['filenames'][:2]}")
        expected = {e["path"]: e for e in folder_manifest["files"]}
        seen = []
        for shard, length in zip(info["filenames"], info["shard_lengths"]):
            path = os.path.join(out, shard)
            entry = next(e for e in manifest["files"] if e["path"] == shard)
            data = open(path, "rb").read()
            check(len(data) == entry["bytes"] and "%08x" % zlib.crc32(data) == entry["crc32"], f"{name}: {shard} checksum")
            samples = list(group_by_keys(tar_members(path)))
            check(len(samples) == length, f"{name}: {shard} holds {len(samples)} samples, _info.json says {length}")
            for s in samples:
                png = s["__key__"] + ".png"
                check(png in expected, f"{name}: {png} is a sample of the folder output")
                if png not in expected:
                    continue
                check(s["png"] == open(os.path.join(folder, png), "rb").read(), f"{name}: {png} bytes as in the folder")
                label = int(s["cls"].decode("ascii"))
                check(label == expected[png]["label"] == int(s["__key__"].split("/")[0]), f"{name}: label of {png}")
                if "labels" in expected[png]:
                    check(json.loads(s["json"])["labels"] == expected[png]["labels"], f"{name}: multi-labels of {png}")
                seen.append(png)
        check(sorted(seen) == sorted(expected), f"{name}: the shards hold every sample once ({len(seen)})")
        orders[name] = seen
        if name == "fractaldb_bytes":
            sizes = [os.path.getsize(os.path.join(out, f)) for f in info["filenames"][:-1]]
            check(all(25000 < s < 55000 for s in sizes), f"{name}: shard sizes {sizes} near shard_bytes 40000")

    if "fractaldb" in orders and "fractaldb_shuffled" in orders:
        check(orders["fractaldb"] == sorted(orders["fractaldb"]), "unshuffled shards are in class-major order")
        check(orders["fractaldb_shuffled"] != orders["fractaldb"], "shuffle: true changes the order")
        first = [k.split("/")[0] for k in orders["fractaldb_shuffled"][:25]]
        check(len(set(first)) >= 3, f"shuffle mixes classes within a shard: {first}")

    # A torch DataLoader with two workers, each reading its own shards (as wds.split_by_worker).
    try:
        import torch
        from torch.utils.data import DataLoader, IterableDataset, get_worker_info

        root = os.path.join(tmp, "fractaldb_shuffled")
        info = timm_split_info(root, "train")

        class Shards(IterableDataset):
            def __iter__(self):
                w = get_worker_info()
                mine = info["filenames"][w.id::w.num_workers] if w else info["filenames"]
                for shard in mine:
                    for s in group_by_keys(tar_members(os.path.join(root, shard))):
                        img = np.asarray(Image.open(io.BytesIO(s["png"])), dtype=np.float32) / 255.0
                        yield torch.from_numpy(img)[None], int(s["cls"])

        total, labels = 0, set()
        for x, y in DataLoader(Shards(), batch_size=16, num_workers=2):
            total += x.shape[0]
            labels |= set(y.tolist())
            check(tuple(x.shape[1:]) == (1, 48, 48), f"batch shape {tuple(x.shape)}")
        check(total == info["num_samples"], f"DataLoader saw {total} of {info['num_samples']} samples")
        check(labels == {0, 1, 2, 3}, f"DataLoader labels {labels}")
    except ImportError as e:
        check(False, f"torch missing: {e}")

finish()

"""The README's table "What each family writes" is what fdsl writes: every row is generated as a
folder dataset and as tar shards, and the files of its first sample (and the refusals) are compared
with the table's cells."""
import json
import os
import re
import tarfile
import tempfile

from testkit import check, finish, run_cli

SOURCE = os.environ["FDSL_SOURCE_DIR"]
# Small versions of each family; a row's keys are added to these.
BASE = {
    "fractaldb": "categories: official\nclasses: 2\ninstances: 4\nsize: 32\npoints: 2000\n",
    "ifs_sigma": "classes: 2\ninstances: 2\nsize: 32\npoints: 2000\n",
    "one_frac": "classes: 2\ninstances: 2\nsize: 32\npoints: 5000\n",
    "visual_atom": "classes: 2\ninstances: 3\nsize: 32\ncenter_range: 25\nradius_min: 1\nradius_max: 6\n",
    "rcdb": "classes: 2\ninstances: 2\nsize: 32\ncenter_range: 25\nradius_max: 6\n",
    "pc_fractal": "classes: 2\ninstances: 2\npoints: 300\nsearch_points: 1000\n",
    "pc_scenes": "classes: 2\ninstances: 2\nobject_instances: 2\npoints: 100\nsearch_points: 1000\n",
    "vg_fractal": "classes: 2\ninstances: 2\npoints: 500\nsize: 32\nsearch_points: 1000\n",
    "spectral_noise": "classes: 2\ninstances: 2\nsize: 32\n",
    "dead_leaves": "instances: 2\nsize: 32\n",
    "moire": "instances: 2\nsize: 32\n",
    "segrcdb": "instances: 2\nsize: 32\nmask_classes: 5\nobjects: 3\ncenter_range: 25\nradius_max: 6\n",
}
# The trees of datasets with masks (fdsl's and SegRCDB's official ones): a sample's files sit
# under each with one name.
TREES = ("images/", "masks/", "instances/", "image/", "mask/", "instance/")


def untree(path):
    for t in TREES:
        if path.startswith(t):
            return path[len(t):]
    return path


def table_rows():
    text = open(os.path.join(SOURCE, "README.md")).read()
    start = text.index("### What each family writes")
    rows = []
    for line in text[start:].splitlines()[1:]:
        if line.startswith("#"):
            break
        if not line.startswith("| `generator:"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows.append(cells)
    return rows


def paths_in(cell):
    return re.findall(r"`([^`]+)`", cell)


def stem_of(paths):
    """The sample's name: the longest common prefix of the paths cut at the first '.' of their
    file names."""
    cut = [untree(p)[:len(untree(p)) - len(os.path.basename(p)) + os.path.basename(p).index(".")] for p in paths]
    return os.path.commonprefix(cut)


def of_sample(names, stem):
    return {n for n in names
            if untree(n).startswith(stem) and (len(untree(n)) == len(stem) or untree(n)[len(stem)] in "._")}


rows = table_rows()
check(len(rows) >= 15, f"the README table has its rows ({len(rows)})")
seen = set()
with tempfile.TemporaryDirectory() as tmp:
    for k, (config, folder_cell, tar_cell) in enumerate(rows):
        keys = dict(item.split(": ", 1) for item in paths_in(config)[0].split("; "))
        family = keys["generator"]
        seen.add(family)
        text = f"generator: {family}\n" + BASE[family] + "".join(f"{a}: {b}\n" for a, b in keys.items() if a != "generator")
        cfg = os.path.join(tmp, f"row{k}.yaml")
        open(cfg, "w").write(text)

        folder = os.path.join(tmp, f"row{k}-folder")
        r = run_cli(["generate", cfg, "-o", folder, "--progress", "quiet"])
        check(r.returncode == 0, f"{config}: folder run: {r.stderr}")
        if r.returncode != 0:
            continue
        listed = paths_in(folder_cell)
        if folder_cell.startswith("none per sample"):
            check(all(os.path.isfile(os.path.join(folder, f)) for f in listed), f"{config}: {listed} at the root")
            folder_files = set()
        else:
            stem = stem_of(listed)
            names = {f["path"] for f in json.load(open(os.path.join(folder, "manifest.json")))["files"]}
            folder_files = of_sample(names, stem)
            check(folder_files == set(listed), f"{config}: folder files of sample 0 {sorted(folder_files)}, "
                                               f"the README says {sorted(listed)}")

        tar = os.path.join(tmp, f"row{k}-tar")
        r = run_cli(["generate", cfg, "-o", tar, "--progress", "quiet", "--set", "output_format=tar"])
        if tar_cell.startswith("refused"):
            check(r.returncode == 2 and "error" in r.stderr and not os.path.exists(os.path.join(tar, "manifest.json")),
                  f"{config}: tar is refused clearly (exit {r.returncode}): {r.stderr}")
            continue
        check(r.returncode == 0, f"{config}: tar run: {r.stderr}")
        if r.returncode != 0:
            continue
        want = set(paths_in(tar_cell))
        if tar_cell.startswith("the same and"):
            want |= folder_files
        members = set()
        for f in json.load(open(os.path.join(tar, "manifest.json")))["files"]:
            with tarfile.open(os.path.join(tar, f["path"])) as t:
                members |= set(t.getnames())
        got = of_sample(members, stem_of(sorted(want)))
        check(got == want, f"{config}: tar members of sample 0 {sorted(got)}, the README says {sorted(want)}")

check(seen == set(BASE), f"every family has a row: {sorted(set(BASE) - seen)} missing")
finish()

"""The dataset card: README.md, card-preview.jpg and card-stats.jpg in every dataset folder, read by the
tools a person uses (Pillow for the pictures, torchvision's ImageFolder and tarfile for the loading
instructions); the same bytes for any thread count; no PNG but the samples'; verify knows the files;
`card: false` writes none."""
import json
import os
import re
import tarfile
import tempfile

from PIL import Image

from testkit import check, finish, run_cli

tmp = tempfile.mkdtemp(prefix="fdsl-card-")
BASE = """generator: fractaldb
name: cardtest
categories: official
classes: 5
size: 48
points: 4000
patch_draws: 2
flips: 2
"""


def gen(name, text, *extra):
    cfg = os.path.join(tmp, name + ".yaml")
    with open(cfg, "w") as f:
        f.write(text)
    out = os.path.join(tmp, name)
    r = run_cli(["generate", cfg, "-o", out, "--progress", "quiet", *extra])
    check(r.returncode == 0, f"{name}: generate: {r.stderr[-400:]}")
    return out


out = gen("folder", BASE, "-j", "1")
card = open(os.path.join(out, "README.md")).read()
check(card.startswith("# cardtest\n"), "the card is titled with the dataset's name")
for want in ["| classes | 5 |", "| instances per class | 100 |", "| samples | 500 (complete) |",
             "| `points` | `4000` | `200000` |", "| `flips` | `2` | `4` |", "## Preview", "ink fraction",
             "fdsl verify THIS_FOLDER --regenerate"]:
    check(want in card, f"the card says {want!r}")
m = json.load(open(os.path.join(out, "manifest.json")))
check(m["card_files"] == ["README.md"], f"manifest lists the card: {m.get('card_files')}")
# No picture beside an ImageFolder tree: timm's folder reader takes every image under the root.
images = [os.path.join(p, f) for p, _, fs in os.walk(out) for f in fs if f.endswith((".png", ".jpg", ".jpeg"))]
check(len(images) == 500, f"no image but the samples' in an ImageFolder tree ({len(images)})")
check("fdsl preview THIS_FOLDER/fdsl.yaml" in card, "the card says how to draw the pictures")
r = run_cli(["verify", out])
check(r.returncode == 0 and '"extra_files":[]' in r.stdout, f"verify knows the card files: {r.stdout[-300:]}")
# The card's instructions work: ImageFolder on the folder it names sees every sample and class.
try:
    from torchvision.datasets import ImageFolder
    root = re.search(r'ImageFolder\("THIS_FOLDER([^"]*)"\)', card).group(1)
    ds = ImageFolder(out + root)
    check(len(ds) == 500 and len(ds.classes) == 5, f"ImageFolder as the card says: {len(ds)} samples {ds.classes}")
except ImportError:
    pass
# Byte for byte the same with 2 threads.
out2 = gen("folder2", BASE, "-j", "2")
check(open(os.path.join(out, "README.md"), "rb").read() == open(os.path.join(out2, "README.md"), "rb").read(),
      "README.md: the same for -j 1 and -j 2")

# Tar shards: the card's shard pattern names exactly the shards written.
tar = gen("tar", BASE + "output_format: tar\nshard_samples: 120\n")
card = open(os.path.join(tar, "README.md")).read()
for pic in ("card-preview.jpg", "card-stats.jpg"):
    im = Image.open(os.path.join(tar, pic))
    check(im.format == "JPEG" and im.size[0] > 200 and im.size[1] > 100, f"tar: {pic}: a picture Pillow reads")
    check(f"]({pic})" in card, f"tar: the card shows {pic}")
pat = re.search(r'WebDataset\("([^"]+)"', card).group(1)
a, b = re.search(r"\{(\d+)\.\.(\d+)\}", pat).groups()
names = [re.sub(r"\{.*\}", f"{k:0{len(a)}d}", pat) for k in range(int(a), int(b) + 1)]
check(names == sorted(f for f in os.listdir(tar) if f.endswith(".tar")), f"shard pattern {pat}")
with tarfile.open(os.path.join(tar, names[0])) as t:
    check(any(n.endswith(".cls") for n in t.getnames()), "the shards hold the .cls the card's snippet reads")

tar2 = gen("tar2", BASE + "output_format: tar\nshard_samples: 120\n", "-j", "1")
for f in ("README.md", "card-preview.jpg", "card-stats.jpg"):
    check(open(os.path.join(tar, f), "rb").read() == open(os.path.join(tar2, f), "rb").read(),
          f"tar: {f} the same for -j 2 and -j 1")

# The card's statistics come from the samples as the run wrote them (measured then, not made
# again): the same bytes as a card made from scratch afterwards (`fdsl merge` writes the manifest
# and the card again, rendering every sample it measures), for a folder, for tar shards, and for
# a dataset made in two runs (the second run measured only its own samples).
def card_bytes(d):
    return {f: open(os.path.join(d, f), "rb").read() for f in ("README.md", "card-preview.jpg", "card-stats.jpg")
            if os.path.exists(os.path.join(d, f))}


for d in (out, tar):
    before = card_bytes(d)
    for f in before:
        os.remove(os.path.join(d, f))
    r = run_cli(["merge", d])
    check(r.returncode == 0, f"merge {d}: {r.stderr[-300:]}")
    check(card_bytes(d) == before, f"{os.path.basename(d)}: the card measured by the run is the card made again")
halves = os.path.join(tmp, "halves")
with open(halves + ".yaml", "w") as f:
    f.write(BASE)
for part in ("0:2", "2:5"):
    r = run_cli(["generate", halves + ".yaml", "-o", halves, "--progress", "quiet", "--classes", part] +
                (["--resume"] if part == "2:5" else []))
    check(r.returncode == 0, f"generate --classes {part}: {r.stderr[-300:]}")
check(card_bytes(halves)["README.md"].replace(b"halves", b"folder") == card_bytes(out)["README.md"].replace(
    b"halves", b"folder"), "a dataset made in two runs has the card of one made at once")

# card: false writes none.
off = gen("off", BASE + "card: false\n")
check(not any(os.path.exists(os.path.join(off, f)) for f in ("README.md", "card-preview.jpg", "card-stats.jpg")),
      "card: false writes no card")
finish()

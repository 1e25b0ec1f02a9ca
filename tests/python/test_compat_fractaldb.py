"""compat: official oracle for FractalDB point mode.

Re-states the official FractalDB point renderer with NumPy, exactly as the official FractalDB scripts
describes it, and compares it pixel for pixel with `fdsl generate` run with `compat: official`.

Run by ctest with /usr/bin/python3; FDSL_CLI, FDSL_SOURCE_DIR and FDSL_SHARED_DIR are set.
"""
import csv
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

CATEGORIES = [0, 17, 999]
WEIGHT_ROWS = [2, 0]  # the identity row, and row 0 of k = 0.4 (a times 1 - 2k)
POINTS = 20000
SIZE = 128
PAD = 6
SEED = 100


def read_rows(path):
    with open(path, newline="") as f:
        return [[float(v) for v in row] for row in csv.reader(f) if row]


def category_csv(root, cat):
    """The official layout csvK/NNNNN.csv (or NNNNN.csv directly in the folder)."""
    name = "%05d.csv" % cat
    direct = os.path.join(root, name)
    if os.path.exists(direct):
        return direct
    for sub in sorted(os.listdir(root)):
        path = os.path.join(root, sub, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError("category %d not found under %s" % (cat, root))


def official_orbit(params, probs, points):
    """x_0 = (0, 0) kept; for t = 1..T-1 one u = np.random.random() chooses the first map whose
    running sum of p reaches u; beyond the last sum the previous point is repeated."""
    np.random.seed(SEED)
    cum = []
    s = 0.0
    for p in probs:
        s += p
        cum.append(s)
    xs = np.zeros(points, dtype=np.float64)
    ys = np.zeros(points, dtype=np.float64)
    x = 0.0
    y = 0.0
    for t in range(1, points):
        u = np.random.random()
        for i, c in enumerate(cum):
            if u <= c:
                a, b, c_, d, e, f = params[i]
                x, y = (x * a + y * b) + e, (x * c_ + y * d) + f
                break
        xs[t] = x
        ys[t] = y
    return xs, ys


def normalize(v, size):
    """Per axis: if min < 0 subtract min, then (v / (max - min) * (size - 2 pad) + pad) as uint16."""
    lo = v.min()
    hi = v.max()
    if lo < 0:
        v = v - lo
    return (v / (hi - lo) * (size - 2 * PAD) + PAD).astype(np.uint16)


def official_image(params, probs):
    xs, ys = official_orbit(params, probs, POINTS)
    px = normalize(xs, SIZE)
    py = normalize(ys, SIZE)
    image = np.zeros((SIZE, SIZE), dtype=np.uint8)
    image[py, px] = 127
    return np.flipud(image)


def fdsl_images(cli, cat, out_dir, cfg_path):
    cmd = [cli, "generate", cfg_path, "-o", out_dir, "--classes", "%d:%d" % (cat, cat + 1), "--progress", "quiet"]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        print("FAIL: %s exited with %d:\n%s" % (" ".join(cmd), r.returncode, r.stdout))
        sys.exit(1)


def load_gray(path):
    im = np.asarray(Image.open(path))
    if im.ndim == 3:
        if not (np.array_equal(im[:, :, 0], im[:, :, 1]) and np.array_equal(im[:, :, 0], im[:, :, 2])):
            print("FAIL: %s: point render channels differ" % path)
            sys.exit(1)
        im = im[:, :, 0]
    return im


def main():
    cli = os.environ.get("FDSL_CLI")
    source = os.environ.get("FDSL_SOURCE_DIR")
    if not cli or not source:
        print("FAIL: FDSL_CLI and FDSL_SOURCE_DIR must be set")
        sys.exit(1)
    cat_root = os.path.join(source, "data", "fractaldb", "csv_rate0.2_category1000")
    weights = read_rows(os.path.join(source, "data", "fractaldb", "weights", "weights_0.4.csv"))
    if len(weights) != 25:
        print("FAIL: weights_0.4.csv has %d rows, expected 25" % len(weights))
        sys.exit(1)

    passed = 0
    failed = 0
    with tempfile.TemporaryDirectory(prefix="fdsl-compat-") as tmp:
        cfg = os.path.join(tmp, "cfg.yaml")
        with open(cfg, "w") as f:
            f.write(
                "generator: fractaldb\ncategories: official\ncompat: official\nrender: point\n"
                "size: %d\npoints: %d\nweight_k: 0.4\npatch_draws: 1\nflips: 1\n" % (SIZE, POINTS)
            )
        for cat in CATEGORIES:
            rows = read_rows(category_csv(cat_root, cat))
            base = [r[:6] for r in rows]
            probs = [r[6] for r in rows]
            out = os.path.join(tmp, "out%d" % cat)
            fdsl_images(cli, cat, out, cfg)
            for w in WEIGHT_ROWS:
                params = [[p * wk for p, wk in zip(m, weights[w])] for m in base]
                expected = official_image(params, probs)
                path = os.path.join(out, "%05d" % cat, "%05d_%02d_count_0_flip0.png" % (cat, w))
                if not os.path.exists(path):
                    print("FAIL: category %d weight row %d: %s was not written" % (cat, w, path))
                    failed += 1
                    continue
                got = load_gray(path)
                if got.shape != expected.shape:
                    print("FAIL: category %d weight row %d: shape %s, expected %s" % (cat, w, got.shape, expected.shape))
                    failed += 1
                    continue
                diff = np.argwhere(got != expected)
                if len(diff):
                    r, c = diff[0]
                    print(
                        "FAIL: category %d weight row %d: %d pixels differ; first at row %d, column %d: fdsl %d, official %d"
                        % (cat, w, len(diff), r, c, got[r, c], expected[r, c])
                    )
                    failed += 1
                    continue
                inked = int((expected != 0).sum())
                if inked < 100:
                    print("FAIL: category %d weight row %d: the reference image is nearly empty (%d pixels)" % (cat, w, inked))
                    failed += 1
                    continue
                print("ok: category %d weight row %d (%d inked pixels)" % (cat, w, inked))
                passed += 1
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""FractalNoiseMix (PC-FractalDB): the noise part of a cloud repeats points no more often than the
official generator's chaos game does. The oracle re-states PC-FractalDB's procedure with NumPy (a
float64 orbit from the origin, the origin not kept, one global min-max to [-1, 1], minus the
centroid) over the same system, then stores float32 as the clouds are stored. With classes: 2 the
noise of class c comes from the other class, so the oracle knows which system to run."""
import json
import os
import tempfile

import numpy as np

from testkit import check, finish, generate

CLASSES, INSTANCES, POINTS, MAIN = 2, 4, 10000, 8000


def official_orbit(maps, n, seed):
    m = np.array(maps, dtype=np.float64)
    a, t = m[:, :9].reshape(-1, 3, 3), m[:, 9:12]
    p = m[:, 12] / m[:, 12].sum()
    picks = np.random.default_rng(seed).choice(len(m), size=n, p=p)
    x, out = np.zeros(3), np.empty((n, 3))
    for k, i in enumerate(picks):
        x = a[i] @ x + t[i]
        out[k] = x
    out = (out - out.min()) / (out.max() - out.min()) * 2 - 1
    return (out - out.mean(axis=0)).astype(np.float32)


def distinct_and_top(rows):
    _, counts = np.unique(rows, axis=0, return_counts=True)
    return len(counts), int(counts.max())


tmp = tempfile.mkdtemp(prefix="fdsl-noisemix-")
ours_total = oracle_total = 0
ours_top = oracle_top = 1
for seed in range(6):
    ds, r = generate(tmp, f"s{seed}", f"generator: pc_fractal\nclasses: {CLASSES}\ninstances: {INSTANCES}\n"
                     f"points: {POINTS}\ncloud_format: npy\npoint_order: generated\nseed: {seed}\n")
    if r.returncode != 0:
        continue
    cats = json.load(open(os.path.join(ds, "categories.json")))["categories"]
    for c in range(CLASSES):
        for i in range(INSTANCES):
            cloud = np.load(os.path.join(ds, f"{c:06d}", f"{c:06d}_{i:04d}.npy"))
            check(cloud.shape == (POINTS, 3), f"seed {seed} {c}/{i}: shape {cloud.shape}")
            n, top = distinct_and_top(cloud[MAIN:])
            ours_total += n
            ours_top = max(ours_top, top)
            n, top = distinct_and_top(official_orbit(cats[1 - c]["maps"], POINTS - MAIN, 1000 * seed + 10 * c + i))
            oracle_total += n
            oracle_top = max(oracle_top, top)

check(ours_total >= 0.995 * oracle_total,
      f"distinct noise points: fdsl {ours_total}, official procedure {oracle_total}")
check(ours_top <= oracle_top + 1, f"most repeats of one noise point: fdsl {ours_top}, official procedure {oracle_top}")
print(f"distinct noise points over {6 * CLASSES * INSTANCES} clouds: fdsl {ours_total}, official {oracle_total}; "
      f"most repeats of one point: fdsl {ours_top}, official {oracle_top}")
finish()

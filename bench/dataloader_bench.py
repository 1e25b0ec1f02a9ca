#!/usr/bin/env python3
"""DataLoader throughput: fractals made on the fly by fdsl.torch versus the same recipe read back as
PNG files with torchvision's ImageFolder, both delivering uint8 (B, 3, H, W) batches through a
torch DataLoader with the same workers, batch size and shuffling.

    PYTHONPATH=build/python /usr/bin/python3 bench/dataloader_bench.py [--images 4000] [--workers 2]

References (rates in images/s, ratios printed per row):
  - PNG: the same recipe written by `fdsl generate` and read with ImageFolder (the page cache is
    warm, since the files were just written: the best case for disk).
  - the sigma-factor authors' numba generator: about 60 images/s per core for fully augmented
    224 px colour images on this class of machine (design/ALGORITHMS.md), times the workers.
Figures are timings, not pass/fail; run with nothing else busy for stable numbers.
"""
import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import torch
from torch.utils.data import DataLoader

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NUMBA_PER_CORE = 60.0


def timed_epoch(loader, images):
    """(steady rate, rate including worker start-up) over the first `images` images of `loader`."""
    start = time.perf_counter()
    first = None
    seen = seen_after_first = 0
    for x, _ in loader:
        n = x.shape[0]
        seen += n
        if first is None:
            first = time.perf_counter()
        else:
            seen_after_first += n
        if seen >= images:
            break
    end = time.perf_counter()
    return seen_after_first / (end - first), seen / (end - start)


def measure(make_loader, images, repeats):
    runs = [timed_epoch(make_loader(), images) for _ in range(repeats)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", default=os.path.join(ROOT, "configs", "ifs-sigma.yaml"))
    ap.add_argument("--images", type=int, default=4000, help="images per measured epoch")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=3, help="median of this many epochs")
    ap.add_argument("--dir", default=tempfile.gettempdir(), help="where the PNG copy is written")
    ap.add_argument("--cli", default=os.environ.get("FDSL_CLI", os.path.join(ROOT, "build", "fdsl")))
    args = ap.parse_args()

    import fdsl
    from fdsl.torch import FractalDataset, FractalIterableDataset
    from torchvision import datasets, transforms

    torch.manual_seed(0)
    ds = FractalDataset(args.config)
    gen = ds.generator
    print(f"recipe {os.path.relpath(args.config, ROOT)}: {gen!r}, image {gen[0].image.shape}; "
          f"{args.images} images x {args.repeats} epochs, batch {args.batch_size}, {args.workers} workers, "
          f"{os.cpu_count()} cores")

    # Render only, in this process: what one core and the pool give without a DataLoader.
    idx = list(range(0, len(gen), max(1, len(gen) // 1000)))[:1000]
    render = {}
    for threads in (1, args.workers):
        t = time.perf_counter()
        gen.batch(idx, threads=threads)
        render[threads] = len(idx) / (time.perf_counter() - t)

    rows = []
    steady, cold = measure(lambda: DataLoader(ds, batch_size=args.batch_size, shuffle=True,
                                              num_workers=args.workers), args.images, args.repeats)
    rows.append(("on the fly: FractalDataset", steady, cold))
    it = FractalIterableDataset(args.config, shuffle=True, batch_size=args.batch_size)
    steady, cold = measure(lambda: DataLoader(it, batch_size=None, num_workers=args.workers), args.images,
                           args.repeats)
    rows.append(("on the fly: FractalIterableDataset(batch_size)", steady, cold))

    # The same recipe as PNG files: enough whole classes to hold the epoch.
    per_class = gen.instances_per_class
    classes = math.ceil(args.images / per_class)
    out = tempfile.mkdtemp(prefix="fdsl-dataloader-bench-", dir=args.dir)
    try:
        t = time.perf_counter()
        r = subprocess.run([args.cli, "generate", args.config, "-o", out, "--classes", f"0:{classes}",
                            "--progress", "quiet"], capture_output=True, text=True)
        if r.returncode:
            sys.exit(f"fdsl generate failed: {r.stderr}")
        write_rate = classes * per_class / (time.perf_counter() - t)
        png_bytes = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(out) for f in fs
                        if f.endswith(".png"))
        folder = datasets.ImageFolder(out, transform=transforms.PILToTensor())
        steady, cold = measure(lambda: DataLoader(folder, batch_size=args.batch_size, shuffle=True,
                                                  num_workers=args.workers), args.images, args.repeats)
        rows.append(("PNG files: torchvision ImageFolder", steady, cold))
    finally:
        shutil.rmtree(out, ignore_errors=True)

    png = rows[-1][1]
    numba = NUMBA_PER_CORE * args.workers
    print(f"\n{'loader':48s} {'images/s':>10s} {'with start-up':>14s} {'x PNG':>7s} {'x numba':>8s}")
    for name, steady, cold in rows:
        print(f"{name:48s} {steady:10.0f} {cold:14.0f} {steady / png:7.2f} {steady / numba:8.1f}")
    print(f"\nrender only, in process: {render[1]:.0f} images/s on 1 thread, {render[args.workers]:.0f} on "
          f"{args.workers} (Generator.batch)")
    print(f"PNG copy: {classes * per_class} images, {png_bytes / 1e6:.0f} MB, written by fdsl generate at "
          f"{write_rate:.0f} images/s")
    print(f"references: PNG = the ImageFolder row (warm page cache); numba = the sigma-factor authors' generator, "
          f"{NUMBA_PER_CORE:.0f} images/s per core x {args.workers} workers = {numba:.0f} images/s")


if __name__ == "__main__":
    main()

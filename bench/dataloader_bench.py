#!/usr/bin/env python3
"""DataLoader throughput: fractals made on the fly by fdsl.torch versus the same recipe read back as
PNG files with torchvision's ImageFolder, both delivering uint8 (B, 3, H, W) batches through a
torch DataLoader with the same workers, batch size and shuffling.

    PYTHONPATH=build/python /usr/bin/python3 bench/dataloader_bench.py [--images 4000] [--workers 2]

Every on-the-fly row renders whole batches: FractalDataset's batch sampler asks for a batch's samples
at once (__getitems__), FractalIterableDataset(batch_size) yields batches (DataLoader(batch_size=None)).
Both render a batch straight into one (B, C, H, W) tensor, which torch's default_collate (the first
row) and fdsl.torch.collate pass on as it is; DataLoader workers hand it over in reusable
shared-memory slots. The "shared_slots=0" row sends every batch in a new shared segment instead,
as torch does for a worker's batches by default. The last on-the-fly row uses the same
number of cores as render threads inside the training process (render_threads=W, prefetch=2, with
num_workers=0) instead of W worker processes.

References (rates in images/s, ratios printed per row):
  - PNG: the same recipe written by `fdsl generate` and read with ImageFolder (the page cache is
    warm, since the files were just written: the best case for disk).
  - the sigma-factor authors' numba generator: about 60 images/s per core for fully augmented
    224 px color images on this class of machine (the sigma-factor authors' numba generator), times the workers.
Figures are timings, not pass/fail; run with nothing else busy for stable numbers.
"""
import argparse
import math
import os
import resource
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


def cpu_seconds():
    """User + system CPU time of this process and its reaped children (the DataLoader workers)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed_epoch(loader, images):
    """Over the first `images` images of `loader`: (steady images/s after the first batch, images/s
    including worker start-up, images per CPU-second of this process and its workers)."""
    cpu0 = cpu_seconds()
    start = time.perf_counter()
    first = None
    seen = seen_after_first = 0
    it = iter(loader)
    for x, _ in it:
        n = x.shape[0]
        seen += n
        if first is None:
            first = time.perf_counter()
        else:
            seen_after_first += n
        if seen >= images:
            break
    end = time.perf_counter()
    del it  # shuts the workers down and reaps them, so their CPU time is counted
    return seen_after_first / (end - first), seen / (end - start), seen / (cpu_seconds() - cpu0)


def measure_interleaved(makers, images, repeats):
    """Medians per loader over `repeats` rounds, the loaders taking turns within each round, so a
    change in the machine's load hits them alike."""
    runs = {name: [] for name in makers}
    for _ in range(repeats):
        for name, make in makers.items():
            runs[name].append(timed_epoch(make(), images))
    return {name: tuple(statistics.median(r[k] for r in rs) for k in range(3)) for name, rs in runs.items()}


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
    from fdsl.torch import FractalDataset, FractalIterableDataset, collate
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

    it = FractalIterableDataset(args.config, shuffle=True, batch_size=args.batch_size)
    # The same, with each batch handed over the way torch does by default (a new shared segment).
    it_plain = FractalIterableDataset(args.config, shuffle=True, batch_size=args.batch_size, shared_slots=0)
    # The same cores as threads of the training process: no worker processes, no batch copies.
    threaded = FractalIterableDataset(args.config, shuffle=True, batch_size=args.batch_size,
                                      render_threads=args.workers, prefetch=2)
    makers = {
        "on the fly: FractalDataset": lambda: DataLoader(ds, batch_size=args.batch_size, shuffle=True,
                                                         num_workers=args.workers),
        "  the same, collate_fn=fdsl.torch.collate": lambda: DataLoader(ds, batch_size=args.batch_size, shuffle=True,
                                                                         num_workers=args.workers, collate_fn=collate),
        "on the fly: FractalIterableDataset(batch_size)": lambda: DataLoader(it, batch_size=None,
                                                                             num_workers=args.workers),
        "  the same, shared_slots=0": lambda: DataLoader(it_plain, batch_size=None, num_workers=args.workers),
        f"on the fly: {args.workers} render threads, 0 workers": lambda: DataLoader(threaded, batch_size=None,
                                                                                 num_workers=0),
    }

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
        makers["PNG files: torchvision ImageFolder"] = lambda: DataLoader(
            folder, batch_size=args.batch_size, shuffle=True, num_workers=args.workers)
        results = measure_interleaved(makers, args.images, args.repeats)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    rows = [(name,) + results[name] for name in makers]

    png, png_cpu = rows[-1][1], rows[-1][3]
    numba = NUMBA_PER_CORE * args.workers
    print(f"\n{'loader':48s} {'images/s':>9s} {'x PNG':>6s} {'x numba':>8s} {'start-up incl.':>15s} "
          f"{'per CPU-s':>10s} {'x PNG':>6s} {'x numba':>8s}")
    for name, steady, cold, per_cpu in rows:
        print(f"{name:48s} {steady:9.0f} {steady / png:6.2f} {steady / numba:8.1f} {cold:15.0f} "
              f"{per_cpu:10.0f} {per_cpu / png_cpu:6.2f} {per_cpu / NUMBA_PER_CORE:8.1f}")
    print(f"\nrender only, in process: {render[1]:.0f} images/s on 1 thread, {render[args.workers]:.0f} on "
          f"{args.workers} (Generator.batch)")
    print(f"PNG copy: {classes * per_class} images, {png_bytes / 1e6:.0f} MB, written by fdsl generate at "
          f"{write_rate:.0f} images/s")
    print(f"references: PNG = the ImageFolder row (warm page cache); numba = the sigma-factor authors' generator, "
          f"{NUMBA_PER_CORE:.0f} images/s per core, x {args.workers} workers = {numba:.0f} images/s")
    print("per CPU-s: images per second of CPU time of the loader's process and workers (insensitive to other "
          "load on shared cores); x numba there is per core")
    print(f"load average during the run: {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
